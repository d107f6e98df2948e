import { describe, expect, it } from 'vitest';
import { calibrateUncertainty, type CalibrationCase } from '../../../src/core/measure/uncertainty-calibration';
import { widthUncertaintyPx } from '../../../src/core/measure/width-uncertainty';

/** Cases whose error is a fraction of 0.5 px + 2 % of the width (in quadrature). */
function cases(n: number): CalibrationCase[] {
  return Array.from({ length: n }, (_, i) => {
    const widthPx = 3 + (i % 20) * 2;
    const scale = Math.hypot(0.5, 0.02 * widthPx);
    return { widthPx, spreadPx: 0, edgePx: NaN, errorPx: (scale * ((i * 37) % 100)) / 100 };
  });
}

describe('calibrateUncertainty', () => {
  it('covers the wanted share of the cases, and not many more', () => {
    const c = cases(200);
    const fit = calibrateUncertainty(c, 0.95);
    expect(fit.cases).toBe(200);
    expect(fit.coverage).toBeGreaterThanOrEqual(0.95);
    expect(fit.coverage).toBeLessThan(0.99);
    const covered = c.filter((x) => x.errorPx <= widthUncertaintyPx(x, fit.model)).length;
    expect(covered / c.length).toBeCloseTo(fit.coverage, 9);
  });

  it('is no wider than the true shape of the error scaled to cover as much', () => {
    const c = cases(200);
    const fit = calibrateUncertainty(c, 0.95);
    const truth = { floorPx: 0.5, relative: 0.02, blur: 0, k: 0.99 };
    expect(c.filter((x) => x.errorPx <= widthUncertaintyPx(x, truth)).length / c.length).toBeGreaterThanOrEqual(0.95);
    const mean = c.reduce((s, x) => s + widthUncertaintyPx(x, truth), 0) / c.length;
    expect(fit.meanUncertainPx).toBeLessThanOrEqual(mean + 1e-9);
  });

  it('refuses no cases and a share outside (0, 1]', () => {
    expect(() => calibrateUncertainty([])).toThrow(/no cases/);
    expect(() => calibrateUncertainty(cases(10), 1.5)).toThrow(/share must be in \(0, 1\]/);
  });
});
