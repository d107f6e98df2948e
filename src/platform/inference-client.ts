/**
 * The page's side of the inference worker (inference-worker.ts): loads the model there and runs live
 * frames through it, one in flight, the newest frame each time (the loop asks for the next frame
 * only once a result is back, so nothing queues). `?inference=main` (or a browser without module
 * workers, OffscreenCanvas or VideoFrame) keeps the frame path on the page's main thread.
 */
import type { BackendName } from './backend-names';
import type { FrameResult, FrameSource, LoopModel } from './frame-loop';
import type {
  FromInferenceWorker,
  ToInferenceWorker,
  WireHeatmap,
  WireMapKind,
  WireModelSource,
  WorkerModelReport,
} from './inference-protocol';
import { BUILTIN_MODEL_ID } from './model-url';
import { queryChoice } from './query-choice';
import type { HookHeatmap, HookMemory } from './test-hook';

/** Where the live frames run. */
export const INFERENCE_PLACES = ['worker', 'main'] as const;
export type InferencePlace = (typeof INFERENCE_PLACES)[number];

/** URL query parameter that forces where the live frames run. */
export const INFERENCE_PARAM = 'inference';

/** An invalid `?inference=` value. */
export class InferencePlaceError extends Error {
  constructor(readonly value: string) {
    super(`unknown place '${value}' in ?${INFERENCE_PARAM}=; valid: ${INFERENCE_PLACES.join(', ')}`);
    this.name = 'InferencePlaceError';
  }
}

/**
 * Where the live frames run: `?inference=` if given, else the worker where the browser has what it
 * needs (module workers, OffscreenCanvas, VideoFrame), else the main thread.
 * @throws InferencePlaceError naming the valid values
 */
export function inferencePlace(search: string, scope: object = globalThis): InferencePlace {
  const forced = queryChoice(search, INFERENCE_PARAM, INFERENCE_PLACES, (value) => new InferencePlaceError(value));
  if (forced) return forced;
  const has = (name: string) => typeof (scope as Record<string, unknown>)[name] === 'function';
  return has('Worker') && has('OffscreenCanvas') && has('VideoFrame') ? 'worker' : 'main';
}

/** The model the worker reports once loaded. */
export type WorkerModelInfo = WorkerModelReport;

/** What {@link InferenceWorkerClient.load} loads. */
export interface WorkerLoad {
  /** The backend forced with `?backend=`; absent: the worker picks its own. */
  forcedBackend?: BackendName;
  baseUrl: string;
  model: WireModelSource;
  map: WireMapKind;
}

type Pending<T> = { resolve(value: T): void; reject(error: Error): void };

/** Identifies a load request (same backend, base, model and map). */
const loadKey = (r: WorkerLoad): string =>
  JSON.stringify([
    r.forcedBackend,
    r.baseUrl,
    r.model.kind,
    r.model.kind === 'stored' ? r.model.id : r.model.headUrl,
    r.map,
  ]);

/**
 * Where the worker loads library model `id` from: the built-in one (`builtin` or none) from
 * `headUrl`, a stored one from the library.
 */
export function librarySource(id: string | undefined, headUrl: string): WireModelSource {
  return !id || id === BUILTIN_MODEL_ID ? { kind: 'builtin', headUrl } : { kind: 'stored', id };
}

/** The request an `active` load turned out to be, by the library id the worker reports it loaded. */
function resolvedLoad(r: WorkerLoad, modelId: string): WorkerLoad {
  return r.model.kind === 'active' ? { ...r, model: librarySource(modelId, r.model.headUrl) } : r;
}

const createInferenceWorker = (): Worker =>
  new Worker(new URL('./inference-worker.ts', import.meta.url), { type: 'module', name: 'crackcam-inference' });

/** One inference worker: model loads (in order), frames and memory figures as promises. */
export class InferenceWorkerClient {
  private readonly worker: Worker;
  private readonly loads: Pending<WorkerModelInfo>[] = [];
  private readonly calls = new Map<
    number,
    Pending<FrameResult> | Pending<HookMemory> | Pending<HookHeatmap | undefined>
  >();
  private nextId = 1;
  /** Called with the bytes of model files received so far while a load runs in the worker. */
  onLoadProgress?: (bytes: number) => void;
  /** A load started by {@link prefetch} that no {@link load} has taken yet. */
  private prefetched?: { key: string; info: Promise<WorkerModelInfo> };

  constructor(create: () => Worker = createInferenceWorker) {
    this.worker = create();
    this.worker.onmessage = (e: MessageEvent<FromInferenceWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.failAll(new Error(`the inference worker failed: ${e.message || 'no script'}`));
  }

  /**
   * Loads (or swaps) the worker's model; resolves once it runs frames. A load {@link prefetch} started
   * for the same request is taken instead of loading again.
   */
  load(request: WorkerLoad): Promise<WorkerModelInfo> {
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    if (prefetched?.key === loadKey(request)) return prefetched.info;
    return this.startLoad(request);
  }

  /**
   * Starts loading `request` before the page asks for it with {@link load} (the page's own model
   * loads meanwhile, in parallel): the next load of the same request takes it; a failure is
   * reported to that load. The returned promise never rejects unhandled: the caller may run frames
   * with the model as soon as it is there.
   */
  prefetch(request: WorkerLoad): Promise<WorkerModelInfo> {
    const info = this.startLoad(request);
    const prefetched = { key: loadKey(request), info };
    // An `active` load is taken by a later load of the model it turned out to be.
    info.then(
      (i) => (prefetched.key = loadKey(resolvedLoad(request, i.modelId))),
      () => {}, // reported to the load that takes it, if any
    );
    this.prefetched = prefetched;
    return info;
  }

  private startLoad(request: WorkerLoad): Promise<WorkerModelInfo> {
    return new Promise((resolve, reject) => {
      this.loads.push({ resolve, reject });
      this.post({ type: 'load', ...request });
    });
  }

  /**
   * Runs one frame (transferred: the caller must not use it afterwards); with `heatmap`, the worker
   * also paints its map into the canvas handed over with {@link setHeatmapCanvas}.
   */
  runFrame(frame: VideoFrame | ImageBitmap, cropFraction: number, heatmap?: WireHeatmap): Promise<FrameResult> {
    const id = this.nextId++;
    return new Promise<FrameResult>((resolve, reject) => {
      this.calls.set(id, { resolve, reject } as Pending<FrameResult>);
      this.post({ type: 'frame', id, frame, cropFraction, ...(heatmap && { heatmap }) }, [frame]);
    });
  }

  /** Hands the heatmap canvas to the worker (transferred), which then paints the frames' maps. */
  setHeatmapCanvas(canvas: OffscreenCanvas): void {
    this.post({ type: 'heatmap-canvas', canvas }, [canvas]);
  }

  /** The worker's heatmap as painted and its canvas's pixels (test hook). */
  heatmapProbe(): Promise<HookHeatmap | undefined> {
    const id = this.nextId++;
    return new Promise<HookHeatmap | undefined>((resolve, reject) => {
      this.calls.set(id, { resolve, reject } as Pending<HookHeatmap | undefined>);
      this.post({ type: 'heatmap-probe', id });
    });
  }

  /** The worker's tf.memory() (test hook). */
  memory(): Promise<HookMemory> {
    const id = this.nextId++;
    return new Promise<HookMemory>((resolve, reject) => {
      this.calls.set(id, { resolve, reject } as Pending<HookMemory>);
      this.post({ type: 'memory', id });
    });
  }

  /** Stops the worker; pending calls fail. */
  terminate(): void {
    this.worker.terminate();
    this.failAll(new Error('the inference worker was stopped'));
  }

  private post(message: ToInferenceWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(m: FromInferenceWorker): void {
    if (m.type === 'ready') this.loads.shift()?.resolve(m);
    else if (m.type === 'progress') this.onLoadProgress?.(m.bytes);
    else if (m.type === 'failed' && m.id === undefined) this.loads.shift()?.reject(new Error(m.message));
    else this.settle(m);
  }

  private settle(m: Exclude<FromInferenceWorker, { type: 'ready' | 'progress' }>): void {
    const id = m.id as number;
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    if (m.type === 'failed') call.reject(new Error(m.message));
    else if (m.type === 'result') (call as Pending<FrameResult>).resolve(m.result);
    else if (m.type === 'heatmap-probe') (call as Pending<HookHeatmap | undefined>).resolve(m.probe);
    else (call as Pending<HookMemory>).resolve(m.memory);
  }

  private failAll(error: Error): void {
    for (const p of this.loads.splice(0)) p.reject(error);
    for (const p of this.calls.values()) p.reject(error);
    this.calls.clear();
  }
}

/**
 * The worker's model as the frame loop's model: each frame is taken from the source as a VideoFrame
 * (else its staged crop as an ImageBitmap) and transferred to the worker, with how to paint its map
 * (`heatmap`: undefined while the page paints, or the heatmap is hidden).
 */
export function workerFrameModel(
  client: InferenceWorkerClient,
  info: WorkerModelInfo,
  cropFraction: () => number,
  heatmap: () => WireHeatmap | undefined = () => undefined,
): LoopModel {
  return {
    kind: info.modelKind,
    inputSize: info.inputSize,
    async run(source: FrameSource): Promise<FrameResult> {
      const frame = source.videoFrame?.();
      if (frame) return client.runFrame(frame, cropFraction(), heatmap());
      const bitmap = await createImageBitmap(source.pixels() as ImageBitmapSource);
      return client.runFrame(bitmap, 1, heatmap());
    },
  };
}
