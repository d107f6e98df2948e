/**
 * The inference worker's staging of a transferred camera frame: its centre crop at the model's input
 * size, as RGBA pixels for the WASM/CPU backends (VideoFrame.copyTo + cropResizeRgba, as the page's
 * VideoFrameSource does) or as a scaled ImageBitmap that the GPU backends upload.
 */
import { centreCropBox } from '../core/crop';
import { stageVideoFrameCrop, type CropStaging } from './video-frame-source';

/** Buffers reused from frame to frame. */
export interface WorkerStaging extends CropStaging {
  staged?: ImageData;
  canvas?: OffscreenCanvas;
}

/** A staged crop; `release` frees what staging made (call after the frame's inference). */
export interface StagedCrop {
  pixels: ImageData | ImageBitmap;
  release(): void;
}

/** Pixel size of a frame. */
function frameSize(frame: VideoFrame | ImageBitmap): { width: number; height: number } {
  return frame instanceof ImageBitmap
    ? { width: frame.width, height: frame.height }
    : { width: frame.displayWidth, height: frame.displayHeight };
}

/** The crop scaled to `size` x `size` by the browser (GPU-side where it can). */
async function scaledCrop(frame: VideoFrame | ImageBitmap, cropFraction: number, size: number): Promise<ImageBitmap> {
  const { width, height } = frameSize(frame);
  const box = centreCropBox(width, height, cropFraction);
  return createImageBitmap(frame, box.x, box.y, box.size, box.size, {
    resizeWidth: size,
    resizeHeight: size,
    resizeQuality: 'medium',
  });
}

/**
 * Stages the centre crop of `frame` (not closed here) at `size` x `size`.
 * @param gpu the worker's backend is WebGL or WebGPU: hand it a scaled ImageBitmap to upload
 */
export async function stageWorkerFrame(
  frame: VideoFrame | ImageBitmap,
  cropFraction: number,
  size: number,
  gpu: boolean,
  staging: WorkerStaging,
): Promise<StagedCrop> {
  if (gpu) {
    const bitmap = await scaledCrop(frame, cropFraction, size);
    return { pixels: bitmap, release: () => bitmap.close() };
  }
  if (staging.staged?.width !== size) staging.staged = new ImageData(size, size);
  if (!(frame instanceof ImageBitmap)) {
    return { pixels: await stageVideoFrameCrop(frame, cropFraction, staging.staged, staging), release: () => {} };
  }
  // An ImageBitmap on a CPU backend: scaled by the browser, read back through a canvas.
  const bitmap = await scaledCrop(frame, cropFraction, size);
  staging.canvas ??= new OffscreenCanvas(size, size);
  const ctx = staging.canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2D OffscreenCanvas is not available in the inference worker');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { pixels: ctx.getImageData(0, 0, size, size), release: () => {} };
}
