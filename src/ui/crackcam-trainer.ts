import { localized, msg, str } from '@lit/localize';
import * as tf from '@tensorflow/tfjs';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { DEFAULT_AUGMENT } from '../core/augment';
import type { BaseNetwork } from '../core/base';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { colouriseMap } from '../core/colormap';
import { DEFAULT_DEEP_MODULES, lastFires, trunkFires, trunkInputLayer } from '../core/head';
import { MODEL_FORMAT_VERSION, type ModelMetadata } from '../core/metadata';
import { classificationReport, type ClassificationReport } from '../core/metrics';
import type { PreprocessingMode } from '../core/preprocess';
import { serializeModel } from '../core/model-writer';
import { capViewsToMemory, FEATURE_CACHE_BUDGET, planTraining, suggestViews, type FeatureCachePlan, type TrainingStart } from '../core/training-plan';
import { trainedBaseReference, trainHead, type EpochStats, type HeadTrainingResult, type TrainingMode, type TrainingProgress, type WatchedCam } from '../core/trainer';
import type { BackendName } from '../platform/backend';
import { blobToTensor, captureSample, predictSamples, wireSample } from '../platform/capture-samples';
import { TrainingWorker, WorkerStartError } from '../platform/training-client';
import type { WireTrainingOptions } from '../platform/training-protocol';
import type { CaptureRecord, CaptureStore } from '../platform/capture-store';
import { filesReader, type ModelStore } from '../platform/model-store';
import './crackcam-activation-map';
import './crackcam-normal-only-trainer';
import './crackcam-train-chart';
import { panelStyles, resultStyles } from './shared-styles';
import { endedStatus, renderRunButton, renderRunStatus, renderSaveRow, saveTrainedModel, TrainingRun, type TrainerTestIds } from './training-run';

/** What the Train screen trains: a crack classifier (fine-tuning) or a normal-only (anomaly) model. */
export type TrainMode = 'classifier' | 'normal-only';

type Phase = 'idle' | 'features' | 'training' | 'scoring' | 'done' | 'saving' | 'saved' | 'cancelled' | 'error';

/** Hidden channels of a head trained from the base (as `npm run train`). */
const FRESH_HIDDEN = 64;

/**
 * Captures per optimiser step: the seed's 100 for head training (a step on cached features is
 * cheap); 8 in deep mode, where a step through fire8 and fire9 costs about 0.2 s per capture on WASM: it keeps
 * a step short (for cancelling, the activation map and the page when training runs there) and the
 * step's activations small on a phone.
 */
const BATCH = { head: 100, deep: 8 } as const satisfies Record<TrainingMode, number>;

/** Captures per label offered for the activation map (a short strip of thumbnails, not the library). */
const WATCH_CHOICES_PER_LABEL = 12;

/** Test ids of the classifier mode's controls. */
const IDS: TrainerTestIds = { start: 'train-start', cancel: 'train-cancel', status: 'train-status', error: 'train-error' };

/** A capture offered for the activation map. */
interface WatchChoice {
  id: string;
  label: string;
  /** Object URL of its crop (revoked when the list is re-read). */
  url: string;
}

/** The watched capture's map after an epoch, with the labels of that run. */
interface WatchedState {
  epoch: number;
  cam: WatchedCam;
  labels: readonly string[];
}

interface Outcome {
  result: HeadTrainingResult;
  labels: string[];
  old: ClassificationReport;
  start: TrainingStart;
  /** The mode chosen; `result.mode` is the model's (deep whenever it has fire module copies). */
  trainingMode: TrainingMode;
  n: { train: number; validation: number };
  batchSize: number;
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
 * trainer, in a background worker (`training-worker.ts`; in the page when `trainIn` is 'page' or
 * the worker cannot start): start from the current model or from the base, seeded train/validation split, live
 * loss/accuracy curves, epoch and ETA, cancel at any time; the screen is kept awake while it runs.
 * Training mode: head only (fast), or deep (also fine-tunes copies of fire8 and fire9 on cached fire7 maps; its
 * views are capped so the cached maps stay within {@link FEATURE_CACHE_BUDGET}). One chosen capture's
 * Grad-CAM is redrawn after every epoch (`crackcam-activation-map`).
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
  /** Where classifier training runs: a background worker (default, falls back to the page) or the page. */
  @property() trainIn: 'worker' | 'page' = 'worker';

  @state() private mode: TrainMode = 'classifier';
  @query('crackcam-normal-only-trainer') private normalOnlyTrainer?: HTMLElementTagNameMap['crackcam-normal-only-trainer'];

  @state() private phase: Phase = 'idle';
  @state() private start: TrainingStart = 'current';
  @state() private trainingMode: TrainingMode = 'head';
  /** Captures offered for the activation map, and the chosen one's id. */
  @state() private watchChoices: WatchChoice[] = [];
  @state() private watchId = '';
  /** Captures in the store (for the deep-mode memory estimate). */
  @state() private captureCount = 0;
  @state() private watched?: WatchedState;
  /** Increases per run, so each run gets a fresh activation map (its draw count starts at 0). */
  @state() private runId = 0;
  @query('crackcam-activation-map') private activationMap?: HTMLElementTagNameMap['crackcam-activation-map'];
  @state() private epochs = 10;
  @state() private seed = 42;
  @state() private history: EpochStats[] = [];
  @state() private features = { done: 0, total: 0 };
  @state() private eta = '';
  /** Where the last run trained (worker and its backend, or the page). */
  @state() private ranIn = '';
  /** Tensors the worker's last run left behind (0 unless it leaks; shown as a data attribute for the tests); -1 before one. */
  @state() private workerTensorGrowth = -1;
  private worker?: TrainingWorker;
  @state() private error = '';
  /** Ends a run or a save in `phase`, with an error message if there is one. */
  private readonly end = (phase: Phase, error?: string): void => {
    this.phase = phase;
    if (error !== undefined) this.error = error;
  };
  @state() private outcome?: Outcome;
  @state() private thumbs = new Map<string, string>();
  private readonly runner = new TrainingRun();

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
      .watch {
        display: flex;
        flex-wrap: wrap;
        gap: 0.8rem;
        align-items: flex-start;
        padding: 0.3rem 0.8rem;
      }
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3rem;
        max-width: 30rem;
        max-height: 12rem;
        overflow: auto;
      }
      .choices button {
        padding: 0.15rem;
        min-height: 0;
        line-height: 0;
      }
      .choices button[aria-checked='true'] {
        outline: 3px solid #42a5f5;
        outline-offset: 1px;
      }
      .choices img {
        width: 3rem;
        height: 3rem;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.runner.cancel();
    this.worker?.terminate();
    this.worker = undefined;
    this.clearOutcome();
    this.watchChoices.forEach((c) => URL.revokeObjectURL(c.url));
    this.watchChoices = [];
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('captures')) void this.readWatchChoices();
  }

  /** True while a run (of either mode) is in progress. */
  get running(): boolean {
    return this.phase === 'features' || this.phase === 'training' || this.phase === 'scoring' || (this.normalOnlyTrainer?.running ?? false);
  }

  /** Re-reads what the screen shows about the captures (their counts per label). */
  async refresh(): Promise<void> {
    await Promise.all([this.normalOnlyTrainer?.refresh(), this.readWatchChoices()]);
  }

  /**
   * Re-reads the captures offered for the activation map (a few per label, in the store's order)
   * and keeps the chosen one if it is still there, else picks the first `crack` capture.
   */
  private async readWatchChoices(): Promise<void> {
    if (!this.captures || this.running) return;
    const all = await this.captures.list();
    const perLabel = new Map<string, number>();
    const picked = all.filter((c) => {
      const n = perLabel.get(c.label) ?? 0;
      perLabel.set(c.label, n + 1);
      return n < WATCH_CHOICES_PER_LABEL;
    });
    this.watchChoices.forEach((c) => URL.revokeObjectURL(c.url));
    this.watchChoices = picked.map((c) => ({ id: c.id, label: c.label, url: URL.createObjectURL(c.crop) }));
    this.captureCount = all.length;
    if (!picked.some((c) => c.id === this.watchId)) this.watchId = (picked.find((c) => c.label === 'crack') ?? picked[0])?.id ?? '';
  }

  /** The fire modules a run's head carries copies of: fire8 and fire9 in deep mode (or the current model's, if more), the current model's in head mode. */
  private trunkFires(classifier: CrackClassifier): string[] {
    const own = this.start === 'current' ? trunkFires(classifier.head) : [];
    return this.trainingMode === 'deep' ? lastFires(Math.max(DEFAULT_DEEP_MODULES, own.length)) : own;
  }

  /** The base layer whose maps a run caches: the one under the fire module copies (fire7 for fire8 and fire9), else the model's. */
  private cachedLayer(classifier: CrackClassifier): string {
    const fires = this.trunkFires(classifier);
    return fires.length ? trunkInputLayer(fires[0]) : classifier.metadata.base.featureLayer;
  }

  /** Views per training capture within the memory budget, for `train` captures cached per view and `other` once. */
  private cachePlan(classifier: CrackClassifier, views: number, train: number, other: number): FeatureCachePlan {
    const [, h, w, k] = classifier.base.cut(this.cachedLayer(classifier)).outputs[0].shape as number[];
    return capViewsToMemory(views, { train, other }, h * w * k * Float32Array.BYTES_PER_ELEMENT);
  }

  private clearOutcome(): void {
    this.outcome?.result.head.dispose();
    this.outcome = undefined;
    this.thumbs.forEach((u) => URL.revokeObjectURL(u));
    this.thumbs = new Map();
  }

  private async train(): Promise<void> {
    const { classifier, captures } = this;
    if (!classifier || !captures || this.running) return;
    this.clearOutcome();
    this.error = '';
    this.history = [];
    this.eta = '';
    this.features = { done: 0, total: 0 };
    this.watched = undefined;
    this.runId++;
    const started = performance.now();
    let trainStarted = 0;
    await this.runner.run(
      async (signal) => {
        const all = await captures.list();
        const plan = planTraining(all, { start: this.start, modelLabels: classifier.labels, seed: this.seed, classOrder: await captures.classes() });
        const watchRecord = all.find((c) => c.id === this.watchId);
        const views = this.cachePlan(classifier, suggestViews(plan.train.length, this.epochs), plan.train.length, plan.validation.length + (watchRecord ? 1 : 0)).views;
        const trainingMode = this.trainingMode;
        const batchSize = BATCH[trainingMode];
        this.phase = 'features';
        const options: WireTrainingOptions = {
          mode: trainingMode,
          batchSize,
          preprocessing: classifier.metadata.preprocessing,
          labels: plan.labels,
          epochs: this.epochs,
          views,
          augment: DEFAULT_AUGMENT,
          featureLayer: classifier.metadata.base.featureLayer,
          fineLayer: classifier.metadata.base.fineLayer,
          hidden: FRESH_HIDDEN,
          seed: this.seed,
          // Small feature batches keep each blocking step short when training runs in the page.
          featureBatch: 4,
        };
        const result = await this.runTrainer(classifier, options, {
          train: plan.train,
          validation: plan.validation,
          watch: watchRecord ? [watchRecord] : [],
          initial: this.start === 'current' ? classifier.head : undefined,
          signal,
          onWatch: async (epoch, cams) => {
            this.watched = { epoch, cam: cams[0], labels: plan.labels };
            // Painted before training goes on (in the page), so every epoch's map is shown (it costs a 13x13 or 27x27 colouring).
            await this.updateComplete;
            await this.activationMap?.updateComplete;
          },
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
        const predictedOld = await predictSamples(classifier, plan.validation.map((c) => captureSample(c, plan.labels)), 8, signal);
        const truth = plan.validation.map((c) => c.label);
        const old = classificationReport(plan.labels, truth, predictedOld);
        this.outcome = {
          result,
          labels: plan.labels,
          old,
          start: this.start,
          trainingMode,
          n: { train: plan.train.length, validation: plan.validation.length },
          batchSize,
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
      },
      this.end,
    );
  }

  /**
   * Runs the core trainer in the background worker when `trainIn` is 'worker' and the browser has
   * module workers, so the page stays responsive; in the page otherwise, or when the worker cannot
   * start (its error is logged).
   */
  private async runTrainer(
    classifier: CrackClassifier,
    options: WireTrainingOptions,
    run: {
      train: readonly CaptureRecord[];
      validation: readonly CaptureRecord[];
      watch: readonly CaptureRecord[];
      initial?: tf.LayersModel;
      signal: AbortSignal;
      onWatch: (epoch: number, cams: WatchedCam[]) => Promise<void>;
      onProgress: (p: TrainingProgress) => void;
    },
  ): Promise<HeadTrainingResult> {
    // The run's captures as samples of one kind: Blobs for the worker, decoders for the page.
    const samples = <T>(as: (c: CaptureRecord, labels: readonly string[]) => T) => ({
      train: run.train.map((c) => as(c, options.labels)),
      validation: run.validation.map((c) => as(c, options.labels)),
      watch: run.watch.map((c) => as(c, options.labels)),
    });
    if (this.trainIn === 'worker' && typeof Worker !== 'undefined') {
      this.worker ??= new TrainingWorker();
      try {
        this.ranIn = msg('Training in a background worker');
        const result = await this.worker.train({
          ...run,
          ...samples(wireSample),
          backend: tf.getBackend() as BackendName,
          baseUrl: classifier.base.source,
          inputSize: classifier.base.inputSize,
          baseFeatureLayer: classifier.base.featureLayer,
          options,
        });
        this.ranIn = msg(str`Trained in a background worker (${result.backend})`);
        this.workerTensorGrowth = result.workerTensorGrowth;
        return result;
      } catch (e) {
        if (!(e instanceof WorkerStartError)) throw e;
        console.warn(`${e.message}; training in the page`);
        this.worker = undefined;
      }
    }
    this.ranIn = msg(str`Training in the page (${tf.getBackend()})`);
    this.workerTensorGrowth = -1;
    return trainHead({ ...options, ...run, ...samples(captureSample), base: classifier.base });
  }

  /** Cancels a running training of either mode (the active model stays). */
  cancel(): void {
    this.runner.cancel();
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
      // Where the new head reads: under its fire module copies for a deep model (fire7), else fire9; fire3 for a fine head.
      base: trainedBaseReference(prev.base, o.result),
      createdAt: new Date().toISOString(),
      training: {
        tool: 'crackcam app',
        mode: o.result.mode,
        ...(o.result.mode === 'deep' ? { trunk: o.result.trunk, fineTuned: o.result.fineTuned } : {}),
        start: o.start === 'current' ? { from: prev.name, version: prev.version } : 'base',
        n: o.n,
        epochs: o.epochs,
        views: o.views,
        batchSize: o.batchSize,
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
    await saveTrainedModel(this, this.models, () => serializeModel(o.result.head, this.metadataFor(o, classifier)), this.activeId, this.end, () => this.clearOutcome());
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
      ${renderSaveRow(this.phase === 'saving', msg('Save as new version'), { save: 'save-model', discard: 'discard-model' }, () => void this.save(), () => this.discard())}`;
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

  /** How much memory a run that caches whole maps under fire module copies (deep mode, or a deep current model) takes, and its view cap. */
  private renderMemoryNote() {
    const c = this.classifier;
    if (!c || this.trunkFires(c).length === 0) return nothing;
    const layer = this.cachedLayer(c);
    const n = this.captureCount;
    // planTraining holds out a fifth of every class for validation; the watched capture is cached once.
    const train = n - Math.round(n * 0.2);
    let plan: FeatureCachePlan;
    let mapKb: number;
    try {
      plan = this.cachePlan(c, suggestViews(train, this.epochs), train, n - train + 1);
      const [, h, w, k] = c.base.cut(layer).outputs[0].shape as number[];
      mapKb = Math.round((h * w * k * Float32Array.BYTES_PER_ELEMENT) / 1000);
    } catch {
      return nothing;
    }
    const mb = (bytes: number) => Math.round(bytes / 1e6);
    const limit = mb(FEATURE_CACHE_BUDGET);
    return html`<div class="note" data-testid="train-memory" data-views=${plan.views}>
      ${this.trainingMode === 'head' ? msg('The current model has its own copies of the last fire modules: head mode keeps them frozen.') + ' ' : nothing}
      ${msg(str`Training from ${layer.split('/')[0]} keeps ${mapKb} KB of features per capture and augmented view in memory, so the views are capped to stay under ${limit} MB: ${plan.views} per capture for ${n} captures (about ${mb(plan.bytes)} MB).`)}
      ${plan.overBudget ? html`<strong>${msg('That is over the limit even with one view: a phone may run out of memory. Use head mode or fewer captures.')}</strong>` : nothing}
    </div>`;
  }

  /** The capture whose Grad-CAM is redrawn after every epoch, and the strip to choose it from. */
  private renderWatch() {
    const choice = this.watchChoices.find((c) => c.id === this.watchId);
    if (!choice) return nothing;
    const w = this.watched;
    const running = this.running;
    return html`<h2>${msg('Activation map during training')}</h2>
      <div class="watch">
        ${keyed(
          this.runId,
          html`<crackcam-activation-map
            data-testid="activation-map"
            .src=${choice.url}
            .map=${w?.cam.cam}
            .mapWidth=${w?.cam.camWidth ?? 13}
            .mapHeight=${w?.cam.camHeight ?? 13}
            .epoch=${w?.epoch ?? 0}
            .label=${w ? w.labels[w.cam.classIndex] : ''}
            .probability=${w ? w.cam.probabilities[w.cam.classIndex] : 0}
          ></crackcam-activation-map>`,
        )}
        <div>
          <div class="note">${msg('Grad-CAM of the predicted class, before training and after every epoch. Capture to watch:')}</div>
          <div class="choices" role="radiogroup" aria-label=${msg('Capture to watch')}>
            ${this.watchChoices.map(
              (c) =>
                html`<button
                  role="radio"
                  aria-checked=${c.id === this.watchId ? 'true' : 'false'}
                  aria-label=${c.label}
                  title=${c.label}
                  data-testid="watch-choice"
                  data-id=${c.id}
                  data-label=${c.label}
                  ?disabled=${running}
                  @click=${() => {
                    this.watchId = c.id;
                    this.watched = undefined;
                  }}
                >
                  <img src=${c.url} alt="" loading="lazy" />
                </button>`,
            )}
          </div>
        </div>
      </div>`;
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
            : endedStatus(this.phase);
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
        <label>
          ${msg('Training')}
          <select data-testid="train-depth" ?disabled=${running} @change=${(e: Event) => (this.trainingMode = (e.target as HTMLSelectElement).value as TrainingMode)}>
            <option value="head" ?selected=${this.trainingMode === 'head'}>${msg('Head (fast)')}</option>
            <option value="deep" ?selected=${this.trainingMode === 'deep'}>${msg('Deep (fine-tunes fire8 and fire9; slower, best on a phone GPU)')}</option>
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
        ${renderRunButton(running, !!this.classifier && !!this.captures, IDS, () => void this.train(), () => this.cancel())}
      </div>
      ${this.renderMemoryNote()} ${renderRunStatus(this.phase, status, this.phase === 'features' ? this.features : undefined, this.error, IDS)}
      ${this.ranIn ? html`<div class="note" data-testid="train-where" data-worker-tensor-growth=${this.workerTensorGrowth}>${this.ranIn}</div>` : nothing}
      ${this.renderWatch()}
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
