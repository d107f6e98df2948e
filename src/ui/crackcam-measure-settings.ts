import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ACI224_EXPOSURES, EC2_EXPOSURES, STANDARD_IDS, type StandardId } from '../core/measure/standards';
import {
  loadMeasureSettings,
  saveMeasureSettings,
  takesExposure,
  type MeasureSettings,
} from '../platform/measure-settings';
import { standardLabel } from './measure-labels';
import { panelStyles } from './shared-styles';

/** The printable reference sheet (marker and comparator strip) as PDF and SVG, served from public/ and precached. */
const REFERENCE_SHEET_URL = `${import.meta.env.BASE_URL}reference-sheet`;

/**
 * Crack width settings: the standard that classes widths (AASHTO reinforced concrete by default,
 * AASHTO prestressed, ACI 224R or Eurocode 2 with their exposure), remembered on this device; and
 * the printable reference sheet to put beside a crack.
 *
 * Test hooks: `measure-standard`, `measure-exposure` (selects), `reference-sheet` (the PDF's link),
 * `reference-sheet-svg` (the SVG's).
 *
 * @fires measure-settings-change - detail: the {@link MeasureSettings} now in force (bubbles, composed).
 */
@localized()
@customElement('crackcam-measure-settings')
export class CrackcamMeasureSettings extends LitElement {
  @state() private settings: MeasureSettings = loadMeasureSettings();

  static override styles = [
    panelStyles,
    css`
      .row {
        flex-wrap: wrap;
      }
    `,
  ];

  private change(standard: StandardId, exposure?: string): void {
    this.settings = saveMeasureSettings(takesExposure(standard) ? { standard, exposure } : { standard });
    this.dispatchEvent(
      new CustomEvent<MeasureSettings>('measure-settings-change', {
        detail: this.settings,
        bubbles: true,
        composed: true,
      }),
    );
  }

  private renderExposure(standard: 'aci224' | 'ec2') {
    const exposures = Object.keys(standard === 'aci224' ? ACI224_EXPOSURES : EC2_EXPOSURES);
    const limits: Record<string, number> = standard === 'aci224' ? ACI224_EXPOSURES : EC2_EXPOSURES;
    return html`<label
      >${msg('Exposure')}
      <select
        data-testid="measure-exposure"
        @change=${(e: Event) => this.change(standard, (e.target as HTMLSelectElement).value)}
      >
        ${exposures.map(
          (x) => html`<option value=${x} .selected=${x === this.settings.exposure}>${x} (${limits[x]} mm)</option>`,
        )}
      </select></label
    >`;
  }

  override render() {
    const { standard } = this.settings;
    return html`<div class="row" role="group" aria-label=${msg('Crack width')}>
      <label
        >${msg('Width standard')}
        <select
          data-testid="measure-standard"
          @change=${(e: Event) => this.change((e.target as HTMLSelectElement).value as StandardId)}
        >
          ${STANDARD_IDS.map((id) => html`<option value=${id} .selected=${id === standard}>${standardLabel(id)}</option>`)}
        </select></label
      >
      ${takesExposure(standard) ? this.renderExposure(standard) : nothing}
      <span
        ><a data-testid="reference-sheet" href=${`${REFERENCE_SHEET_URL}.pdf`} download="crackcam-reference-sheet.pdf"
          >${msg('Reference sheet to print (marker and comparator)')}</a
        >
        (<a data-testid="reference-sheet-svg" href=${`${REFERENCE_SHEET_URL}.svg`} download="crackcam-reference-sheet.svg"
          >SVG</a
        >)</span
      >
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-measure-settings': CrackcamMeasureSettings;
  }
}
