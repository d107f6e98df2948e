import { describe, expect, it } from 'vitest';
import {
  inferencePlace,
  InferencePlaceError,
  InferenceWorkerClient,
  type WorkerLoad,
} from '../../src/platform/inference-client';
import type { FromInferenceWorker, ToInferenceWorker } from '../../src/platform/inference-protocol';

const browserLike = { Worker: class {}, OffscreenCanvas: class {}, VideoFrame: class {} };

describe('inferencePlace', () => {
  it('runs frames in a worker where the browser has workers, OffscreenCanvas and VideoFrame', () => {
    expect(inferencePlace('', browserLike)).toBe('worker');
    expect(inferencePlace('?backend=wasm', browserLike)).toBe('worker');
  });

  it('falls back to the main thread where one of them is missing', () => {
    for (const missing of Object.keys(browserLike)) {
      const scope: Record<string, unknown> = { ...browserLike };
      delete scope[missing];
      expect(inferencePlace('', scope), missing).toBe('main');
    }
  });

  it('follows ?inference= and names the valid values for a bad one', () => {
    expect(inferencePlace('?inference=main', browserLike)).toBe('main');
    expect(inferencePlace('?inference=Worker', {})).toBe('worker');
    expect(() => inferencePlace('?inference=gpu', browserLike)).toThrow(InferencePlaceError);
    expect(() => inferencePlace('?inference=gpu', browserLike)).toThrow(
      "unknown place 'gpu' in ?inference=; valid: worker, main",
    );
  });
});

/** A Worker stand-in that records what the page posts and answers through `reply`. */
class FakeWorker {
  onmessage: ((e: MessageEvent<FromInferenceWorker>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  readonly posted: ToInferenceWorker[] = [];
  terminated = false;
  postMessage(message: ToInferenceWorker): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(message: FromInferenceWorker): void {
    this.onmessage?.({ data: message } as MessageEvent<FromInferenceWorker>);
  }
}

/** The worker's answer to a load of the shipped classifier. */
const ready: FromInferenceWorker = {
  type: 'ready',
  backend: { name: 'wasm', forced: false, device: 'CPU (WebAssembly)', software: false, skipped: [] },
  modelId: 'builtin',
  modelKind: 'classifier',
  inputSize: 227,
  name: 'crackcam-default',
  version: 2,
  labels: ['crack', 'nocrack'],
  fineMap: true,
};

const load: WorkerLoad = {
  baseUrl: 'http://x/models/base/model.json',
  model: { kind: 'builtin', headUrl: 'http://x/models/crackcam-default/model.json' },
  map: 'fine',
};

describe('InferenceWorkerClient', () => {
  it('lets a load take the prefetched load of the same request, and loads again for another', async () => {
    const fake = new FakeWorker();
    const client = new InferenceWorkerClient(() => fake as unknown as Worker);
    client.prefetch(load);
    expect(fake.posted.filter((m) => m.type === 'load')).toHaveLength(1);
    const taken = client.load({ ...load, model: { ...load.model } });
    expect(fake.posted.filter((m) => m.type === 'load')).toHaveLength(1); // no second load posted
    fake.reply(ready);
    await expect(taken).resolves.toMatchObject({ modelKind: 'classifier', labels: ['crack', 'nocrack'] });
    // Taken once: the same request again loads again, and so does another request after a prefetch.
    void client.load(load);
    client.prefetch({ ...load, model: { kind: 'stored', id: 'm1' } });
    void client.load(load);
    expect(fake.posted.filter((m) => m.type === 'load')).toHaveLength(4);
  });

  it('lets a load of the model an `active` prefetch turned out to be take it, and not a load of another', async () => {
    const headUrl = 'http://x/models/crackcam-default/model.json';
    const active = { ...load, model: { kind: 'active', headUrl } } as const;
    const loads = (fake: FakeWorker) => fake.posted.filter((m) => m.type === 'load').length;
    const stored = new FakeWorker();
    const a = new InferenceWorkerClient(() => stored as unknown as Worker);
    a.prefetch(active);
    stored.reply({ ...ready, modelId: 'm7' });
    await Promise.resolve(); // the prefetch's answer is read
    await expect(a.load({ ...load, model: { kind: 'stored', id: 'm7' } })).resolves.toMatchObject({ modelId: 'm7' });
    expect(loads(stored)).toBe(1);
    const builtin = new FakeWorker();
    const b = new InferenceWorkerClient(() => builtin as unknown as Worker);
    b.prefetch(active);
    builtin.reply(ready);
    await Promise.resolve();
    void b.load({ ...load, model: { kind: 'stored', id: 'm7' } }); // not the model it loaded
    expect(loads(builtin)).toBe(2);
  });

  it('reports a failed prefetch to the load that takes it, and nowhere else', async () => {
    const fake = new FakeWorker();
    const client = new InferenceWorkerClient(() => fake as unknown as Worker);
    client.prefetch(load);
    fake.reply({ type: 'failed', message: 'offline' });
    await expect(client.load(load)).rejects.toThrow('offline');
  });

  it("passes the load's byte progress on, and settles nothing with it", async () => {
    const fake = new FakeWorker();
    const client = new InferenceWorkerClient(() => fake as unknown as Worker);
    const seen: number[] = [];
    client.onLoadProgress = (bytes) => seen.push(bytes);
    const loading = client.load(load);
    fake.reply({ type: 'progress', bytes: 65536 });
    fake.reply({ type: 'progress', bytes: 131072 });
    fake.reply(ready);
    await expect(loading).resolves.toMatchObject({ name: 'crackcam-default', version: 2 });
    expect(seen).toEqual([65536, 131072]);
  });

  it('settles loads in order and frames by id', async () => {
    const fake = new FakeWorker();
    const client = new InferenceWorkerClient(() => fake as unknown as Worker);
    const first = client.load(load);
    const second = client.load({ ...load, map: 'gradcam' });
    fake.reply(ready);
    fake.reply({ type: 'failed', message: 'head not found' });
    await expect(first).resolves.toMatchObject({ backend: { name: 'wasm' }, inputSize: 227 });
    await expect(second).rejects.toThrow('head not found');
    const frame = { close() {} } as unknown as ImageBitmap;
    const a = client.runFrame(frame, 1);
    const b = client.runFrame(frame, 0.5);
    const [ida, idb] = fake.posted.filter((m) => m.type === 'frame').map((m) => (m as { id: number }).id);
    const result = {
      label: 'crack',
      probability: 0.9,
      scores: [],
      map: new Float32Array(4),
      mapWidth: 2,
      mapHeight: 2,
    };
    fake.reply({ type: 'failed', id: idb, message: 'copyTo failed' });
    fake.reply({ type: 'result', id: ida, result });
    await expect(a).resolves.toEqual(result);
    await expect(b).rejects.toThrow('copyTo failed');
  });

  it('fails what is pending when the worker errors or is stopped', async () => {
    const fake = new FakeWorker();
    const client = new InferenceWorkerClient(() => fake as unknown as Worker);
    const loading = client.load(load);
    fake.onerror?.({ message: 'SyntaxError' } as ErrorEvent);
    await expect(loading).rejects.toThrow('the inference worker failed: SyntaxError');
    const memory = client.memory();
    client.terminate();
    await expect(memory).rejects.toThrow('stopped');
    expect(fake.terminated).toBe(true);
  });
});
