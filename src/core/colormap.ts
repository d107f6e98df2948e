/**
 * Heatmap colouring for the live view: MATLAB's `jet` colormap as a lookup table, colouring of a
 * [0, 1] map into RGBA pixels, and temporal smoothing of successive maps. Pure functions over typed
 * arrays (no tensors, no DOM), so the frame loop can reuse its buffers every frame.
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
 * Colours a map with values in [0, 1] into RGBA pixels (e.g. an ImageData's `data`). Values outside
 * [0, 1] are clamped and NaN counts as 0, so a bad frame never paints garbage.
 * @param map [h * w] row-major values in [0, 1]
 * @param out [h * w * 4] RGBA, overwritten (reused between frames)
 * @param alpha opacity written into every pixel, in [0, 1]
 * @param lut [n * 3] RGB table, {@link JET_LUT} by default
 */
export function colouriseMap(
  map: ArrayLike<number>,
  out: Uint8ClampedArray,
  alpha = 1,
  lut: Uint8ClampedArray = JET_LUT,
): Uint8ClampedArray {
  if (out.length !== map.length * 4)
    throw new Error(`output holds ${out.length / 4} pixels but the map has ${map.length}`);
  if (lut.length < 6 || lut.length % 3 !== 0)
    throw new Error(`lookup table must hold n >= 2 RGB triplets, got ${lut.length} values`);
  const last = lut.length / 3 - 1;
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    const t = v > 0 ? (v < 1 ? v : 1) : 0; // NaN fails both comparisons -> 0
    const j = Math.round(t * last) * 3;
    out[i * 4] = lut[j];
    out[i * 4 + 1] = lut[j + 1];
    out[i * 4 + 2] = lut[j + 2];
    out[i * 4 + 3] = a;
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
