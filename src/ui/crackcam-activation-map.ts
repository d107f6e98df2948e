import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { DEFAULT_HEATMAP_STYLE, HeatmapPainter, SQUEEZENET_MAP_PLACEMENT } from '../platform/heatmap-painter';

/** Backing-store side of the overlay canvas: the model's crop size, so the map is drawn at crop resolution. */
const CANVAS_SIZE = 227;

/**
 * One capture with a Grad-CAM map over it (in the live view's default style), captioned
 * with the epoch and the predicted label and probability: the trainer's "activation map during
 * training", redrawn after every epoch (epoch 0 = before training).
 *
 * Test hooks: `data-epoch` (last painted epoch) and `data-draws` (maps painted by this element).
 */
@localized()
@customElement('crackcam-activation-map')
export class CrackcamActivationMap extends LitElement {
  /** URL of the image (the capture's crop). */
  @property() src = '';
  /** [mapHeight * mapWidth] row-major map in [0, 1]; undefined shows the image alone. */
  @property({ attribute: false }) map?: Float32Array;
  @property({ type: Number }) mapWidth = 13;
  @property({ type: Number }) mapHeight = 13;
  /** Epoch after which the map was computed (0: before training). */
  @property({ type: Number }) epoch = 0;
  /** Predicted label and its probability under the weights of that epoch. */
  @property() label = '';
  @property({ type: Number }) probability = 0;
  @query('canvas') private canvas?: HTMLCanvasElement;
  private painter?: HeatmapPainter;
  private draws = 0;

  static override styles = css`
    :host {
      display: inline-block;
      color: #fff;
      font-size: 0.9rem;
    }
    .frame {
      position: relative;
      width: 12rem;
      height: 12rem;
    }
    img,
    canvas {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
    }
    .caption {
      margin-top: 0.2rem;
      font-variant-numeric: tabular-nums;
    }
  `;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('map') || !this.canvas) return;
    this.painter ??= new HeatmapPainter(this.canvas, SQUEEZENET_MAP_PLACEMENT);
    this.painter.resize(CANVAS_SIZE, CANVAS_SIZE);
    if (!this.map) {
      this.painter.clear();
      return;
    }
    // Each epoch's map stands on its own: no temporal smoothing as in the live view.
    this.painter.resetSmoothing();
    this.painter.paint(this.map, this.mapWidth, this.mapHeight, { ...DEFAULT_HEATMAP_STYLE, smoothing: 0 });
    this.draws++;
    this.dataset.draws = String(this.draws);
    this.dataset.epoch = String(this.epoch);
  }

  override render() {
    const when = this.epoch === 0 ? msg('Before training') : msg(str`After epoch ${this.epoch}`);
    const caption = this.map
      ? `${when}: ${this.label} ${(this.probability * 100).toFixed(1)}%`
      : msg('The map appears when training starts.');
    return html`<div class="frame">
        ${this.src ? html`<img src=${this.src} alt="" />` : nothing}
        <canvas aria-hidden="true"></canvas>
      </div>
      <div class="caption" data-testid="activation-caption">${caption}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-activation-map': CrackcamActivationMap;
  }
}
