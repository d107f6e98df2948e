/**
 * The page's side of the measurement worker: sends pixels (transferred, not copied) with the
 * options, and resolves each request with its measurement. One worker, started on first use; if it
 * fails, the pending requests fail with the reason and the next request starts a fresh one.
 */
import type { CrackMeasurement } from '../core/measure/measure-crack';
import type { FromMeasureWorker, ToMeasureWorker, WireImage, WireMeasureOptions } from './measure-protocol';

/** The part of a Worker the client uses (a fake one in Node tests). */
export interface MeasureWorkerLike {
  postMessage(message: ToMeasureWorker, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<FromMeasureWorker>) => void): void;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
  terminate(): void;
}

const createMeasureWorker = (): MeasureWorkerLike =>
  new Worker(new URL('./measure-worker.ts', import.meta.url), { type: 'module', name: 'crackcam-measure' });

interface Pending {
  resolve: (m: CrackMeasurement) => void;
  reject: (e: unknown) => void;
}

/** Measures images in a worker; requests may overlap (answers are matched by id). */
export class MeasureClient {
  private worker?: MeasureWorkerLike;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly create: () => MeasureWorkerLike = createMeasureWorker) {}

  /** Requests not yet answered. */
  get busy(): number {
    return this.pending.size;
  }

  /**
   * Measures `image` (RGBA pixels, or a picture the worker reads them from; either is transferred
   * to the worker and unusable here afterwards).
   * @throws the worker's error message (e.g. a bad option, naming the valid values); the signal's reason when aborted
   */
  measure(image: WireImage, options: WireMeasureOptions, signal?: AbortSignal): Promise<CrackMeasurement> {
    signal?.throwIfAborted();
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<CrackMeasurement>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        worker.postMessage({ type: 'cancel', id }, []);
        reject(signal?.reason);
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (m) => (done(), resolve(m)),
        reject: (e) => (done(), reject(e)),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      const transfer = 'source' in image ? [image.source] : [image.data.buffer];
      worker.postMessage({ type: 'measure', id, image, options }, transfer);
    });
  }

  /** Stops the worker; pending requests fail. */
  dispose(): void {
    this.fail(new Error('the measurement worker was stopped'));
  }

  private start(): MeasureWorkerLike {
    if (this.worker) return this.worker;
    const worker = this.create();
    worker.addEventListener('message', (e: MessageEvent<FromMeasureWorker>) => this.answer(e.data));
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault?.();
      this.fail(new Error(`the measurement worker failed: ${e.message || 'it could not start'}`));
    });
    this.worker = worker;
    return worker;
  }

  private answer(message: FromMeasureWorker): void {
    const p = this.pending.get(message.id);
    if (!p) return; // cancelled
    this.pending.delete(message.id);
    if (message.type === 'result') p.resolve(message.measurement);
    else p.reject(new Error(message.message));
  }

  private fail(error: Error): void {
    this.worker?.terminate();
    this.worker = undefined;
    const pending = [...this.pending.values()];
    this.pending.clear();
    pending.forEach((p) => p.reject(error));
  }
}

let shared: MeasureClient | undefined;

/** The app's one measurement client. */
export function sharedMeasureClient(): MeasureClient {
  return (shared ??= new MeasureClient());
}
