import { css, html, LitElement, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

/** One curve of a {@link CrackcamTrainChart}. */
export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

/**
 * A small line chart (uPlot) of per-epoch values: x = epoch 1..n, one line per series (e.g. train
 * and validation loss). Redraws when `series` is replaced.
 */
@customElement('crackcam-train-chart')
export class CrackcamTrainChart extends LitElement {
  @property() heading = '';
  @property({ attribute: false }) series: ChartSeries[] = [];
  /** Fixed y range, e.g. [0, 1] for accuracy; automatic when unset. */
  @property({ attribute: false }) range?: [number, number];
  @query('.plot') private host!: HTMLElement;
  private plot?: uPlot;
  private resize?: ResizeObserver;

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        min-width: 16rem;
        flex: 1;
        color: #fff;
      }
      .u-legend {
        color: #fff;
        font-size: 0.85rem;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  private data(): uPlot.AlignedData {
    const n = Math.max(0, ...this.series.map((s) => s.values.length));
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    return [xs, ...this.series.map((s) => xs.map((_, i) => (Number.isFinite(s.values[i]) ? s.values[i] : null)))];
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.plot || changed.has('range') || this.plot.series.length !== this.series.length + 1) {
      this.plot?.destroy();
      const axis = {
        stroke: '#cfd8dc',
        grid: { stroke: 'rgba(255,255,255,0.1)' },
        ticks: { stroke: 'rgba(255,255,255,0.2)' },
      };
      this.plot = new uPlot(
        {
          width: Math.max(240, this.host.clientWidth || 320),
          height: 180,
          title: this.heading,
          scales: { x: { time: false }, y: this.range ? { range: this.range } : {} },
          axes: [{ ...axis, label: 'epoch' }, axis],
          series: [
            { label: 'epoch' },
            ...this.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true } })),
          ],
        },
        this.data(),
        this.host,
      );
      this.resize ??= new ResizeObserver(() =>
        this.plot?.setSize({ width: Math.max(240, this.host.clientWidth), height: 180 }),
      );
      this.resize.observe(this.host);
    } else {
      this.plot.setData(this.data());
    }
  }

  override render() {
    return html`<div class="plot" role="img" aria-label=${this.heading}></div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-train-chart': CrackcamTrainChart;
  }
}
