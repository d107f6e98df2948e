/**
 * Camera blur and the width of a thin dark band. A band w px wide seen through a Gaussian blur of
 * sigma px reads wider than it is where the width is taken midway between its darkest value and
 * the surface (its full width at half depth): a band of no width still reads about 2.35 sigma, one
 * of 2 sigma about 2.6 sigma. `unblurredWidthPx` inverts that reading, given sigma.
 */

/** Standard normal cumulative distribution (Abramowitz and Stegun 7.1.26 for erf; error < 2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Depth of the blurred band at offset t from its centre, for a band r wide (units of sigma; depth 1 unblurred). */
function blurredDepth(r: number, t: number): number {
  return normalCdf(t + r / 2) - normalCdf(t - r / 2);
}

/** Full width at half depth of a band r wide after a blur of sigma 1 (both in units of sigma). */
export function blurredHalfDepthWidth(r: number): number {
  const half = blurredDepth(r, 0) / 2;
  let lo = 0;
  let hi = r / 2 + 6;
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    if (blurredDepth(r, mid) > half) lo = mid;
    else hi = mid;
  }
  return lo + hi;
}

/** Band widths (units of sigma) tabulated for the inversion, and their blurred readings. */
const TABLE_STEP = 0.02;
const TABLE_MAX = 8;
const readingTable: Float64Array = (() => {
  const n = Math.round(TABLE_MAX / TABLE_STEP) + 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = blurredHalfDepthWidth(Math.max(1e-3, i * TABLE_STEP));
  return out;
})();

/**
 * The band's width (px) that reads `readPx` at half depth through a blur of `sigmaPx`. A reading
 * narrower than a band of no width gives 0; beyond 8 sigma the reading is the width.
 */
export function unblurredWidthPx(readPx: number, sigmaPx: number): number {
  if (!(sigmaPx > 0)) return readPx;
  const f = readPx / sigmaPx;
  const last = readingTable.length - 1;
  if (f >= readingTable[last]) return readPx - (readingTable[last] - TABLE_MAX) * sigmaPx;
  if (f <= readingTable[0]) return 0;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (readingTable[mid] <= f) lo = mid;
    else hi = mid;
  }
  const frac = (f - readingTable[lo]) / (readingTable[hi] - readingTable[lo]);
  return (lo + frac) * TABLE_STEP * sigmaPx;
}
