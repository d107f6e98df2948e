/**
 * The page's side of the training worker: sends a run, relays progress and watched maps, and loads
 * the trained head back. Cancelling terminates the worker (a run stops at once, even inside a long
 * deep-mode step; the next run starts a fresh worker).
 */
import * as tf from '@tensorflow/tfjs';
import { modelArtifacts } from '../core/model-writer';
import type { HeadTrainingResult, TrainingProgress, WatchedCam } from '../core/trainer';
import type { BackendName } from './backend';
import type { FromTrainingWorker, TrainRequest, WireSample, WireTrainingOptions } from './training-protocol';

/** The worker could not start a run (no module workers, its script or backend or base failed to load): train in the page instead. */
export class WorkerStartError extends Error {
  constructor(reason: string) {
    super(`the training worker could not start: ${reason}`);
    this.name = 'WorkerStartError';
  }
}

/** A run for {@link TrainingWorker.train}. */
export interface WorkerTrainingConfig {
  backend: BackendName;
  /** Absolute URL of the base model.json (the page's base), with its input size and feature layer. */
  baseUrl: string;
  inputSize: number;
  baseFeatureLayer: string;
  options: WireTrainingOptions;
  train: readonly WireSample[];
  validation: readonly WireSample[];
  watch?: readonly WireSample[];
  /** The head to start from; not disposed. */
  initial?: tf.LayersModel;
  signal?: AbortSignal;
  onProgress?: (p: TrainingProgress) => void;
  onWatch?: (epoch: number, cams: WatchedCam[]) => void | Promise<void>;
}

/** The trainer's result (the caller disposes `head`), with where it ran. */
export interface WorkerTrainingResult extends HeadTrainingResult {
  /** The worker's backend (the page's, or WASM/CPU when that did not start in a worker). */
  backend: BackendName;
  /** Tensors alive in the worker after the run minus before it: 0, or the worker leaks. */
  workerTensorGrowth: number;
}

const createTrainingWorker = (): Worker =>
  new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module', name: 'crackcam-training' });

/** One training worker, started on the first run and kept (with its loaded base) for the next. */
export class TrainingWorker {
  private worker?: Worker;
  /** Ends the run in progress with an error (set while one runs). */
  private stopRun?: (error: Error) => void;

  constructor(private readonly create: () => Worker = createTrainingWorker) {}

  /**
   * Trains a head in the worker.
   * @throws WorkerStartError when the worker fails before the run started; the signal's reason when aborted
   */
  async train(config: WorkerTrainingConfig): Promise<WorkerTrainingResult> {
    const { signal } = config;
    signal?.throwIfAborted();
    const request: TrainRequest = {
      type: 'train',
      backend: config.backend,
      baseUrl: config.baseUrl,
      inputSize: config.inputSize,
      baseFeatureLayer: config.baseFeatureLayer,
      options: config.options,
      train: [...config.train],
      validation: [...config.validation],
      watch: [...(config.watch ?? [])],
      initial: config.initial ? await modelArtifacts(config.initial) : undefined,
    };
    signal?.throwIfAborted();
    let worker: Worker;
    try {
      worker = this.worker ??= this.create();
    } catch (e) {
      throw new WorkerStartError((e as Error).message);
    }
    return new Promise<WorkerTrainingResult>((resolve, reject) => {
      let backend: BackendName | undefined;
      const finish = (): void => {
        worker.removeEventListener('message', onMessage);
        worker.removeEventListener('error', onError);
        signal?.removeEventListener('abort', onAbort);
        this.stopRun = undefined;
      };
      const fail = (error: unknown): void => {
        finish();
        this.terminate(); // a worker that failed or is mid-run is not reused
        reject(error);
      };
      this.stopRun = fail;
      const onAbort = (): void => fail(signal?.reason);
      const onError = (e: Event): void => {
        e.preventDefault();
        const reason = (e as Partial<ErrorEvent>).message || 'its script failed to load or run'; // a plain Event when the script does not load
        fail(backend ? new Error(`the training worker failed: ${reason}`) : new WorkerStartError(reason));
      };
      const onMessage = (e: MessageEvent<FromTrainingWorker>): void => {
        const m = e.data;
        switch (m.type) {
          case 'started':
            backend = m.backend;
            break;
          case 'progress':
            config.onProgress?.(m.progress);
            break;
          case 'watch':
            void config.onWatch?.(m.epoch, m.cams);
            break;
          case 'error': {
            const error = backend
              ? Object.assign(new Error(m.message), { name: m.name })
              : new WorkerStartError(m.message);
            fail(error);
            break;
          }
          case 'done':
            finish();
            tf.loadLayersModel(tf.io.fromMemory(m.head)).then(
              (head) =>
                resolve({ ...m.result, head, backend: backend ?? config.backend, workerTensorGrowth: m.tensorGrowth }),
              reject,
            );
            break;
        }
      };
      worker.addEventListener('message', onMessage);
      worker.addEventListener('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(request);
    });
  }

  /** Stops the worker and frees its memory; a run in progress rejects. */
  terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.stopRun?.(new Error('the training worker was stopped'));
  }
}
