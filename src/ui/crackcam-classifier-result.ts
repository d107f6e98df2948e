import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ClassificationReport } from '../core/metrics';
import type { ClassifierTrainingOutcome } from '../platform/classifier-training';
import { panelStyles, resultStyles } from './shared-styles';
import { renderSaveRow } from './training-run';
import { classDisplayName } from './class-names';

/**
 * The result of a classifier training run: validation accuracy and confusion matrix of the new
 * model and of the current one on the same captures, side by side, the misclassified captures (as
 * thumbnails the trainer painted), and Save / Discard.
 *
 * @fires save - Save was pressed.
 * @fires discard - Discard was pressed.
 */
@localized()
@customElement('crackcam-classifier-result')
export class CrackcamClassifierResult extends LitElement {
  @property({ attribute: false }) outcome?: ClassifierTrainingOutcome;
  /** Object URLs of the misclassified captures' thumbnails, by capture id (not owned). */
  @property({ attribute: false }) thumbs = new Map<string, string>();
  /** A save is in progress (Save is disabled). */
  @property({ type: Boolean }) saving = false;

  static override styles = [
    panelStyles,
    resultStyles,
    css`
      td.hit {
        background: #1b5e20;
      }
      .compare {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        padding: 0.3rem 0.8rem;
      }
      .miss {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        padding: 0.3rem 0.8rem;
      }
      .miss figure {
        margin: 0;
        width: 6rem;
        font-size: 0.8rem;
      }
      .miss img {
        width: 6rem;
        height: 6rem;
      }
    `,
  ];

  private renderConfusion(r: ClassificationReport, labels: string[]) {
    return html`<table data-testid="confusion">
      <tr>
        <th>${msg('true \\ predicted')}</th>
        ${labels.map((l) => html`<th>${classDisplayName(l)}</th>`)}
      </tr>
      ${labels.map(
        (t) =>
          html`<tr>
            <th>${t}</th>
            ${labels.map((p) => html`<td class=${t === p ? 'hit' : ''}>${r.confusion[t]?.[p] ?? 0}</td>`)}
          </tr>`,
      )}
    </table>`;
  }

  private renderMisclassified(o: ClassifierTrainingOutcome) {
    if (!o.result.misclassified.length) return nothing;
    return html`<h2>${msg('Misclassified')}</h2>
      <div class="miss">
        ${o.result.misclassified.map(
          (m) =>
            html`<figure data-testid="misclassified">
              ${this.thumbs.get(m.id) ? html`<img src=${this.thumbs.get(m.id)!} alt=${m.truth} />` : nothing}
              <figcaption>${msg(str`${m.truth} → ${m.predicted}`)}</figcaption>
            </figure>`,
        )}
      </div>`;
  }

  override render() {
    const o = this.outcome;
    if (!o) return nothing;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const v = o.result.validation;
    const fire = (type: 'save' | 'discard') => this.dispatchEvent(new CustomEvent(type));
    return html`<h2>${msg('Result')}</h2>
      <div class="compare">
        <div>
          ${msg('New model')}
          <div class="score" data-testid="val-accuracy" data-value=${String(v.accuracy)}>${pct(v.accuracy)}</div>
          ${this.renderConfusion(v, o.labels)}
        </div>
        <div>
          ${msg('Current model, same captures')}
          <div class="score" data-testid="old-accuracy" data-value=${String(o.previous.accuracy)}>
            ${pct(o.previous.accuracy)}
          </div>
          ${this.renderConfusion(o.previous, o.labels)}
        </div>
      </div>
      <div class="note">
        ${msg(str`Validated on ${o.n.validation} captures the training did not use (${o.n.train} used for training); ${o.seconds.toFixed(1)} s.`)}
      </div>
      ${this.renderMisclassified(o)}
      ${renderSaveRow(
        this.saving,
        msg('Save as new version'),
        { save: 'save-model', discard: 'discard-model' },
        () => fire('save'),
        () => fire('discard'),
      )}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-classifier-result': CrackcamClassifierResult;
  }
}
