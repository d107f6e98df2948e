/// <reference lib="webworker" />
/**
 * The inference worker: owns a TF.js backend (WebGPU or WebGL on the worker's OffscreenCanvas where
 * the browser has them, WASM, CPU), the base and the active model, and runs the live frame path off
 * the page's main thread. Each frame comes transferred (a VideoFrame or ImageBitmap of the whole
 * camera image); the worker stages its crop, runs the frame model in one tf.tidy with one async
 * readback, closes the frame, paints the map into the page's heatmap canvas (handed over as an
 * OffscreenCanvas; inference-heatmap.ts) and posts the result. Model files come from the page's URLs (the service
 * worker's precache serves them offline) or from the model library in IndexedDB.
 */
import * as tf from '@tensorflow/tfjs';
import { loadBaseNetwork, type BaseNetwork } from '../core/base';
import { loadCrackClassifier } from '../core/classifier';
import { selectWorkerBackend, type BackendChoice } from './backend';
import { classifierFrameModel, type FrameModel } from './frame-model';
import type { FromInferenceWorker, ToInferenceWorker, WireModelSource, WorkerModelReport } from './inference-protocol';
import type { ModelReader } from '../core/model-io';
import { WorkerHeatmap } from './inference-heatmap';
import { stageWorkerFrame, type WorkerStaging } from './inference-staging';
import { tfMemory } from './inference-memory';
import { BUILTIN_MODEL_ID, loadModelFiles, openModelStore, type LoadedModel } from './model-store';
import { progressReader } from './model-url';
import { oneClassFrameModel } from './oneclass-frame-model';

declare const self: DedicatedWorkerGlobalScope;

type LoadRequest = Extract<ToInferenceWorker, { type: 'load' }>;

let backend: Promise<BackendChoice> | undefined;
let base: { url: string; network: Promise<BaseNetwork> } | undefined;
let active: { model: LoadedModel; frames: FrameModel } | undefined;
const staging: WorkerStaging = {};
const heatmap = new WorkerHeatmap();
/** Loads run one after another, in the order asked: the last one asked is the model that stays. */
let loads: Promise<void> = Promise.resolve();

const post = (message: FromInferenceWorker, transfer: Transferable[] = []): void => self.postMessage(message, transfer);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The library id of the model a load asks for: an `active` load reads the library's active one. */
async function requestedId(source: WireModelSource): Promise<string> {
  if (source.kind === 'stored') return source.id;
  if (source.kind === 'builtin') return BUILTIN_MODEL_ID;
  // A library that cannot be opened (private mode, blocked storage) leaves the built-in model.
  return (
    (await openModelStore()
      .then((s) => s.activeId())
      .catch(() => undefined)) ?? BUILTIN_MODEL_ID
  );
}

async function loadModel(
  id: string,
  headUrl: string | undefined,
  network: BaseNetwork,
  reader: ModelReader,
): Promise<LoadedModel> {
  if (id === BUILTIN_MODEL_ID) {
    if (!headUrl) throw new Error('no URL for the built-in model');
    return { kind: 'classifier', model: await loadCrackClassifier({ reader, modelJson: headUrl, base: network }) };
  }
  const stored = await (await openModelStore()).get(id);
  if (!stored) throw new Error(`model '${id}' is not in the model library`);
  return loadModelFiles(stored.files, network);
}

/** Starts the backend and base once, then swaps in the requested model (the old one is disposed). */
async function load(req: LoadRequest): Promise<void> {
  backend ??= selectWorkerBackend(req.forcedBackend);
  const choice = await backend;
  // The page shows the bytes received until the first verdict.
  const reader = progressReader((bytes) => post({ type: 'progress', bytes }));
  if (base?.url !== req.baseUrl) {
    base = { url: req.baseUrl, network: loadBaseNetwork({ reader, modelJson: req.baseUrl }) };
  }
  const id = await requestedId(req.model);
  const headUrl = req.model.kind === 'stored' ? undefined : req.model.headUrl;
  const model = await loadModel(id, headUrl, await base.network, reader);
  const frames =
    model.kind === 'oneclass' ? oneClassFrameModel(model.model) : classifierFrameModel(model.model, { map: req.map });
  const old = active;
  active = { model, frames };
  old?.model.model.dispose();
  post({ type: 'ready', ...modelReport(model, id, choice, frames) });
}

/** What the page learns of the model now running. */
function modelReport(
  model: LoadedModel,
  modelId: string,
  backend: BackendChoice,
  frames: FrameModel,
): WorkerModelReport {
  const { metadata } = model.model;
  return {
    backend,
    modelId,
    modelKind: frames.kind,
    inputSize: frames.inputSize,
    name: metadata.name,
    version: metadata.version,
    labels: model.kind === 'classifier' ? [...model.model.labels] : [],
    fineMap: model.kind === 'classifier' && Boolean(metadata.base.fineLayer),
  };
}

/** One frame: staged crop -> frame model (one tidy, one async readback) -> result, map transferred. */
async function runFrame(req: Extract<ToInferenceWorker, { type: 'frame' }>): Promise<void> {
  let packed: tf.Tensor1D | undefined;
  try {
    const size = active?.frames.inputSize;
    if (size === undefined) throw new Error('no model loaded in the inference worker');
    const gpu = tf.getBackend() === 'webgl' || tf.getBackend() === 'webgpu';
    const crop = await stageWorkerFrame(req.frame, req.cropFraction, size, gpu, staging);
    // The model as it is now: a load that finished while the frame was staged has disposed the old one.
    const model = active?.frames;
    try {
      if (!model || model.inputSize !== size) throw new Error('the model changed while the frame was staged');
      packed = tf.tidy(() => model.infer(crop.pixels)); // [C + h*w (+ 1)]
    } finally {
      crop.release();
    }
    const data = (await packed.data()) as Float32Array;
    const result = model.decode(data);
    const map = result.map.slice(); // the model reuses its map: send a copy
    const shown = heatmap.paint(result.map, result.mapWidth, result.mapHeight, req.heatmap);
    const sent = { ...result, scores: result.scores.map((s) => ({ ...s })), map, ...(shown && { shown }) };
    post({ type: 'result', id: req.id, result: sent }, shown ? [map.buffer, shown.buffer] : [map.buffer]);
  } catch (e) {
    post({ type: 'failed', id: req.id, message: message(e) });
  } finally {
    packed?.dispose();
    req.frame.close();
  }
}

self.onmessage = (e: MessageEvent<ToInferenceWorker>) => {
  const req = e.data;
  if (req.type === 'load')
    loads = loads.then(() => load(req)).catch((err: unknown) => post({ type: 'failed', message: message(err) }));
  else if (req.type === 'frame') void runFrame(req);
  else if (req.type === 'heatmap-canvas') heatmap.setCanvas(req.canvas);
  else if (req.type === 'memory') post({ type: 'memory', id: req.id, memory: tfMemory() });
  else if (req.type === 'heatmap-probe') {
    const probe = heatmap.probe();
    post({ type: 'heatmap-probe', id: req.id, probe }, probe ? [probe.rgba.buffer, probe.shown.buffer] : []);
  }
};
