import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import {
  CONDITION_STATES,
  DEFECT_TYPES,
  ORIENTATIONS,
  type ConditionState,
  type DefectType,
  type FindingFields,
  type FindingPatch,
  type Orientation,
} from '../core/finding';
import type { WidthHistoryPoint } from '../core/width-change';
import { historyChanged } from './width-history-changed';
import type { MeasureOutcome } from '../platform/measure-finding';
import { conditionStateLabel, defectTypeLabel, orientationLabel } from './finding-labels';
import { panelStyles } from './shared-styles';
import { earlierChoiceText } from './width-change-labels';
import './crackcam-finding-measurement';

/** `detail` of the `finding-edit` event. */
export interface FindingEditDetail {
  id: string;
  patch: FindingPatch;
}

/**
 * The edit form of one finding: its crack measurement (with *Measure width*), defect type,
 * orientation, AASHTO condition state (each with its wording), structure and element/member, the
 * earlier finding of the same defect (to follow its width over inspections, with a chart of the
 * widths once there are two), notes. Shown after a finding is saved and from the list.
 *
 * Test hooks: `finding-type`, `finding-orientation`, `finding-earlier` (selects), `finding-state` (radios, value 1-4),
 * `finding-structure`, `finding-element` (inputs), `finding-notes`, `finding-form-save`,
 * `finding-form-cancel`.
 *
 * @fires finding-edit - {@link FindingEditDetail}: the finding's id and the fields as entered.
 * @fires finding-edit-cancel - closed without saving.
 * @fires finding-measure - detail: the finding's id; asks for its width to be measured.
 */
@localized()
@customElement('crackcam-finding-form')
export class CrackcamFindingForm extends LitElement {
  @property({ attribute: false }) fields?: FindingFields;
  /** An error to show above the buttons (e.g. the save failed). */
  @property() error = '';
  /** While the width is being measured. */
  @property({ type: Boolean }) measuring = false;
  /** What the last measurement of this finding gave, and a measurement error. */
  @property({ attribute: false }) measureOutcome?: MeasureOutcome;
  @property() measureError = '';
  /** The findings this one may name as its earlier record of the same defect, newest first. */
  @property({ attribute: false }) earlierChoices: readonly FindingFields[] = [];
  /** The measured widths of this finding's defect over its records, oldest first (a chart from two on). */
  @property({ attribute: false, hasChanged: historyChanged }) history: readonly WidthHistoryPoint[] = [];

  static override styles = [
    panelStyles,
    css`
      form {
        display: grid;
        gap: 0.5rem;
        padding: 0.5rem 0.8rem;
      }
      fieldset {
        border: 1px solid #546e7a;
        border-radius: 0.3rem;
      }
      .state {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        padding: 0.2rem 0;
      }
      .meaning {
        opacity: 0.8;
        font-size: 0.9rem;
      }
      textarea {
        font: inherit;
        min-height: 4rem;
        background: #37474f;
        color: #fff;
        border: 1px solid #90a4ae;
        border-radius: 0.4rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The chart (uPlot) is loaded once there is a history to chart: the live screen's form is in the
    // shell's first bundle, which should not carry it. Without it the form works, uncharted.
    if (!changed.has('history') || this.history.length < 2) return;
    import('./crackcam-width-history').catch(() => undefined);
  }

  private onSubmit(e: SubmitEvent): void {
    e.preventDefault();
    const fields = this.fields;
    if (!fields) return;
    const data = new FormData(e.target as HTMLFormElement);
    const text = (key: string) => String(data.get(key) ?? '');
    const state = data.get('state');
    const orientation = text('orientation');
    const earlier = text('earlier');
    const patch: FindingPatch = {
      defectType: text('type') as DefectType,
      orientation: orientation ? (orientation as Orientation) : undefined,
      conditionState: state === null ? undefined : (Number(state) as ConditionState),
      notes: text('notes'),
      earlierFindingId: earlier ? earlier : undefined,
      context: { ...fields.context, structure: text('structure').trim(), element: text('element').trim() },
    };
    this.dispatchEvent(
      new CustomEvent<FindingEditDetail>('finding-edit', {
        detail: { id: fields.id, patch },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private onMeasure(e: Event): void {
    e.stopPropagation();
    const id = this.fields?.id;
    if (id)
      this.dispatchEvent(new CustomEvent<string>('finding-measure', { detail: id, bubbles: true, composed: true }));
  }

  private renderStates(current: ConditionState | undefined) {
    return html`<fieldset>
      <legend>${msg('Condition state (AASHTO)')}</legend>
      ${CONDITION_STATES.map((s) => {
        const { name, meaning } = conditionStateLabel(s);
        return html`<label class="state">
          <input type="radio" name="state" value=${s} data-testid="finding-state" .checked=${s === current} />
          <span><strong>${s} ${name}</strong> <span class="meaning">${meaning}</span></span>
        </label>`;
      })}
    </fieldset>`;
  }

  private renderEarlier(f: FindingFields) {
    const current = f.earlierFindingId;
    const known = this.earlierChoices.some((c) => c.id === current);
    return html`<label
      >${msg('Same crack as an earlier finding')}
      <select name="earlier" data-testid="finding-earlier">
        <option value="" .selected=${!current}>${msg('None: first record of this defect')}</option>
        ${
          current && !known
            ? html`<option value=${current} selected>${msg('A finding not on this device')}</option>`
            : nothing
        }
        ${this.earlierChoices.map(
          (c) => html`<option value=${c.id} .selected=${c.id === current}>${earlierChoiceText(c)}</option>`,
        )}
      </select></label
    >`;
  }

  override render() {
    const f = this.fields;
    if (!f) return nothing;
    return html`<form @submit=${this.onSubmit} aria-label=${msg('Finding details')}>
      <crackcam-finding-measurement
        .measurement=${f.measurement}
        .outcome=${this.measureOutcome}
        .error=${this.measureError}
        ?measuring=${this.measuring}
        @finding-measure=${this.onMeasure}
      ></crackcam-finding-measurement>
      <label
        >${msg('Defect type')}
        <select name="type" data-testid="finding-type">
          ${DEFECT_TYPES.map((t) => html`<option value=${t} .selected=${t === f.defectType}>${defectTypeLabel(t)}</option>`)}
        </select></label
      >
      <label
        >${msg('Orientation')}
        <select name="orientation" data-testid="finding-orientation">
          <option value="" .selected=${!f.orientation}>${msg('Not set')}</option>
          ${ORIENTATIONS.map((o) => html`<option value=${o} .selected=${o === f.orientation}>${orientationLabel(o)}</option>`)}
        </select></label
      >
      ${this.renderStates(f.conditionState)}
      <label
        >${msg('Structure')}
        <input name="structure" type="text" maxlength="200" data-testid="finding-structure" .value=${f.context.structure}
      /></label>
      <label
        >${msg('Element / member')}
        <input name="element" type="text" maxlength="200" data-testid="finding-element" .value=${f.context.element}
      /></label>
      <crackcam-width-history .points=${this.history}></crackcam-width-history>
      ${this.renderEarlier(f)}
      <label
        >${msg('Notes')}
        <textarea name="notes" maxlength="4000" data-testid="finding-notes" .value=${f.notes}></textarea>
      </label>
      ${this.error ? html`<div class="error" role="alert" data-testid="finding-form-error">${this.error}</div>` : nothing}
      <div class="actions">
        <button class="primary" type="submit" data-testid="finding-form-save">${msg('Save details')}</button>
        <button
          type="button"
          data-testid="finding-form-cancel"
          @click=${() => this.dispatchEvent(new CustomEvent('finding-edit-cancel', { bubbles: true, composed: true }))}
        >
          ${msg('Close')}
        </button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-finding-form': CrackcamFindingForm;
  }
}
