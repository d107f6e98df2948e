import { describe, expect, it } from 'vitest';
import { comparisonRows, SITE_SET, worseSurfaces, type ScoredPair } from '../../src/core/before-after';

/** `n` pairs of `set` with truth `crack`, `oldRight` / `newRight` of them predicted right by each model. */
function pairs(set: string, n: number, oldRight: number, newRight: number): ScoredPair[] {
  return Array.from({ length: n }, (_, i) => ({
    set,
    truth: 'crack',
    oldPredicted: i < oldRight ? 'crack' : 'nocrack',
    newPredicted: i < newRight ? 'crack' : 'nocrack',
  }));
}

describe('comparisonRows', () => {
  it('counts right answers of each model per set, in the given order, then unlisted sets', () => {
    const rows = comparisonRows(
      [...pairs('walls', 4, 4, 1), ...pairs(SITE_SET, 10, 6, 9), ...pairs('concrete', 20, 19, 20)],
      [SITE_SET, 'concrete', 'asphalt'],
    );
    expect(rows.map((r) => r.set)).toEqual([SITE_SET, 'concrete', 'walls']);
    expect(rows[0]).toEqual({ set: SITE_SET, n: 10, oldCorrect: 6, newCorrect: 9, oldAccuracy: 0.6, newAccuracy: 0.9 });
    expect(rows[1]).toMatchObject({ n: 20, oldAccuracy: 0.95, newAccuracy: 1 });
    expect(rows[2]).toMatchObject({ n: 4, oldCorrect: 4, newCorrect: 1, newAccuracy: 0.25 });
  });

  it('compares labels, not positions: a model with another label order is scored by name', () => {
    const [row] = comparisonRows([{ set: 'a', truth: 'salt', oldPredicted: 'crack', newPredicted: 'salt' }]);
    expect(row).toMatchObject({ oldCorrect: 0, newCorrect: 1 });
  });
});

describe('worseSurfaces', () => {
  it('lists old surfaces that lost more than a point, worst first, never the site', () => {
    const rows = comparisonRows([
      ...pairs(SITE_SET, 10, 10, 0), // the site may change as it likes
      ...pairs('concrete', 100, 100, 99), // exactly one point: allowed
      ...pairs('asphalt', 100, 90, 88), // two points
      ...pairs('walls', 20, 20, 15), // 25 points
      ...pairs('brick', 10, 5, 10), // better
    ]);
    const worse = worseSurfaces(rows);
    expect(worse.map((w) => w.set)).toEqual(['walls', 'asphalt']);
    expect(worse[0].drop).toBeCloseTo(0.25, 10);
    expect(worse[1].drop).toBeCloseTo(0.02, 10);
  });

  it('takes another allowed drop and rejects a nonsense one', () => {
    const rows = comparisonRows(pairs('concrete', 100, 100, 99));
    expect(worseSurfaces(rows, 0).map((w) => w.set)).toEqual(['concrete']);
    expect(() => worseSurfaces(rows, -0.1)).toThrow(/maxDrop must be in \[0, 1\), got -0.1/);
  });
});
