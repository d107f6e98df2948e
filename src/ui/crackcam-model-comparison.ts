import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { SITE_SET, type ComparisonRow, type SurfaceDrop } from '../core/before-after';
import { panelStyles, resultStyles } from './shared-styles';
import { surfaceDisplayName } from './class-names';

/** "12.5%" */
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** A drop as points: "2.5" */
const points = (drop: number): string => (drop * 100).toFixed(1);

/**
 * Before / after a fine-tuning run: accuracy of the model active before training and of the new one
 * on the same photos, one row per set: this site's held-out captures (never trained on), then every
 * old surface of the rehearsal pack (its photos never trained on). Old surfaces that lost more than
 * a point are named above the table; when `confirming` is set, a modal dialog asks for an explicit
 * confirmation before the new model is made active, saying which surfaces lose how much.
 *
 * Test hooks: `data-testid="compare-table"`, rows `compare-row` with `data-set` (`site` or the
 * surface), `data-old` / `data-new` (accuracy 0..1) and `data-n`; the dialog's confirm button
 * `activate-confirm`, its cancel button `activate-cancel`.
 *
 * @fires activate-confirmed - The user confirmed making the new model active despite the drops.
 * @fires activate-cancelled - The user kept the current model (the dialog closed without confirming).
 */
@localized()
@customElement('crackcam-model-comparison')
export class CrackcamModelComparison extends LitElement {
  @property({ attribute: false }) rows: readonly ComparisonRow[] = [];
  /** Old surfaces that lost more than a point, worst first. */
  @property({ attribute: false }) worse: readonly SurfaceDrop[] = [];
  /** Why the old surfaces could not be checked, if they could not. */
  @property() packError = '';
  /** Show the confirmation dialog. */
  @property({ type: Boolean }) confirming = false;
  @query('dialog') private dialog?: HTMLDialogElement;

  static override styles = [
    panelStyles,
    resultStyles,
    css`
      td.worse {
        color: #ff8a80;
        font-weight: 700;
      }
      td.better {
        color: #a5d6a7;
      }
      dialog {
        max-width: 28rem;
        background: #263238;
        color: inherit;
        border: 2px solid #ffb300;
      }
    `,
  ];

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('confirming') || !this.dialog) return;
    if (this.confirming && !this.dialog.open) this.dialog.showModal();
    if (!this.confirming && this.dialog.open) this.dialog.close();
  }

  /** The row's set as a reader sees it. */
  private setName(set: string): string {
    return set === SITE_SET ? msg('This site (held-out captures)') : msg(str`Old surface: ${surfaceDisplayName(set)}`);
  }

  /** "walls −25.0 points, asphalt −2.0 points" */
  private dropList(): string {
    return this.worse.map((d) => msg(str`${surfaceDisplayName(d.set)} −${points(d.drop)} points`)).join(', ');
  }

  private renderRow(r: ComparisonRow) {
    const change = r.newCorrect - r.oldCorrect;
    const cls = change < 0 ? 'worse' : change > 0 ? 'better' : '';
    return html`<tr
      data-testid="compare-row"
      data-set=${r.set}
      data-n=${r.n}
      data-old=${String(r.oldAccuracy)}
      data-new=${String(r.newAccuracy)}
    >
      <th>${this.setName(r.set)}</th>
      <td>${r.n}</td>
      <td>${pct(r.oldAccuracy)} (${r.oldCorrect})</td>
      <td class=${cls}>${pct(r.newAccuracy)} (${r.newCorrect})</td>
    </tr>`;
  }

  private renderDialog() {
    const fire = (type: string) => this.dispatchEvent(new CustomEvent(type));
    return html`<dialog
      data-testid="activate-confirm-dialog"
      @cancel=${(e: Event) => {
        e.preventDefault();
        fire('activate-cancelled');
      }}
    >
      <p>${msg(str`The new model is worse on surfaces the current model knows: ${this.dropList()}.`)}</p>
      <p>${msg('Make it active anyway? The current model stays in the library; you can roll back.')}</p>
      <div class="row">
        <button class="danger" data-testid="activate-confirm" @click=${() => fire('activate-confirmed')}>
          ${msg('Make active anyway')}
        </button>
        <button class="primary" data-testid="activate-cancel" @click=${() => fire('activate-cancelled')}>
          ${msg('Keep the current model')}
        </button>
      </div>
    </dialog>`;
  }

  override render() {
    if (!this.rows.length) return nothing;
    return html`<h2>${msg('Before / after')}</h2>
      <table data-testid="compare-table">
        <tr>
          <th>${msg('Photos')}</th>
          <th>${msg('n')}</th>
          <th>${msg('Current model')}</th>
          <th>${msg('New model')}</th>
        </tr>
        ${this.rows.map((r) => this.renderRow(r))}
      </table>
      <div class="note">
        ${msg('Accuracy (correct photos) of both models on photos neither was trained on in this run.')}
      </div>
      ${
        this.packError
          ? html`<div class="note" data-testid="compare-pack-error">
            ${msg(str`The old surfaces were not checked: ${this.packError}`)}
          </div>`
          : nothing
      }
      ${
        this.worse.length
          ? html`<div class="error" role="alert" data-testid="compare-worse">
            ${msg(str`Worse on old surfaces by more than a point: ${this.dropList()}. Saving asks for a confirmation.`)}
          </div>`
          : nothing
      }
      ${this.renderDialog()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-model-comparison': CrackcamModelComparison;
  }
}
