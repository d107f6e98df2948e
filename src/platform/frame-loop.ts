/**
 * The live inference loop: one frame in flight, frames whose timestamp did not change are skipped,
 * all work of a frame runs in one tf.tidy and comes back in one async readback (no GPU stall on
 * WebGL/WebGPU), and buffers are reused. It calls no DOM API itself: frames come from a
 * {@link FrameSource} (video-frame-source.ts in the app, tensors or pixel arrays in tests) and a
 * browser image becomes network input in frame-input.ts, so tests and the benchmark can drive the
 * loop headlessly.
 */
import * as tf from '@tensorflow/tfjs';
import type { CrackClassifier } from '../core/classifier';
import { frameInput, type FrameImage } from './frame-input';

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
  infer(frame: FrameImage): tf.Tensor1D;
  /** Unpacks the read-back values of {@link infer}. */
  decode(packed: Float32Array): FrameResult;
}

/**
 * A model that runs elsewhere (the inference worker, see inference-client.ts): it takes the frame
 * from the source itself and resolves with the result. The loop keeps one frame in flight either way.
 */
export interface RemoteFrameModel {
  readonly kind: string;
  readonly inputSize: number;
  run(source: FrameSource): Promise<FrameResult>;
}

/** A model the loop can drive: run here ({@link FrameModel}) or elsewhere ({@link RemoteFrameModel}). */
export type LoopModel = FrameModel | RemoteFrameModel;

/** Options of {@link classifierFrameModel}. */
export interface ClassifierFrameOptions {
  /** Class whose Grad-CAM is shown; default `crack` when the model has it, else the predicted class. */
  camClass?: number | string | 'predicted';
  /** Normalise staged CPU pixels in JavaScript on WASM/CPU (default true); false: always the tensor path. */
  stagedPixels?: boolean;
  /**
   * Which map to report: `fine` (default when the model has a fine head: 56x56, see fineMap in
   * head.ts) or `gradcam` (the MATLAB reference's 13x13 Grad-CAM; a few ms less per frame on WASM).
   */
  map?: 'fine' | 'gradcam';
}

/**
 * The crack classifier as a {@link FrameModel}: probabilities and the map of `camClass` packed as
 * [C probabilities, h * w map, novelty score (models with a novelty model), 1 when a routed model's
 * site head answered]. The map is the fine map
 * (56x56) when the model has a fine head, else the Grad-CAM (13x13). Does not own the classifier.
 *
 * Frames are taken as already cropped (the source stages the crop box at `inputSize`); see
 * frameInput (frame-input.ts) for how they become the network's input.
 */
export function classifierFrameModel(classifier: CrackClassifier, options: ClassifierFrameOptions = {}): FrameModel {
  const camClass = options.camClass ?? (classifier.labels.includes('crack') ? 'crack' : 'predicted');
  const labels = classifier.labels;
  const c = labels.length;
  const fine = options.map !== 'gradcam' && classifier.metadata.base.fineShape !== undefined;
  const [mapHeight, mapWidth] = fine
    ? (classifier.metadata.base.fineShape as [number, number, number])
    : classifier.metadata.base.featureShape;
  const map = new Float32Array(mapHeight * mapWidth);
  const scores = labels.map((label) => ({ label, probability: 0 }));
  const threshold = classifier.metadata.novelty?.threshold;
  const result: FrameResult = {
    label: labels[0],
    probability: 0,
    scores,
    map,
    mapWidth,
    mapHeight,
    ...(threshold === undefined ? {} : { unfamiliar: false }),
    ...(classifier.metadata.routing ? { siteHead: false } : {}),
  };
  const size = classifier.inputSize;
  const toInput = frameInput(
    size,
    classifier.metadata.preprocessing,
    (frame) => classifier.prepare(frame, 1),
    options.stagedPixels !== false,
  );
  return {
    kind: 'classifier',
    inputSize: size,
    infer(frame) {
      const input = toInput(frame); // [1, 227, 227, 3]
      const r = classifier.classifyBatch(input, { camClass, fineMap: fine });
      const parts = [tf.reshape(r.probabilities, [-1]), tf.reshape(r.fineCam ?? r.cam, [-1])];
      if (r.novelty) parts.push(r.novelty);
      if (r.ownHead) parts.push(tf.cast(r.ownHead, 'float32'));
      return tf.concat(parts) as tf.Tensor1D; // [C + h*w (+ 1 novelty) (+ 1 head)]
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
      if (threshold !== undefined) result.unfamiliar = packed[c + map.length] > threshold;
      if (result.siteHead !== undefined) result.siteHead = packed[c + map.length + 1] === 1;
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
  pixels(): FrameImage;
  /**
   * Optional asynchronous form of {@link pixels}; when present the loop stages every frame with it
   * (inside the frame's timed latency), e.g. to copy the frame out with VideoFrame.copyTo.
   */
  stagePixels?(): Promise<FrameImage>;
  /**
   * Optional: the current frame as a WebCodecs VideoFrame for a {@link RemoteFrameModel} to
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

/** Start/stop driver of a {@link FrameModel} over a {@link FrameSource}. */
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
      const result = 'run' in model ? await model.run(this.source) : await this.runHere(model);
      if (!this.active || !result) return;
      const done = performance.now();
      this.updateStats(done - started, done);
      this.options.onFrame(result, this.stats);
    } catch (e) {
      this.active = false;
      (this.options.onError ?? console.error)(e);
    }
  }

  /** One frame on this thread: staged pixels -> one tidy -> one async readback -> decoded (undefined once stopped). */
  private async runHere(model: FrameModel): Promise<FrameResult | undefined> {
    let packed: tf.Tensor1D | undefined;
    try {
      const source = this.source;
      const frame = source.stagePixels ? await source.stagePixels() : source.pixels();
      packed = tf.tidy(() => model.infer(frame));
      // Async readback: on WebGL/WebGPU this waits for the GPU without blocking the main thread.
      const data = (await packed.data()) as Float32Array;
      packed.dispose();
      packed = undefined;
      return this.active ? model.decode(data) : undefined;
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
