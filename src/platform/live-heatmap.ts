/**
 * The live view's heatmap canvas, painted on the page or in the inference worker. Where the frames
 * run in the worker, the canvas is handed over to it (transferControlToOffscreen) and the worker
 * paints each frame's map there: the page's main thread then does no colouring, drawing or canvas
 * upload per frame (on the bench's WASM runs, painting on the page cost about 5 % of its main
 * thread's time, the largest share of its work in worker mode). Otherwise a {@link HeatmapPainter}
 * paints on the page.
 */
import { HeatmapPainter, SQUEEZENET_MAP_PLACEMENT, type HeatmapStyle } from './heatmap-painter';
import type { FrameResult } from './frame-loop';
import type { InferenceWorkerClient } from './inference-client';
import type { WireHeatmap } from './inference-protocol';
import type { HookHeatmap } from './test-hook';

/** The live heatmap: one canvas, painted here or by the inference worker. */
export class LiveHeatmap {
  private painter?: HeatmapPainter;
  /** The canvas element handed to the worker (it can no longer be painted here). */
  private handedOver?: HTMLCanvasElement;
  private worker?: InferenceWorkerClient;
  private width = 1;
  private height = 1;
  private resetPending = true;
  private lastShown?: Float32Array;

  /** @param canvas the heatmap canvas element now in the view (a new one after {@link takeBack}) */
  constructor(private readonly canvas: () => HTMLCanvasElement | undefined) {}

  /** Whether the inference worker paints the canvas. */
  get inWorker(): boolean {
    return this.worker !== undefined;
  }

  /** The map as last painted (after smoothing), or undefined before the first painted frame. */
  get shown(): Float32Array | undefined {
    return this.lastShown;
  }

  /**
   * Hands the canvas to `worker`, which paints from then on. Only a canvas never painted here can be
   * handed over (a 2D context cannot be transferred); returns whether the worker paints.
   */
  handTo(worker: InferenceWorkerClient): boolean {
    if (this.worker === worker) return true;
    const canvas = this.canvas();
    if (!canvas || this.painter || this.handedOver || typeof canvas.transferControlToOffscreen !== 'function')
      return false;
    worker.setHeatmapCanvas(canvas.transferControlToOffscreen());
    this.handedOver = canvas;
    this.worker = worker;
    this.resetPending = true;
    return true;
  }

  /**
   * The worker is gone: the page paints again. The handed-over element cannot be painted here; the
   * view renders a new canvas element (see `canvasGeneration` in the live view) before the next frame.
   */
  takeBack(): void {
    this.worker = undefined;
    this.lastShown = undefined;
  }

  /** Sets the canvas backing store (CSS size x device pixels, capped by the view). */
  resize(width: number, height: number): void {
    this.width = Math.max(1, Math.round(width));
    this.height = Math.max(1, Math.round(height));
    this.painter?.resize(this.width, this.height);
  }

  /** Forgets the smoothing history (after a pause, a camera or model switch). */
  resetSmoothing(): void {
    this.resetPending = true;
    this.painter?.resetSmoothing();
  }

  /** Clears the canvas (the heatmap was hidden); the worker clears it when frames come without {@link forWorker}. */
  clear(): void {
    this.painter?.clear();
  }

  /** What the worker needs to paint the next frame in `style`; undefined when the page paints or `style` is undefined (hidden). */
  forWorker(style: HeatmapStyle | undefined): WireHeatmap | undefined {
    if (!this.worker || !style) return undefined;
    const reset = this.resetPending;
    this.resetPending = false;
    return { style, width: this.width, height: this.height, reset };
  }

  /** Takes a frame's result: the worker's painted map, else paints `result.map` here in `style` (undefined: hidden). */
  frame(result: FrameResult, style: HeatmapStyle | undefined): void {
    if (result.shown) {
      this.lastShown = result.shown;
      return;
    }
    if (!style || this.worker) return;
    const painter = this.pagePainter();
    if (!painter) return;
    painter.paint(result.map, result.mapWidth, result.mapHeight, style);
    this.lastShown = painter.shown;
  }

  /**
   * What the inspector sees in the crop box, as an image to lay over a capture's crop: the canvas
   * itself when painted here, else the last painted map painted again at the canvas's size.
   * @param mapWidth cells of {@link shown}
   */
  overlay(mapWidth: number, mapHeight: number, style: HeatmapStyle): CanvasImageSource | undefined {
    if (!this.worker) return this.painter?.canvas;
    const shown = this.lastShown;
    if (!shown || shown.length !== mapWidth * mapHeight) return undefined;
    const again = new HeatmapPainter(new OffscreenCanvas(this.width, this.height), SQUEEZENET_MAP_PLACEMENT);
    again.paint(shown, mapWidth, mapHeight, { ...style, smoothing: 0 });
    return again.canvas;
  }

  /** The map as painted with the canvas's pixels, read together (test hook). */
  async probe(): Promise<HookHeatmap | undefined> {
    if (this.worker) return this.worker.heatmapProbe();
    return this.painter?.readBack();
  }

  /** The page's painter on the current canvas element (made on first use; none on a handed-over element). */
  private pagePainter(): HeatmapPainter | undefined {
    const canvas = this.canvas();
    if (!canvas || canvas === this.handedOver) return undefined;
    if (this.painter?.canvas !== canvas) {
      this.painter = new HeatmapPainter(canvas, SQUEEZENET_MAP_PLACEMENT);
      this.painter.resize(this.width, this.height);
    }
    return this.painter;
  }
}
