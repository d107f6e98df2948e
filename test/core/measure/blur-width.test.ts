import { describe, expect, it } from 'vitest';
import { blurredHalfDepthWidth, unblurredWidthPx } from '../../../src/core/measure/blur-width';

describe('blurredHalfDepthWidth', () => {
  it('reads a band of no width as the blur full width at half maximum, a wide band as itself', () => {
    expect(blurredHalfDepthWidth(1e-4)).toBeCloseTo(2 * Math.sqrt(2 * Math.log(2)), 3);
    expect(blurredHalfDepthWidth(8)).toBeCloseTo(8, 2);
    // a band of one sigma reads almost 2.5 sigma
    expect(blurredHalfDepthWidth(1)).toBeGreaterThan(2.4);
  });

  it('grows with the band', () => {
    let previous = 0;
    for (let r = 0.1; r < 8; r += 0.1) {
      const read = blurredHalfDepthWidth(r);
      expect(read).toBeGreaterThan(previous);
      previous = read;
    }
  });
});

describe('unblurredWidthPx', () => {
  it.each([0.7, 1.2])('undoes the blur of sigma %s px for bands of 0.5 to 10 sigma', (sigma) => {
    for (const r of [0.5, 1, 2, 3, 5, 10]) {
      const read = blurredHalfDepthWidth(r) * sigma;
      expect(unblurredWidthPx(read, sigma)).toBeCloseTo(r * sigma, 1);
    }
  });

  it('gives 0 for a reading narrower than a band of no width, and the reading without a blur', () => {
    expect(unblurredWidthPx(2, 1)).toBe(0);
    expect(unblurredWidthPx(2, 0)).toBe(2);
  });
});
