/// <reference lib="webworker" />
/**
 * The training worker: runs the core trainer off the page's main thread, so the live view, curves
 * and buttons stay responsive while a deep-mode step blocks for seconds. It keeps its own TF.js
 * backend and base network (loaded once, reused by later runs) and answers each {@link TrainRequest}
 * with progress, watched maps and the trained head (see training-protocol.ts). Cancelling is the
 * page terminating the worker, which stops a run at once, even inside a long step.
 */
import * as tf from '@tensorflow/tfjs';
import { loadBaseNetwork, type BaseNetwork } from '../core/base';
import { modelArtifacts } from '../core/model-writer';
import { trainHead, type TrainingSample } from '../core/trainer';
import { activateBackend, type BackendName } from './backend';
import { blobToTensor } from './capture-samples';
import { fetchReader } from './model-url';
import type { FromTrainingWorker, TrainRequest, WireSample } from './training-protocol';

declare const self: DedicatedWorkerGlobalScope;

let backend: Promise<BackendName> | undefined;
let base: { key: string; network: Promise<BaseNetwork> } | undefined;

const post = (message: FromTrainingWorker): void => self.postMessage(message);

const sample = (s: WireSample): TrainingSample => ({ id: s.id, label: s.label, load: () => blobToTensor(s.crop) });

/** The base for a request: the one already loaded when URL, size and layer match, else a fresh load. */
async function baseFor(req: TrainRequest): Promise<BaseNetwork> {
  const key = JSON.stringify([req.baseUrl, req.inputSize, req.baseFeatureLayer]);
  if (base?.key !== key) {
    const previous = base;
    base = {
      key,
      network: loadBaseNetwork({
        reader: fetchReader(),
        modelJson: req.baseUrl,
        inputSize: req.inputSize,
        featureLayer: req.baseFeatureLayer,
      }),
    };
    previous?.network.then(
      (b) => b.dispose(),
      () => undefined,
    );
  }
  try {
    return await base.network;
  } catch (e) {
    base = undefined; // a failed load is retried by the next run
    throw e;
  }
}

async function run(req: TrainRequest): Promise<void> {
  backend ??= activateBackend(req.backend);
  const name = await backend;
  const network = await baseFor(req);
  post({ type: 'started', backend: name });
  const tensorsBefore = tf.memory().numTensors;
  const initial = req.initial ? await tf.loadLayersModel(tf.io.fromMemory(req.initial)) : undefined;
  let trained: tf.LayersModel | undefined;
  let done: Extract<FromTrainingWorker, { type: 'done' }>;
  try {
    const { head, ...result } = await trainHead({
      ...req.options,
      base: network,
      train: req.train.map(sample),
      validation: req.validation.map(sample),
      watch: req.watch.map(sample),
      initial,
      onProgress: (progress) => post({ type: 'progress', progress }),
      onWatch: (epoch, cams) => post({ type: 'watch', epoch, cams }),
    });
    trained = head;
    done = { type: 'done', result, head: await modelArtifacts(head), tensorGrowth: 0 };
  } finally {
    trained?.dispose();
    initial?.dispose();
  }
  post({ ...done, tensorGrowth: tf.memory().numTensors - tensorsBefore });
}

self.onmessage = (e: MessageEvent<TrainRequest>) => {
  run(e.data).catch((err: unknown) => {
    const error = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', name: error.name, message: error.message });
  });
};
