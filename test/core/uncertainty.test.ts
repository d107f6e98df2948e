import { describe, expect, it } from 'vitest';
import { isUncertain, leastSure, UNCERTAIN_BELOW } from '../../src/core/uncertainty';

describe('isUncertain', () => {
  it('is true below the threshold or when unfamiliar', () => {
    expect(isUncertain({ probability: UNCERTAIN_BELOW - 0.01 })).toBe(true);
    expect(isUncertain({ probability: UNCERTAIN_BELOW })).toBe(false);
    expect(isUncertain({ probability: 0.99, unfamiliar: true })).toBe(true);
    expect(isUncertain({ probability: 0.99, unfamiliar: false })).toBe(false);
    expect(isUncertain({ probability: 0.85 }, 0.9)).toBe(true);
  });

  it('rejects a threshold outside (0, 1]', () => {
    expect(() => isUncertain({ probability: 0.5 }, 0)).toThrow(/threshold must be in \(0, 1\], got 0/);
  });
});

describe('leastSure', () => {
  const items = [
    { id: 'sure', probability: 0.98 },
    { id: 'half', probability: 0.51 },
    { id: 'odd', probability: 0.97, unfamiliar: true },
    { id: 'unsure', probability: 0.7 },
  ];

  it('keeps the uncertain ones: unfamiliar first, then by rising probability', () => {
    expect(leastSure(items, 10).map((i) => i.id)).toEqual(['odd', 'half', 'unsure']);
    expect(leastSure(items, 2).map((i) => i.id)).toEqual(['odd', 'half']);
  });

  it('rejects a bad limit', () => {
    expect(() => leastSure(items, -1)).toThrow(/limit must be an integer >= 0, got -1/);
  });
});
