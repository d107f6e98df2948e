import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { BaseNetwork } from '../core/base';
import type { CrackClassifier } from '../core/classifier';
import type { OneClassModel } from '../core/oneclass';
import type { BackendChoice } from '../platform/backend';
import { openCaptureStore, type CaptureStore } from '../platform/capture-store';
import { openFindingStore, type FindingStore } from '../platform/finding-store';
import { setHookCaptures } from '../platform/test-hook';
import { legacyProblemsNotice } from './store-notices';
import type { BUILTIN_MODEL_ID as BuiltinModelId, LoadedModel, ModelStore } from '../platform/model-store';
import type { ModelShareStatus, TeamSync } from '../platform/sync/team-sync';
import { appUrl, MODEL_PATHS } from '../platform/model-url';
import type { CrackcamLiveView, ModelState } from './crackcam-live-view';
import './crackcam-capture-bar';
import './crackcam-captures';
import './crackcam-finding-bar';
import './crackcam-findings';
import './crackcam-measure-settings';
import './crackcam-language-switch';
import './crackcam-live-view';
import './crackcam-sync-settings';
import './crackcam-sync-status';
import { modelSurfaces } from '../core/model-surfaces';

/** model-store.ts's BUILTIN_MODEL_ID (checked by its type), without importing the model code before the first paint. */
const BUILTIN_MODEL_ID: string = 'builtin' satisfies typeof BuiltinModelId;

/** The model code and TF.js: a lazy chunk, imported once the shell has painted. */
const modelLoading = () => import('../platform/inference-model-loading');

/** The screens that need TF.js (trainer, model library): lazy chunks, defined after the first paint. */
const tfScreens = () => Promise.all([import('./crackcam-models'), import('./crackcam-trainer')]);

/** Where the trainer runs: `?train=page` trains in the page (to compare), else in a background worker. */
/** The model list's share state before team sync is open. */
const NO_MODEL_IDS: ReadonlySet<string> = new Set();
const NO_SHARE_STATUS: ReadonlyMap<string, ModelShareStatus> = new Map();

const TRAIN_IN = new URLSearchParams(location.search).get('train') === 'page' ? 'page' : 'worker';

/** The app's screens. */
export type AppView = 'live' | 'findings' | 'captures' | 'train' | 'models';

/**
 * The app shell: header (name, status slot, language), a tab bar, and the screens: the live
 * inspection view with one-tap labelled capture and one-tap findings, the findings list, the capture
 * library, the trainer and the model library. It picks the TF.js backend, loads the base once and the active model from the library
 * (else the built-in one): a crack classifier, or a one-class ("normal-only") model, which the live
 * view then runs in anomaly mode. The trainer fine-tunes classifiers, or trains a normal-only model
 * on the shared base whatever model is active. The camera starts independently, so a camera problem
 * never blocks the rest of the app and a model problem never hides the camera. The camera and frame loop are
 * suspended while another screen is shown (training gets the CPU).
 *
 * Test hooks: `data-model-id`, `data-model-name`, `data-model-version`, `data-model-kind`
 * (`classifier` or `oneclass`) on the host.
 *
 * Extension points (light-DOM children):
 * - `slot="status"`: header indicators and actions (offline badge, "update available" button, ...).
 * - default slot: further views, rendered below the live view.
 */
@localized()
@customElement('crackcam-app')
export class CrackcamApp extends LitElement {
  @state() private backend?: BackendChoice;
  @state() private classifier?: CrackClassifier;
  /** The active model when it is a one-class model (then `classifier` is undefined). */
  @state() private oneClass?: OneClassModel;
  @state() private modelState: ModelState = 'loading';
  @state() private modelError = '';
  /** Bytes of the base and model received so far (the verdict shows them until the first frame). */
  @state() private modelBytes = 0;
  @state() private error = '';
  @state() private view: AppView = 'live';
  @state() private captureStore?: CaptureStore;
  @state() private modelStore?: ModelStore;
  @state() private findingStore?: FindingStore;
  @state() private activeId = BUILTIN_MODEL_ID;
  @state() private classes: string[] = ['crack', 'nocrack'];
  @state() private builtin?: HTMLElementTagNameMap['crackcam-models']['builtin'];
  /** Team sync (findings and models over CouchDB replication), once its lazy chunk has loaded. */
  @state() private teamSync?: TeamSync;
  @query('crackcam-live-view') private liveView?: CrackcamLiveView;
  @query('crackcam-trainer') private trainer?: HTMLElementTagNameMap['crackcam-trainer'];
  private base?: BaseNetwork;
  private started = false;

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
      background: #000;
      color: #fff;
      font-family:
        system-ui,
        -apple-system,
        'Segoe UI',
        'Hiragino Sans',
        'Noto Sans JP',
        sans-serif;
    }
    header {
      display: flex;
      align-items: center;
      gap: 0.8rem;
      padding: 0.4rem 0.8rem;
      background: #102027;
      border-bottom: 1px solid #37474f;
    }
    h1 {
      margin: 0;
      font-size: 1.25rem;
      letter-spacing: 0.02em;
    }
    .status {
      flex: 1;
      display: flex;
      gap: 0.5rem;
      align-items: center;
      justify-content: flex-end;
    }
    .error {
      padding: 0.6rem 0.8rem;
      background: #ffcdd2;
      color: #000;
      font-weight: 600;
    }
    crackcam-live-view {
      flex: 1;
    }
    nav {
      display: flex;
      background: #102027;
      border-bottom: 1px solid #37474f;
    }
    nav button {
      flex: 1;
      font: inherit;
      min-height: 2.75rem;
      border: 0;
      border-bottom: 3px solid transparent;
      background: transparent;
      color: #fff;
    }
    nav button[aria-selected='true'] {
      border-bottom-color: #42a5f5;
      font-weight: 700;
    }
    .live {
      flex: 1;
      display: flex;
      flex-direction: column;
      min-height: 0;
    }
    .screen {
      flex: 1;
      overflow: auto;
      background: #1c262b;
    }
    [hidden] {
      display: none !important;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.started) {
      this.started = true;
      void this.init();
    }
  }

  private async init(): Promise<void> {
    // The shell (header, tabs, camera view) paints first; TF.js and the model code load after it.
    await this.updateComplete;
    void this.liveView?.startWorker().catch(() => undefined); // its script loads while the backend is picked
    void tfScreens();
    let models: Awaited<ReturnType<typeof modelLoading>>;
    try {
      models = await modelLoading();
      this.backend = await models.selectBrowserBackend();
    } catch (e) {
      this.error = (e as Error).message;
      this.modelState = 'error';
      this.modelError = msg('no TensorFlow.js backend could start');
      return;
    }
    const modelStore = models.openModelStore();
    void this.prefetchWorkerModel(modelStore, this.backend.name);
    // Captures and models: a storage problem (private mode, blocked) must not stop the live view.
    await Promise.all([
      openCaptureStore().then(
        async (s) => {
          this.captureStore = s;
          this.classes = await s.classes();
          if (s.legacyProblems.length) this.error = legacyProblemsNotice(s.legacyProblems);
          // Captures and classes the sync brings in: the capture bar's classes follow.
          s.onChange(() => void this.onCapturesChanged());
          setHookCaptures(() => s.list());
        },
        (e: Error) => (this.error = e.message),
      ),
      modelStore.then(
        (s) => (this.modelStore = s),
        (e: Error) => (this.error = `the model library could not be opened (${e.message})`),
      ),
      openFindingStore().then(
        (s) => (this.findingStore = s),
        (e: Error) => (this.error = e.message),
      ),
    ]);
    void this.openTeamSync();
    try {
      const reader = models.progressReader((bytes) => (this.modelBytes = bytes));
      this.base = await models.loadBaseNetwork({ reader, modelJson: appUrl(MODEL_PATHS.base) });
    } catch (e) {
      this.modelState = 'error';
      this.modelError = (e as Error).message;
      return;
    }
    await this.loadActiveModel();
    await this.connectTeamModels();
  }

  /**
   * Where the live frames run in the inference worker: starts the active model's load there now, side
   * by side with this page's own load of the base and the model (not after it).
   */
  private async prefetchWorkerModel(store: Promise<ModelStore>, backend: BackendChoice['name']): Promise<void> {
    try {
      const id = await store.then((s) => s.activeId()).catch(() => undefined);
      await this.liveView?.prefetchModel(backend, id ?? BUILTIN_MODEL_ID);
    } catch (e) {
      console.warn('the inference worker could not start loading the model early', e); // it loads when the view asks
    }
  }

  /** Opens team sync (a lazy chunk with PouchDB) and restarts it when it was on. */
  private async openTeamSync(): Promise<void> {
    try {
      const { openTeamSync } = await import('../platform/sync/team-sync');
      this.teamSync = await openTeamSync();
      this.teamSync.addEventListener('models', () => void this.onTeamModels());
      this.teamSync.addEventListener('change', () => this.requestUpdate()); // the model list's share buttons
      await this.teamSync.resume();
      await this.connectTeamModels();
    } catch (e) {
      this.error = `team sync could not start (${(e as Error).message})`;
    }
  }

  /** Once team sync, the model library and the base are there: team models are checked on the base and added. */
  private async connectTeamModels(): Promise<void> {
    const { teamSync, modelStore, base } = this;
    if (!teamSync || !modelStore || !base) return;
    const models = await modelLoading();
    // The check of validateModelFiles (model-store.ts): loaded on the base, then freed.
    await teamSync.useModelLibrary(modelStore, async (files) => {
      const loaded = await models.loadModelFiles(files, base);
      loaded.model.dispose();
      return loaded.model.metadata;
    });
    await this.onTeamModels();
  }

  private async onTeamModels(): Promise<void> {
    const list = this.renderRoot.querySelector('crackcam-models');
    if (list) list.rejected = this.teamSync?.rejected ?? [];
    await list?.refresh();
  }

  /**
   * Loads the library's active model (else the built-in one) and swaps it in. A stored model that no
   * longer loads falls back to the built-in one with an error message.
   */
  async loadActiveModel(): Promise<void> {
    const base = this.base;
    if (!base) return;
    const models = await modelLoading();
    const id = (await this.modelStore?.activeId()) ?? BUILTIN_MODEL_ID;
    const baseBytes = this.modelBytes;
    const reader = models.progressReader((bytes) => (this.modelBytes = baseBytes + bytes));
    const loadBuiltin = async (): Promise<LoadedModel> => ({
      kind: 'classifier',
      model: await models.loadCrackClassifier({ reader, modelJson: appUrl(MODEL_PATHS.head), base }),
    });
    let next: LoadedModel | undefined;
    let loadedId = id;
    try {
      const stored = id === BUILTIN_MODEL_ID ? undefined : await this.modelStore?.get(id);
      // The stored metadata says which loader: a classifier, or a one-class model (metadata.kind / oneClass).
      next = stored ? await models.loadModelFiles(stored.files, base) : await loadBuiltin();
      if (!stored) loadedId = BUILTIN_MODEL_ID;
    } catch (e) {
      let failure = e;
      if (id !== BUILTIN_MODEL_ID) {
        this.error = `the active model could not be loaded (${(e as Error).message}); using the built-in model`;
        try {
          next = await loadBuiltin();
          loadedId = BUILTIN_MODEL_ID;
        } catch (builtinFailure) {
          failure = builtinFailure;
        }
      }
      if (!next) {
        this.modelState = 'error';
        this.modelError = (failure as Error).message;
        return;
      }
    }
    const old = [this.classifier, this.oneClass];
    this.classifier = next.kind === 'classifier' ? next.model : undefined;
    this.oneClass = next.kind === 'oneclass' ? next.model : undefined;
    this.activeId = loadedId;
    const meta = next.model.metadata;
    if (loadedId === BUILTIN_MODEL_ID)
      this.builtin = { name: meta.name, version: meta.version, labels: meta.labels, surfaces: modelSurfaces(meta) };
    this.modelState = 'ready';
    this.dataset.modelId = loadedId;
    this.dataset.modelName = meta.name;
    this.dataset.modelVersion = String(meta.version);
    this.dataset.modelKind = next.kind;
    // The live view swaps models between frames; the old one is freed after this render.
    await this.updateComplete;
    for (const m of old) if (m && m !== next.model) m.dispose();
  }

  private async show(view: AppView): Promise<void> {
    if (view === this.view) return;
    if (this.trainer?.running && view !== 'train') {
      if (!confirm(msg('Training is running. Leave the trainer and cancel it?'))) return;
      this.trainer.cancel();
    }
    const wasLive = this.view === 'live';
    this.view = view;
    if (view === 'live') await this.liveView?.resume();
    else if (wasLive) await this.liveView?.suspend();
    if (view === 'train' || view === 'models') await tfScreens(); // defined (upgraded) before they are called
    if (view === 'captures' || view === 'train') this.classes = (await this.captureStore?.classes()) ?? this.classes;
    if (view === 'captures') await this.renderRoot.querySelector('crackcam-captures')?.refresh();
    if (view === 'train') await this.trainer?.refresh();
    if (view === 'models') await this.renderRoot.querySelector('crackcam-models')?.refresh();
    if (view === 'findings') await this.renderRoot.querySelector('crackcam-findings')?.refresh();
  }

  private readonly onModelChanged = (): void => {
    void this.loadActiveModel();
    void this.teamSync?.shareTrained();
  };

  private readonly onShareModel = (e: CustomEvent<{ id: string }>): void => {
    void this.teamSync?.shareModel(e.detail.id);
  };

  private readonly onUnshareModel = (e: CustomEvent<{ id: string }>): void => {
    void this.teamSync?.unshareModel(e.detail.id);
  };

  /** A deleted model stays out of this library: team sync does not add it back. */
  private readonly onModelDeleted = (e: CustomEvent<{ id: string }>): void => {
    void this.teamSync?.hideModel(e.detail.id).catch((err: Error) => (this.error = err.message));
  };

  /** The verdict's Adapt button (an unfamiliar surface): the Train screen, as its tab would. */
  private readonly onAdaptModel = (): void => {
    void this.show('train');
  };

  private readonly onCapturesChanged = async (): Promise<void> => {
    this.classes = (await this.captureStore?.classes()) ?? this.classes;
    await this.renderRoot.querySelector('crackcam-capture-bar')?.refresh();
  };

  override render() {
    return html`
      <header>
        <h1>CrackCam</h1>
        <div class="status">
          <crackcam-sync-status .sync=${this.teamSync}></crackcam-sync-status><slot name="status"></slot>
        </div>
        <crackcam-language-switch></crackcam-language-switch>
      </header>
      ${this.error ? html`<div class="error" role="alert" data-testid="app-error">${this.error}</div>` : nothing}
      <nav role="tablist" aria-label=${msg('Screens')}>
        ${(
          [
            ['live', msg('Inspect')],
            ['findings', msg('Findings')],
            ['captures', msg('Captures')],
            ['train', msg('Train')],
            ['models', msg('Models')],
          ] as [AppView, string][]
        ).map(
          ([v, name]) =>
            html`<button
              role="tab"
              data-testid="tab-${v}"
              aria-selected=${this.view === v ? 'true' : 'false'}
              @click=${() => this.show(v)}
            >
              ${name}
            </button>`,
        )}
      </nav>
      <div class="live" ?hidden=${this.view !== 'live'}>
        <crackcam-live-view
          .backend=${this.backend}
          .classifier=${this.classifier}
          .oneClass=${this.oneClass}
          .modelState=${this.modelState}
          .modelError=${this.modelError}
          .modelBytes=${this.modelBytes}
          .modelId=${this.activeId}
          @adapt-model=${this.onAdaptModel}
        ></crackcam-live-view>
        <crackcam-capture-bar
          .store=${this.captureStore}
          .classes=${this.classes}
          @capture-request=${() => this.liveView?.capture()}
        ></crackcam-capture-bar>
        <crackcam-finding-bar
          .store=${this.findingStore}
          @finding-request=${() => this.liveView?.captureFinding()}
        ></crackcam-finding-bar>
      </div>
      <div class="screen" ?hidden=${this.view !== 'findings'}>
        <crackcam-measure-settings></crackcam-measure-settings>
        <crackcam-sync-settings .sync=${this.teamSync}></crackcam-sync-settings>
        <crackcam-findings .store=${this.findingStore} .stills=${this.teamSync}></crackcam-findings>
      </div>
      <div class="screen" ?hidden=${this.view !== 'captures'} @captures-changed=${this.onCapturesChanged}>
        <crackcam-captures
          .store=${this.captureStore}
          .inputSize=${(this.classifier ?? this.oneClass)?.inputSize ?? 227}
        ></crackcam-captures>
      </div>
      <div class="screen" ?hidden=${this.view !== 'train'} @model-saved=${this.onModelChanged}>
        <crackcam-trainer
          .captures=${this.captureStore}
          .models=${this.modelStore}
          .classifier=${this.classifier}
          .activeId=${this.activeId}
          .normalOnly=${this.oneClass !== undefined}
          .base=${this.base}
          .preprocessing=${(this.classifier ?? this.oneClass)?.metadata.preprocessing}
          .trainIn=${TRAIN_IN}
        ></crackcam-trainer>
      </div>
      <div class="screen" ?hidden=${this.view !== 'models'} @model-activated=${this.onModelChanged}>
        <crackcam-models
          .store=${this.modelStore}
          .base=${this.base}
          .builtin=${this.builtin}
          ?canShare=${this.teamSync?.settings.enabled}
          .shared=${this.teamSync?.sharedIds ?? NO_MODEL_IDS}
          .shareStatus=${this.teamSync?.shareStatus ?? NO_SHARE_STATUS}
          @model-share-request=${this.onShareModel}
          @model-unshare-request=${this.onUnshareModel}
          @model-deleted=${this.onModelDeleted}
        ></crackcam-models>
      </div>
      <slot ?hidden=${this.view !== 'live'}></slot>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-app': CrackcamApp;
  }
}
