import { localized, msg, str } from '@lit/localize';
import * as tf from '@tensorflow/tfjs';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { DEFAULT_AUGMENT } from '../core/augment';
import type { BaseNetwork } from '../core/base';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { colouriseMap } from '../core/colormap';
import { MODEL_FORMAT_VERSION, type ModelMetadata } from '../core/metadata';
import { classificationReport, type ClassificationReport } from '../core/metrics';
import type { PreprocessingMode } from '../core/preprocess';
import { serializeModel } from '../core/model-writer';
import { planTraining, suggestViews, type TrainingStart } from '../core/training-plan';
import { trainHead, type EpochStats, type HeadTrainingResult } from '../core/trainer';
import { blobToTensor, captureSample, predictSamples } from '../platform/capture-samples';
import { CaptureStoreError, type CaptureRecord, type CaptureStore } from '../platform/capture-store';
import { filesReader, type ModelStore } from '../platform/model-store';
import './crackcam-normal-only-trainer';
import './crackcam-train-chart';
import { panelStyles, resultStyles } from './shared-styles';
import { ScreenWakeLock } from './wake-lock';

/** What the Train screen trains: a crack classifier (fine-tuning) or a normal-only (anomaly) model. */
export type TrainMode = 'classifier' | 'normal-only';

type Phase = 'idle' | 'features' | 'training' | 'scoring' | 'done' | 'saving' | 'saved' | 'cancelled' | 'error';

/** Hidden channels of a head trained from the base (as `npm run train`). */
const FRESH_HIDDEN = 64;

interface Outcome {
  result: HeadTrainingResult;
  labels: string[];
  old: ClassificationReport;
  start: TrainingStart;
  n: { train: number; validation: number };
  seconds: number;
  epochs: number;
  views: number;
  seed: number;
}

/**
 * The Train screen. Its mode choice picks what to train: a crack classifier (below), or a
 * normal-only (anomaly) model from the captures of one label (`crackcam-normal-only-trainer`, which
 * needs only the base, so it works whatever model is active).
 *
 * Classifier mode: on-device fine-tuning of the head on the stored captures with the shared core
 * trainer: start from the current model or from the base, seeded train/validation split, live
 * loss/accuracy curves, epoch and ETA, cancel at any time; the screen is kept awake while it runs.
 * The result screen compares the new model with the current one on the same validation captures (accuracy,
 * confusion matrix, misclassified captures); Save adds it to the model library as a new version
 * and makes it active.
 *
 * @fires model-saved - detail `{ id }` of the new model (either mode), after it was stored and activated (bubbles, composed).
 */
@localized()
@customElement('crackcam-trainer')
export class CrackcamTrainer extends LitElement {
  @property({ attribute: false }) captures?: CaptureStore;
  @property({ attribute: false }) models?: ModelStore;
  /** The active model: the base comes from it, and it is the starting point and the comparison. Not owned. */
  @property({ attribute: false }) classifier?: CrackClassifier;
  /** Library id of the active model. */
  @property() activeId = '';
  /** The active model is a one-class ("normal-only") model, which this screen cannot fine-tune. */
  @property({ type: Boolean }) normalOnly = false;
  /** The app's shared base, for normal-only training (which needs no classifier). Not owned. */
  @property({ attribute: false }) base?: BaseNetwork;
  /** Preprocessing the base runs with (the active model's). */
  @property() preprocessing?: PreprocessingMode;

  @state() private mode: TrainMode = 'classifier';
  @query('crackcam-normal-only-trainer') private normalOnlyTrainer?: HTMLElementTagNameMap['crackcam-normal-only-trainer'];

  @state() private phase: Phase = 'idle';
  @state() private start: TrainingStart = 'current';
  @state() private epochs = 10;
  @state() private seed = 42;
  @state() private history: EpochStats[] = [];
  @state() private features = { done: 0, total: 0 };
  @state() private eta = '';
  @state() private error = '';
  @state() private outcome?: Outcome;
  @state() private thumbs = new Map<string, string>();
  private abort?: AbortController;
  private readonly wakeLock = new ScreenWakeLock();

  static override styles = [
    panelStyles,
    resultStyles,
    css`
      .charts {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        padding: 0.5rem 0.8rem;
      }
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

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
    this.clearOutcome();
  }

  /** True while a run (of either mode) is in progress. */
  get running(): boolean {
    return this.phase === 'features' || this.phase === 'training' || this.phase === 'scoring' || (this.normalOnlyTrainer?.running ?? false);
  }

  /** Re-reads what the screen shows about the captures (their counts per label). */
  async refresh(): Promise<void> {
    await this.normalOnlyTrainer?.refresh();
  }

  private clearOutcome(): void {
    this.outcome?.result.head.dispose();
    this.outcome = undefined;
    this.thumbs.forEach((u) => URL.revokeObjectURL(u));
    this.thumbs = new Map();
  }

  private async train(): Promise<void> {
    const classifier = this.classifier;
    if (!classifier || !this.captures || this.running) return;
    this.clearOutcome();
    this.error = '';
    this.history = [];
    this.eta = '';
    this.features = { done: 0, total: 0 };
    const abort = new AbortController();
    this.abort = abort;
    const started = performance.now();
    let trainStarted = 0;
    await this.wakeLock.acquire();
    try {
      const all = await this.captures.list();
      const plan = planTraining(all, { start: this.start, modelLabels: classifier.labels, seed: this.seed, classOrder: await this.captures.classes() });
      const train = plan.train.map((c) => captureSample(c, plan.labels));
      const validation = plan.validation.map((c) => captureSample(c, plan.labels));
      const views = suggestViews(train.length, this.epochs);
      this.phase = 'features';
      const result = await trainHead({
        base: classifier.base,
        preprocessing: classifier.metadata.preprocessing,
        labels: plan.labels,
        train,
        validation,
        epochs: this.epochs,
        views,
        augment: DEFAULT_AUGMENT,
        initial: this.start === 'current' ? classifier.head : undefined,
        hidden: FRESH_HIDDEN,
        seed: this.seed,
        // Small feature batches keep each blocking step short, so the page stays responsive.
        featureBatch: 4,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === 'features') {
            this.features = { done: p.done, total: p.total };
          } else {
            if (this.phase !== 'training') return;
            this.history = [...this.history, p];
            const perEpoch = (performance.now() - trainStarted) / 1000 / p.epoch;
            this.eta = msg(str`about ${Math.ceil(perEpoch * (p.epochs - p.epoch))} s left`);
          }
          if (p.phase === 'features' && p.done === p.total) {
            this.phase = 'training';
            trainStarted = performance.now();
          }
        },
      });
      this.phase = 'scoring';
      const predictedOld = await predictSamples(classifier, validation, 8, abort.signal);
      const truth = plan.validation.map((c) => c.label);
      const old = classificationReport(plan.labels, truth, predictedOld);
      this.outcome = {
        result,
        labels: plan.labels,
        old,
        start: this.start,
        n: { train: train.length, validation: validation.length },
        seconds: (performance.now() - started) / 1000,
        epochs: this.epochs,
        views,
        seed: this.seed,
      };
      const byId = new Map(all.map((c) => [c.id, c] as [string, CaptureRecord]));
      try {
        this.thumbs = await this.misclassifiedHeatmaps(this.outcome, classifier, byId);
      } catch (e) {
        // Heatmaps are a help, not a result: fall back to the plain crops.
        console.warn('heatmaps of misclassified captures failed', e);
        this.thumbs = new Map(result.misclassified.flatMap((m) => (byId.has(m.id) ? [[m.id, URL.createObjectURL(byId.get(m.id)!.crop)] as [string, string]] : [])));
      }
      this.phase = 'done';
    } catch (e) {
      if (abort.signal.aborted) {
        this.phase = 'cancelled';
      } else {
        this.phase = 'error';
        this.error = (e as Error).message;
      }
    } finally {
      this.abort = undefined;
      await this.wakeLock.release();
    }
  }

  /** Cancels a running training of either mode (the active model stays). */
  cancel(): void {
    this.abort?.abort();
    this.normalOnlyTrainer?.cancel();
  }

  /** Metadata of the trained model: the next version of the current one. */
  private metadataFor(o: Outcome, classifier: CrackClassifier): ModelMetadata {
    const prev = classifier.metadata;
    return {
      formatVersion: MODEL_FORMAT_VERSION,
      kind: 'classifier',
      name: prev.name,
      version: prev.version + 1,
      labels: o.labels,
      inputSize: prev.inputSize,
      preprocessing: prev.preprocessing,
      base: prev.base,
      createdAt: new Date().toISOString(),
      training: {
        tool: 'crackcam app',
        mode: 'head',
        start: o.start === 'current' ? { from: prev.name, version: prev.version } : 'base',
        n: o.n,
        epochs: o.epochs,
        views: o.views,
        seed: o.seed,
        augment: DEFAULT_AUGMENT,
        valAccuracy: o.result.validation.accuracy,
        previousValAccuracy: o.old.accuracy,
        history: o.result.history.map(({ phase: _phase, ...h }) => h),
        backend: tf.getBackend(),
        seconds: o.seconds,
      },
    };
  }

  /**
   * Heatmaps of the misclassified captures under the new model (Grad-CAM of `crack` when the model
   * has it, else of the predicted class), drawn over the crop at opacity 0.5 as in the live view.
   */
  private async misclassifiedHeatmaps(o: Outcome, classifier: CrackClassifier, captures: Map<string, CaptureRecord>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const misses = o.result.misclassified.filter((m) => captures.has(m.id)).slice(0, 24);
    if (misses.length === 0) return out;
    const files = await serializeModel(o.result.head, this.metadataFor(o, classifier));
    const trained = await loadCrackClassifier({ reader: filesReader(files), modelJson: 'model:model.json', base: classifier.base });
    try {
      const camClass = trained.labels.includes('crack') ? 'crack' : 'predicted';
      for (const m of misses) {
        const crop = captures.get(m.id)!.crop;
        const pixels = await blobToTensor(crop);
        const r = await trained.classify(pixels, { camClass });
        pixels.dispose();
        const bitmap = await createImageBitmap(crop);
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0);
        bitmap.close();
        const map = new OffscreenCanvas(r.camWidth, r.camHeight);
        const image = new ImageData(r.camWidth, r.camHeight);
        colouriseMap(r.cam, image.data, 1);
        map.getContext('2d')!.putImageData(image, 0, 0);
        ctx.globalAlpha = 0.5;
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(map, 0, 0, canvas.width, canvas.height);
        out.set(m.id, URL.createObjectURL(await canvas.convertToBlob({ type: 'image/png' })));
      }
    } finally {
      trained.dispose();
    }
    return out;
  }

  private async save(): Promise<void> {
    const o = this.outcome;
    const classifier = this.classifier;
    if (!o || !classifier || !this.models) return;
    this.phase = 'saving';
    try {
      const metadata = this.metadataFor(o, classifier);
      const files = await serializeModel(o.result.head, metadata);
      const saved = await this.models.save(files, { origin: 'trained', parentId: this.activeId || undefined });
      this.phase = 'saved';
      this.clearOutcome();
      this.dispatchEvent(new CustomEvent('model-saved', { detail: { id: saved.id }, bubbles: true, composed: true }));
    } catch (e) {
      this.phase = 'done';
      this.error = e instanceof CaptureStoreError ? e.message : (e as Error).message;
    }
  }

  private discard(): void {
    this.clearOutcome();
    this.phase = 'idle';
  }

  private renderConfusion(r: ClassificationReport, labels: string[]) {
    return html`<table data-testid="confusion">
      <tr>
        <th>${msg('true \\ predicted')}</th>
        ${labels.map((l) => html`<th>${l}</th>`)}
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

  private renderResult() {
    const o = this.outcome;
    if (!o) return nothing;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const v = o.result.validation;
    return html`<h2>${msg('Result')}</h2>
      <div class="compare">
        <div>
          ${msg('New model')}
          <div class="score" data-testid="val-accuracy" data-value=${String(v.accuracy)}>${pct(v.accuracy)}</div>
          ${this.renderConfusion(v, o.labels)}
        </div>
        <div>
          ${msg('Current model, same captures')}
          <div class="score" data-testid="old-accuracy" data-value=${String(o.old.accuracy)}>${pct(o.old.accuracy)}</div>
          ${this.renderConfusion(o.old, o.labels)}
        </div>
      </div>
      <div class="note">
        ${msg(str`Validated on ${o.n.validation} captures the training did not use (${o.n.train} used for training); ${o.seconds.toFixed(1)} s.`)}
      </div>
      ${o.result.misclassified.length
        ? html`<h2>${msg('Misclassified')}</h2>
            <div class="miss">
              ${o.result.misclassified.map(
                (m) =>
                  html`<figure data-testid="misclassified">
                    ${this.thumbs.get(m.id) ? html`<img src=${this.thumbs.get(m.id)!} alt=${m.truth} />` : nothing}
                    <figcaption>${msg(str`${m.truth} → ${m.predicted}`)}</figcaption>
                  </figure>`,
              )}
            </div>`
        : nothing}
      <div class="row">
        <button class="primary" data-testid="save-model" ?disabled=${this.phase === 'saving'} @click=${this.save}>${msg('Save as new version')}</button>
        <button data-testid="discard-model" @click=${this.discard}>${msg('Discard')}</button>
      </div>`;
  }

  override render() {
    const busy = this.running;
    // The normal-only trainer stays connected in both modes, so its finished result survives a look at the other mode.
    return html`
      <h2>${msg('Teach the model')}</h2>
      <div class="row">
        <label>
          ${msg('Model type')}
          <select data-testid="train-mode" ?disabled=${busy} @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as TrainMode)}>
            <option value="classifier" ?selected=${this.mode === 'classifier'}>${msg('Crack classifier', { desc: 'mode badge: the crack / no-crack classifier runs' })}</option>
            <option value="normal-only" ?selected=${this.mode === 'normal-only'}>
              ${msg('Normal-only (anomaly)', { desc: 'mode badge: a one-class model trained on sound surface only flags anomalies' })}
            </option>
          </select>
        </label>
      </div>
      <div ?hidden=${this.mode !== 'normal-only'}>
        <crackcam-normal-only-trainer
          @running-changed=${() => this.requestUpdate()}
          .captures=${this.captures}
          .models=${this.models}
          .base=${this.base}
          .preprocessing=${this.preprocessing}
          .activeId=${this.activeId}
        ></crackcam-normal-only-trainer>
      </div>
      ${this.mode === 'classifier' ? this.renderClassifier() : nothing}
    `;
  }

  private renderClassifier() {
    const h = this.history;
    const running = this.running;
    const status =
      this.phase === 'features'
        ? msg(str`Reading captures ${this.features.done} / ${this.features.total}`)
        : this.phase === 'training'
          ? msg(str`Epoch ${h.length} / ${this.epochs}`) + (this.eta ? ` · ${this.eta}` : '')
          : this.phase === 'scoring'
            ? msg('Scoring the current model…')
            : this.phase === 'cancelled'
              ? msg('Cancelled; the active model is unchanged.')
              : this.phase === 'saved'
                ? msg('Saved and activated.')
                : this.phase === 'done'
                  ? msg('Done: review and save.')
                  : '';
    return html`
      <div class="note">
        ${msg('Fine-tunes the classifier on your captures. The model in use only changes when you save the result.')}
      </div>
      ${this.normalOnly
        ? html`<div class="note" data-testid="train-normal-only">
            ${msg('The active model is a normal-only (anomaly) model. To fine-tune a classifier, make a crack classifier active on the Models screen; normal-only training works with any model.')}
          </div>`
        : nothing}
      <div class="row">
        <label>
          ${msg('Start from')}
          <select data-testid="train-start-from" ?disabled=${running} @change=${(e: Event) => (this.start = (e.target as HTMLSelectElement).value as TrainingStart)}>
            <option value="current" ?selected=${this.start === 'current'}>${msg(str`current model (${this.classifier?.metadata.name ?? ''} v${this.classifier?.metadata.version ?? ''})`)}</option>
            <option value="base" ?selected=${this.start === 'base'}>${msg('the base (new classes)')}</option>
          </select>
        </label>
        <label
          >${msg('Epochs')}
          <input type="number" min="1" max="100" data-testid="train-epochs" .value=${String(this.epochs)} ?disabled=${running} @change=${(e: Event) => (this.epochs = Math.max(1, Math.min(100, Math.round(Number((e.target as HTMLInputElement).value)) || 1)))}
        /></label>
        <label
          >${msg('Seed')}
          <input type="number" data-testid="train-seed" .value=${String(this.seed)} ?disabled=${running} @change=${(e: Event) => (this.seed = Math.round(Number((e.target as HTMLInputElement).value)) || 0)}
        /></label>
        ${running
          ? html`<button class="danger" data-testid="train-cancel" @click=${this.cancel}>${msg('Cancel')}</button>`
          : html`<button class="primary" data-testid="train-start" ?disabled=${!this.classifier || !this.captures} @click=${this.train}>${msg('Train')}</button>`}
      </div>
      <div class="row" role="status" aria-live="polite" data-testid="train-status" data-phase=${this.phase}>
        ${this.phase === 'features' ? html`<progress max=${this.features.total} value=${this.features.done}></progress>` : nothing} ${status}
      </div>
      ${this.error ? html`<div class="error" role="alert" data-testid="train-error">${this.error}</div>` : nothing}
      ${h.length
        ? html`<div class="charts">
            <crackcam-train-chart
              heading=${msg('Loss')}
              .series=${[
                { label: msg('train'), color: '#42a5f5', values: h.map((e) => e.trainLoss) },
                { label: msg('validation'), color: '#ffb300', values: h.map((e) => e.valLoss) },
              ]}
            ></crackcam-train-chart>
            <crackcam-train-chart
              heading=${msg('Accuracy')}
              .range=${[0, 1] as [number, number]}
              .series=${[
                { label: msg('train'), color: '#42a5f5', values: h.map((e) => e.trainAccuracy) },
                { label: msg('validation'), color: '#ffb300', values: h.map((e) => e.valAccuracy) },
              ]}
            ></crackcam-train-chart>
          </div>`
        : nothing}
      ${this.phase === 'done' || this.phase === 'saving' ? this.renderResult() : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-trainer': CrackcamTrainer;
  }
}
