/**
 * The inference worker's heatmap: the page hands over its heatmap canvas (transferControlToOffscreen)
 * and the worker paints each frame's map there with the live view's painter, so the page's main
 * thread neither colours nor draws the map, and the browser shows the canvas without the page's help.
 */
import { HeatmapPainter, SQUEEZENET_MAP_PLACEMENT } from './heatmap-painter';
import type { WireHeatmap } from './inference-protocol';
import type { HookHeatmap } from './test-hook';

/** Paints frames' maps into a transferred canvas. */
export class WorkerHeatmap {
  private painter?: HeatmapPainter<OffscreenCanvas>;
  private painted = false;

  /** The canvas to paint into (the page's element, transferred). */
  setCanvas(canvas: OffscreenCanvas): void {
    this.painter = new HeatmapPainter(canvas, SQUEEZENET_MAP_PLACEMENT);
    this.painted = false;
  }

  /**
   * Paints `map` as `how` says, or clears the canvas once when the heatmap is hidden (`how` absent).
   * @returns the map as painted (after smoothing; a copy), or undefined when nothing was painted
   */
  paint(map: Float32Array, width: number, height: number, how: WireHeatmap | undefined): Float32Array | undefined {
    const painter = this.painter;
    if (!painter) return undefined;
    if (!how) {
      if (this.painted) painter.clear();
      this.painted = false;
      return undefined;
    }
    painter.resize(how.width, how.height);
    if (how.reset) painter.resetSmoothing();
    painter.paint(map, width, height, how.style);
    this.painted = true;
    return painter.shown?.slice();
  }

  /** The map as last painted with the canvas's pixels (test hook); undefined before a frame was painted. */
  probe(): HookHeatmap | undefined {
    return this.painted ? this.painter?.readBack() : undefined;
  }
}
