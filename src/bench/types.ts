/** Shapes shared by the benchmark page (src/bench/bench-page.ts) and its driver (scripts/bench.ts). */

/** Median and 95th percentile of a series of timings, ms. */
export interface Timing {
  medianMs: number;
  p95Ms: number;
  samples: number;
}

/** Tensor / byte counts around a phase. */
export interface MemoryDelta {
  tensorsBefore: number;
  tensorsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** Options the driver passes to the page's `run`. */
export interface BenchRunOptions {
  /** Frames measured per path. */
  frames: number;
  /** Untimed warm-up iterations per path (shader compilation, first allocations). */
  warmup: number;
  /** Frames per path in one round; the paths take turns round by round, so load changes hit all three. */
  block: number;
  /** Images for the feature-extraction / head-training throughput; 0 skips it. */
  trainImages: number;
  /** TF.js environment flags to set once the backend is active, before its first operation (e.g. WEBGL_FORCE_F16_TEXTURES). */
  flags?: Record<string, number | boolean>;
  /** Map the app's frame path computes and paints: the fine map (default, for a model with a fine head) or the 13x13 Grad-CAM. */
  map?: 'fine' | 'gradcam';
}

/** Everything measured on one backend. */
export interface BackendBenchResult {
  backend: string;
  device: string;
  software: boolean;
  /** TF.js flags in effect that matter for speed. */
  flags: Record<string, unknown>;
  /** Backend start + classifier load, ms. */
  loadMs: number;
  /** First pipeline frame (includes shader compilation / first allocations), ms. */
  firstFrameMs: number;
  rawForward: Timing;
  /** The classifier path alone (no fine head), for a model with a fine head. */
  rawClassifierForward?: Timing;
  pipeline: Timing;
  /** The pipeline with the canvas staging (drawImage + getImageData), same rounds; only where the app stages VideoFrames. */
  pipelineCanvas?: Timing;
  reference: Timing;
  /** Head form the reference's gradient pass used. */
  referenceHead: 'layers' | 'matmul';
  /** Memory around all pipeline frames (summed per round). */
  pipelineMemory: { tensorGrowth: number; bytesGrowth: number; frames: number };
  /** Memory from before the first measured frame to after the last, all three paths. */
  memory: MemoryDelta & { wasmHeapBefore?: number; wasmHeapAfter?: number };
  /** Median ms per stage of a pipeline frame run step by step (draw: video -> staged crop, as the app stages it; infer: input tensor + network + Grad-CAM, queued on GPU backends; readback; paint; inferTensorPath: infer without the staged-pixels fast path, same frames; drawCanvas: the canvas staging, drawImage + getImageData of the crop, same frames). */
  stageMs: Record<string, number>;
  /** The app's staging against the canvas staging on the same frames. */
  staging: StagingCheck;
  /** Feature extraction of trainHead (base forward passes in batches of 16), images per second. */
  featureImagesPerSec?: number;
  /** Head training on cached features, samples per second (epochs x images / training time). */
  headTrainSamplesPerSec?: number;
}

/** How the app's staged crop compares with the canvas drawImage staging of the same frames. */
export interface StagingCheck {
  /** Whether the app's source staged frames from VideoFrames (false: it used the canvas itself). */
  videoFrames: boolean;
  /** Median over frames of the mean absolute RGB difference, 0..255; undefined when no VideoFrame was staged. */
  meanAbsByteDiff?: number;
  /** Median over frames of the mean signed difference, canvas minus app staging, 0..255 units. */
  meanByteBias?: number;
  /** Largest absolute difference of a class probability between the two stagings over all frames. */
  maxAbsProbabilityDiff: number;
  /** Fraction of compared frames on which both stagings gave the same label; undefined when none were compared. */
  sameLabel?: number;
}
