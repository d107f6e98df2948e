/**
 * The +- uncertainty of a crack's maximum width, from the measurement itself:
 *   u = k * sqrt(floorPx^2 + spreadPx^2 + (relative * widthPx)^2 + (blur * edgePx^2 / widthPx)^2)
 * in px, then mm at the crack:
 * - floorPx: what the edge placement can do on a blurred, noised, JPEG-compressed photo;
 * - spreadPx: how well the readings along the crack pin down the quantile taken as the maximum (the
 *   half-width of the order-statistic 95 % interval of that quantile, counting readings within one crack width of
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
  deblurred: { floorPx: 0.1, relative: 0.01, blur: 0.5, k: 1.76 },
  asRead: { floorPx: 0.7, relative: 0.02, blur: 3, k: 0.98 },
};

/** Quantile of the maximum width (readings as read; corrected readings: see {@link maxWidthQuantile}). */
export const MAX_WIDTH_QUANTILE = 0.95;

/** Where the quantile of corrected readings starts to rise (px across, at the 95th percentile), and where it tops out. */
const QUANTILE_RAMP_PX = { from: 6, to: 12 };
/** The quantile of corrected readings on cracks at least `QUANTILE_RAMP_PX.to` across. */
const WIDE_CRACK_QUANTILE = 0.99;

/**
 * The quantile of corrected, smoothed readings taken as the maximum width of a crack whose 95th
 * percentile reads `widthPx`: 0.95 up to 6 px, rising linearly to 0.99 at 12 px and over. The widest
 * point of a rough-edged crack lies where both edges bulge at once, above most readings (on the
 * validation study's cracks the true maximum is a median 2.3 % above the 95th percentile of the true
 * widths), so the 95th percentile under-reads wide cracks by about half a pixel. On wide cracks the
 * readings' noise is small next to that roughness and a higher quantile reads closer to the maximum;
 * on thin ones the noise widens the high quantiles more than the roughness does. See docs/measure.md,
 * "The maximum of a wide crack".
 */
export function maxWidthQuantile(widthPx: number): number {
  const { from, to } = QUANTILE_RAMP_PX;
  const t = Math.min(1, Math.max(0, (widthPx - from) / (to - from)));
  return MAX_WIDTH_QUANTILE + t * (WIDE_CRACK_QUANTILE - MAX_WIDTH_QUANTILE);
}

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
