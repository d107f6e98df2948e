/**
 * Crop geometry (the centred square the model sees) and the JavaScript resampler of the staged
 * camera crop. No TF.js: the app shell outlines the crop box, and the frame path stages crops,
 * before and without loading TF.js. Re-exported by preprocess.ts.
 */

/** A crop box in pixels on the source image. */
export interface CropBox {
  x: number;
  y: number;
  size: number;
}

/**
 * The largest centred square of a `width` x `height` image, scaled by `cropFraction` (0, 1].
 * This is the region the model sees and the UI outlines on the viewfinder.
 */
export function centreCropBox(width: number, height: number, cropFraction = 1): CropBox {
  if (!(width > 0 && height > 0)) throw new Error(`image size must be positive, got ${width}x${height}`);
  if (!(cropFraction > 0 && cropFraction <= 1)) {
    throw new Error(`cropFraction must be in (0, 1], got ${cropFraction}`);
  }
  const size = Math.min(width, height) * cropFraction;
  return { x: (width - size) / 2, y: (height - size) / 2, size };
}

/** A square crop in whole pixels: top-left corner and side. */
export interface PixelCrop {
  x: number;
  y: number;
  side: number;
}

/**
 * {@link centreCropBox} in whole pixels, as {@link centreCrop} and {@link cropResizeRgba} cut it:
 * the side rounded, the corner rounded down.
 */
export function centreCropPixels(width: number, height: number, cropFraction = 1): PixelCrop {
  const box = centreCropBox(width, height, cropFraction);
  const side = Math.max(1, Math.round(box.size));
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), side };
}

/** Scratch memory of {@link cropResizeRgba}, kept by the caller so frames reuse it. */
export interface ResizeScratch {
  /** RGB floats of the (pooled) crop; grown when a larger crop comes. */
  rgb?: Float32Array;
  /** Per output column: left and right source offsets and the right weight. */
  taps?: Float64Array;
}

/**
 * {@link centreCrop}'s resampling on raw RGBA bytes in plain JavaScript: cuts `crop` out of a
 * `width` x `height` RGBA image, averages k x k blocks when it shrinks by k >= 2 (the avgPool
 * 'valid' of centreCrop, so thin cracks do not alias away) and resizes bilinearly with half-pixel
 * centres (tf.image.resizeBilinear's arithmetic) to `size` x `size`. The live view's CPU path uses it
 * on camera frames copied out of a VideoFrame, where a canvas drawImage costs several times more.
 * Values equal centreCrop's rounded to bytes; alpha is set to 255.
 * @param rgba [height * width * 4] RGBA bytes
 * @param out [size * size * 4] written and returned (reused between frames); allocated if absent
 * @returns [size * size * 4] RGBA bytes
 */
export function cropResizeRgba(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  crop: PixelCrop,
  size: number,
  out: Uint8ClampedArray = new Uint8ClampedArray(size * size * 4),
  scratch: ResizeScratch = {},
): Uint8ClampedArray {
  const { x: x0, y: y0, side } = crop;
  if (rgba.length !== width * height * 4)
    throw new Error(`expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  if (!(
    Number.isInteger(x0) &&
    Number.isInteger(y0) &&
    Number.isInteger(side) &&
    x0 >= 0 &&
    y0 >= 0 &&
    side >= 1 &&
    x0 + side <= width &&
    y0 + side <= height
  )) {
    throw new Error(`crop ${JSON.stringify(crop)} does not fit in ${width}x${height}`);
  }
  if (out.length !== size * size * 4) throw new Error(`output holds ${out.length} values, expected ${size * size * 4}`);
  // Stage 1: the crop as RGB floats, k x k block means when shrinking by k >= 2 ('valid': a
  // remainder of fewer than k rows/columns at the far edge is dropped, as avgPool does).
  const k = side !== size && Math.floor(side / size) >= 2 ? Math.floor(side / size) : 1;
  const p = Math.floor(side / k);
  if (!scratch.rgb || scratch.rgb.length < p * p * 3) scratch.rgb = new Float32Array(p * p * 3);
  const src = scratch.rgb;
  if (k === 2) {
    // The usual case (a 480-line camera crop to 227): written out, twice as fast as the general loop.
    for (let py = 0, o = 0; py < p; py++) {
      let i0 = ((y0 + py * 2) * width + x0) * 4;
      let i1 = i0 + width * 4;
      for (let px = 0; px < p; px++, o += 3, i0 += 8, i1 += 8) {
        src[o] = (rgba[i0] + rgba[i0 + 4] + rgba[i1] + rgba[i1 + 4]) * 0.25;
        src[o + 1] = (rgba[i0 + 1] + rgba[i0 + 5] + rgba[i1 + 1] + rgba[i1 + 5]) * 0.25;
        src[o + 2] = (rgba[i0 + 2] + rgba[i0 + 6] + rgba[i1 + 2] + rgba[i1 + 6]) * 0.25;
      }
    }
  } else {
    const inv = 1 / (k * k);
    for (let py = 0, o = 0; py < p; py++) {
      for (let px = 0; px < p; px++, o += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let dy = 0; dy < k; dy++) {
          let i = ((y0 + py * k + dy) * width + x0 + px * k) * 4;
          for (let dx = 0; dx < k; dx++, i += 4) {
            r += rgba[i];
            g += rgba[i + 1];
            b += rgba[i + 2];
          }
        }
        src[o] = r * inv;
        src[o + 1] = g * inv;
        src[o + 2] = b * inv;
      }
    }
  }
  // Stage 2: bilinear p x p -> size x size, half-pixel centres, edges clamped (resizeBilinear's
  // formulas); the column taps are the same for every row, so they are worked out once.
  const ratio = p / size;
  if (!scratch.taps || scratch.taps.length < size * 3) scratch.taps = new Float64Array(size * 3);
  const taps = scratch.taps;
  for (let c = 0; c < size; c++) {
    const fx = ratio * (c + 0.5) - 0.5;
    const x = Math.max(0, Math.floor(fx));
    taps[c * 3] = x * 3;
    taps[c * 3 + 1] = Math.min(p - 1, Math.ceil(fx)) * 3;
    taps[c * 3 + 2] = fx - x;
  }
  for (let r = 0, o = 0; r < size; r++) {
    const fy = ratio * (r + 0.5) - 0.5;
    const y = Math.max(0, Math.floor(fy));
    const wy = fy - y;
    const top = y * p * 3;
    const bottom = Math.min(p - 1, Math.ceil(fy)) * p * 3;
    for (let c = 0; c < size; c++, o += 4) {
      const left = taps[c * 3];
      const right = taps[c * 3 + 1];
      const wx = taps[c * 3 + 2];
      for (let ch = 0; ch < 3; ch++) {
        const tl = src[top + left + ch];
        const tr = src[top + right + ch];
        const bl = src[bottom + left + ch];
        const br = src[bottom + right + ch];
        const t = tl + (tr - tl) * wx;
        const bo = bl + (br - bl) * wx;
        out[o + ch] = t + (bo - t) * wy;
      }
      out[o + 3] = 255;
    }
  }
  return out;
}
