/**
 * Heatmap colouring for the live view: MATLAB's `jet` colormap as a lookup table, colouring of a
 * [0, 1] map into RGBA pixels (one constant alpha, or an alpha rising with the value), and temporal
 * smoothing of successive maps. Pure functions over typed arrays (no tensors, no DOM), so the frame
 * loop can reuse its buffers every frame.
 */

/** Entries in the default lookup table (as MATLAB's `jet(256)`). */
export const LUT_SIZE = 256;

/**
 * MATLAB `jet` at t in [0, 1]: dark blue -> blue -> cyan -> yellow -> red -> dark red.
 * Piecewise linear: each channel is `clamp(1.5 - |4t - k|)` with k = 3 (red), 2 (green), 1 (blue).
 * @returns [r, g, b] in [0, 1]
 */
export function jet(t: number): [number, number, number] {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const c = (k: number) => Math.min(1, Math.max(0, 1.5 - Math.abs(4 * x - k)));
  return [c(3), c(2), c(1)];
}

/**
 * A jet lookup table: `n` RGB triplets (0..255), entry i for t = i / (n - 1).
 * @returns [n * 3] r, g, b interleaved
 */
export function jetLut(n = LUT_SIZE): Uint8ClampedArray {
  if (!Number.isInteger(n) || n < 2) throw new Error(`lookup table size must be an integer >= 2, got ${n}`);
  const lut = new Uint8ClampedArray(n * 3);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = jet(i / (n - 1));
    lut[i * 3] = Math.round(r * 255);
    lut[i * 3 + 1] = Math.round(g * 255);
    lut[i * 3 + 2] = Math.round(b * 255);
  }
  return lut;
}

/** The shared default table (built once). */
export const JET_LUT: Uint8ClampedArray = jetLut();

/**
 * An alpha that rises with the map value: 0 at or below `low`, 1 at or above `high`, and smoothstep
 * (3u² - 2u³, u = (v - low) / (high - low)) between, so the colour fades in without a hard contour.
 */
export interface AlphaRamp {
  /** The value at and below which a pixel is transparent, in [0, 1). */
  low: number;
  /** The value at and above which a pixel is opaque, in (low, 1]. */
  high: number;
}

/**
 * The live view's highlight: transparent up to 0.2, opaque from 0.6. The maps are scaled so that
 * their peak is 1, and most of a crack photo's map is a low tail around and away from the crack
 * (Grad-CAM's coarse cells spill over the sound wall, bilinear upsampling spreads them), which jet
 * at a constant alpha paints as a blue veil over the whole crop. Measured on the README's crack
 * photo: three quarters of the 13x13 Grad-CAM's cells and 95 % of the fine map's are at or below
 * 0.2, so the wall stays clear; the fine map is gated and thin, and most of its crack trace lies
 * between 0.1 and 0.45, so a high knee at 0.8 would leave the crack itself nearly uncoloured, while
 * 0.6 paints the trace and shows a peak fully. The smoothstep between keeps a highlight's edge soft.
 */
export const HIGHLIGHT_RAMP: Readonly<AlphaRamp> = { low: 0.2, high: 0.6 };

/** Throws unless `ramp` has knees 0 <= low < high <= 1. */
function checkRamp(ramp: AlphaRamp): void {
  const { low, high } = ramp;
  if (!(low >= 0 && high <= 1 && low < high))
    throw new Error(`alpha ramp knees must satisfy 0 <= low < high <= 1, got low ${low} and high ${high}`);
}

/**
 * The ramp's alpha for one map value, in [0, 1]; NaN gives 0 (transparent).
 * @param value a map value (clamped to [0, 1] by the knees)
 */
export function rampAlpha(value: number, ramp: AlphaRamp = HIGHLIGHT_RAMP): number {
  checkRamp(ramp);
  return smoothstep(value, ramp.low, ramp.high);
}

/** Smoothstep of `v` between `low` and `high` (low < high); NaN -> 0. No checks: the per-pixel loop calls it. */
function smoothstep(v: number, low: number, high: number): number {
  if (!(v > low)) return 0; // NaN fails the comparison -> 0
  if (v >= high) return 1;
  const u = (v - low) / (high - low);
  return u * u * (3 - 2 * u);
}

/**
 * Colours a map with values in [0, 1] into RGBA pixels (e.g. an ImageData's `data`). Values outside
 * [0, 1] are clamped and NaN counts as 0, so a bad frame never paints garbage. Allocates nothing.
 * @param map [h * w] row-major values in [0, 1]
 * @param out [h * w * 4] RGBA, overwritten (reused between frames)
 * @param alpha a constant opacity in [0, 1] for every pixel (the MATLAB reference's veil), or an
 *   {@link AlphaRamp} giving each pixel an opacity rising with its value (NaN -> transparent)
 * @param lut [n * 3] RGB table, {@link JET_LUT} by default
 */
export function colouriseMap(
  map: ArrayLike<number>,
  out: Uint8ClampedArray,
  alpha: number | Readonly<AlphaRamp> = 1,
  lut: Uint8ClampedArray = JET_LUT,
): Uint8ClampedArray {
  if (out.length !== map.length * 4)
    throw new Error(`output holds ${out.length / 4} pixels but the map has ${map.length}`);
  if (lut.length < 6 || lut.length % 3 !== 0)
    throw new Error(`lookup table must hold n >= 2 RGB triplets, got ${lut.length} values`);
  const ramp = typeof alpha === 'number' ? undefined : alpha;
  if (ramp) checkRamp(ramp);
  const last = lut.length / 3 - 1;
  const constant = Math.round(Math.min(1, Math.max(0, typeof alpha === 'number' ? alpha : 1)) * 255);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    const t = v > 0 ? (v < 1 ? v : 1) : 0; // NaN fails both comparisons -> 0
    const j = Math.round(t * last) * 3;
    out[i * 4] = lut[j];
    out[i * 4 + 1] = lut[j + 1];
    out[i * 4 + 2] = lut[j + 2];
    out[i * 4 + 3] = ramp ? Math.round(smoothstep(v, ramp.low, ramp.high) * 255) : constant;
  }
  return out;
}

/**
 * Exponential moving average of successive maps, in place: `state = keep * state + (1 - keep) * next`.
 * `keep` = 0 turns smoothing off (state becomes `next`); closer to 1 is steadier but lags more.
 * @param state [n] previous smoothed map, updated in place
 * @param next [n] this frame's map
 * @param keep weight of the past in [0, 1)
 */
export function smoothInto(state: Float32Array, next: ArrayLike<number>, keep: number): Float32Array {
  if (state.length !== next.length)
    throw new Error(`cannot smooth a map of ${next.length} values into one of ${state.length}`);
  if (!(keep >= 0 && keep < 1)) throw new Error(`smoothing must be in [0, 1), got ${keep}`);
  const fresh = 1 - keep;
  for (let i = 0; i < state.length; i++) state[i] = keep * state[i] + fresh * next[i];
  return state;
}

/** Index and value of the largest entry (first one on ties); -1 for an empty map. */
export function argMax(map: ArrayLike<number>): { index: number; value: number } {
  let index = -1;
  let value = -Infinity;
  for (let i = 0; i < map.length; i++) {
    if (map[i] > value) {
      value = map[i];
      index = i;
    }
  }
  return { index, value };
}
