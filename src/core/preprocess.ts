import * as tf from '@tensorflow/tfjs';
import { centreCropPixels } from './crop';

// The crop geometry and the JavaScript resampler live in crop.ts (no TF.js: the app shell uses them
// before TF.js loads); re-exported here, where core's callers have always found them.
export {
  centreCropBox,
  centreCropPixels,
  cropResizeRgba,
  type CropBox,
  type PixelCrop,
  type ResizeScratch,
} from './crop';

/**
 * Input normalisations the base network could expect.
 *
 * Measured with `npm run probe-preprocessing` (scripts/probe-preprocessing.ts): a logistic-regression
 * probe on globally pooled fire9 features, 10 training photos per class, 5 seeded splits. Mean test
 * accuracy caffe-bgr / caffe-rgb / unit / symmetric: concrete 97.0 / 96.3 / 94.8 / 96.1%, brick
 * 80.3 / 79.4 / 74.2 / 79.6%. `caffe-bgr` (RGB->BGR, minus the ImageNet BGR means, no scaling) is
 * best on both, consistent with weights converted from Caffe; it is what CrackCam uses.
 */
export const PREPROCESSING_MODES = ['caffe-bgr', 'caffe-rgb', 'unit', 'symmetric'] as const;
export type PreprocessingMode = (typeof PREPROCESSING_MODES)[number];

/** ImageNet channel means in B, G, R order (Caffe convention). */
const CAFFE_MEANS_BGR = [103.939, 116.779, 123.68];

/**
 * RGBA pixels in ImageData layout: `data` is [height * width * 4] bytes, row-major, alpha last
 * (an ImageData or a tf.PixelData fits). Core takes images as these or as tensors, never as DOM
 * objects: src/platform reads canvases, videos and bitmaps (frame-input.ts).
 */
export interface RgbaPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** An image core can look at: a tensor [h, w, 3] or [n, h, w, 3] RGB 0..255, or RGBA pixels. */
export type ImageInput = tf.Tensor3D | tf.Tensor4D | RgbaPixels;

/**
 * The RGB channels of RGBA pixels as a tensor, alpha dropped: the values tf.browser.fromPixels
 * gives for the same pixels.
 * @returns [height, width, 3] int32 0..255 (caller disposes)
 */
export function rgbaToTensor(pixels: RgbaPixels): tf.Tensor3D {
  const { width, height, data } = pixels;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`pixel size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 4)
    throw new Error(`expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${data.length}`);
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = data[i];
    rgb[j + 1] = data[i + 1];
    rgb[j + 2] = data[i + 2];
  }
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}

/**
 * An image as a tensor: tensors as they are, RGBA pixels through {@link rgbaToTensor}.
 * @returns [h, w, 3] or [n, h, w, 3] RGB 0..255; a new tensor (caller disposes) unless `image` is one
 */
export function imageTensor(image: ImageInput): tf.Tensor3D | tf.Tensor4D {
  if (image instanceof tf.Tensor) return image;
  if (typeof image !== 'object' || image === null || !('data' in image)) {
    throw new Error(
      `image must be a [h, w, 3] or [n, h, w, 3] tensor or RGBA pixels { width, height, data }, got ${String(image)}`,
    );
  }
  return rgbaToTensor(image);
}

/**
 * Normalises an RGB image batch for the base network. Does not dispose `rgb`.
 * @param rgb [n, h, w, 3] float32 RGB in 0..255
 * @returns [n, h, w, 3] float32 in the layout and range `mode` describes
 */
export function normalise(rgb: tf.Tensor4D, mode: PreprocessingMode): tf.Tensor4D {
  return tf.tidy(() => {
    switch (mode) {
      case 'caffe-bgr':
        return tf.sub(tf.reverse(rgb, -1), tf.tensor1d(CAFFE_MEANS_BGR)) as tf.Tensor4D;
      case 'caffe-rgb':
        return tf.sub(rgb, tf.tensor1d(CAFFE_MEANS_BGR.slice().reverse())) as tf.Tensor4D;
      case 'unit':
        return tf.div(rgb, 255) as tf.Tensor4D;
      case 'symmetric':
        return tf.sub(tf.div(rgb, 127.5), 1) as tf.Tensor4D;
      default:
        throw new Error(`unknown preprocessing '${String(mode)}'; valid: ${PREPROCESSING_MODES.join(', ')}`);
    }
  });
}

/**
 * Crops the centred square of `image` (scaled by `cropFraction`, rounded to whole pixels) and
 * resizes it to `size` x `size`: bilinear (after box-filter averaging when shrinking by 2x or more,
 * so thin cracks in a large camera frame do not alias away) for photos, nearest for masks.
 * Uses slice + resize rather than cropAndResize, whose WASM kernel samples the wrong columns for
 * off-origin boxes (tfjs 4.22; test/core/preprocess.test.ts pins the geometry). Does not dispose `image`.
 * @param image [h, w, c] or [n, h, w, c], int32 or float32, 0..255
 * @returns [n, size, size, c] float32 0..255
 */
export function centreCrop(
  image: tf.Tensor3D | tf.Tensor4D,
  size: number,
  cropFraction = 1,
  method: 'bilinear' | 'nearest' = 'bilinear',
): tf.Tensor4D {
  return tf.tidy(() => {
    const batch = (image.rank === 3 ? tf.expandDims(image, 0) : image) as tf.Tensor4D;
    const [n, h, w, c] = batch.shape;
    const { x, y, side } = centreCropPixels(w, h, cropFraction);
    const whole = y === 0 && x === 0 && side === h && side === w;
    let crop = tf.cast(whole ? batch : tf.slice(batch, [0, y, x, 0], [n, side, side, c]), 'float32') as tf.Tensor4D; // [n, side, side, c]
    if (side === size) return crop;
    if (method === 'nearest') return tf.image.resizeNearestNeighbor(crop, [size, size], false, true);
    const k = Math.floor(side / size);
    if (k >= 2) crop = tf.avgPool(crop, k, k, 'valid'); // [n, side/k, side/k, c]
    return tf.image.resizeBilinear(crop, [size, size], false, true); // [n, size, size, c]
  });
}

/**
 * {@link centreCrop} followed by {@link normalise}. Does not dispose `image`.
 * @param image [h, w, 3] or [n, h, w, 3], int32 or float32 RGB 0..255
 * @returns [n, size, size, 3] float32, ready for the base network
 */
export function cropAndNormalise(
  image: tf.Tensor3D | tf.Tensor4D,
  size: number,
  mode: PreprocessingMode,
  cropFraction = 1,
): tf.Tensor4D {
  return tf.tidy(() => normalise(centreCrop(image, size, cropFraction), mode));
}

/**
 * {@link normalise} on raw RGBA bytes in one pass of plain JavaScript: the staged camera crop on the
 * WASM/CPU backends. There `tf.reverse` (RGB->BGR) alone costs ~20-35 ms per 227x227 frame and
 * fromPixels + cast + sub another few ms, more than this whole loop (~1-3 ms). Same values as
 * `normalise(cast(fromPixels(rgba)), mode)`.
 * @param rgba [height * width * 4] RGBA bytes (ImageData layout; alpha ignored)
 * @param out [height * width * 3] written and returned (reused between frames); allocated if absent
 * @returns [height * width * 3] float32 in the layout `normalise` produces
 */
export function normaliseRgba(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  mode: PreprocessingMode,
  out: Float32Array = new Float32Array(width * height * 3),
): Float32Array {
  const n = width * height;
  if (rgba.length !== n * 4) throw new Error(`expected ${n * 4} RGBA bytes for ${width}x${height}, got ${rgba.length}`);
  if (out.length !== n * 3) throw new Error(`output holds ${out.length} values, expected ${n * 3}`);
  // out = (channel c of `order`) / divisor - offset[c], offsets as float32 like the tensor version
  let order = [0, 1, 2];
  let divisor = 1;
  let offset = [0, 0, 0];
  switch (mode) {
    case 'caffe-bgr':
      order = [2, 1, 0];
      offset = CAFFE_MEANS_BGR;
      break;
    case 'caffe-rgb':
      offset = CAFFE_MEANS_BGR.slice().reverse();
      break;
    case 'unit':
      divisor = 255;
      break;
    case 'symmetric':
      divisor = 127.5;
      offset = [1, 1, 1];
      break;
    default:
      throw new Error(`unknown preprocessing '${String(mode)}'; valid: ${PREPROCESSING_MODES.join(', ')}`);
  }
  const [c0, c1, c2] = order;
  const [o0, o1, o2] = offset.map(Math.fround);
  if (divisor === 1) {
    for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
      out[j] = rgba[i + c0] - o0;
      out[j + 1] = rgba[i + c1] - o1;
      out[j + 2] = rgba[i + c2] - o2;
    }
  } else {
    for (let i = 0, j = 0; j < out.length; i += 4, j += 3) {
      out[j] = rgba[i + c0] / divisor - o0;
      out[j + 1] = rgba[i + c1] / divisor - o1;
      out[j + 2] = rgba[i + c2] / divisor - o2;
    }
  }
  return out;
}
