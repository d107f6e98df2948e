import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/platform/frame-loop';
import type { InferenceWorkerClient } from '../../src/platform/inference-client';
import { WorkerHeatmap } from '../../src/platform/inference-heatmap';
import { LiveHeatmap } from '../../src/platform/live-heatmap';

/** A 2D context that records calls: enough for HeatmapPainter in Node. */
class FakeContext {
  readonly calls: string[] = [];
  globalAlpha = 1;
  imageSmoothingEnabled = true;
  imageSmoothingQuality = 'low';
  globalCompositeOperation = 'source-over';
  constructor(readonly canvas: FakeCanvas) {}
  createImageData(width: number, height: number) {
    return { width, height, data: new Uint8ClampedArray(width * height * 4) };
  }
  putImageData() {
    this.calls.push('putImageData');
  }
  clearRect() {
    this.calls.push('clearRect');
  }
  drawImage() {
    this.calls.push('drawImage');
  }
  getImageData(_x: number, _y: number, w: number, h: number) {
    return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
  }
}

class FakeCanvas {
  private ctx?: FakeContext;
  transferred = false;
  constructor(
    public width = 300,
    public height = 150,
  ) {}
  getContext(): FakeContext {
    return (this.ctx ??= new FakeContext(this));
  }
  get context(): FakeContext | undefined {
    return this.ctx;
  }
  transferControlToOffscreen(): FakeCanvas {
    if (this.ctx) throw new Error('InvalidStateError: the canvas has a context');
    this.transferred = true;
    return new FakeCanvas(this.width, this.height);
  }
}

/** A worker client stand-in: records the canvas handed over. */
function fakeWorker() {
  const handed: unknown[] = [];
  const client = {
    setHeatmapCanvas: (c: unknown) => handed.push(c),
    heatmapProbe: () => Promise.resolve(undefined),
  } as unknown as InferenceWorkerClient;
  return { client, handed };
}

const style = { mode: 'highlight', alpha: 0.7, smoothing: 0.5 } as const;

function result(values: number[], shown?: Float32Array): FrameResult {
  return {
    label: 'crack',
    probability: 0.9,
    scores: [],
    map: Float32Array.from(values),
    mapWidth: 2,
    mapHeight: 2,
    ...(shown && { shown }),
  };
}

describe('LiveHeatmap and the worker-side painter (fake canvases)', () => {
  const saved = (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas;
  beforeAll(() => {
    (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = FakeCanvas;
  });
  afterAll(() => {
    (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = saved;
  });

  it('hands an unpainted canvas to the worker, sends size, style and one reset, and keeps the painted map it returns', () => {
    const canvas = new FakeCanvas();
    const heatmap = new LiveHeatmap(() => canvas as unknown as HTMLCanvasElement);
    const { client, handed } = fakeWorker();
    heatmap.resize(200.4, 100);
    expect(heatmap.handTo(client)).toBe(true);
    expect(canvas.transferred).toBe(true);
    expect(handed).toHaveLength(1);
    expect(heatmap.handTo(client)).toBe(true); // the same worker: nothing handed twice
    expect(handed).toHaveLength(1);
    expect(heatmap.forWorker(style)).toEqual({ style, width: 200, height: 100, reset: true });
    expect(heatmap.forWorker(style)?.reset).toBe(false);
    heatmap.resetSmoothing();
    expect(heatmap.forWorker(style)?.reset).toBe(true);
    expect(heatmap.forWorker(undefined)).toBeUndefined(); // hidden
    const shown = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    heatmap.frame(result([1, 1, 1, 1], shown), style);
    expect(heatmap.shown).toBe(shown);
    expect(canvas.context).toBeUndefined(); // never painted on the page
  });

  it('paints on the page when no worker took the canvas, and never hands over a painted canvas', () => {
    const canvas = new FakeCanvas();
    const heatmap = new LiveHeatmap(() => canvas as unknown as HTMLCanvasElement);
    expect(heatmap.forWorker(style)).toBeUndefined();
    heatmap.frame(result([0, 0.5, 1, 0.25]), style);
    expect(Array.from(heatmap.shown ?? [])).toEqual([0, 0.5, 1, 0.25]);
    expect(canvas.context?.calls).toContain('drawImage');
    expect(heatmap.handTo(fakeWorker().client)).toBe(false);
    expect(canvas.transferred).toBe(false);
  });

  it('after the worker is gone, paints on the new canvas element, not on the handed-over one', () => {
    let canvas = new FakeCanvas();
    const heatmap = new LiveHeatmap(() => canvas as unknown as HTMLCanvasElement);
    heatmap.handTo(fakeWorker().client);
    heatmap.takeBack();
    heatmap.frame(result([1, 0, 0, 0]), style);
    expect(heatmap.shown).toBeUndefined(); // the handed-over element cannot be painted
    canvas = new FakeCanvas();
    heatmap.frame(result([1, 0, 0, 0]), style);
    expect(Array.from(heatmap.shown ?? [])).toEqual([1, 0, 0, 0]);
  });

  it('WorkerHeatmap paints with smoothing across frames, resets on request and clears once when hidden', () => {
    const canvas = new FakeCanvas();
    const worker = new WorkerHeatmap();
    expect(worker.paint(Float32Array.from([1, 1, 1, 1]), 2, 2, undefined)).toBeUndefined(); // no canvas yet
    worker.setCanvas(canvas as unknown as OffscreenCanvas);
    const how = { style, width: 64, height: 32, reset: true };
    expect(Array.from(worker.paint(Float32Array.from([1, 0, 1, 0]), 2, 2, how) ?? [])).toEqual([1, 0, 1, 0]);
    expect([canvas.width, canvas.height]).toEqual([64, 32]);
    const second = worker.paint(Float32Array.from([0, 0, 0, 0]), 2, 2, { ...how, reset: false });
    expect(Array.from(second ?? [])).toEqual([0.5, 0, 0.5, 0]); // smoothing 0.5
    expect(Array.from(worker.paint(Float32Array.from([0, 0, 0, 0]), 2, 2, how) ?? [])).toEqual([0, 0, 0, 0]);
    expect(worker.probe()).toMatchObject({ width: 2, height: 2, canvasWidth: 64, canvasHeight: 32 });
    const ctx = canvas.context!;
    const clears = () => ctx.calls.filter((c) => c === 'clearRect').length;
    const before = clears();
    worker.paint(Float32Array.from([1, 1, 1, 1]), 2, 2, undefined);
    worker.paint(Float32Array.from([1, 1, 1, 1]), 2, 2, undefined);
    expect(clears()).toBe(before + 1);
    expect(worker.probe()).toBeUndefined(); // nothing painted now
  });
});
