/**
 * Messages between the page and the training worker (`training-worker.ts`). Everything here is
 * structured-cloneable: captures travel as their crop Blobs, heads as TF.js model artifacts.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeadTrainingConfig, HeadTrainingResult, TrainingProgress, WatchedCam } from '../core/trainer';
import type { BackendName } from './backend';

/** A training sample on the wire: its id, label index and the stored crop. */
export interface WireSample {
  id: string;
  label: number;
  crop: Blob;
}

/** The data options of a run: {@link HeadTrainingConfig} without objects, samples and callbacks. */
export type WireTrainingOptions = Omit<
  HeadTrainingConfig,
  'base' | 'train' | 'validation' | 'watch' | 'onWatch' | 'initial' | 'signal' | 'onProgress'
>;

/** Page -> worker: train one head. */
export interface TrainRequest {
  type: 'train';
  /** The page's backend; the worker falls back to WASM, then CPU, when it does not start there. */
  backend: BackendName;
  /** Absolute URL of the base model.json, and the size and layer the page's base runs with. */
  baseUrl: string;
  inputSize: number;
  baseFeatureLayer: string;
  options: WireTrainingOptions;
  train: WireSample[];
  validation: WireSample[];
  watch: WireSample[];
  /** The head to start from (the current model), as saved by `tf.io.withSaveHandler`. */
  initial?: tf.io.ModelArtifacts;
}

/** The result without its head, which travels as artifacts next to it. */
export type WireTrainingResult = Omit<HeadTrainingResult, 'head'>;

/** Worker -> page. */
export type FromTrainingWorker =
  | { type: 'started'; backend: BackendName }
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'watch'; epoch: number; cams: WatchedCam[] }
  /** `tensorGrowth`: tensors alive in the worker after the run minus before it (its leak test: 0). */
  | { type: 'done'; result: WireTrainingResult; head: tf.io.ModelArtifacts; tensorGrowth: number }
  | { type: 'error'; name: string; message: string };
