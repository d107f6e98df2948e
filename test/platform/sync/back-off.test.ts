import { describe, expect, it } from 'vitest';
import { nextBackOff, syncBackOff } from '../../../src/platform/sync/back-off';

describe('sync back-off', () => {
  it('starts at the initial delay, doubles, and stops at the maximum', () => {
    const f = syncBackOff({ initialMs: 500, maxMs: 3000 });
    const delays: number[] = [];
    let d = 0;
    for (let i = 0; i < 6; i++) delays.push((d = f(d)));
    expect(delays).toEqual([500, 1000, 2000, 3000, 3000, 3000]);
  });

  it('treats a reset (0) or nonsense as the first failure', () => {
    expect(nextBackOff(0)).toBe(1000);
    expect(nextBackOff(Number.NaN)).toBe(1000);
    expect(nextBackOff(-5)).toBe(1000);
    expect(nextBackOff(40_000)).toBe(60_000);
  });
});
