import { describe, expect, it } from 'vitest';
import { formatBytes, usageFraction } from '../../src/platform/storage';

describe('formatBytes', () => {
  it('uses SI units with 3 significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(2_878_370)).toBe('2.88 MB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(299_000_000_000)).toBe('299 GB');
  });

  it('never prints 1000 of a unit after rounding', () => {
    expect(formatBytes(999_600)).toBe('1.00 MB');
    expect(formatBytes(999.7)).toBe('1.00 kB');
  });

  it('shows a dash for invalid input', () => {
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});

describe('usageFraction', () => {
  it('is usage / quota clamped to [0, 1]', () => {
    expect(usageFraction({ usage: 25, quota: 100 })).toBe(0.25);
    expect(usageFraction({ usage: 300, quota: 100 })).toBe(1);
  });

  it('is undefined when a number is missing or the quota is 0', () => {
    expect(usageFraction({ usage: 25 })).toBeUndefined();
    expect(usageFraction({ quota: 100 })).toBeUndefined();
    expect(usageFraction({ usage: 0, quota: 0 })).toBeUndefined();
  });
});
