import { describe, expect, it } from 'vitest';
import type { CrackMeasurement } from '../../src/core/measure/measure-crack';
import { MeasureClient, type MeasureWorkerLike } from '../../src/platform/measure-client';
import { createMeasureHandler, type Measure } from '../../src/platform/measure-handler';
import type { FromMeasureWorker, ToMeasureWorker, WireFrame } from '../../src/platform/measure-protocol';

/** A worker in this thread: messages are structured-cloned (with transfer) both ways, as a real one does. */
class InThreadWorker implements MeasureWorkerLike {
  readonly sent: ToMeasureWorker[] = [];
  private onMessage?: (e: MessageEvent<FromMeasureWorker>) => void;
  private onError?: (e: ErrorEvent) => void;
  private readonly handle;
  terminated = false;

  constructor(measure?: Measure) {
    this.handle = createMeasureHandler((m) => this.onMessage?.({ data: structuredClone(m) } as MessageEvent), measure);
  }

  postMessage(message: ToMeasureWorker, transfer: Transferable[]): void {
    const copy = structuredClone(message, { transfer: transfer as ArrayBuffer[] });
    this.sent.push(copy);
    setTimeout(() => void this.handle(copy));
  }

  addEventListener(type: 'message', listener: (e: MessageEvent<FromMeasureWorker>) => void): void;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
  addEventListener(type: 'message' | 'error', listener: ((e: MessageEvent) => void) | ((e: ErrorEvent) => void)): void {
    if (type === 'message') this.onMessage = listener as (e: MessageEvent<FromMeasureWorker>) => void;
    else this.onError = listener as (e: ErrorEvent) => void;
  }

  crash(message: string): void {
    this.onError?.({ message, preventDefault: () => undefined } as ErrorEvent);
  }

  terminate(): void {
    this.terminated = true;
  }
}

const grey = (width: number, height: number, level = 128) => ({
  width,
  height,
  data: new Uint8ClampedArray(width * height * 4).fill(level),
});

/** A measure stand-in that answers with the image's width as widthPx after `ms`, or stops when aborted. */
const slowEcho =
  (ms: number): Measure =>
  (pixels, options) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => resolve({ widthPx: pixels.width, standard: options.standard } as CrackMeasurement),
        ms,
      );
      options.signal?.addEventListener('abort', () => (clearTimeout(timer), reject(options.signal?.reason)));
    });

describe('MeasureClient with the worker handler', () => {
  it('measures with measureCrack in the worker and transfers the pixels', async () => {
    const worker = new InThreadWorker();
    const client = new MeasureClient(() => worker);
    const pixels = grey(64, 48);
    const m = await client.measure(pixels, { standard: 'aashto-ps' });
    expect(pixels.data.byteLength).toBe(0); // transferred, not copied
    expect(m.standard).toBe('aashto-ps');
    expect(m.widthMm).toBeNull();
    expect(m.scale).toBeNull();
    expect(m.reason).toMatch(/no crack found/);
    expect(client.busy).toBe(0);
  });

  it('rejects with the worker error naming the valid values, and keeps working', async () => {
    const client = new MeasureClient(() => new InThreadWorker());
    await expect(client.measure(grey(32, 32), { standard: 'din' })).rejects.toThrow(
      /aashto-rc.*aashto-ps.*aci224.*ec2/,
    );
    await expect(client.measure(grey(32, 32), { standard: 'ec2', exposure: 'x0-xc1' })).resolves.toMatchObject({
      standard: 'ec2:x0-xc1',
    });
  });

  it('matches overlapping answers to their requests by id', async () => {
    const client = new MeasureClient(() => new InThreadWorker(slowEcho(5)));
    const results = await Promise.all([30, 40, 50].map((w) => client.measure(grey(w, 10), { standard: 'aashto-rc' })));
    expect(results.map((r) => r.widthPx)).toEqual([30, 40, 50]);
  });

  it('an aborted request rejects with the reason and cancels the work in the worker', async () => {
    const worker = new InThreadWorker(slowEcho(1000));
    const client = new MeasureClient(() => worker);
    const abort = new AbortController();
    const pending = client.measure(grey(20, 20), { standard: 'aashto-rc' }, abort.signal);
    abort.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(client.busy).toBe(0);
    expect(worker.sent.map((m) => m.type)).toEqual(['measure', 'cancel']);
  });

  it('a worker failure rejects pending requests and the next request starts a fresh worker', async () => {
    const workers: InThreadWorker[] = [];
    const client = new MeasureClient(() => {
      workers.push(new InThreadWorker(slowEcho(workers.length === 0 ? 1000 : 1)));
      return workers[workers.length - 1];
    });
    const pending = client.measure(grey(20, 20), { standard: 'aashto-rc' });
    workers[0].crash('script failed');
    await expect(pending).rejects.toThrow(/measurement worker failed: script failed/);
    expect(workers[0].terminated).toBe(true);
    await expect(client.measure(grey(21, 20), { standard: 'aashto-rc' })).resolves.toMatchObject({ widthPx: 21 });
    expect(workers).toHaveLength(2);
  });
});

describe('createMeasureHandler with a picture to read', () => {
  /** Stands in for a VideoFrame (Node has none); the handler only hands the picture to its reader. */
  const source = { close() {} } as unknown as VideoFrame;
  const frame: WireFrame = { source, crop: { x: 10, y: 0, width: 80, height: 60 }, size: { width: 40, height: 30 } };

  it('measures the pixels its reader takes from the picture', async () => {
    const posted: FromMeasureWorker[] = [];
    const read: WireFrame[] = [];
    const readFrame = (f: WireFrame) => (read.push(f), grey(f.size.width, f.size.height));
    const handle = createMeasureHandler((m) => posted.push(m), slowEcho(0), readFrame);
    await handle({ type: 'measure', id: 7, image: frame, options: { standard: 'aashto-rc' } });
    expect(read).toEqual([frame]);
    expect(posted).toEqual([{ type: 'result', id: 7, measurement: { widthPx: 40, standard: 'aashto-rc' } }]);
  });

  it('answers a picture with an error where it has no reader for one', async () => {
    const posted: FromMeasureWorker[] = [];
    const handle = createMeasureHandler((m) => posted.push(m), slowEcho(0));
    await handle({ type: 'measure', id: 8, image: frame, options: { standard: 'aashto-rc' } });
    expect(posted).toEqual([
      { type: 'error', id: 8, message: 'this measurement handler reads no pictures, only pixels' },
    ]);
  });
});
