import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { BaseNetwork } from '../core/base';
import { serializeOneClassModel } from '../core/oneclass';
import type { PreprocessingMode } from '../core/preprocess';
import { blobToTensor, captureSample } from '../platform/capture-samples';
import type { CaptureStore } from '../platform/capture-store';
import type { ModelStore } from '../platform/model-store';
import { MIN_NORMAL_CAPTURES, trainNormalOnly, type NormalOnlyOutcome } from '../platform/normal-only-training';
import { panelStyles, resultStyles } from './shared-styles';
import {
  endedStatus,
  renderRunButton,
  renderRunStatus,
  renderSaveRow,
  saveTrainedModel,
  TrainingRun,
  type TrainerTestIds,
} from './training-run';
import { classDisplayName } from './class-names';

type Phase = 'idle' | 'features' | 'fit' | 'scoring' | 'done' | 'saving' | 'saved' | 'cancelled' | 'error';

/** Label of the normal captures unless the user picks another. */
const DEFAULT_NORMAL_LABEL = 'nocrack';
/** Model name unless the user types another. */
const DEFAULT_NAME = 'site-normal';
/** Test ids of the controls. */
const IDS: TrainerTestIds = { start: 'oc-start', cancel: 'oc-cancel', status: 'oc-status', error: 'oc-error' };

/**
 * Normal-only ("anomaly") training on the device: learns what sound surface looks like from the
 * captures of one label (default `nocrack`) with the core one-class trainer on the shared base, so
 * it works whatever model is active. The threshold is set from the normal captures' held-out scores
 * at a chosen false-alarm rate. Live progress (features, fitting, scoring), cancel at any time, the
 * screen kept awake. The result screen evaluates the model on the captures of the other labels
 * (AUROC, detection and false-alarm rates at the threshold); Save adds it to the model library as
 * the CLI would write it and makes it active.
 *
 * @fires model-saved - detail `{ id }` of the new model, after it was stored and activated (bubbles, composed).
 * @fires running-changed - when a run starts or ends (see `running`), so a host can lock its own controls (does not bubble).
 */
@localized()
@customElement('crackcam-normal-only-trainer')
export class CrackcamNormalOnlyTrainer extends LitElement {
  @property({ attribute: false }) captures?: CaptureStore;
  @property({ attribute: false }) models?: ModelStore;
  /** The app's shared base network (not owned). */
  @property({ attribute: false }) base?: BaseNetwork;
  /** Preprocessing the base runs with (the active model's). */
  @property() preprocessing?: PreprocessingMode;
  /** Library id of the active model (the new model's parent). */
  @property() activeId = '';

  @state() private label = DEFAULT_NORMAL_LABEL;
  @state() private falseAlarmPercent = 5;
  @state() private name = DEFAULT_NAME;
  @state() private counts: Record<string, number> = {};
  @state() private phase: Phase = 'idle';
  @state() private progress = { done: 0, total: 0 };
  @state() private error = '';
  /** Ends a run or a save in `phase`, with an error message if there is one. */
  private readonly end = (phase: Phase, error?: string): void => {
    this.phase = phase;
    if (error !== undefined) this.error = error;
  };
  @state() private outcome?: NormalOnlyOutcome;
  private readonly runner = new TrainingRun();

  static override styles = [
    panelStyles,
    resultStyles,
    css`
      input[type='text'] {
        width: 10rem;
      }
      .figures {
        display: flex;
        flex-wrap: wrap;
        gap: 1.5rem;
        padding: 0.3rem 0.8rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.runner.cancel();
    this.clearOutcome();
  }

  /** True while a run is in progress. */
  get running(): boolean {
    return this.phase === 'features' || this.phase === 'fit' || this.phase === 'scoring';
  }

  /** Re-reads the capture counts per label (after captures were added, moved or deleted). */
  async refresh(): Promise<void> {
    if (this.captures) this.counts = await this.captures.counts();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('captures')) void this.refresh();
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('phase')) return;
    const before = changed.get('phase') as Phase | undefined;
    const wasRunning = before === 'features' || before === 'fit' || before === 'scoring';
    if (wasRunning !== this.running)
      this.dispatchEvent(new CustomEvent('running-changed', { detail: { running: this.running } }));
  }

  /** Cancels a running training (the active model stays). */
  cancel(): void {
    this.runner.cancel();
  }

  private clearOutcome(): void {
    this.outcome?.model.dispose();
    this.outcome = undefined;
  }

  /** Next free version for a model name in the library. */
  private async nextVersion(name: string): Promise<number> {
    const same = (await this.models?.list())?.filter((m) => m.name === name) ?? [];
    return Math.max(0, ...same.map((m) => m.version)) + 1;
  }

  private async train(): Promise<void> {
    const { base, captures, preprocessing } = this;
    if (!base || !captures || !preprocessing || this.running) return;
    this.clearOutcome();
    this.error = '';
    this.progress = { done: 0, total: 0 };
    // Marked running before the first await, so a second tap cannot start a second run; the run (and
    // its abort signal) starts at once too, so that Cancel counts while the captures are read.
    this.phase = 'features';
    await this.runner.run(async (signal) => {
      const all = await captures.list();
      this.counts = await captures.counts();
      signal.throwIfAborted();
      const label = this.label;
      const normal = all.filter((c) => c.label === label);
      if (normal.length < MIN_NORMAL_CAPTURES) {
        this.phase = 'error';
        this.error = msg(
          str`Normal-only training needs at least ${MIN_NORMAL_CAPTURES} captures of ${classDisplayName(label)}; there are ${normal.length}. Capture or import more photos of sound surface.`,
        );
        return;
      }
      this.progress = { done: 0, total: normal.length };
      const name = this.name.trim() || DEFAULT_NAME;
      this.outcome = await trainNormalOnly({
        base,
        preprocessing,
        normal: normal.map((c) => captureSample(c, [label])),
        normalLabel: label,
        others: all
          .filter((c) => c.label !== label)
          .map((c) => ({ id: c.id, label: c.label, load: () => blobToTensor(c.crop) })),
        falseAlarmRate: this.falseAlarmPercent / 100,
        name,
        version: await this.nextVersion(name),
        // Small feature batches keep each blocking step short, so the page stays responsive.
        featureBatch: 4,
        signal,
        onProgress: (p) => {
          if (signal.aborted) return;
          this.phase = p.phase;
          this.progress = p.phase === 'fit' ? { done: p.fold, total: p.folds } : { done: p.done, total: p.total };
        },
      });
      this.phase = 'done';
    }, this.end);
  }

  private async save(): Promise<void> {
    const o = this.outcome;
    if (!o || !this.models) return;
    this.phase = 'saving';
    await saveTrainedModel(
      this,
      this.models,
      () => serializeOneClassModel(o.model.scorer, o.metadata),
      this.activeId,
      this.end,
      () => this.clearOutcome(),
    );
  }

  private discard(): void {
    this.clearOutcome();
    this.phase = 'idle';
  }

  private renderResult() {
    const o = this.outcome;
    if (!o) return nothing;
    const e = o.evaluation;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const fpr = o.metadata.oneClass?.falseAlarmRate ?? 0;
    const falseAlarms = Math.round(e.falseAlarmRate * e.nNormal);
    const labels = Object.keys(e.perLabel).sort();
    return html`<h2>${msg('Result')}</h2>
      <div class="note">
        ${msg(str`Threshold ${e.threshold.toFixed(1)}, set for ${pct(fpr)} false alarms on the ${e.nNormal} captures of ${this.label}; ${o.seconds.toFixed(1)} s.`)}
      </div>
      <div class="figures">
        ${
          e.auroc === undefined
            ? nothing
            : html`<div>
                ${msg('AUROC')}
                <div class="score" data-testid="oc-auroc" data-value=${String(e.auroc)}>${e.auroc.toFixed(3)}</div>
              </div>`
        }
        ${
          e.nAbnormal > 0
            ? html`<div>
                ${msg('Detected')}
                <div class="score" data-testid="oc-detection" data-value=${String(e.detectionRate)}>
                  ${pct(e.detectionRate)}
                </div>
              </div>`
            : nothing
        }
        <div>
          ${msg('False alarms')}
          <div class="score" data-testid="oc-false-alarms" data-value=${String(e.falseAlarmRate)}>
            ${pct(e.falseAlarmRate)}
          </div>
        </div>
      </div>
      <table data-testid="oc-evaluation">
        <tr>
          <th>${msg('label')}</th>
          <th>${msg('captures')}</th>
          <th>${msg('above the threshold')}</th>
        </tr>
        <tr data-label=${this.label}>
          <th>${msg(str`${this.label} (held out)`)}</th>
          <td>${e.nNormal}</td>
          <td>${falseAlarms} (${pct(e.falseAlarmRate)})</td>
        </tr>
        ${labels.map(
          (l) =>
            html`<tr data-label=${l}>
              <th>${classDisplayName(l)}</th>
              <td>${e.perLabel[l].n}</td>
              <td>${e.perLabel[l].flagged} (${pct(e.perLabel[l].flagged / e.perLabel[l].n)})</td>
            </tr>`,
        )}
      </table>
      <div class="note">
        ${
          labels.length
            ? msg(
                'Normal captures are scored by models fitted without them (cross-validation); the other captures by the new model.',
              )
            : msg(
                'No captures of other labels: add a few captures of cracks to see how well the model tells them apart.',
              )
        }
      </div>
      ${renderSaveRow(
        this.phase === 'saving',
        msg('Save as new model'),
        { save: 'oc-save', discard: 'oc-discard' },
        () => void this.save(),
        () => this.discard(),
      )}`;
  }

  override render() {
    const running = this.running;
    const { done, total } = this.progress;
    const status =
      this.phase === 'features'
        ? msg(str`Reading captures ${done} / ${total}`)
        : this.phase === 'fit'
          ? msg(str`Fitting the model of normal surface ${done} / ${total}`)
          : this.phase === 'scoring'
            ? msg(str`Scoring the other captures ${done} / ${total}`)
            : endedStatus(this.phase);
    const labels = Object.keys(this.counts).includes(this.label)
      ? Object.keys(this.counts)
      : [this.label, ...Object.keys(this.counts)];
    return html`
      <div class="note">
        ${msg(
          str`Learns what sound surface looks like from at least ${MIN_NORMAL_CAPTURES} captures of one label and flags anything unlike it. Works whatever model is active; the model in use only changes when you save the result.`,
        )}
      </div>
      <div class="row">
        <label>
          ${msg('Normal captures')}
          <select
            data-testid="oc-label"
            ?disabled=${running}
            @change=${(e: Event) => (this.label = (e.target as HTMLSelectElement).value)}
          >
            ${labels.map((l) => html`<option value=${l} ?selected=${l === this.label}>${classDisplayName(l)} (${this.counts[l] ?? 0})</option>`)}
          </select>
        </label>
        <label
          >${msg('False alarms %')}
          <input
            type="number"
            min="0.5"
            max="50"
            step="0.5"
            data-testid="oc-fpr"
            .value=${String(this.falseAlarmPercent)}
            ?disabled=${running}
            @change=${(e: Event) => (this.falseAlarmPercent = Math.max(0.5, Math.min(50, Number((e.target as HTMLInputElement).value) || 5)))}
        /></label>
        <label
          >${msg('Name')}
          <input
            type="text"
            data-testid="oc-name"
            maxlength="60"
            .value=${this.name}
            ?disabled=${running}
            @change=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
        /></label>
        ${renderRunButton(
          running,
          !!this.base && !!this.captures && !!this.preprocessing,
          IDS,
          () => void this.train(),
          () => this.cancel(),
        )}
      </div>
      ${renderRunStatus(this.phase, status, running ? this.progress : undefined, this.error, IDS)}
      ${this.phase === 'done' || this.phase === 'saving' ? this.renderResult() : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-normal-only-trainer': CrackcamNormalOnlyTrainer;
  }
}
