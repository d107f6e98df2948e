import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { WidthHistoryPoint } from '../core/width-change';
import { dateText } from './dates';
import { historyChanged } from './width-history-changed';

const HEIGHT = 160;

/**
 * The maximum width of one defect over its records (a finding and the earlier findings it names), as
 * a uPlot chart of the width with its ± band against the date, and the same as text. Shown from two
 * measured records on.
 *
 * Test hook: `width-history` (`data-points`: how many records).
 */
@localized()
@customElement('crackcam-width-history')
export class CrackcamWidthHistory extends LitElement {
  /** Oldest first. */
  @property({ attribute: false, hasChanged: historyChanged }) points: readonly WidthHistoryPoint[] = [];
  @query('.plot') private host?: HTMLElement;
  private plot?: uPlot;

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        color: #fff;
      }
      p {
        margin: 0.2rem 0;
        font-size: 0.9rem;
      }
      .u-legend {
        color: #fff;
        font-size: 0.85rem;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = undefined;
  }

  /** [seconds, width, width + ±, width - ±] per record. */
  private data(): uPlot.AlignedData {
    const p = this.points;
    return [
      p.map((q) => q.at / 1000),
      p.map((q) => q.widthMm),
      p.map((q) => q.widthMm + q.uncertainMm),
      p.map((q) => Math.max(0, q.widthMm - q.uncertainMm)),
    ];
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('points')) return;
    this.plot?.destroy();
    this.plot = undefined;
    if (!this.host || this.points.length < 2) return;
    const axis = {
      stroke: '#cfd8dc',
      grid: { stroke: 'rgba(255,255,255,0.1)' },
      ticks: { stroke: 'rgba(255,255,255,0.2)' },
    };
    const band = { stroke: 'rgba(255,213,79,0.6)', width: 1, dash: [4, 4], points: { show: false } };
    this.plot = new uPlot(
      {
        width: Math.max(240, this.host.clientWidth || 320),
        height: HEIGHT,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(0.1, max * 1.15)] } },
        // dates in the app's language, not uPlot's English month names
        axes: [
          { ...axis, values: (_u, splits) => splits.map((t) => dateText(t * 1000)) },
          { ...axis, label: 'mm' },
        ],
        series: [
          {},
          { label: msg('Width (mm)'), stroke: '#ffd54f', width: 2, points: { show: true, size: 7 } },
          { label: '+', ...band },
          { label: '−', ...band },
        ],
        legend: { show: false },
      },
      this.data(),
      this.host,
    );
  }

  override render() {
    if (this.points.length < 2) return nothing;
    const text = this.points.map((p) => `${dateText(p.at)} ${p.widthMm.toFixed(2)} mm`).join(' → ');
    const count = this.points.length;
    return html`<section data-testid="width-history" data-points=${count}>
      <p>${msg(str`Width over ${count} records of this crack (± dashed)`)}</p>
      <div class="plot" role="img" aria-label=${text}></div>
      <p>${text}</p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-width-history': CrackcamWidthHistory;
  }
}
