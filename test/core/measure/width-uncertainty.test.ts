import { describe, expect, it } from 'vitest';
import {
  DEFAULT_UNCERTAINTY,
  maxWidthQuantile,
  quantile,
  quantileSpreadPx,
  widthUncertaintyPx,
} from '../../../src/core/measure/width-uncertainty';

const ramp = (n: number, from: number, to: number) =>
  Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

describe('width uncertainty', () => {
  it('reads a quantile of sorted values, clamped to the ends', () => {
    const v = ramp(101, 0, 10);
    expect(quantile(v, 0.95)).toBeCloseTo(9.5, 9);
    expect(quantile(v, 1.2)).toBe(10);
    expect(quantile(v, -0.1)).toBe(0);
  });

  it('takes a higher quantile of corrected readings as the crack gets wider', () => {
    expect(maxWidthQuantile(2)).toBe(0.95);
    expect(maxWidthQuantile(6)).toBe(0.95);
    expect(maxWidthQuantile(9)).toBeCloseTo(0.97, 9);
    expect(maxWidthQuantile(12)).toBeCloseTo(0.99, 9);
    expect(maxWidthQuantile(40)).toBeCloseTo(0.99, 9);
  });

  it('gives no spread when every reading is the same', () => {
    expect(quantileSpreadPx(Array<number>(400).fill(6), 6)).toBe(0);
    expect(quantileSpreadPx([], 6)).toBe(0);
  });

  it('widens the spread when fewer readings are independent (a wider crack)', () => {
    const readings = ramp(400, 4, 8);
    const narrow = quantileSpreadPx(readings, 2);
    const wide = quantileSpreadPx(readings, 20);
    expect(narrow).toBeGreaterThan(0);
    expect(wide).toBeGreaterThan(narrow);
  });

  it('adds the floor, the spread, the relative and the blur term in quadrature, times k', () => {
    const model = { floorPx: 0.3, relative: 0.02, blur: 0.5, k: 2 };
    const sharp = { spreadPx: 0, edgePx: NaN };
    expect(widthUncertaintyPx({ widthPx: 20, ...sharp }, model)).toBeCloseTo(2 * Math.hypot(0.3, 0.4), 9);
    expect(widthUncertaintyPx({ widthPx: 0, spreadPx: 0.4, edgePx: NaN }, model)).toBeCloseTo(2 * 0.5, 9);
    // edges 2 px soft on a crack read 4 px wide: 0.5 * 4 / 4 = 0.5 px
    expect(widthUncertaintyPx({ widthPx: 4, spreadPx: 0, edgePx: 2 }, model)).toBeCloseTo(
      2 * Math.sqrt(0.3 ** 2 + 0.08 ** 2 + 0.5 ** 2),
      9,
    );
    for (const m of [DEFAULT_UNCERTAINTY.deblurred, DEFAULT_UNCERTAINTY.asRead]) {
      expect(widthUncertaintyPx({ widthPx: 5, ...sharp }, m)).toBeGreaterThanOrEqual(m.k * m.floorPx);
    }
  });
});
