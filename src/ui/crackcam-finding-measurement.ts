import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FindingMeasurement } from '../core/finding';
import type { MeasureOutcome } from '../platform/measure-finding';
import { guidanceText, measurementLine, noWidthText, scaleSourceText } from './measure-labels';
import { panelStyles } from './shared-styles';

/**
 * A finding's crack measurement: width (max ± uncertainty), mean, length and class under the
 * standard; or, after a measurement gave no millimetres, why and what to do; and the *Measure width*
 * button.
 *
 * Test hooks: `measure-width` (button), `measure-result` (`data-width-mm`, `data-class`, `data-scale`),
 * `measure-none` (`data-reason`: no-marker, no-crack), `measure-guidance` (`data-code`),
 * `measure-error`, `measure-busy`.
 *
 * @fires finding-measure - asks for the measurement of the finding (bubbles, composed).
 */
@localized()
@customElement('crackcam-finding-measurement')
export class CrackcamFindingMeasurement extends LitElement {
  /** The stored measurement, if any. */
  @property({ attribute: false }) measurement?: FindingMeasurement;
  /** What the last measurement gave (its reason and guidance are shown; else the stored measurement's caveats). */
  @property({ attribute: false }) outcome?: MeasureOutcome;
  @property({ type: Boolean }) measuring = false;
  @property() error = '';

  static override styles = [
    panelStyles,
    css`
      :host {
        display: grid;
        gap: 0.3rem;
      }
      ul {
        margin: 0;
        padding-left: 1.2rem;
      }
    `,
  ];

  private renderResult() {
    const m = this.measurement;
    if (m) {
      return html`<span
        data-testid="measure-result"
        data-width-mm=${m.widthMm}
        data-class=${m.widthClass}
        data-scale=${m.scale}
        >${measurementLine(m)} ${scaleSourceText(m.scale)}</span
      >`;
    }
    if (this.outcome?.reason) {
      return html`<span data-testid="measure-none" data-reason=${this.outcome.reason}
        >${noWidthText(this.outcome.reason)}</span
      >`;
    }
    return html`<span class="note">${msg('Not measured.')}</span>`;
  }

  override render() {
    // after a measurement its guidance; when the form opens, what the stored measurement kept of it
    const guidance = this.outcome?.guidance ?? this.measurement?.caveats ?? [];
    return html`<div class="row">
        ${this.measuring ? html`<span data-testid="measure-busy">${msg('Measuring the width…')}</span>` : this.renderResult()}
        <button
          type="button"
          data-testid="measure-width"
          ?disabled=${this.measuring}
          @click=${() => this.dispatchEvent(new CustomEvent('finding-measure', { bubbles: true, composed: true }))}
        >
          ${msg('Measure width')}
        </button>
      </div>
      ${
        guidance.length && !this.measuring
          ? html`<ul>
            ${guidance.map((g) => html`<li data-testid="measure-guidance" data-code=${g}>${guidanceText(g)}</li>`)}
          </ul>`
          : nothing
      }
      ${this.error ? html`<div class="error" role="alert" data-testid="measure-error">${this.error}</div>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-finding-measurement': CrackcamFindingMeasurement;
  }
}
