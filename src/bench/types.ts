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
  /** TF.js environment flags to set before the backend starts (e.g. WEBGL_FORCE_F16_TEXTURES). */
  flags?: Record<string, number | boolean>;
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
  pipeline: Timing;
  reference: Timing;
  /** Head form the reference's gradient pass used. */
  referenceHead: 'layers' | 'matmul';
  /** Memory around all pipeline frames (summed per round). */
  pipelineMemory: { tensorGrowth: number; bytesGrowth: number; frames: number };
  /** Memory from before the first measured frame to after the last, all three paths. */
  memory: MemoryDelta & { wasmHeapBefore?: number; wasmHeapAfter?: number };
  /** Median ms per stage of a pipeline frame run step by step (draw: video -> staged crop; infer: input tensor + network + Grad-CAM, queued on GPU backends; readback; paint; inferTensorPath: infer without the staged-pixels fast path, same frames; drawMedium / drawLow: drawImage + getImageData of the crop at smoothing quality 'medium' (the app's) / 'low'). */
  stageMs: Record<string, number>;
  /** Feature extraction of trainHead (base forward passes in batches of 16), images per second. */
  featureImagesPerSec?: number;
  /** Head training on cached features, samples per second (epochs x images / training time). */
  headTrainSamplesPerSec?: number;
}
