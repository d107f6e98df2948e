import * as tf from '@tensorflow/tfjs';
import type { Rng } from './random';

/** Random image augmentation, in pixels of the network input. */
export interface AugmentConfig {
  /** Mirror left-right with probability 0.5 (the MATLAB reference's RandXReflection). */
  flipX: boolean;
  /**
   * Also mirror top-bottom and swap the axes, each with probability 0.5 (with `flipX`: the eight
   * rotations and mirror images of a square input). Cracks and sound surfaces keep their label at any
   * orientation. Off when absent.
   */
  rotate?: boolean;
  /** Uniform shift in [-t, t] px on each axis (the MATLAB reference: 30). */
  translate: number;
  /** Uniform zoom factor in [1 - s, 1 + s] (ignored when `zoomRange` is given). */
  scale: number;
  /**
   * Zoom factor drawn log-uniformly in [min, max] instead of `scale` (e.g. [0.5, 2]: the crack from
   * half to twice its size, as an inspector standing further or closer sees it). Below 1 the
   * borders are filled by reflection.
   */
  zoomRange?: readonly [number, number];
  /**
   * With `zoomRange`: the share of images (0-1) whose zoom is drawn from it; the others get the mild
   * `scale` zoom. All of them when absent.
   */
  zoomShare?: number;
  /** Uniform brightness offset in [-b, b] (0..255 scale). */
  brightness: number;
  /** Uniform contrast factor in [1 - c, 1 + c] around the image mean. */
  contrast: number;
}

/** The MATLAB reference's augmentation (x-reflection, +-30 px) plus mild photometric and scale jitter for new surfaces. */
export const DEFAULT_AUGMENT: AugmentConfig = { flipX: true, translate: 30, scale: 0.1, brightness: 20, contrast: 0.2 };

/** The MATLAB reference's augmentation only. */
export const MATLAB_REFERENCE_AUGMENT: AugmentConfig = {
  flipX: true,
  translate: 30,
  scale: 0,
  brightness: 0,
  contrast: 0,
};

/** One random draw of the augmentation for one image. */
interface Draw {
  flip: boolean;
  flipY: boolean;
  transpose: boolean;
  zoom: number;
  tx: number;
  ty: number;
  gain: number;
  offset: number;
}

/** Reflects an out-of-range index back into [0, n) (edge pixel not repeated, like numpy 'reflect'). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = Math.abs(i) % period;
  if (m >= n) m = period - m;
  return m;
}

/** Where each output coordinate reads along one axis: the two neighbours (times `stride`) and the weight of the second. */
interface AxisSamples {
  i0: Int32Array;
  i1: Int32Array;
  frac: Float64Array;
}

/**
 * Bilinear sample positions along an axis of `n` pixels for output coordinates 0..n-1: zoom about
 * `centre`, then shift by `shift`, reflect borders; indices scaled by `stride`.
 */
function axisSamples(n: number, centre: number, zoom: number, shift: number, stride: number): AxisSamples {
  const out = { i0: new Int32Array(n), i1: new Int32Array(n), frac: new Float64Array(n) };
  for (let v = 0; v < n; v++) {
    const s = (v - centre) / zoom + centre - shift;
    const s0 = Math.floor(s);
    out.i0[v] = reflect(s0, n) * stride;
    out.i1[v] = reflect(s0 + 1, n) * stride;
    out.frac[v] = s - s0;
  }
  return out;
}

/**
 * Resamples one [h, w, 3] image: output (x, y) reads input at a zoom about the centre, shifted by
 * (tx, ty) and optionally mirrored and transposed, bilinearly with reflect borders; then contrast
 * about the image mean and a brightness offset, clipped to 0..255.
 */
function augmentOne(src: Float32Array, srcOffset: number, dst: Float32Array, h: number, w: number, d: Draw): void {
  const cols = axisSamples(w, (w - 1) / 2, d.zoom, d.tx, 1);
  const rows = axisSamples(h, (h - 1) / 2, d.zoom, d.ty, w);
  let sum = 0;
  for (let y = 0; y < h; y++) {
    const oy = d.flipY ? h - 1 - y : y;
    for (let x = 0; x < w; x++) {
      const ox = d.flip ? w - 1 - x : x;
      const vx = d.transpose ? oy : ox;
      const vy = d.transpose ? ox : oy;
      const fx = cols.frac[vx];
      const fy = rows.frac[vy];
      const a = srcOffset + (rows.i0[vy] + cols.i0[vx]) * 3;
      const b = srcOffset + (rows.i0[vy] + cols.i1[vx]) * 3;
      const c = srcOffset + (rows.i1[vy] + cols.i0[vx]) * 3;
      const e = srcOffset + (rows.i1[vy] + cols.i1[vx]) * 3;
      const o = (y * w + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * fx;
        const bottom = src[c + k] + (src[e + k] - src[c + k]) * fx;
        const v = top + (bottom - top) * fy;
        dst[o + k] = v;
        sum += v;
      }
    }
  }
  const mean = sum / (h * w * 3);
  for (let i = 0; i < h * w * 3; i++) {
    const v = (dst[i] - mean) * d.gain + mean + d.offset;
    dst[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/**
 * One zoom factor: log-uniform in `zoomRange` when given (for a `zoomShare` of the images), else
 * uniform in [1 - scale, 1 + scale].
 */
function drawZoom(config: AugmentConfig, rng: Rng): number {
  const mild = () => 1 + (rng() * 2 - 1) * config.scale;
  if (!config.zoomRange) return mild();
  if (config.zoomShare !== undefined && rng() >= config.zoomShare) return mild();
  const [min, max] = config.zoomRange;
  return min * Math.pow(max / min, rng());
}

/**
 * Applies one random draw of `config` to each image of a batch: zoom about the centre, shift,
 * mirror and rotate (bilinear, reflect borders), then a contrast/brightness change. Runs on the pixel arrays in
 * plain TypeScript: per-image tensor ops (slice, mirrorPad) cost tens of ms each on the WASM backend,
 * and tf.image.transform gives different results on WASM than on CPU. Does not dispose `images`.
 * @param images [n, h, w, 3] float32 RGB 0..255
 * @returns [n, h, w, 3] float32 RGB 0..255
 */
export async function augmentBatch(images: tf.Tensor4D, config: AugmentConfig, rng: Rng): Promise<tf.Tensor4D> {
  const [n, h, w] = images.shape;
  if (config.rotate && h !== w) throw new Error(`rotate needs square images, got ${h}x${w}`);
  const u = (a: number) => (rng() * 2 - 1) * a;
  // A coin only for the options that are on, so that the extra draws of `rotate` leave other configs' sequences as they were.
  const coin = (on: boolean | undefined) => on === true && rng() < 0.5;
  const draws: Draw[] = Array.from({ length: n }, () => ({
    flip: coin(config.flipX),
    flipY: coin(config.rotate),
    transpose: coin(config.rotate),
    zoom: drawZoom(config, rng),
    tx: u(config.translate),
    ty: u(config.translate),
    gain: 1 + u(config.contrast),
    offset: u(config.brightness),
  }));
  const src = (await images.data()) as Float32Array;
  const out = new Float32Array(src.length);
  const per = h * w * 3;
  draws.forEach((d, i) => augmentOne(src, i * per, out.subarray(i * per, (i + 1) * per), h, w, d));
  return tf.tensor4d(out, [n, h, w, 3]);
}
