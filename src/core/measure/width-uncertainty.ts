/**
 * The +- uncertainty of a crack's maximum width, from the measurement itself:
 *   u = k * sqrt(floorPx^2 + spreadPx^2 + (relative * widthPx)^2 + (blur * edgePx^2 / widthPx)^2)
 * in px, then mm at the crack:
 * - floorPx: what the edge placement can do on a blurred, noised, JPEG-compressed photo;
 * - spreadPx: how well the readings along the crack pin down their 95th percentile (the half-width of
 *   the order-statistic 95 % interval of that quantile, counting readings within one crack width of
 *   each other as one, since neighbouring readings share their pixels);
 * - relative: errors that grow with the width (the rough edge's blur, the scale's own error);
 * - edgePx: how soft the crack's edges are (25 % to 75 % of its depth). A crack not much wider than
 *   its blurred edges is read wider than it is (a line of no width still reads about 2.4 blur sigmas),
 *   so the term grows as the edges take up more of the width.
 * k, floorPx, relative and blur are calibrated on the synthetic validation set so that the interval holds
 * the true width for 95 % of cracks (`npm run measure:validate -- --calibrate`); see docs/measure.md.
 */

/** The model's constants. */
export interface UncertaintyModel {
  floorPx: number;
  relative: number;
  blur: number;
  /** Coverage factor. */
  k: number;
}

/** One model for readings corrected for the camera's blur (the marker in view), one for readings as read. */
export interface UncertaintyModels {
  deblurred: UncertaintyModel;
  asRead: UncertaintyModel;
}

/**
 * Calibrated on seeds 11-16, nominal and uniform widths (185 cracks given a width), with the blur
 * correction and without it (`--no-blur-correction`):
 *   npm run measure:validate -- --seeds 11,12,13,14,15,16 --n 16 --widths nominal,uniform --calibrate
 * and checked on other seeds; see docs/measure.md, "Uncertainty".
 */
export const DEFAULT_UNCERTAINTY: UncertaintyModels = {
  deblurred: { floorPx: 0.3, relative: 0.01, blur: 0, k: 1.55 },
  asRead: { floorPx: 0.7, relative: 0.02, blur: 3, k: 0.98 },
};

/** Quantile of the maximum width. */
export const MAX_WIDTH_QUANTILE = 0.95;

/** Value at fraction q of the sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const c = Math.min(1, Math.max(0, q));
  return sorted[Math.min(sorted.length - 1, Math.round(c * (sorted.length - 1)))];
}

/** Median of the values (a sorted copy is taken; the middle value, or the upper of the two middle ones). */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/**
 * Half-width (px) of the 95 % interval of the q-quantile of `sortedPx` (width readings along the
 * crack, ascending), with n / widthPx independent readings (at least 1).
 */
export function quantileSpreadPx(sortedPx: readonly number[], widthPx: number, q = MAX_WIDTH_QUANTILE): number {
  if (sortedPx.length === 0) return 0;
  const independent = Math.max(1, sortedPx.length / Math.max(1, widthPx));
  const d = 1.96 * Math.sqrt((q * (1 - q)) / independent);
  return (quantile(sortedPx, q + d) - quantile(sortedPx, q - d)) / 2;
}

/** What the uncertainty is computed from, px. */
export interface UncertaintyInput {
  widthPx: number;
  spreadPx: number;
  /** Softness of the edges near the widest readings (NaN or 0: no blur term). */
  edgePx: number;
}

/** The +- uncertainty of the maximum width, px. */
export function widthUncertaintyPx(input: UncertaintyInput, model: UncertaintyModel): number {
  const { floorPx, relative, blur, k } = model;
  const { widthPx, spreadPx, edgePx } = input;
  const soft = Number.isFinite(edgePx) && widthPx > 0 ? (blur * edgePx ** 2) / widthPx : 0;
  return k * Math.sqrt(floorPx ** 2 + spreadPx ** 2 + (relative * widthPx) ** 2 + soft ** 2);
}
