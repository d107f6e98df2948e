/**
 * Frames to network input: the one place the frame path turns browser images (a staging canvas, an
 * ImageData, a video or bitmap) into what core takes (tensors or RGBA pixels, see ImageInput in
 * core/preprocess.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { normaliseRgba, type ImageInput, type PreprocessingMode } from '../core/preprocess';

/** Images the browser gives the app: a staging canvas, a video, a decoded photo or bitmap, pixels read back. */
export type DomImage = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | ImageData;

/** A frame as a source hands it to a frame model: a browser image, or already what core takes. */
export type FrameImage = ImageInput | DomImage;

/** True for a browser image (checked by class, so plain { data, width, height } pixels are not). */
function isDomImage(image: FrameImage): image is DomImage {
  return (
    (typeof HTMLElement !== 'undefined' && image instanceof HTMLElement) ||
    (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) ||
    (typeof ImageData !== 'undefined' && image instanceof ImageData)
  );
}

/**
 * A frame as core's input: a browser image read with tf.browser.fromPixels ([h, w, 3] int32, a new
 * tensor the caller disposes); tensors and plain RGBA pixels as they are.
 */
export function readPixels(image: FrameImage): ImageInput {
  return isDomImage(image) ? tf.browser.fromPixels(image) : image;
}

/** RGBA bytes of a frame already staged at `size` x `size` in CPU memory, else undefined. */
function stagedRgba(frame: FrameImage, size: number): ArrayLike<number> | undefined {
  if (frame instanceof tf.Tensor) return undefined;
  if (typeof HTMLCanvasElement !== 'undefined' && frame instanceof HTMLCanvasElement) {
    if (frame.width !== size || frame.height !== size) return undefined;
    // The source's own context (created with willReadFrequently on these backends): a CPU read.
    return frame.getContext('2d')?.getImageData(0, 0, size, size).data;
  }
  const px = frame as { data?: unknown; width?: number; height?: number };
  if (
    px.width === size &&
    px.height === size &&
    (px.data instanceof Uint8ClampedArray || px.data instanceof Uint8Array)
  )
    return px.data;
  return undefined;
}

/**
 * Makes the per-frame input converter of a frame model: on the WASM and CPU backends a staged
 * canvas or pixel array is normalised in one JavaScript pass into a reused buffer (normaliseRgba)
 * instead of fromPixels + cast + reverse + sub, since WASM's reverse kernel alone costs more than
 * the rest of the frame's non-network work; otherwise (GPU backends, tensors) `prepare` on the
 * frame's pixels ({@link readPixels}).
 * Reusing the buffer is safe: each input tensor is disposed by the frame's tidy before the next.
 * @returns frame -> [1, size, size, 3] normalised input
 */
export function frameInput(
  size: number,
  preprocessing: PreprocessingMode,
  prepare: (image: ImageInput) => tf.Tensor4D,
  stagedPixels = true,
): (frame: FrameImage) => tf.Tensor4D {
  let staged: Float32Array | undefined;
  return (frame) => {
    const backend = tf.getBackend();
    const rgba = stagedPixels && (backend === 'wasm' || backend === 'cpu') ? stagedRgba(frame, size) : undefined;
    if (!rgba) return tf.tidy(() => prepare(readPixels(frame)));
    staged = normaliseRgba(rgba, size, size, preprocessing, staged);
    return tf.tensor4d(staged, [1, size, size, 3]);
  };
}
