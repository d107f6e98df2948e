import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import type { BaseNetwork } from '../core/base';
import type { CrackClassifier } from '../core/classifier';
import type { PreprocessingMode } from '../core/preprocess';
import { serializeModel } from '../core/model-writer';
import { trunkFires } from '../core/head';
import { FEATURE_CACHE_BUDGET, trainingShortfall, type TrainingStart } from '../core/training-plan';
import type { EpochStats, TrainingMode, WatchedCam } from '../core/trainer';
import { DEFAULT_RECIPE, defaultRehearsal, recipeMode, type RehearsalChoice } from '../core/trainer-recipe';
import { willRoute } from '../core/routing';
import {
  deepMemoryEstimate,
  misclassifiedMaps,
  trainClassifier,
  watchCandidates,
  watchedCapture,
  type ClassifierTrainingOutcome,
  type ClassifierTrainingProgress,
} from '../platform/classifier-training';
import { cachedRehearsalPack, reviewTrainedModel, type AdaptationReview } from '../platform/adaptation-review';
import { blobToTensor } from '../platform/capture-samples';
import type { CaptureRecord, CaptureStore } from '../platform/capture-store';
import type { TrainingPlace } from '../platform/head-training-place';
import type { ModelStore } from '../platform/model-store';
import { appUrl, MODEL_PATHS } from '../platform/model-url';
import type { RehearsalItem } from '../platform/rehearsal-pack';
import { TrainingWorker } from '../platform/training-client';
import './crackcam-activation-map';
import './crackcam-classifier-result';
import './crackcam-model-comparison';
import './crackcam-uncertain-captures';
import type { UncertainCaptureView } from './crackcam-uncertain-captures';
import './crackcam-normal-only-trainer';
import './crackcam-train-chart';
import { heatmapOverCrop } from '../platform/heatmap-painter';
import { panelStyles, resultStyles } from './shared-styles';
import {
  endedStatus,
  renderRunButton,
  renderShortfall,
  renderRunStatus,
  saveTrainedModel,
  TrainingRun,
  type TrainerTestIds,
} from './training-run';
import { surfaceDisplayName } from './class-names';

/** What the Train screen trains: a crack classifier (fine-tuning) or a normal-only (anomaly) model. */
export type TrainMode = 'classifier' | 'normal-only';

type Phase =
  'idle' | 'features' | 'training' | 'scoring' | 'comparing' | 'done' | 'saving' | 'saved' | 'cancelled' | 'error';

/** Test ids of the classifier mode's controls. */
const IDS: TrainerTestIds = {
  start: 'train-start',
  cancel: 'train-cancel',
  status: 'train-status',
  error: 'train-error',
};

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

/**
 * The Train screen. Its mode choice picks what to train: a crack classifier (below), or a
 * normal-only (anomaly) model from the captures of one label (`crackcam-normal-only-trainer`, which
 * needs only the base, so it works whatever model is active).
 *
 * Classifier mode: on-device fine-tuning of the head on the stored captures, run by the platform
 * service (`trainClassifier` in `classifier-training.ts`: plan, train, score, metadata) in a background
 * worker (in the page when `trainIn` is 'page' or the worker cannot start); this element renders its
 * progress and result: start from the current model or from the base, seeded train/validation split, live
 * loss/accuracy curves, epoch and ETA, cancel at any time; the screen is kept awake while it runs.
 * Training mode: head only (fast), or deep (also fine-tunes copies of fire8 and fire9 on cached fire7 maps; its
 * views are capped so the cached maps stay within {@link FEATURE_CACHE_BUDGET}). One chosen capture's
 * Grad-CAM is redrawn after every epoch (`crackcam-activation-map`).
 * The result screen compares the new model with the current one on the same validation captures (accuracy,
 * confusion matrix, misclassified captures with the new model's map painted by the live view's
 * `HeatmapPainter`); then the old and new model side by side on the held-out captures of this site
 * and on the old surfaces of the rehearsal pack (`crackcam-model-comparison`), and the captures the
 * new model is least sure of, to check or relabel (`crackcam-uncertain-captures`). Save adds it to the
 * model library as a new version and makes it active; when an old surface lost more than a point,
 * only after an explicit confirmation.
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
  /** The model.json whose rehearsal pack holds the old surfaces to compare on (default: the shipped model's). */
  @property() rehearsalModelUrl = '';

  @state() private mode: TrainMode = 'classifier';
  @query('crackcam-normal-only-trainer')
  private normalOnlyTrainer?: HTMLElementTagNameMap['crackcam-normal-only-trainer'];

  @state() private phase: Phase = 'idle';
  @state() private start: TrainingStart = 'current';
  /** Head or deep as the inspector set it; undefined: the recipe's choice ({@link modeOfRun}). */
  @state() private trainingMode?: TrainingMode;
  /**
   * Rehearse the old surfaces with the rehearsal pack's photos, as the inspector set it; undefined:
   * the recipe's choice ({@link rehearsalOfRun}).
   */
  @state() private rehearse?: boolean;
  /** Keep the current model's answers for frames off the site (routing, the default). */
  @state() private route = true;
  /** Why the last run trained without rehearsal, when the pack could not be loaded. */
  @state() private rehearsalNote = '';
  /** Captures offered for the activation map, and the chosen one's id. */
  @state() private watchChoices: WatchChoice[] = [];
  @state() private watchId = '';
  /** Captures in the store per label, in the order the labels first appear, as last read. */
  @state() private captureCounts: ReadonlyMap<string, number> = new Map();
  @state() private watched?: WatchedState;
  /** Increases per run, so each run gets a fresh activation map (its draw count starts at 0). */
  @state() private runId = 0;
  @query('crackcam-activation-map') private activationMap?: HTMLElementTagNameMap['crackcam-activation-map'];
  @state() private epochs: number = DEFAULT_RECIPE.epochs;
  @state() private seed = 42;
  @state() private history: EpochStats[] = [];
  @state() private features = { done: 0, total: 0 };
  @state() private eta = '';
  /** Where the last run trained (worker and its backend, or the page). */
  @state() private ranIn = '';
  /** Tensors the worker's last run left behind (0 unless it leaks; shown as a data attribute for the tests); -1 before one. */
  @state() private workerTensorGrowth = -1;
  private worker?: TrainingWorker;
  /** When the run's first epoch started (for the ETA). */
  private epochsStartedAt = 0;
  @state() private error = '';
  /** Ends a run or a save in `phase`, with an error message if there is one. */
  private readonly end = (phase: Phase, error?: string): void => {
    this.phase = phase;
    if (error !== undefined) this.error = error;
  };
  @state() private outcome?: ClassifierTrainingOutcome;
  @state() private thumbs = new Map<string, string>();
  /** The before/after comparison and the least sure captures (with their crops' object URLs); why it failed, if it did. */
  @state() private review?: AdaptationReview;
  @state() private uncertain: UncertainCaptureView[] = [];
  @state() private reviewError = '';
  @state() private comparing = { done: 0, total: 0 };
  /** Save waits for the confirmation dialog (an old surface got worse). */
  @state() private confirming = false;
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

  /** Captures in the store (for the deep-mode memory estimate). */
  private get captureCount(): number {
    return [...this.captureCounts.values()].reduce((a, b) => a + b, 0);
  }

  /** The labels the stored captures carry (a label the model lacks makes the recipe train the head alone). */
  private get captureLabels(): string[] {
    return [...this.captureCounts.keys()];
  }

  /** True while a run (of either mode) is in progress. */
  get running(): boolean {
    return (
      this.phase === 'features' ||
      this.phase === 'training' ||
      this.phase === 'scoring' ||
      this.phase === 'comparing' ||
      (this.normalOnlyTrainer?.running ?? false)
    );
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
    const picked = watchCandidates(all);
    this.watchChoices.forEach((c) => URL.revokeObjectURL(c.url));
    this.watchChoices = picked.map((c) => ({ id: c.id, label: c.label, url: URL.createObjectURL(c.crop) }));
    const counts = new Map<string, number>();
    for (const c of all) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
    this.captureCounts = counts;
    this.watchId = watchedCapture(picked, this.watchId);
  }

  private clearOutcome(): void {
    this.outcome?.result.head.dispose();
    this.outcome = undefined;
    this.thumbs.forEach((u) => URL.revokeObjectURL(u));
    this.thumbs = new Map();
    this.uncertain.forEach((u) => u.url && URL.revokeObjectURL(u.url));
    this.uncertain = [];
    this.review = undefined;
    this.reviewError = '';
    this.confirming = false;
  }

  private async train(): Promise<void> {
    const { classifier, captures } = this;
    if (!classifier || !captures || this.running) return;
    this.clearOutcome();
    this.error = '';
    this.rehearsalNote = '';
    this.history = [];
    this.eta = '';
    this.features = { done: 0, total: 0 };
    this.watched = undefined;
    this.runId++;
    await this.runner.run(async (signal) => {
      this.phase = 'features';
      const all = await captures.list();
      const rehearsalChoice = this.rehearsalOfRun(all.map((c) => c.label));
      const rehearsing = rehearsalChoice !== 'none';
      // A routed run needs the pack too: its site router is fitted against the pack's photos.
      const pack = rehearsing || this.route ? await this.rehearsalItems(signal, rehearsing) : null;
      const rehearsal = rehearsing ? pack : null;
      const outcome = await trainClassifier({
        classifier,
        captures: all,
        classOrder: await captures.classes(),
        start: this.start,
        mode: this.modeOfRun(all.map((c) => c.label)),
        epochs: this.epochs,
        seed: this.seed,
        rehearsal,
        pack,
        rehearseNearestSurface: rehearsalChoice === 'nearest-surface',
        route: this.route,
        watchId: this.watchId,
        worker: this.trainingWorker(),
        signal,
        onWatch: async (epoch, cam, labels) => {
          this.watched = { epoch, cam, labels };
          // Painted before training goes on (in the page), so every epoch's map is shown (it costs a 13x13 or 27x27 colouring).
          await this.updateComplete;
          await this.activationMap?.updateComplete;
        },
        onProgress: (p) => this.showProgress(p),
        onPlace: (p) => this.showPlace(p),
      });
      this.outcome = outcome;
      this.thumbs = await this.misclassifiedThumbnails(outcome, classifier, all);
      await this.compare(outcome, classifier, all, signal);
      this.phase = 'done';
    }, this.end);
    // Cancelled while comparing: the trained head is not shown, so free it now.
    if (this.phase === 'cancelled' || this.phase === 'error') this.clearOutcome();
  }

  /**
   * Compares the old and new model (site, old surfaces) and lists the captures the new model is least
   * sure of. A failure leaves the result without them and says why; an abort ends the run.
   */
  private async compare(
    outcome: ClassifierTrainingOutcome,
    old: CrackClassifier,
    all: readonly CaptureRecord[],
    signal: AbortSignal,
  ): Promise<void> {
    this.phase = 'comparing';
    this.comparing = { done: 0, total: 0 };
    const packUrl = this.packUrl();
    try {
      this.review = await reviewTrainedModel({
        old,
        outcome,
        captures: all,
        pack: () => cachedRehearsalPack(packUrl, signal),
        decode: blobToTensor,
        signal,
        onProgress: (done, total) => (this.comparing = { done, total }),
      });
    } catch (e) {
      signal.throwIfAborted();
      this.reviewError = (e as Error).message;
      return;
    }
    const byId = new Map(all.map((c) => [c.id, c] as const));
    this.uncertain = this.review.uncertain.map((u) => {
      const crop = byId.get(u.id)?.crop;
      return { ...u, url: crop && URL.createObjectURL(crop) };
    });
  }

  /** Moves a capture the new model was unsure of to `label` in the store, and shows it there. */
  private async relabel(id: string, label: string): Promise<void> {
    if (!this.captures) return;
    try {
      await this.captures.relabel(id, label);
      this.uncertain = this.uncertain.map((u) => (u.id === id ? { ...u, label } : u));
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** The background worker when `trainIn` is 'worker' and the browser has module workers (kept for the next run); else none: the page. */
  private trainingWorker(): TrainingWorker | undefined {
    if (this.trainIn !== 'worker' || typeof Worker === 'undefined') return undefined;
    return (this.worker ??= new TrainingWorker());
  }

  /** Moves the phase on (features, training, scoring) and adds each epoch to the curves and the ETA. */
  private showProgress(p: ClassifierTrainingProgress): void {
    if (p.phase === 'scoring') {
      this.phase = 'scoring';
      return;
    }
    if (p.phase === 'features') {
      this.features = { done: p.done, total: p.total };
      if (p.done === p.total) {
        this.phase = 'training';
        this.epochsStartedAt = performance.now();
      }
      return;
    }
    if (this.phase !== 'training') return;
    this.history = [...this.history, p];
    const perEpoch = (performance.now() - this.epochsStartedAt) / 1000 / p.epoch;
    this.eta = msg(str`about ${Math.ceil(perEpoch * (p.epochs - p.epoch))} s left`);
  }

  /** Says where the run trains (and, for the worker, its backend and leftover tensors once done). */
  private showPlace(p: TrainingPlace): void {
    if (p.in === 'page') {
      this.ranIn = msg(str`Training in the page (${p.backend})`);
      this.workerTensorGrowth = -1;
    } else if (p.backend) {
      this.ranIn = msg(str`Trained in a background worker (${p.backend})`);
      this.workerTensorGrowth = p.workerTensorGrowth ?? -1;
    } else {
      this.ranIn = msg('Training in a background worker');
    }
  }

  /**
   * Thumbnails of the misclassified captures: each crop with the new model's map (the fine map when
   * it has one) painted by the live view's painter; the plain crops if that fails.
   */
  private async misclassifiedThumbnails(
    o: ClassifierTrainingOutcome,
    classifier: CrackClassifier,
    all: readonly CaptureRecord[],
  ): Promise<Map<string, string>> {
    const byId = new Map(all.map((c) => [c.id, c] as const));
    try {
      const maps = await misclassifiedMaps(o, classifier.base, all);
      const thumbs = await Promise.all(
        maps.map(async (m) => [m.id, URL.createObjectURL(await heatmapOverCrop(byId.get(m.id)!.crop, m))] as const),
      );
      return new Map(thumbs);
    } catch (e) {
      // Heatmaps are a help, not a result: fall back to the plain crops.
      console.warn('heatmaps of misclassified captures failed', e);
      return new Map(
        o.result.misclassified.flatMap((m) =>
          byId.has(m.id) ? [[m.id, URL.createObjectURL(byId.get(m.id)!.crop)] as const] : [],
        ),
      );
    }
  }

  /** Cancels a running training of either mode (the active model stays). */
  cancel(): void {
    this.runner.cancel();
    this.normalOnlyTrainer?.cancel();
  }

  /**
   * The mode a run on captures of `labels` trains in: as set, else the recipe's (deep for a site of the
   * model's own classes, the head alone when a capture's label is new, the run starts from the base or
   * the model has no fire module copies).
   */
  private modeOfRun(labels: readonly string[]): TrainingMode {
    const known = this.classifier?.labels ?? [];
    const parentFires = this.classifier ? trunkFires(this.classifier.head) : [];
    return (
      this.trainingMode ??
      recipeMode({ addsClasses: labels.some((l) => !known.includes(l)), start: this.start, parentFires })
    );
  }

  /**
   * What a run on captures of `labels` rehearses: the whole pack or nothing as set, else the recipe's
   * choice (all of it when the run will not route; when it routes, the surface nearest the captures
   * for a run that adds a class, else nothing).
   */
  private rehearsalOfRun(labels: readonly string[]): RehearsalChoice {
    if (this.rehearse !== undefined) return this.rehearse ? 'all' : 'none';
    const metadata = this.classifier?.metadata;
    const known = this.classifier?.labels ?? [];
    return defaultRehearsal({
      willRoute: metadata !== undefined && willRoute(metadata, this.start, this.route),
      addsClasses: labels.some((l) => !known.includes(l)),
    });
  }

  /**
   * A checkbox setting of the run, disabled while one runs and until the model is there (the
   * defaults depend on it: a click before would be undone by the model's default).
   */
  private renderSwitch(testid: string, checked: boolean, set: (on: boolean) => void, text: string) {
    return html`<label>
      <input
        type="checkbox"
        data-testid=${testid}
        .checked=${checked}
        ?disabled=${this.running || !this.classifier}
        @change=${(e: Event) => set((e.target as HTMLInputElement).checked)}
      />
      ${text}
    </label>`;
  }

  /** What the last run rehearsed, or why it could not. */
  private renderRehearsal() {
    if (this.rehearsalNote) return html`<div class="note" data-testid="train-rehearsed">${this.rehearsalNote}</div>`;
    const r = this.outcome?.rehearsed;
    if (!r?.n) return nothing;
    const surfaces = r.surfaces.map(surfaceDisplayName).join(', ');
    return html`<div class="note" data-testid="train-rehearsed" data-n=${r.n} data-surfaces=${r.surfaces.join(', ')}>
      ${
        r.nearestSurface
          ? msg(
              str`Rehearsed ${r.n} photos of ${surfaces}, the surface your captures look like, so the new class is learnt apart from its cracks and sound patches.`,
            )
          : msg(str`Rehearsed ${r.n} photos of the old surfaces (${surfaces}) so they are not forgotten.`)
      }
    </div>`;
  }

  /** The model.json whose rehearsal pack the trainer rehearses and compares on. */
  private packUrl(): string {
    return this.rehearsalModelUrl || appUrl(MODEL_PATHS.head);
  }

  /**
   * The rehearsal pack's photos, or null when the pack cannot be loaded: training goes on without it
   * rather than not at all. Where the run meant to rehearse them, a note says the old surfaces may be
   * forgotten; a run that wanted the pack only for its site router routes by the nearest group.
   */
  private async rehearsalItems(signal: AbortSignal, rehearsing: boolean): Promise<readonly RehearsalItem[] | null> {
    try {
      return (await cachedRehearsalPack(this.packUrl(), signal))?.items ?? null;
    } catch (e) {
      signal.throwIfAborted();
      if (!rehearsing) return null;
      this.rehearsalNote = msg(
        str`Trained without rehearsal (the old surfaces may be forgotten): ${(e as Error).message}`,
      );
      return null;
    }
  }

  /** Saves the new model; asks for a confirmation first when an old surface got worse, unless `confirmed`. */
  private async save(confirmed = false): Promise<void> {
    const o = this.outcome;
    if (!o || !this.models) return;
    if (!confirmed && (this.review?.comparison.worse.length ?? 0) > 0) {
      this.confirming = true;
      return;
    }
    this.confirming = false;
    this.phase = 'saving';
    await saveTrainedModel(
      this,
      this.models,
      () => serializeModel(o.result.head, o.metadata),
      this.activeId,
      this.end,
      () => this.clearOutcome(),
    );
  }

  private discard(): void {
    this.clearOutcome();
    this.phase = 'idle';
  }

  override render() {
    const busy = this.running;
    // The normal-only trainer stays connected in both modes, so its finished result survives a look at the other mode.
    return html`
      <h2>${msg('Teach the model')}</h2>
      <div class="row">
        <label>
          ${msg('Model type')}
          <select
            data-testid="train-mode"
            ?disabled=${busy}
            @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as TrainMode)}
          >
            <option value="classifier" ?selected=${this.mode === 'classifier'}>
              ${msg('Crack classifier', { desc: 'mode badge: the crack / no-crack classifier runs' })}
            </option>
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
  private renderMemoryNote(mode: TrainingMode) {
    const c = this.classifier;
    const n = this.captureCount;
    const plan = c && n > 0 && deepMemoryEstimate(c, { start: this.start, mode, epochs: this.epochs }, n);
    if (!plan) return nothing;
    const layer = plan.layer;
    const mapKb = Math.round(plan.mapBytes / 1000);
    const mb = (bytes: number) => Math.round(bytes / 1e6);
    const limit = mb(FEATURE_CACHE_BUDGET);
    return html`<div class="note" data-testid="train-memory" data-views=${plan.views}>
      ${!plan.trainTrunk ? msg('The current model has its own copies of the last fire modules: head mode keeps them frozen.') + ' ' : nothing}
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
          <div class="note">
            ${msg('Grad-CAM of the predicted class, before training and after every epoch. Capture to watch:')}
          </div>
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

  /** The before/after table (with the confirmation dialog) and the captures to check, once compared. */
  private renderReview() {
    if (this.reviewError)
      return html`<div class="error" data-testid="compare-error">
        ${msg(str`The old and new model could not be compared: ${this.reviewError}`)}
      </div>`;
    const r = this.review;
    if (!r) return nothing;
    return html`<crackcam-model-comparison
        .rows=${r.comparison.rows}
        .worse=${r.comparison.worse}
        .packError=${r.packError ?? ''}
        ?confirming=${this.confirming}
        @activate-confirmed=${() => void this.save(true)}
        @activate-cancelled=${() => (this.confirming = false)}
      ></crackcam-model-comparison>
      <crackcam-uncertain-captures
        .items=${this.uncertain}
        .labels=${this.outcome?.labels ?? []}
        @relabel-capture=${(e: CustomEvent<{ id: string; label: string }>) =>
          void this.relabel(e.detail.id, e.detail.label)}
      ></crackcam-uncertain-captures>`;
  }

  private renderClassifier() {
    const h = this.history;
    /** The mode the next run trains in, shown in the choice and the memory note. */
    const trainingMode = this.modeOfRun(this.captureLabels);
    const running = this.running;
    const shortfall = trainingShortfall(this.captureCounts, this.start);
    const status =
      this.phase === 'features'
        ? msg(str`Reading captures ${this.features.done} / ${this.features.total}`)
        : this.phase === 'training'
          ? msg(str`Epoch ${h.length} / ${this.epochs}`) + (this.eta ? ` · ${this.eta}` : '')
          : this.phase === 'scoring'
            ? msg('Scoring the current model…')
            : this.phase === 'comparing'
              ? msg(
                  str`Comparing the current and the new model: ${this.comparing.done} / ${this.comparing.total} photos`,
                )
              : endedStatus(this.phase);
    return html`
      <div class="note">
        ${msg('Fine-tunes the classifier on your captures. The model in use only changes when you save the result.')}
      </div>
      ${
        this.normalOnly
          ? html`<div class="note" data-testid="train-normal-only">
              ${msg('The active model is a normal-only (anomaly) model. To fine-tune a classifier, make a crack classifier active on the Models screen; normal-only training works with any model.')}
            </div>`
          : nothing
      }
      <div class="row">
        <label>
          ${msg('Start from')}
          <select
            data-testid="train-start-from"
            ?disabled=${running}
            @change=${(e: Event) => (this.start = (e.target as HTMLSelectElement).value as TrainingStart)}
          >
            <option value="current" ?selected=${this.start === 'current'}>
              ${msg(str`current model (${this.classifier?.metadata.name ?? ''} v${this.classifier?.metadata.version ?? ''})`)}
            </option>
            <option value="base" ?selected=${this.start === 'base'}>${msg('the base (new classes)')}</option>
          </select>
        </label>
        <label>
          ${msg('Training')}
          <select
            data-testid="train-depth"
            ?disabled=${running}
            @change=${(e: Event) => (this.trainingMode = (e.target as HTMLSelectElement).value as TrainingMode)}
          >
            <option value="head" ?selected=${trainingMode === 'head'}>${msg('Head (fast)')}</option>
            <option value="deep" ?selected=${trainingMode === 'deep'}>
              ${msg('Deep (fire8 and fire9 too; slower)')}
            </option>
          </select>
        </label>
        ${this.renderSwitch('train-rehearse', this.rehearsalOfRun(this.captureLabels) !== 'none', (on) => (this.rehearse = on), msg('Rehearse the old surfaces'))}
        ${this.renderSwitch('train-route', this.route, (on) => (this.route = on), msg('Keep the current model for other surfaces'))}
        <label
          >${msg('Epochs')}
          <input
            type="number"
            min="1"
            max="100"
            data-testid="train-epochs"
            .value=${String(this.epochs)}
            ?disabled=${running}
            @change=${(e: Event) => (this.epochs = Math.max(1, Math.min(100, Math.round(Number((e.target as HTMLInputElement).value)) || 1)))}
        /></label>
        <label
          >${msg('Seed')}
          <input
            type="number"
            data-testid="train-seed"
            .value=${String(this.seed)}
            ?disabled=${running}
            @change=${(e: Event) => (this.seed = Math.round(Number((e.target as HTMLInputElement).value)) || 0)}
        /></label>
        ${renderRunButton(
          running,
          !!this.classifier && !!this.captures && !shortfall,
          IDS,
          () => void this.train(),
          () => this.cancel(),
        )}
      </div>
      ${shortfall && !running ? renderShortfall(shortfall) : nothing}
      ${this.renderMemoryNote(trainingMode)}
      ${renderRunStatus(
        this.phase,
        status,
        this.phase === 'features' ? this.features : this.phase === 'comparing' ? this.comparing : undefined,
        this.error,
        IDS,
      )}
      ${this.renderRehearsal()}
      ${this.ranIn ? html`<div class="note" data-testid="train-where" data-worker-tensor-growth=${this.workerTensorGrowth}>${this.ranIn}</div>` : nothing}
      ${this.renderWatch()}
      ${
        h.length
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
          : nothing
      }
      ${
        this.phase === 'done' || this.phase === 'saving'
          ? html`${this.renderReview()}<crackcam-classifier-result
              .outcome=${this.outcome}
              .thumbs=${this.thumbs}
              ?saving=${this.phase === 'saving'}
              @save=${() => void this.save()}
              @discard=${() => this.discard()}
            ></crackcam-classifier-result>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-trainer': CrackcamTrainer;
  }
}
