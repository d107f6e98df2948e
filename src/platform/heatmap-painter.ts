/**
 * The live heatmap's painter: a small map coloured on the CPU and drawn scaled over the crop box. Runs
 * on the page (a canvas element) or in the inference worker (the element's OffscreenCanvas).
 */
import { SQUEEZENET_INPUT_SIZE, squeezenetCells, type CellGeometry } from '../core/squeezenet-geometry';
import { colouriseMap, HIGHLIGHT_RAMP, JET_LUT, smoothInto } from '../core/colormap';
import type { HookHeatmap } from './test-hook';

/** Where a map's cells sit on the crop the canvas covers: {@link CellGeometry} on a `size`-pixel crop. */
export interface MapPlacement {
  /** Side of the crop in the geometry's pixels (the model's input size, 227). */
  size: number;
  /** The geometry of a map `grid` cells wide (fire9's 13x13, fire5's 27x27 or the fine map's 56x56). */
  cells(grid: number): CellGeometry;
}

/**
 * SqueezeNet's maps on its 227x227 crop: Grad-CAM (13x13), the fine map (56x56, fire3's grid) and
 * the one-class anomaly map (13x13). The live view paints with it; so does the benchmark.
 */
export const SQUEEZENET_MAP_PLACEMENT: MapPlacement = {
  size: SQUEEZENET_INPUT_SIZE,
  cells: (grid) => squeezenetCells(grid, SQUEEZENET_INPUT_SIZE),
};

/**
 * How the map's values become opacity: `highlight` leaves the wall visible where the map is low and
 * colours only where it is high (alpha rising with the value, {@link HIGHLIGHT_RAMP}); `jet` is the
 * MATLAB reference's veil, every pixel at the same opacity (blue where the map is low).
 */
export type HeatmapMode = 'highlight' | 'jet';

/** The modes, in the order the live view offers them. */
export const HEATMAP_MODES: readonly HeatmapMode[] = ['highlight', 'jet'];

/** How a heatmap is painted. */
export interface HeatmapStyle {
  /** Highlight (alpha rising with the value) or the constant-alpha jet veil. */
  mode: HeatmapMode;
  /** Opacity over the camera image, [0, 1], scaling the highlight's alpha too; the MATLAB reference overlays at 0.5. */
  alpha: number;
  /** Temporal smoothing: weight of the previous frames, [0, 1); 0 = off. */
  smoothing: number;
}

/**
 * The live view's style until the user changes its controls (the benchmark and the trainer's
 * thumbnails paint with it too). Opacity 0.7 rather than the MATLAB reference's 0.5: the highlight
 * is transparent where the map is low, so it can be stronger where it is high; a crack's peak
 * (value 1, jet's dark red) then clearly stands out on grey concrete, while the wall beside it is
 * left as the camera shows it.
 */
export const DEFAULT_HEATMAP_STYLE: Readonly<HeatmapStyle> = { mode: 'highlight', alpha: 0.7, smoothing: 0.5 };

/** A still's style: no smoothing across stills. */
export type StillStyle = Pick<HeatmapStyle, 'mode' | 'alpha'>;

/**
 * Paints a small [0, 1] map (Grad-CAM 13x13, the fine map 56x56, or 27x27) into a canvas: colour
 * with the jet table on the CPU into one reused ImageData (alpha per the style's mode), then draw it
 * at the style's opacity, scaled with bilinear
 * smoothing over the canvas (which the view lays exactly over the crop box). With a
 * {@link MapPlacement}, each cell is centred where the network looked (its receptive-field centre
 * on SqueezeNet's 227 crop: pixel 16k + 15 for 13x13 cells, 4k + 3 for the fine map's; a plain
 * stretch over the box is up to 11 crop pixels off near the edges): the map, with its edge cells
 * repeated once around it, is drawn one cell larger than the box on every side and clipped.
 * All buffers are reused between frames.
 */
export class HeatmapPainter<C extends HTMLCanvasElement | OffscreenCanvas = HTMLCanvasElement> {
  private readonly ctx: Canvas2D;
  private readonly small: OffscreenCanvas;
  private readonly smallCtx: OffscreenCanvasRenderingContext2D;
  private image?: ImageData;
  private smoothed?: Float32Array;
  private padded?: Float32Array;
  private fresh = true;
  private mapWidth = 0;
  private mapHeight = 0;

  constructor(
    readonly canvas: C,
    private readonly placement?: MapPlacement,
  ) {
    const ctx = canvas.getContext('2d') as Canvas2D | null;
    this.small = new OffscreenCanvas(1, 1);
    const smallCtx = this.small.getContext('2d');
    if (!ctx || !smallCtx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
    this.smallCtx = smallCtx;
  }

  /** The map as last painted (after smoothing), or undefined before the first frame. */
  get shown(): Float32Array | undefined {
    return this.fresh ? undefined : this.smoothed;
  }

  /** Size in cells of the map last painted ({@link shown}). */
  get shownSize(): { width: number; height: number } {
    return { width: this.mapWidth, height: this.mapHeight };
  }

  /** The map as last painted with the canvas's pixels, read together (test hook); undefined before the first frame. */
  readBack(): HookHeatmap | undefined {
    const shown = this.shown;
    if (!shown) return undefined;
    const { width, height } = this.canvas;
    return {
      ...this.shownSize,
      shown: shown.slice(),
      canvasWidth: width,
      canvasHeight: height,
      rgba: this.ctx.getImageData(0, 0, width, height).data,
    };
  }

  /** Sets the canvas backing store (CSS size x device pixel ratio); clears it. */
  resize(width: number, height: number): void {
    const w = Math.max(1, Math.round(width));
    const h = Math.max(1, Math.round(height));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
  }

  /** Forgets the smoothing history (after a camera switch or a pause). */
  resetSmoothing(): void {
    this.fresh = true;
  }

  /**
   * Paints one frame's map.
   * @param map [height * width] row-major values in [0, 1]
   */
  paint(map: Float32Array, width: number, height: number, style: HeatmapStyle): void {
    if (!HEATMAP_MODES.includes(style.mode))
      throw new Error(`heatmap mode must be one of ${HEATMAP_MODES.join(', ')}, got ${String(style.mode)}`);
    [this.mapWidth, this.mapHeight] = [width, height];
    const pad = this.placement ? 1 : 0;
    const [pw, ph] = [width + 2 * pad, height + 2 * pad];
    if (
      !this.image ||
      this.image.width !== pw ||
      this.image.height !== ph ||
      this.smoothed?.length !== width * height
    ) {
      this.small.width = pw;
      this.small.height = ph;
      this.image = this.smallCtx.createImageData(pw, ph);
      this.smoothed = new Float32Array(width * height);
      this.padded = new Float32Array(pw * ph);
      this.fresh = true;
    }
    const smoothed = this.smoothed as Float32Array;
    if (this.fresh) smoothed.set(map);
    else smoothInto(smoothed, map, style.smoothing);
    this.fresh = false;
    const { canvas, ctx } = this;
    let shown: Float32Array = smoothed;
    let [x0, y0, w, h] = [0, 0, canvas.width, canvas.height];
    if (this.placement) {
      // Edge cells repeated around the map, so the clipped margin continues the edge values.
      const padded = this.padded as Float32Array;
      for (let y = 0; y < ph; y++) {
        const sy = Math.min(height - 1, Math.max(0, y - 1));
        for (let x = 0; x < pw; x++)
          padded[y * pw + x] = smoothed[sy * width + Math.min(width - 1, Math.max(0, x - 1))];
      }
      shown = padded;
      // Padded cell j (= cell j - 1) is centred at first + (j - 1) * stride + 0.5 crop px.
      const { size } = this.placement;
      const { first, stride } = this.placement.cells(width);
      const [ux, uy] = [canvas.width / size, canvas.height / size];
      [x0, y0] = [(first + 0.5 - 1.5 * stride) * ux, (first + 0.5 - 1.5 * stride) * uy];
      [w, h] = [pw * stride * ux, ph * stride * uy];
    }
    colouriseMap(shown, this.image.data, style.mode === 'jet' ? 1 : HIGHLIGHT_RAMP, JET_LUT);
    this.smallCtx.putImageData(this.image, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.globalAlpha = style.alpha;
    ctx.imageSmoothingEnabled = true;
    // 'low' is plain bilinear; 'high' cost ~2 ms per frame more with the 58x58 fine map (bench).
    ctx.imageSmoothingQuality = 'low';
    ctx.drawImage(this.small, x0, y0, w, h);
    ctx.globalAlpha = 1;
  }

  clear(): void {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /**
   * Paints a still: `map` as {@link paint} does (no smoothing), with `image` drawn under it to fill
   * the canvas, e.g. a capture's crop with its Grad-CAM.
   */
  paintOver(image: CanvasImageSource, map: Float32Array, width: number, height: number, style: StillStyle): void {
    this.resetSmoothing();
    this.paint(map, width, height, { ...style, smoothing: 0 });
    const { canvas, ctx } = this;
    ctx.globalCompositeOperation = 'destination-over';
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    ctx.globalCompositeOperation = 'source-over';
  }
}

/** A 2D context of a canvas element or of an OffscreenCanvas. */
type Canvas2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** A map to paint: [height * width] row-major values in [0, 1]. */
export interface PaintableMap {
  map: Float32Array;
  width: number;
  height: number;
}

/**
 * A PNG of `crop` (a capture's crop at the model's input size) with `map` painted over it by a
 * {@link HeatmapPainter} with SqueezeNet's placement: the live view's heatmap, as a thumbnail
 * (the live view's default style unless `style` says otherwise).
 */
export async function heatmapOverCrop(
  crop: Blob,
  map: PaintableMap,
  style: StillStyle = DEFAULT_HEATMAP_STYLE,
): Promise<Blob> {
  const bitmap = await createImageBitmap(crop);
  try {
    const painter = new HeatmapPainter(document.createElement('canvas'), SQUEEZENET_MAP_PLACEMENT);
    painter.resize(bitmap.width, bitmap.height);
    painter.paintOver(bitmap, map.map, map.width, map.height, style);
    return await new Promise<Blob>((resolve, reject) =>
      painter.canvas.toBlob(
        (b) => (b ? resolve(b) : reject(new Error('the heatmap thumbnail could not be encoded as PNG'))),
        'image/png',
      ),
    );
  } finally {
    bitmap.close();
  }
}
