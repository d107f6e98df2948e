import { localized, msg } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { classDisplayName } from './class-names';
import { controlStyles } from './shared-styles';

/**
 * *Label this*, offered under the verdict while the frame is uncertain: the button opens a choice of
 * labels (the live view holds the frame meanwhile); choosing one asks for the frame to be stored as
 * a capture with that label; *Cancel* closes the choice.
 *
 * Test hooks: `data-testid="label-this"` (the button), `label-this-as` with `data-label` (a choice),
 * `label-this-cancel`.
 *
 * @fires label-this-open - The choice opened: hold the frame.
 * @fires label-chosen - detail `{ label }`: store the held frame as a capture with this label.
 * @fires label-this-cancel - The choice closed without a label.
 */
@localized()
@customElement('crackcam-label-this')
export class CrackcamLabelThis extends LitElement {
  /** Labels to offer. */
  @property({ attribute: false }) labels: readonly string[] = [];
  @state() private open = false;

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        padding: 0.3rem 0.8rem;
        background: #3e2723;
      }
    `,
  ];

  private close(type: 'label-chosen' | 'label-this-cancel', label?: string): void {
    this.open = false;
    this.dispatchEvent(new CustomEvent(type, label === undefined ? {} : { detail: { label } }));
  }

  override render() {
    if (!this.open)
      return html`<span>${msg('The model is unsure here.')}</span>
        <button
          class="primary"
          data-testid="label-this"
          @click=${() => {
            this.open = true;
            this.dispatchEvent(new CustomEvent('label-this-open'));
          }}
        >
          ${msg('Label this')}
        </button>`;
    return html`<span>${msg('This frame shows:')}</span>
      ${this.labels.map(
        (l) =>
          html`<button data-testid="label-this-as" data-label=${l} @click=${() => this.close('label-chosen', l)}>
            ${classDisplayName(l)}
          </button>`,
      )}
      <button data-testid="label-this-cancel" @click=${() => this.close('label-this-cancel')}>${msg('Cancel')}</button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-label-this': CrackcamLabelThis;
  }
}
