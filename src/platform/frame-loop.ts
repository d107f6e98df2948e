/**
 * The live inference loop: one frame in flight, frames whose timestamp did not change are skipped,
 * all work of a frame runs in one tf.tidy and comes back in one async readback (no GPU stall on
 * WebGL/WebGPU), and buffers are reused. It knows nothing about the DOM beyond {@link FrameSource},
 * so tests and the benchmark can drive it headlessly.
 */
import * as tf from '@tensorflow/tfjs';
import type { CrackClassifier, ImageInput } from '../core/classifier';
import { centreCropBox, centreCropPixels, cropResizeRgba, normaliseRgba, type PixelCrop, type PreprocessingMode, type ResizeScratch } from '../core/preprocess';

/** What a model reports about one frame. Arrays are reused: valid until the next frame. */
export interface FrameResult {
  /** Winning class name (e.g. `crack`). */
  label: string;
  /** Its probability, 0..1. */
  probability: number;
  /** All class names and probabilities, in model order. */
  scores: readonly { label: string; probability: number }[];
  /** [mapHeight * mapWidth] row-major heatmap in [0, 1] over the crop the model saw. */
  map: Float32Array;
  mapWidth: number;
  mapHeight: number;
}

/**
 * A model the loop can run. Kept small so another kind (e.g. the one-class model) can plug in:
 * build everything the frame needs into one tensor, then unpack the read-back values.
 */
export interface FrameModel {
  /** Mode identifier, e.g. `classifier`. */
  readonly kind: string;
  /** Side of the square the model looks at; the source stages crops at this size. */
  readonly inputSize: number;
  /**
   * Runs on one frame, inside the loop's tf.tidy.
   * @returns [n] float32, everything {@link decode} needs
   */
  infer(frame: ImageInput): tf.Tensor1D;
  /** Unpacks the read-back values of {@link infer}. */
  decode(packed: Float32Array): FrameResult;
}

/** Options of {@link classifierFrameModel}. */
export interface ClassifierFrameOptions {
  /** Class whose Grad-CAM is shown; default `crack` when the model has it, else the predicted class. */
  camClass?: number | string | 'predicted';
  /** Normalise staged CPU pixels in JavaScript on WASM/CPU (default true); false: always the tensor path. */
  stagedPixels?: boolean;
  /**
   * Which map to report: `fine` (default when the model has a fine head: 56x56, see fineMap in
   * head.ts) or `gradcam` (the seed's 13x13 Grad-CAM; a few ms less per frame on WASM).
   */
  map?: 'fine' | 'gradcam';
}

/** RGBA bytes of a frame already staged at `size` x `size` in CPU memory, else undefined. */
function stagedRgba(frame: ImageInput, size: number): ArrayLike<number> | undefined {
  if (frame instanceof tf.Tensor) return undefined;
  if (typeof HTMLCanvasElement !== 'undefined' && frame instanceof HTMLCanvasElement) {
    if (frame.width !== size || frame.height !== size) return undefined;
    // The source's own context (created with willReadFrequently on these backends): a CPU read.
    return frame.getContext('2d')?.getImageData(0, 0, size, size).data;
  }
  const px = frame as { data?: unknown; width?: number; height?: number };
  if (px.width === size && px.height === size && (px.data instanceof Uint8ClampedArray || px.data instanceof Uint8Array)) return px.data;
  return undefined;
}

/**
 * Makes the per-frame input converter of a frame model: on the WASM and CPU backends a staged
 * canvas or pixel array is normalised in one JavaScript pass into a reused buffer (normaliseRgba)
 * instead of fromPixels + cast + reverse + sub, since WASM's reverse kernel alone costs more than
 * the rest of the frame's non-network work; otherwise (GPU backends, tensors) `prepare`.
 * Reusing the buffer is safe: each input tensor is disposed by the frame's tidy before the next.
 * @returns frame -> [1, size, size, 3] normalised input
 */
export function frameInput(
  size: number,
  preprocessing: PreprocessingMode,
  prepare: (frame: ImageInput) => tf.Tensor4D,
  stagedPixels = true,
): (frame: ImageInput) => tf.Tensor4D {
  let staged: Float32Array | undefined;
  return (frame) => {
    const backend = tf.getBackend();
    const rgba = stagedPixels && (backend === 'wasm' || backend === 'cpu') ? stagedRgba(frame, size) : undefined;
    if (!rgba) return prepare(frame);
    staged = normaliseRgba(rgba, size, size, preprocessing, staged);
    return tf.tensor4d(staged, [1, size, size, 3]);
  };
}

/**
 * The crack classifier as a {@link FrameModel}: probabilities and the map of `camClass` packed as
 * [C probabilities, h * w map]. The map is the fine map (56x56) when the model has a fine head, else
 * the Grad-CAM (13x13). Does not own the classifier.
 *
 * Frames are taken as already cropped (the source stages the crop box at `inputSize`); see
 * {@link frameInput} for how they become the network's input.
 */
export function classifierFrameModel(classifier: CrackClassifier, options: ClassifierFrameOptions = {}): FrameModel {
  const camClass = options.camClass ?? (classifier.labels.includes('crack') ? 'crack' : 'predicted');
  const labels = classifier.labels;
  const c = labels.length;
  const fine = options.map !== 'gradcam' && classifier.metadata.base.fineShape !== undefined;
  const [mapHeight, mapWidth] = fine ? (classifier.metadata.base.fineShape as [number, number, number]) : classifier.metadata.base.featureShape;
  const map = new Float32Array(mapHeight * mapWidth);
  const scores = labels.map((label) => ({ label, probability: 0 }));
  const result: FrameResult = { label: labels[0], probability: 0, scores, map, mapWidth, mapHeight };
  const size = classifier.inputSize;
  const toInput = frameInput(size, classifier.metadata.preprocessing, (frame) => classifier.prepare(frame, 1), options.stagedPixels !== false);
  return {
    kind: 'classifier',
    inputSize: size,
    infer(frame) {
      const input = toInput(frame); // [1, 227, 227, 3]
      const r = classifier.classifyBatch(input, { camClass, fineMap: fine });
      return tf.concat([tf.reshape(r.probabilities, [-1]), tf.reshape(r.fineCam ?? r.cam, [-1])]) as tf.Tensor1D; // [C + h*w]
    },
    decode(packed) {
      let best = 0;
      for (let i = 0; i < c; i++) {
        scores[i].probability = packed[i];
        if (packed[i] > packed[best]) best = i;
      }
      result.label = labels[best];
      result.probability = packed[best];
      map.set(packed.subarray(c, c + map.length));
      return result;
    },
  };
}

/** Where frames come from. */
export interface FrameSource {
  /**
   * Identifies the current frame (a video's `currentTime`); the loop skips a frame whose id equals
   * the last processed one. undefined: no frame yet.
   */
  frameId(): number | undefined;
  /** The current frame's pixels, ready for {@link FrameModel.infer}. */
  pixels(): ImageInput;
  /**
   * Optional asynchronous form of {@link pixels}; when present the loop stages every frame with it
   * (inside the frame's timed latency), e.g. to copy the frame out with VideoFrame.copyTo.
   */
  stagePixels?(): Promise<ImageInput>;
  /** Calls `callback` once when a new frame may be there; returns a function that cancels it. */
  onNextFrame(callback: () => void): () => void;
}

/** Running figures of a loop. */
export interface FrameStats {
  /** Frames processed since start. */
  frames: number;
  /** Callbacks skipped because the frame had not changed or was not ready. */
  skipped: number;
  /** Processed frames per second (moving average). */
  fps: number;
  /** Time from grabbing a frame to having its result, ms (moving average). */
  latencyMs: number;
  /** Latency of the last frame, ms. */
  lastLatencyMs: number;
}

/** Options of {@link FrameLoop}. */
export interface FrameLoopOptions {
  model: FrameModel;
  source: FrameSource;
  /** Called after every processed frame. `result` is only valid during the call. */
  onFrame(result: FrameResult, stats: Readonly<FrameStats>): void;
  /** A frame failed; the loop stops. Default: console.error. */
  onError?(error: unknown): void;
  /** Weight of the newest sample in the fps/latency moving averages, (0, 1]; default 0.1. */
  smoothing?: number;
}

/** Start/stop driver of a {@link FrameModel} over a {@link FrameSource}. */
export class FrameLoop {
  private model: FrameModel;
  private readonly source: FrameSource;
  private readonly options: FrameLoopOptions;
  private cancelWait?: () => void;
  private inFlight?: Promise<void>;
  private lastFrameId?: number;
  private lastDone?: number;
  private active = false;
  readonly stats: FrameStats = { frames: 0, skipped: 0, fps: 0, latencyMs: 0, lastLatencyMs: 0 };

  constructor(options: FrameLoopOptions) {
    this.options = options;
    this.model = options.model;
    this.source = options.source;
  }

  get running(): boolean {
    return this.active;
  }

  /** Swaps the model between frames (e.g. a mode switch); the caller still owns both. */
  setModel(model: FrameModel): void {
    this.model = model;
  }

  /** Starts processing frames (no-op if running). Statistics restart. */
  start(): void {
    if (this.active) return;
    this.active = true;
    Object.assign(this.stats, { frames: 0, skipped: 0, fps: 0, latencyMs: 0, lastLatencyMs: 0 });
    this.lastFrameId = undefined;
    this.lastDone = undefined;
    this.wait();
  }

  /** Stops; resolves once the frame in flight (if any) has finished and released its tensors. */
  async stop(): Promise<void> {
    this.active = false;
    this.cancelWait?.();
    this.cancelWait = undefined;
    await this.inFlight;
  }

  private wait(): void {
    if (!this.active || this.cancelWait) return;
    this.cancelWait = this.source.onNextFrame(this.tick);
  }

  private readonly tick = (): void => {
    this.cancelWait = undefined;
    if (!this.active || this.inFlight) return;
    const id = this.source.frameId();
    if (id === undefined || id === this.lastFrameId) {
      this.stats.skipped++;
      this.wait();
      return;
    }
    this.lastFrameId = id;
    this.inFlight = this.process().finally(() => {
      this.inFlight = undefined;
      this.wait();
    });
  };

  private async process(): Promise<void> {
    const model = this.model;
    const started = performance.now();
    let packed: tf.Tensor1D | undefined;
    try {
      const source = this.source;
      const frame = source.stagePixels ? await source.stagePixels() : source.pixels();
      packed = tf.tidy(() => model.infer(frame));
      // Async readback: on WebGL/WebGPU this waits for the GPU without blocking the main thread.
      const data = (await packed.data()) as Float32Array;
      packed.dispose();
      packed = undefined;
      if (!this.active) return;
      const result = model.decode(data);
      const done = performance.now();
      this.updateStats(done - started, done);
      this.options.onFrame(result, this.stats);
    } catch (e) {
      this.active = false;
      (this.options.onError ?? console.error)(e);
    } finally {
      packed?.dispose();
    }
  }

  private updateStats(latency: number, done: number): void {
    const a = this.options.smoothing ?? 0.1;
    const s = this.stats;
    s.frames++;
    s.lastLatencyMs = latency;
    s.latencyMs = s.frames === 1 ? latency : s.latencyMs + a * (latency - s.latencyMs);
    if (this.lastDone !== undefined) {
      const fps = 1000 / Math.max(done - this.lastDone, 1e-3);
      s.fps = s.fps === 0 ? fps : s.fps + a * (fps - s.fps);
    }
    this.lastDone = done;
  }
}

/**
 * The rectangle to copy out of a `width` x `height` frame for `crop`: the crop widened to even
 * corners and sides, because VideoFrame.copyTo only accepts those on 4:2:0 frames (an odd frame side
 * can still leave an odd width at the far edge). Relative to the frame's visible rectangle.
 */
export function evenCopyRect(crop: PixelCrop, width: number, height: number): { x: number; y: number; width: number; height: number } {
  const x = crop.x & ~1;
  const y = crop.y & ~1;
  return {
    x,
    y,
    width: Math.min(width - x, (crop.x + crop.side - x + 1) & ~1),
    height: Math.min(height - y, (crop.y + crop.side - y + 1) & ~1),
  };
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
  /** The crop's RGBA bytes as copied out of the VideoFrame, reused while the crop size stays. */
  private frameBytes = new Uint8Array(0);
  private readonly scratch: ResizeScratch = {};
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
  async stagePixels(): Promise<ImageInput> {
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
    const visible = frame.visibleRect ?? { x: 0, y: 0, width: frame.codedWidth, height: frame.codedHeight };
    const crop = centreCropPixels(visible.width, visible.height, this.cropFraction);
    const { x, y, width, height } = evenCopyRect(crop, visible.width, visible.height);
    if (this.frameBytes.length !== width * height * 4) this.frameBytes = new Uint8Array(width * height * 4);
    const rect = { x: visible.x + x, y: visible.y + y, width, height };
    await frame.copyTo(this.frameBytes, { rect, format: 'RGBA', colorSpace: 'srgb' });
    const size = this.staged.width;
    cropResizeRgba(this.frameBytes, width, height, { x: crop.x - x, y: crop.y - y, side: crop.side }, size, this.staged.data, this.scratch);
    return this.staged;
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
    if (typeof v.requestVideoFrameCallback === 'function' && v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && !v.paused) {
      const handle = v.requestVideoFrameCallback(() => callback());
      return () => v.cancelVideoFrameCallback(handle);
    }
    // Not playing yet (or no rVFC): poll once per display frame.
    const handle = requestAnimationFrame(() => callback());
    return () => cancelAnimationFrame(handle);
  }
}
