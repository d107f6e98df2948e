/**
 * The live inference loop: one frame in flight, frames whose timestamp did not change are skipped,
 * and the newest frame wins. It runs a {@link LoopModel}: the inference worker's (inference-client.ts)
 * or one on this thread (frame-model.ts: one tf.tidy and one async readback per frame). No TF.js and
 * no DOM API here: frames come from a {@link FrameSource} (video-frame-source.ts in the app, tensors
 * or pixel arrays in tests), so the live view's worker path loads no TF.js on the page, and tests and
 * the benchmark can drive the loop headlessly.
 */
import type { FrameImage } from './frame-input';

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
  /**
   * For a model that knows what it was trained on (a classifier with a novelty model): true when the
   * frame does not look like it, so the verdict is not to be trusted.
   */
  unfamiliar?: boolean;
  /**
   * For a site-adapted model that keeps its old head (metadata `routing`): true when the adapted head
   * answered (the frame is nearest the site's photos), false when the old head did.
   */
  siteHead?: boolean;
  /**
   * The map as already painted into the heatmap canvas (after temporal smoothing), when the model's
   * runner painted it (the inference worker); absent: the page paints {@link map}.
   */
  shown?: Float32Array;
}

/**
 * A model the loop can drive: it takes the frame from the source itself and resolves with the
 * result (undefined: no result for this frame). It runs in the inference worker (inference-client.ts)
 * or on this thread (localLoopModel in frame-model.ts).
 */
export interface LoopModel {
  /** Mode identifier, e.g. `classifier`. */
  readonly kind: string;
  /** Side of the square the model looks at. */
  readonly inputSize: number;
  run(source: FrameSource): Promise<FrameResult | undefined>;
}

/** Where frames come from. */
export interface FrameSource {
  /**
   * Identifies the current frame (a video's `currentTime`); the loop skips a frame whose id equals
   * the last processed one. undefined: no frame yet.
   */
  frameId(): number | undefined;
  /** The current frame's pixels, ready for a frame model's `infer` (frame-model.ts). */
  pixels(): FrameImage;
  /**
   * Optional asynchronous form of {@link pixels}; when present the loop stages every frame with it
   * (inside the frame's timed latency), e.g. to copy the frame out with VideoFrame.copyTo.
   */
  stagePixels?(): Promise<FrameImage>;
  /**
   * Optional: the current frame as a WebCodecs VideoFrame for the inference worker's model to
   * transfer (the receiver closes it); undefined when there is none.
   */
  videoFrame?(): VideoFrame | undefined;
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
  model: LoopModel;
  source: FrameSource;
  /** Called after every processed frame. `result` is only valid during the call. */
  onFrame(result: FrameResult, stats: Readonly<FrameStats>): void;
  /** A frame failed; the loop stops. Default: console.error. */
  onError?(error: unknown): void;
  /** Weight of the newest sample in the fps/latency moving averages, (0, 1]; default 0.1. */
  smoothing?: number;
}

/** Start/stop driver of a {@link LoopModel} over a {@link FrameSource}. */
export class FrameLoop {
  private model: LoopModel;
  private readonly source: FrameSource;
  private readonly options: FrameLoopOptions;
  private cancelWait?: () => void;
  private inFlight?: Promise<void>;
  /** The source signalled a frame while one was in flight: take the newest frame as soon as it is done. */
  private signalled = false;
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
  setModel(model: LoopModel): void {
    this.model = model;
  }

  /** Starts processing frames (no-op if running). Statistics restart. */
  start(): void {
    if (this.active) return;
    this.active = true;
    Object.assign(this.stats, { frames: 0, skipped: 0, fps: 0, latencyMs: 0, lastLatencyMs: 0 });
    this.lastFrameId = undefined;
    this.lastDone = undefined;
    this.signalled = false;
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
    if (!this.active) return;
    if (this.inFlight) {
      // A new frame came while one is in flight: remember it rather than wait for the one after.
      this.signalled = true;
      return;
    }
    const id = this.source.frameId();
    if (id === undefined || id === this.lastFrameId) {
      this.stats.skipped++;
      this.wait();
      return;
    }
    this.lastFrameId = id;
    this.signalled = false;
    this.inFlight = this.process().finally(() => {
      this.inFlight = undefined;
      if (this.signalled && this.active) {
        // The frame shown now is newer than the one just processed: take it at once (the newest
        // frame wins; waiting for the next callback would halve the rate when a frame takes a
        // little over one camera frame's time).
        this.signalled = false;
        this.cancelWait?.();
        this.cancelWait = undefined;
        this.tick();
      } else this.wait();
    });
    // Listen during the flight, so that a frame shown meanwhile is not missed.
    this.wait();
  };

  private async process(): Promise<void> {
    const model = this.model;
    const started = performance.now();
    try {
      const result = await model.run(this.source);
      if (!this.active || !result) return;
      const done = performance.now();
      this.updateStats(done - started, done);
      this.options.onFrame(result, this.stats);
    } catch (e) {
      this.active = false;
      (this.options.onError ?? console.error)(e);
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
