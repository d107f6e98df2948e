/**
 * Where a classifier's head trains: in the background training worker when the screen has one (the
 * page stays responsive), else in the page; a worker that cannot start falls back to the page.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from '../core/base';
import {
  trainHead,
  type HeadTrainingResult,
  type TrainingProgress,
  type TrainingSample,
  type WatchedCam,
} from '../core/trainer';
import type { BackendName } from './backend';
import { wireSample } from './capture-samples';
import type { CaptureRecord } from './capture-store';
import { WorkerStartError, type TrainingWorker } from './training-client';
import type { WireTrainingOptions } from './training-protocol';

/** Where a run trains: the worker (its backend once it finished) or the page. */
export type TrainingPlace =
  | {
      in: 'worker';
      backend?: BackendName;
      /** Tensors the worker's run left behind: 0 unless it leaks. */ workerTensorGrowth?: number;
    }
  | { in: 'page'; backend: string };

/** What a run trains on: a capture, or a rehearsal pack's photo (its id, label and crop). */
export type TrainableCrop = Pick<CaptureRecord, 'id' | 'label' | 'crop'>;

/** Decodes a capture's crop to [h, w, 3] RGB 0..255 (the caller disposes). */
export type CropDecoder = (crop: Blob) => Promise<tf.Tensor3D>;

/** A head training run on captures. */
export interface HeadTrainingRun {
  /** The page's base (trains in the page; the worker loads the same from its source). */
  base: BaseNetwork;
  options: WireTrainingOptions;
  train: readonly TrainableCrop[];
  validation: readonly TrainableCrop[];
  watch: readonly TrainableCrop[];
  /** The head to start from; not disposed. */
  initial?: tf.LayersModel;
  /** The training worker; undefined trains in the page. */
  worker?: TrainingWorker;
  decode: CropDecoder;
  signal?: AbortSignal;
  onProgress?: (p: TrainingProgress) => void;
  onWatch?: (epoch: number, cams: WatchedCam[]) => void | Promise<void>;
  /** Told where the run trains, and again when a worker run finished. */
  onPlace?: (place: TrainingPlace) => void;
}

/** A capture as a page-side training sample, decoded by `decode`. */
function pageSample(capture: TrainableCrop, labels: readonly string[], decode: CropDecoder): TrainingSample {
  const { id, label, crop } = wireSample(capture, labels);
  return { id, label, load: () => decode(crop) };
}

/**
 * Trains in `run.worker` when given, else (or when it cannot start: its error is logged) with the
 * core trainer in the page. The caller disposes the result's head.
 */
export async function trainHeadInWorkerOrPage(
  run: HeadTrainingRun,
): Promise<{ result: HeadTrainingResult; place: TrainingPlace }> {
  const { options } = run;
  if (run.worker) {
    try {
      run.onPlace?.({ in: 'worker' });
      const wire = (c: TrainableCrop) => wireSample(c, options.labels);
      const result = await run.worker.train({
        ...run,
        train: run.train.map(wire),
        validation: run.validation.map(wire),
        watch: run.watch.map(wire),
        backend: tf.getBackend() as BackendName,
        baseUrl: run.base.source,
        inputSize: run.base.inputSize,
        baseFeatureLayer: run.base.featureLayer,
      });
      const place: TrainingPlace = {
        in: 'worker',
        backend: result.backend,
        workerTensorGrowth: result.workerTensorGrowth,
      };
      run.onPlace?.(place);
      return { result, place };
    } catch (e) {
      if (!(e instanceof WorkerStartError)) throw e;
      console.warn(`${e.message}; training in the page`);
    }
  }
  const place: TrainingPlace = { in: 'page', backend: tf.getBackend() };
  run.onPlace?.(place);
  const sample = (c: TrainableCrop) => pageSample(c, options.labels, run.decode);
  const result = await trainHead({
    ...options,
    ...run,
    train: run.train.map(sample),
    validation: run.validation.map(sample),
    watch: run.watch.map(sample),
    base: run.base,
  });
  return { result, place };
}
