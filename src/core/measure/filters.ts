/** Separable image filters on grey float images: Gaussian blur, grey closing, Laplacian variance. */
import type { GreyImage } from './pixels';

/** 1-D Gaussian kernel of `sigma`, radius ceil(3 sigma), summing to 1. */
export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  return k.map((v) => v / sum);
}

/** Convolves the rows with kernel `k`, clamping at the borders. */
function convolveRows(src: Float32Array, w: number, h: number, k: Float32Array): Float32Array {
  const out = new Float32Array(w * h);
  const r = (k.length - 1) / 2;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += k[i + r] * src[row + Math.min(w - 1, Math.max(0, x + i))];
      out[row + x] = sum;
    }
  }
  return out;
}

/**
 * Convolves the columns with kernel `k`, clamping at the borders, a row at a time: each output row
 * sums the kernel's rows in turn (the same order of additions per pixel as one pixel at a time, in
 * doubles), reading memory row by row.
 */
function convolveColumns(src: Float32Array, w: number, h: number, k: Float32Array): Float32Array {
  const out = new Float32Array(w * h);
  const r = (k.length - 1) / 2;
  const sums = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let i = -r; i <= r; i++) {
      const weight = k[i + r];
      const from = Math.min(h - 1, Math.max(0, y + i)) * w;
      for (let x = 0; x < w; x++) sums[x] += weight * src[from + x];
    }
    out.set(sums, y * w);
  }
  return out;
}

/** Gaussian blur of `g` (sigma in px; 0 returns a copy). */
export function gaussianBlur(g: GreyImage, sigma: number): GreyImage {
  if (sigma <= 0) return { ...g, data: g.data.slice() };
  const k = gaussianKernel(sigma);
  const rows = convolveRows(g.data, g.width, g.height, k);
  return { width: g.width, height: g.height, data: convolveColumns(rows, g.width, g.height, k) };
}

/**
 * Running min or max over a window of `size` along rows or columns (van Herk / Gil-Werman: three
 * comparisons per pixel whatever the window).
 */
function runningExtreme(src: Float32Array, w: number, h: number, size: number, horizontal: boolean, max: boolean) {
  const out = new Float32Array(w * h);
  const n = horizontal ? w : h;
  const lines = horizontal ? h : w;
  const step = horizontal ? 1 : w;
  const r = Math.floor(size / 2);
  const padded = n + 2 * r + size;
  const line = new Float32Array(padded);
  const left = new Float32Array(padded);
  const right = new Float32Array(padded);
  // The grey values hold no NaN, so a comparison picks as Math.max / Math.min would.
  const sign = max ? 1 : -1;
  line.fill(-Infinity); // the padding: never picked by the (signed) maximum
  for (let l = 0; l < lines; l++) {
    const start = horizontal ? l * w : l;
    // signed so that one running maximum serves both: min(a, b) = -max(-a, -b)
    for (let i = 0, at = start; i < n; i++, at += step) line[i + r] = sign * src[at];
    for (let i = 0, k = 0; i < padded; i++, k = k === size - 1 ? 0 : k + 1) {
      const v = line[i];
      left[i] = k === 0 || left[i - 1] < v ? v : left[i - 1];
    }
    right[padded - 1] = line[padded - 1];
    for (let i = padded - 2; i >= 0; i--) {
      const v = line[i];
      right[i] = i % size === size - 1 || right[i + 1] < v ? v : right[i + 1];
    }
    for (let i = 0, at = start; i < n; i++, at += step) {
      const a = right[i];
      const b = left[i + size - 1];
      out[at] = sign * (a > b ? a : b);
    }
  }
  return out;
}

/** Grey closing (max filter, then min filter) with a `size` x `size` square: removes dark lines thinner than size. */
export function greyClosing(g: GreyImage, size: number): GreyImage {
  const { width: w, height: h } = g;
  let d = runningExtreme(g.data, w, h, size, true, true);
  d = runningExtreme(d, w, h, size, false, true);
  d = runningExtreme(d, w, h, size, true, false);
  d = runningExtreme(d, w, h, size, false, false);
  return { width: w, height: h, data: d };
}

/** Variance of the 4-neighbour Laplacian over the image (a sharpness measure: low when blurred). */
export function laplacianVariance(g: GreyImage): number {
  const { width: w, height: h, data } = g;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap = data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i];
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}
