/**
 * The page side of the training worker: message handling, start failures, aborts. Node has no web
 * Worker, so a scripted stand-in answers here; the real worker runs in test/e2e/trainer.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelArtifacts } from '../../src/core/model-writer';
import type { HeadTrainingResult, TrainingProgress } from '../../src/core/trainer';
import { TrainingWorker, WorkerStartError, type WorkerTrainingConfig } from '../../src/platform/training-client';
import type { FromTrainingWorker, TrainRequest, WireTrainingResult } from '../../src/platform/training-protocol';
import { expectNoLeak, useWasm } from '../helpers';

type Reply = (m: FromTrainingWorker) => void;

/** A Worker stand-in whose answers to each posted request are scripted by `script`. */
class ScriptedWorker extends EventTarget {
  readonly posted: TrainRequest[] = [];
  terminated = false;
  constructor(private readonly script: (req: TrainRequest, reply: Reply, worker: ScriptedWorker) => void) {
    super();
  }
  postMessage(req: TrainRequest): void {
    this.posted.push(structuredClone(req));
    const reply: Reply = (m) => {
      if (!this.terminated) this.dispatchEvent(new MessageEvent('message', { data: structuredClone(m) }));
    };
    setTimeout(() => this.script(req, reply, this), 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

function smallHead(): tf.LayersModel {
  const input = tf.input({ shape: [13, 13, 8] });
  const out = tf.layers
    .conv2d({ filters: 2, kernelSize: 1, name: 'crackcam_classifier' })
    .apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const RESULT: WireTrainingResult = {
  featureLayer: 'fire9/relu_expand3x3',
  featureShape: [13, 13, 256],
  mode: 'head',
  trunk: [],
  fineTuned: [],
  history: [],
  validation: { accuracy: 1, n: 2, perClass: {}, confusion: {} } as unknown as HeadTrainingResult['validation'],
  misclassified: [],
  addedClasses: [],
  featureSeconds: 0.1,
  trainSeconds: 0.2,
};

const config = (extra: Partial<WorkerTrainingConfig> = {}): WorkerTrainingConfig => ({
  backend: 'wasm',
  baseUrl: 'http://localhost/models/base/model.json',
  inputSize: 227,
  baseFeatureLayer: 'fire9/relu_expand3x3',
  options: { labels: ['crack', 'nocrack'], preprocessing: 'caffe-bgr', epochs: 2 },
  train: [{ id: 'a', label: 0, crop: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/jpeg' }) }],
  validation: [],
  ...extra,
});

describe('TrainingWorker (page side)', () => {
  beforeAll(useWasm);

  it('relays progress and watched maps, returns the trained head and where it ran, and keeps the worker for the next run', async () => {
    const trained = smallHead();
    const artifacts = await modelArtifacts(trained);
    const workers: ScriptedWorker[] = [];
    const client = new TrainingWorker(() => {
      const w = new ScriptedWorker((req, reply) => {
        reply({ type: 'started', backend: 'cpu' });
        reply({ type: 'progress', progress: { phase: 'features', done: 1, total: 1 } });
        reply({
          type: 'watch',
          epoch: 0,
          cams: [
            {
              id: 'a',
              probabilities: new Float32Array([0.4, 0.6]),
              classIndex: 1,
              cam: new Float32Array(4),
              camHeight: 2,
              camWidth: 2,
            },
          ],
        });
        reply({
          type: 'done',
          result: { ...RESULT, mode: req.options.mode ?? 'head' },
          head: artifacts,
          tensorGrowth: 0,
        });
      });
      workers.push(w);
      return w as unknown as Worker;
    });
    const initial = smallHead();
    const progress: TrainingProgress[] = [];
    const watched: number[] = [];
    let result: Awaited<ReturnType<TrainingWorker['train']>> | undefined;
    await expectNoLeak(async () => {
      result = await client.train(
        config({ initial, onProgress: (p) => progress.push(p), onWatch: (e) => void watched.push(e) }),
      );
      result.head.dispose();
    });
    expect(progress).toEqual([{ phase: 'features', done: 1, total: 1 }]);
    expect(watched).toEqual([0]);
    expect(result).toMatchObject({ ...RESULT, backend: 'cpu', workerTensorGrowth: 0 });
    // The request carried the initial head as artifacts, and the caller's head is still usable.
    const sent = workers[0].posted[0];
    expect(sent.initial?.weightSpecs?.map((s) => s.name)).toEqual(
      (await modelArtifacts(initial)).weightSpecs?.map((s) => s.name),
    );
    expect(initial.getWeights()[0].isDisposed).toBe(false);
    expect(sent.train[0]).toMatchObject({ id: 'a', label: 0 });
    await client.train(config()).then((r) => r.head.dispose());
    expect(workers).toHaveLength(1);
    expect(workers[0].terminated).toBe(false);
    client.terminate();
    expect(workers[0].terminated).toBe(true);
    trained.dispose();
    initial.dispose();
  });

  it('an error before the run started is a WorkerStartError (the caller trains in the page); the worker is dropped', async () => {
    const workers: ScriptedWorker[] = [];
    const client = new TrainingWorker(() => {
      const w = new ScriptedWorker((_req, reply) =>
        reply({
          type: 'error',
          name: 'Error',
          message: 'HTTP 404 Not Found for http://localhost/models/base/model.json',
        }),
      );
      workers.push(w);
      return w as unknown as Worker;
    });
    await expect(client.train(config())).rejects.toThrow(
      new WorkerStartError('HTTP 404 Not Found for http://localhost/models/base/model.json'),
    );
    expect(workers[0].terminated).toBe(true);
  });

  it('a script that does not load (an error event) is a WorkerStartError too', async () => {
    const client = new TrainingWorker(
      () =>
        new ScriptedWorker((_req, _reply, w) =>
          w.dispatchEvent(new Event('error', { cancelable: true })),
        ) as unknown as Worker,
    );
    await expect(client.train(config())).rejects.toBeInstanceOf(WorkerStartError);
  });

  it('a Worker constructor that throws is a WorkerStartError', async () => {
    const client = new TrainingWorker(() => {
      throw new Error('module workers are not supported');
    });
    await expect(client.train(config())).rejects.toThrow(
      'the training worker could not start: module workers are not supported',
    );
  });

  it('an error during the run is the run’s error, not a start failure', async () => {
    const client = new TrainingWorker(
      () =>
        new ScriptedWorker((_req, reply) => {
          reply({ type: 'started', backend: 'wasm' });
          reply({ type: 'error', name: 'Error', message: 'need at least one training sample of each class' });
        }) as unknown as Worker,
    );
    const failure = await client.train(config()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(WorkerStartError);
    expect((failure as Error).message).toBe('need at least one training sample of each class');
  });

  it('aborting terminates the worker at once with the signal’s reason; the next run starts a new worker', async () => {
    const workers: ScriptedWorker[] = [];
    const client = new TrainingWorker(() => {
      const w = new ScriptedWorker((_req, reply) => reply({ type: 'started', backend: 'wasm' })); // then never finishes
      workers.push(w);
      return w as unknown as Worker;
    });
    const abort = new AbortController();
    const run = client.train(config({ signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 20));
    abort.abort(new DOMException('cancelled by the user', 'AbortError'));
    await expect(run).rejects.toThrow('cancelled by the user');
    expect(workers[0].terminated).toBe(true);
    const again = new AbortController();
    again.abort();
    await expect(client.train(config({ signal: again.signal }))).rejects.toThrow();
    const next = client.train(config({ signal: new AbortController().signal }));
    await new Promise((r) => setTimeout(r, 20));
    expect(workers).toHaveLength(2);
    client.terminate(); // e.g. the trainer screen removed mid-run
    await expect(next).rejects.toThrow('the training worker was stopped');
    expect(workers[1].terminated).toBe(true);
  });
});
