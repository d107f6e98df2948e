/**
 * Frames of the camera's video element for the frame loop: the crop box staged at the model's input
 * size, by a canvas or by copying WebCodecs VideoFrames.
 */
import { centreCropBox, centreCropPixels, cropResizeRgba, type PixelCrop, type ResizeScratch } from '../core/crop';
import type { FrameSource } from './frame-loop';

/**
 * The rectangle to copy out of a `width` x `height` frame for `crop`: the crop widened to even
 * corners and sides, because VideoFrame.copyTo only accepts those on 4:2:0 frames (an odd frame side
 * can still leave an odd width at the far edge). Relative to the frame's visible rectangle.
 */
export function evenCopyRect(
  crop: PixelCrop,
  width: number,
  height: number,
): { x: number; y: number; width: number; height: number } {
  const x = crop.x & ~1;
  const y = crop.y & ~1;
  return {
    x,
    y,
    width: Math.min(width - x, (crop.x + crop.side - x + 1) & ~1),
    height: Math.min(height - y, (crop.y + crop.side - y + 1) & ~1),
  };
}

/** Buffers of {@link stageVideoFrameCrop}, kept by the caller so frames reuse them. */
export interface CropStaging {
  /** The crop's RGBA bytes as copied out of the VideoFrame, reused while the crop size stays. */
  frameBytes?: Uint8Array;
  scratch?: ResizeScratch;
}

/**
 * Stages the centre crop (`cropFraction` of the shorter side) of `frame` (not closed here) into
 * `out` (`size` x `size` RGBA): the crop is copied out as RGBA (the browser's own YUV->RGB
 * conversion, only the crop's rows) and shrunk in JavaScript with centreCrop's filter
 * (cropResizeRgba). Used by the page's source and by the inference worker.
 * @throws where VideoFrame.copyTo cannot convert to RGBA
 */
export async function stageVideoFrameCrop(
  frame: VideoFrame,
  cropFraction: number,
  out: ImageData,
  staging: CropStaging,
): Promise<ImageData> {
  const visible = frame.visibleRect ?? { x: 0, y: 0, width: frame.codedWidth, height: frame.codedHeight };
  const crop = centreCropPixels(visible.width, visible.height, cropFraction);
  const { x, y, width, height } = evenCopyRect(crop, visible.width, visible.height);
  if (staging.frameBytes?.length !== width * height * 4) staging.frameBytes = new Uint8Array(width * height * 4);
  const rect = { x: visible.x + x, y: visible.y + y, width, height };
  await frame.copyTo(staging.frameBytes, { rect, format: 'RGBA', colorSpace: 'srgb' });
  staging.scratch ??= {};
  const local = { x: crop.x - x, y: crop.y - y, side: crop.side };
  cropResizeRgba(staging.frameBytes, width, height, local, out.width, out.data, staging.scratch);
  return out;
}

/** Options of {@link VideoFrameSource}. */
export interface VideoFrameSourceOptions {
  /** Side of the staged crop (the model's input size). */
  size: number;
  /** Crop side as a fraction of the shorter frame side, (0, 1]; default 1 (largest centred square). */
  cropFraction?: number;
  /**
   * Keep the staging canvas in CPU memory (default true): right for WASM/CPU backends, which read
   * its pixels. Pass false on WebGL/WebGPU so scaling stays on the GPU and TF.js uploads the canvas
   * GPU-to-GPU.
   */
  willReadFrequently?: boolean;
  /**
   * Stage frames for the loop by copying the crop out of a WebCodecs VideoFrame and resampling it
   * in JavaScript ({@link VideoFrameSource.stagePixels}) where the browser can; default: the value
   * of `willReadFrequently` (the CPU backends). GPU backends keep the canvas, which stays on the GPU.
   */
  videoFrames?: boolean;
}

/**
 * Frames of a playing video, staged as a `size` x `size` crop so the model gets a small image on
 * every backend. On WebGL/WebGPU the crop box is drawn into one reused canvas (a texture upload of
 * 227x227 instead of the whole frame). On WASM/CPU the loop stages frames with {@link stagePixels}:
 * the crop is copied out of a VideoFrame and resampled in JavaScript, several times cheaper than the
 * canvas's drawImage there (docs/bench.md); the canvas stays the fallback and serves captures.
 * Uses requestVideoFrameCallback where available (one callback per decoded frame), else
 * requestAnimationFrame.
 */
export class VideoFrameSource implements FrameSource {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  cropFraction: number;
  /** Whether {@link stagePixels} copies VideoFrames (false: it draws into the canvas like {@link pixels}). */
  videoFrames: boolean;
  private readonly staging: CropStaging = {};
  private readonly staged: ImageData;

  constructor(
    readonly video: HTMLVideoElement,
    options: VideoFrameSourceOptions,
  ) {
    this.cropFraction = options.cropFraction ?? 1;
    this.videoFrames = (options.videoFrames ?? options.willReadFrequently ?? true) && typeof VideoFrame === 'function';
    this.staged = new ImageData(options.size, options.size);
    this.canvas = document.createElement('canvas');
    this.canvas.width = options.size;
    this.canvas.height = options.size;
    const ctx = this.canvas.getContext('2d', { willReadFrequently: options.willReadFrequently ?? true, alpha: false });
    if (!ctx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.imageSmoothingQuality = 'medium';
  }

  frameId(): number | undefined {
    const v = this.video;
    if (v.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || v.videoWidth === 0) return undefined;
    return v.currentTime;
  }

  /** Draws the crop box of the current frame into the staging canvas and returns it. */
  pixels(): HTMLCanvasElement {
    const v = this.video;
    const box = centreCropBox(v.videoWidth, v.videoHeight, this.cropFraction);
    const s = this.canvas.width;
    this.ctx.drawImage(v, box.x, box.y, box.size, box.size, 0, 0, s, s);
    return this.canvas;
  }

  /**
   * Stages the crop box of the current frame for the loop. With `videoFrames`, the crop is copied
   * out of a VideoFrame as RGBA (the browser's own YUV->RGB conversion, only the crop's rows) and
   * shrunk in JavaScript with centreCrop's filter (cropResizeRgba) into a reused ImageData: on the
   * bench's WASM runs this takes ~1-2 ms where the canvas's drawImage takes 6-9 ms. Where
   * VideoFrame.copyTo cannot convert to RGBA it falls back to the canvas for good.
   */
  async stagePixels(): Promise<HTMLCanvasElement | ImageData> {
    if (!this.videoFrames) return this.pixels();
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(this.video);
    } catch {
      // No decodable frame at this instant (e.g. the stream is switching): the canvas copes.
      return this.pixels();
    }
    try {
      return await this.stageVideoFrame(frame);
    } catch (e) {
      console.warn('VideoFrame.copyTo to RGBA is not available here; staging frames with a canvas', e);
      this.videoFrames = false;
      return this.pixels();
    } finally {
      frame.close();
    }
  }

  /**
   * Stages the crop box of `frame` (not closed here) into the reused ImageData {@link stagePixels}
   * returns: valid until the next call.
   */
  async stageVideoFrame(frame: VideoFrame): Promise<ImageData> {
    return stageVideoFrameCrop(frame, this.cropFraction, this.staged, this.staging);
  }

  /**
   * The current frame as a WebCodecs VideoFrame (the caller closes or transfers it), else undefined
   * (no VideoFrame in this browser, or no decodable frame at this instant).
   */
  videoFrame(): VideoFrame | undefined {
    if (typeof VideoFrame !== 'function') return undefined;
    try {
      return new VideoFrame(this.video);
    } catch {
      return undefined;
    }
  }

  /** The crop as {@link pixels} last drew it into the canvas (call pixels() first for the current frame). */
  cropImageData(): ImageData {
    return this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
  }

  /** The whole current frame at its native resolution (a new canvas each call: captures are rare). */
  fullFrameImageData(): ImageData {
    const v = this.video;
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('2D canvas is not available');
    ctx.drawImage(v, 0, 0);
    return ctx.getImageData(0, 0, c.width, c.height);
  }

  onNextFrame(callback: () => void): () => void {
    const v = this.video;
    if (
      typeof v.requestVideoFrameCallback === 'function' &&
      v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA &&
      !v.paused
    ) {
      const handle = v.requestVideoFrameCallback(() => callback());
      return () => v.cancelVideoFrameCallback(handle);
    }
    // Not playing yet (or no rVFC): poll once per display frame.
    const handle = requestAnimationFrame(() => callback());
    return () => cancelAnimationFrame(handle);
  }
}
