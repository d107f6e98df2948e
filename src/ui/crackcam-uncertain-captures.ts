import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { panelStyles } from './shared-styles';
import { classDisplayName } from './class-names';

/** A capture the new model is unsure of, as this list shows it. */
export interface UncertainCaptureView {
  id: string;
  /** Its label in the capture store, and what the new model predicts with what probability. */
  label: string;
  predicted: string;
  probability: number;
  unfamiliar?: boolean;
  /** Object URL of its crop (not owned). */
  url?: string;
}

/**
 * The captures the new model is least sure about (top probability below the threshold, or
 * unfamiliar), least sure first, so the inspector checks them and labels more like them next. Each
 * has a thumbnail, its label, the model's guess, and a *Label as* choice to relabel it.
 *
 * Test hooks: `data-testid="uncertain-capture"` with `data-id` and `data-label`; its label choice
 * `uncertain-relabel`.
 *
 * @fires relabel-capture - detail `{ id, label }`: the user moved the capture to another label.
 */
@localized()
@customElement('crackcam-uncertain-captures')
export class CrackcamUncertainCaptures extends LitElement {
  @property({ attribute: false }) items: readonly UncertainCaptureView[] = [];
  /** Labels a capture can be moved to. */
  @property({ attribute: false }) labels: readonly string[] = [];

  static override styles = [
    panelStyles,
    css`
      .list {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6rem;
        padding: 0.3rem 0.8rem;
      }
      figure {
        margin: 0;
        width: 7rem;
        font-size: 0.8rem;
      }
      img {
        width: 7rem;
        height: 7rem;
      }
      select {
        width: 100%;
      }
    `,
  ];

  private guess(i: UncertainCaptureView): string {
    const p = `${(i.probability * 100).toFixed(0)}%`;
    return i.unfamiliar ? msg(str`unfamiliar; ${i.predicted} ${p}`) : msg(str`model: ${i.predicted} ${p}`);
  }

  private relabel(id: string, e: Event): void {
    const label = (e.target as HTMLSelectElement).value;
    this.dispatchEvent(new CustomEvent('relabel-capture', { detail: { id, label } }));
  }

  override render() {
    return html`<h2>${msg('Check these captures')}</h2>
      ${
        this.items.length
          ? html`<div class="note">
              ${msg('The new model is least sure about these captures. Check their labels, and capture more photos like them.')}
            </div>
            <div class="list">
              ${this.items.map(
                (i) =>
                  html`<figure data-testid="uncertain-capture" data-id=${i.id} data-label=${i.label}>
                    ${i.url ? html`<img src=${i.url} alt=${i.label} />` : nothing}
                    <figcaption>${this.guess(i)}</figcaption>
                    <select
                      data-testid="uncertain-relabel"
                      aria-label=${msg('Label as')}
                      @change=${(e: Event) => this.relabel(i.id, e)}
                    >
                      ${this.labels.map((l) => html`<option value=${l} ?selected=${l === i.label}>${classDisplayName(l)}</option>`)}
                    </select>
                  </figure>`,
              )}
            </div>`
          : html`<div class="note" data-testid="uncertain-none">
            ${msg('The new model is sure about every capture.')}
          </div>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-uncertain-captures': CrackcamUncertainCaptures;
  }
}
