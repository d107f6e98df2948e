import { colouriseMap, JET_LUT, smoothInto } from '../core/colormap';

/** How a heatmap is painted. */
export interface HeatmapStyle {
  /** Opacity over the camera image, [0, 1]; the seed uses 0.5. */
  alpha: number;
  /** Temporal smoothing: weight of the previous frames, [0, 1); 0 = off. */
  smoothing: number;
}

/**
 * Paints a small [0, 1] map (Grad-CAM, 13x13) into a canvas: colour with the jet table on the CPU
 * into one reused ImageData, then draw it scaled with bilinear smoothing over the whole canvas
 * (which the view lays exactly over the crop box). All buffers are reused between frames.
 */
export class HeatmapPainter {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly small: HTMLCanvasElement;
  private readonly smallCtx: CanvasRenderingContext2D;
  private image?: ImageData;
  private smoothed?: Float32Array;
  private fresh = true;

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d');
    this.small = document.createElement('canvas');
    const smallCtx = this.small.getContext('2d');
    if (!ctx || !smallCtx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
    this.smallCtx = smallCtx;
  }

  /** The map as last painted (after smoothing), or undefined before the first frame. */
  get shown(): Float32Array | undefined {
    return this.fresh ? undefined : this.smoothed;
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
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.small.width = width;
      this.small.height = height;
      this.image = this.smallCtx.createImageData(width, height);
      this.smoothed = new Float32Array(width * height);
      this.fresh = true;
    }
    const smoothed = this.smoothed as Float32Array;
    if (this.fresh) smoothed.set(map);
    else smoothInto(smoothed, map, style.smoothing);
    this.fresh = false;
    colouriseMap(smoothed, this.image.data, 1, JET_LUT);
    this.smallCtx.putImageData(this.image, 0, 0);
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.globalAlpha = style.alpha;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(this.small, 0, 0, this.canvas.width, this.canvas.height);
    ctx.globalAlpha = 1;
  }

  clear(): void {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }
}
