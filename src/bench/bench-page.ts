/**
 * Benchmark page (bench.html, driven by scripts/bench.ts; not part of the app's startup path). It runs
 * the app's own code on the fake camera: backend selection, the classifier, the frame loop with the
 * heatmap painter, next to the bare network and a reference pipeline written as public examples do
 * (reference.ts). `window.__bench.run(options)` measures one backend (chosen with `?backend=`).
 */
import * as tf from '@tensorflow/tfjs';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { classifierPath, hiddenLayerOf } from '../core/head';
import { centreCropBox } from '../core/preprocess';
import { trainHead, type TrainingSample } from '../core/trainer';
import { selectBrowserBackend, type BackendChoice } from '../platform/backend';
import { FrameLoop } from '../platform/frame-loop';
import { classifierFrameModel, localLoopModel } from '../platform/frame-model';
import { appUrl, fetchReader, MODEL_PATHS } from '../platform/model-url';
import { VideoFrameSource } from '../platform/video-frame-source';
import { DEFAULT_HEATMAP_STYLE, HeatmapPainter, SQUEEZENET_MAP_PLACEMENT } from '../platform/heatmap-painter';
import { ReferencePipeline } from './reference';
import type { BackendBenchResult, BenchRunOptions, StagingCheck, Timing } from './types';

declare global {
  interface Window {
    __bench?: { run(options: BenchRunOptions): Promise<BackendBenchResult> };
  }
}

function timing(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return {
    medianMs: s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2,
    p95Ms: at(0.95),
    samples: s.length,
  };
}

const memory = () => tf.memory();
const wasmHeap = (): number | undefined =>
  tf.getBackend() === 'wasm'
    ? (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer.byteLength
    : undefined;
const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

async function startCamera(video: HTMLVideoElement): Promise<MediaStream> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  video.srcObject = stream;
  await video.play();
  while (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0)
    await new Promise((r) => requestAnimationFrame(r));
  return stream;
}

/** Waits for the next decoded video frame (so reference and bare-network rounds pace like the loop). */
function nextVideoFrame(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve) => {
    if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
}

/**
 * The app's frame path as the live view (src/ui/crackcam-live-view.ts) runs it: FrameLoop +
 * VideoFrameSource + classifier frame model + HeatmapPainter with SqueezeNet's cell placement and the
 * view's default style.
 */
class Pipeline {
  readonly loop: FrameLoop;
  private readonly painter: HeatmapPainter;
  private pending?: { need: number; out: number[]; resolve(): void };
  private failure?: unknown;

  readonly source: VideoFrameSource;

  /** `videoFrames: false` forces the canvas staging (the path before VideoFrame copies) for comparison. */
  constructor(
    classifier: CrackClassifier,
    video: HTMLVideoElement,
    heat: HTMLCanvasElement,
    gpu: boolean,
    videoFrames?: boolean,
    map?: 'fine' | 'gradcam',
  ) {
    this.painter = new HeatmapPainter(heat, SQUEEZENET_MAP_PLACEMENT);
    this.painter.resize(heat.width, heat.height);
    const source = new VideoFrameSource(video, { size: classifier.inputSize, willReadFrequently: !gpu, videoFrames });
    this.source = source;
    this.loop = new FrameLoop({
      model: localLoopModel(classifierFrameModel(classifier, { map })),
      source,
      onFrame: (result, stats) => {
        const t = performance.now();
        this.painter.paint(result.map, result.mapWidth, result.mapHeight, DEFAULT_HEATMAP_STYLE);
        // grab -> result (the loop's latency) + painting
        const latency = stats.lastLatencyMs + (performance.now() - t);
        const p = this.pending;
        if (!p) return;
        p.out.push(latency);
        if (p.out.length >= p.need) {
          this.pending = undefined;
          p.resolve();
        }
      },
      onError: (e) => {
        this.failure = e;
        const p = this.pending;
        this.pending = undefined;
        p?.resolve();
      },
    });
  }

  /** Runs the loop until `n` frames were painted; returns their latencies. */
  async frames(n: number): Promise<number[]> {
    const out: number[] = [];
    await new Promise<void>((resolve) => {
      this.pending = { need: n, out, resolve };
      this.loop.start();
    });
    await this.loop.stop();
    if (this.failure) throw this.failure;
    return out;
  }
}

async function throughput(
  classifier: CrackClassifier,
  video: HTMLVideoElement,
  images: number,
): Promise<{ features: number; train: number }> {
  // Distinct frames of the looping fake camera (photos of both classes), as 227x227 crops.
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = classifier.inputSize;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2D canvas is not available');
  const crops: ImageData[] = [];
  for (let i = 0; i < images; i++) {
    for (let k = 0; k < 4; k++) await nextVideoFrame(video);
    const side = Math.min(video.videoWidth, video.videoHeight);
    ctx.drawImage(
      video,
      (video.videoWidth - side) / 2,
      (video.videoHeight - side) / 2,
      side,
      side,
      0,
      0,
      canvas.width,
      canvas.height,
    );
    crops.push(ctx.getImageData(0, 0, canvas.width, canvas.height));
  }
  const samples: TrainingSample[] = crops.map((c, i) => ({
    label: i % 2,
    id: String(i),
    load: async () => tf.browser.fromPixels(c),
  }));
  const hidden = hiddenLayerOf(classifier.head);
  const hiddenSize = hidden?.kernel.shape[1] ?? 0;
  if (hidden) tf.dispose([hidden.kernel, hidden.bias]);
  const epochs = 5;
  const train = samples.slice(2);
  const r = await trainHead({
    base: classifier.base,
    preprocessing: classifier.metadata.preprocessing,
    labels: classifier.labels,
    train,
    validation: samples.slice(0, 2),
    epochs,
    hidden: hiddenSize,
    featureLayer: classifier.metadata.base.featureLayer,
    augment: null,
  });
  r.head.dispose();
  return { features: samples.length / r.featureSeconds, train: (train.length * epochs) / r.trainSeconds };
}

/**
 * Where a pipeline frame's time goes, stage by stage, run synchronously so each stage's kernels are
 * timed where they execute (on WebGL/WebGPU the GPU work lands in `readback`). On the same frames it
 * also stages the crop the previous way (canvas drawImage + getImageData) and compares the two
 * stagings' pixels and probabilities.
 */
async function stages(
  classifier: CrackClassifier,
  video: HTMLVideoElement,
  heat: HTMLCanvasElement,
  gpu: boolean,
  n: number,
  map?: 'fine' | 'gradcam',
): Promise<{ stageMs: Record<string, number>; staging: StagingCheck }> {
  const size = classifier.inputSize;
  const source = new VideoFrameSource(video, { size, willReadFrequently: !gpu });
  const canvasSource = new VideoFrameSource(video, { size, willReadFrequently: !gpu, videoFrames: false });
  const model = classifierFrameModel(classifier, { map });
  const tensorPath = classifierFrameModel(classifier, { stagedPixels: false, map });
  const painter = new HeatmapPainter(heat, SQUEEZENET_MAP_PLACEMENT);
  const c = classifier.labels.length;
  const t: Record<string, number[]> = {
    draw: [],
    infer: [],
    readback: [],
    paint: [],
    inferTensorPath: [],
    drawCanvas: [],
  };
  const byteDiffs: number[] = [];
  const byteBiases: number[] = [];
  let maxProbDiff = 0;
  let sameLabel = 0;
  let compared = 0;
  // The canvas staging as VideoFrameSource.pixels draws it, fed the same VideoFrame as the app's staging.
  const compareCanvas = document.createElement('canvas');
  compareCanvas.width = compareCanvas.height = size;
  const compareCtx = compareCanvas.getContext('2d', { willReadFrequently: true, alpha: false });
  if (!compareCtx) throw new Error('2D canvas is not available');
  compareCtx.imageSmoothingEnabled = true;
  compareCtx.imageSmoothingQuality = 'medium';
  for (let i = 0; i < n; i++) {
    await nextVideoFrame(video);
    const t0 = performance.now();
    const frame = await source.stagePixels();
    const t1 = performance.now();
    const packed = tf.tidy(() => model.infer(frame)); // [C + h*w]
    const t2 = performance.now();
    const data = (await packed.data()) as Float32Array;
    const t3 = performance.now();
    packed.dispose();
    const result = model.decode(data);
    painter.paint(result.map, result.mapWidth, result.mapHeight, DEFAULT_HEATMAP_STYLE);
    const t4 = performance.now();
    t.draw.push(t1 - t0);
    t.infer.push(t2 - t1);
    t.readback.push(t3 - t2);
    t.paint.push(t4 - t3);
    // The same staged frame through fromPixels + cast + reverse + sub (the path before normaliseRgba).
    const t5 = performance.now();
    const other = tf.tidy(() => tensorPath.infer(frame));
    const t6 = performance.now();
    await other.data();
    other.dispose();
    t.inferTensorPath.push(t6 - t5);
    // The canvas staging (before VideoFrame copies): drawImage + the CPU read the model did of it.
    const t7 = performance.now();
    canvasSource.pixels();
    canvasSource.cropImageData();
    t.drawCanvas.push(performance.now() - t7);
    if (!source.videoFrames) continue;
    // Both stagings of one VideoFrame (the video moves on between separate grabs).
    const still = new VideoFrame(video);
    try {
      const staged = await source.stageVideoFrame(still);
      const box = centreCropBox(still.displayWidth, still.displayHeight, canvasSource.cropFraction);
      compareCtx.drawImage(still, box.x, box.y, box.size, box.size, 0, 0, size, size);
      const bytes = compareCtx.getImageData(0, 0, size, size).data;
      let sum = 0;
      let signed = 0;
      for (let j = 0; j < bytes.length; j += 4) {
        for (let ch = 0; ch < 3; ch++) {
          const d = bytes[j + ch] - staged.data[j + ch];
          sum += Math.abs(d);
          signed += d;
        }
      }
      byteDiffs.push(sum / ((bytes.length / 4) * 3));
      byteBiases.push(signed / ((bytes.length / 4) * 3));
      const both = [staged, compareCtx.canvas].map((px) => tf.tidy(() => model.infer(px)));
      const [a, b] = (await Promise.all(both.map((x) => x.data()))) as Float32Array[];
      tf.dispose(both);
      let best = 0;
      let bestCanvas = 0;
      for (let j = 0; j < c; j++) {
        maxProbDiff = Math.max(maxProbDiff, Math.abs(a[j] - b[j]));
        if (a[j] > a[best]) best = j;
        if (b[j] > b[bestCanvas]) bestCanvas = j;
      }
      compared++;
      if (best === bestCanvas) sameLabel++;
    } finally {
      still.close();
    }
  }
  const stageMs = Object.fromEntries(
    Object.entries(t).map(([k, v]) => [k, Math.round(timing(v).medianMs * 100) / 100]),
  );
  const staging: StagingCheck = {
    videoFrames: source.videoFrames,
    meanAbsByteDiff: byteDiffs.length ? Math.round(timing(byteDiffs).medianMs * 100) / 100 : undefined,
    meanByteBias: byteBiases.length ? Math.round(timing(byteBiases).medianMs * 100) / 100 : undefined,
    maxAbsProbabilityDiff: Math.round(maxProbDiff * 1e4) / 1e4,
    sameLabel: compared ? sameLabel / compared : undefined,
  };
  return { stageMs, staging };
}

async function run(options: BenchRunOptions): Promise<BackendBenchResult> {
  const video = document.querySelector<HTMLVideoElement>('[data-testid="bench-video"]');
  const heat = document.querySelector<HTMLCanvasElement>('[data-testid="bench-heatmap"]');
  const refCanvas = document.querySelector<HTMLCanvasElement>('[data-testid="bench-reference"]');
  if (!video || !heat || !refCanvas) throw new Error('bench.html elements missing');
  const stream = await startCamera(video);
  const t0 = performance.now();
  const choice: BackendChoice = await selectBrowserBackend();
  // Flags are registered by their backend's package, which is loaded when the backend is activated;
  // set before the first operation, they still apply.
  for (const [k, v] of Object.entries(options.flags ?? {})) tf.env().set(k, v);
  const classifier = await loadCrackClassifier({
    reader: fetchReader(),
    modelJson: appUrl(MODEL_PATHS.head),
    base: appUrl(MODEL_PATHS.base),
  });
  const loadMs = performance.now() - t0;
  const gpu = choice.name === 'webgl' || choice.name === 'webgpu';
  const pipeline = new Pipeline(classifier, video, heat, gpu, undefined, options.map);
  // Where the app stages frames from VideoFrames, the same pipeline with the canvas staging takes its
  // turn in every round too, so the two are compared under the same load.
  const canvasPipeline = pipeline.source.videoFrames
    ? new Pipeline(classifier, video, heat, gpu, false, options.map)
    : undefined;
  const reference = new ReferencePipeline(classifier, refCanvas, gpu ? 'layers' : 'matmul');
  // A fixed normalised-range input for the bare network. // [1, 227, 227, 3]
  const x = tf.randomUniform(
    [1, classifier.inputSize, classifier.inputSize, 3],
    -124,
    152,
    'float32',
    7,
  ) as tf.Tensor4D;
  const raw = async (): Promise<number> => {
    const t = performance.now();
    // The bare network: base and head as Layers models, every output (the classifier's logits and,
    // for a model with a fine head, the fine head's logits too), downloaded in one readback.
    const logits = tf.tidy(() => {
      const out = classifier.head.predict(classifier.features.predict(x) as tf.Tensor4D | tf.Tensor4D[]) as
        tf.Tensor2D | tf.Tensor2D[]; // [1, C] (x2)
      return Array.isArray(out) ? tf.concat(out, 1) : out;
    });
    await logits.data();
    logits.dispose();
    return performance.now() - t;
  };
  // The classifier path alone (base to fire9 + classifier head), without the fine head: what the
  // bare network was before models carried a fine head.
  const classifierOnly = classifier.metadata.base.fineLayer ? classifierPath(classifier.head) : undefined;
  const rawClassifier = async (): Promise<number> => {
    const t = performance.now();
    const logits = tf.tidy(
      () =>
        classifierOnly!.predict(
          classifier.base.cut(classifier.metadata.base.featureLayer).predict(x) as tf.Tensor4D,
        ) as tf.Tensor2D,
    ); // [1, C]
    await logits.data();
    logits.dispose();
    return performance.now() - t;
  };
  const ref = (): number => {
    const t = performance.now();
    reference.run(video);
    return performance.now() - t;
  };
  try {
    const firstFrameMs = (await pipeline.frames(1))[0];
    // Warm-up (shader compilation, first allocations); the reference may fall back to the matMul head.
    for (let i = 0; i < options.warmup; i++) await raw();
    if (classifierOnly) for (let i = 0; i < options.warmup; i++) await rawClassifier();
    await pipeline.frames(options.warmup);
    await canvasPipeline?.frames(options.warmup);
    for (let i = 0; i < options.warmup; i++) {
      try {
        await nextVideoFrame(video);
        ref();
      } catch (e) {
        if (reference.headForm === 'matmul') throw e;
        console.warn('reference: Layers head not differentiable here, using the matMul form', e);
        reference.headForm = 'matmul';
      }
    }
    const times = {
      raw: [] as number[],
      rawClassifier: [] as number[],
      pipeline: [] as number[],
      pipelineCanvas: [] as number[],
      reference: [] as number[],
    };
    const before = memory();
    const heapBefore = wasmHeap();
    let tensorGrowth = 0;
    let bytesGrowth = 0;
    for (let done = 0; done < options.frames; done += options.block) {
      const n = Math.min(options.block, options.frames - done);
      for (let i = 0; i < n; i++) {
        await nextVideoFrame(video);
        times.raw.push(await raw());
        if (classifierOnly) {
          await nextVideoFrame(video);
          times.rawClassifier.push(await rawClassifier());
        }
      }
      const m0 = memory();
      times.pipeline.push(...(await pipeline.frames(n)));
      const m1 = memory();
      tensorGrowth += m1.numTensors - m0.numTensors;
      bytesGrowth += m1.numBytes - m0.numBytes;
      if (canvasPipeline) times.pipelineCanvas.push(...(await canvasPipeline.frames(n)));
      for (let i = 0; i < n; i++) {
        await nextVideoFrame(video);
        times.reference.push(ref());
        await nextTask();
      }
    }
    const after = memory();
    const heapAfter = wasmHeap();
    const { stageMs, staging } = await stages(classifier, video, heat, gpu, Math.min(options.frames, 30), options.map);
    let tp: { features: number; train: number } | undefined;
    if (options.trainImages > 0) tp = await throughput(classifier, video, options.trainImages);
    const env = tf.env();
    const flagNames = [
      'WASM_HAS_SIMD_SUPPORT',
      'WASM_HAS_MULTITHREAD_SUPPORT',
      'WEBGL_VERSION',
      'WEBGL_PACK',
      'WEBGL_FORCE_F16_TEXTURES',
      'WEBGL_RENDER_FLOAT32_ENABLED',
      'WEBGL_FLUSH_THRESHOLD',
      'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE',
    ];
    const flags: Record<string, unknown> = {};
    for (const f of flagNames) {
      try {
        flags[f] = await env.getAsync(f);
      } catch {
        // flag not registered on this backend
      }
    }
    return {
      backend: choice.name,
      device: choice.device,
      software: choice.software,
      flags,
      loadMs,
      firstFrameMs,
      rawForward: timing(times.raw),
      rawClassifierForward: classifierOnly ? timing(times.rawClassifier) : undefined,
      pipeline: timing(times.pipeline),
      pipelineCanvas: canvasPipeline ? timing(times.pipelineCanvas) : undefined,
      reference: timing(times.reference),
      referenceHead: reference.headForm,
      pipelineMemory: { tensorGrowth, bytesGrowth, frames: times.pipeline.length },
      memory: {
        tensorsBefore: before.numTensors,
        tensorsAfter: after.numTensors,
        bytesBefore: before.numBytes,
        bytesAfter: after.numBytes,
        wasmHeapBefore: heapBefore,
        wasmHeapAfter: heapAfter,
      },
      stageMs,
      staging,
      featureImagesPerSec: tp?.features,
      headTrainSamplesPerSec: tp?.train,
    };
  } finally {
    x.dispose();
    reference.dispose();
    await pipeline.loop.stop();
    await canvasPipeline?.loop.stop();
    classifier.dispose();
    for (const t of stream.getTracks()) t.stop();
  }
}

window.__bench = { run };
