import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { BaseNetwork } from '../core/base';
import type { CrackClassifier } from '../core/classifier';
import type { OneClassModel } from '../core/oneclass';
import { parseBackendOverride, type BackendChoice } from '../platform/backend-names';
import type { CaptureStore } from '../platform/capture-store';
import type { FindingStore } from '../platform/finding-store';
import { setHookCaptures } from '../platform/test-hook';
import { legacyProblemsNotice } from './store-notices';
import type { LoadedModel, ModelStore } from '../platform/model-store';
import type { ModelShareStatus, TeamSync } from '../platform/sync/team-sync';
import type { RejectedModel } from '../platform/model-sharing';
import { appUrl, BUILTIN_MODEL_ID, MODEL_PATHS } from '../platform/model-url';
import type { CrackcamLiveView, ModelState } from './crackcam-live-view';
import './crackcam-capture-bar';
import './crackcam-finding-bar';
import './crackcam-language-switch';
import './crackcam-live-view';
import './crackcam-sync-status';
import { modelSurfaces } from '../core/model-surfaces';
import { afterNextPaint } from './after-next-paint';
import { storagePanelLineHeight } from './shared-styles';

/** The model code and TF.js: a lazy chunk, imported once the shell has painted. */
const modelLoading = () => import('../platform/inference-model-loading');

/**
 * The screens that need TF.js (trainer, model library): lazy chunks, defined when first shown, so
 * that the main thread neither evaluates TF.js nor renders them while the live view starts.
 */
const tfScreens = () => Promise.all([import('./crackcam-models'), import('./crackcam-trainer')]);

/**
 * Each screen's elements besides the live view's: lazy chunks, defined the first time the screen is
 * shown (the stores' PouchDB and the screens' code stay out of the shell's first paint).
 */
const SCREEN_MODULES: Record<Exclude<AppView, 'live'>, () => Promise<unknown>> = {
  findings: () =>
    Promise.all([
      import('./crackcam-measure-settings'),
      import('./crackcam-sync-settings'),
      import('./crackcam-findings'),
    ]),
  captures: () => import('./crackcam-captures'),
  train: tfScreens,
  models: tfScreens,
};

/**
 * The live screen's elements in the order of their first render, one frame apart after the shell's
 * frame (header, tabs, the screens' places): rendered with it they made one long task, in which a
 * phone answers no tap (docs/bench.md, "The shell in parts"). The shell stays unseen until the last
 * has rendered (the HTML's app name shows meanwhile), so nothing moves on screen.
 */
const LIVE_PARTS = ['live-view', 'capture-bar', 'finding-bar'] as const;
type LivePart = (typeof LIVE_PARTS)[number];

/** The model list's share state before team sync is open. */
const NO_MODEL_IDS: ReadonlySet<string> = new Set();
const NO_SHARE_STATUS: ReadonlyMap<string, ModelShareStatus> = new Map();
const NO_REJECTED: readonly RejectedModel[] = [];

/** Where the trainer runs: `?train=page` trains in the page (to compare), else in a background worker. */
const TRAIN_IN = new URLSearchParams(location.search).get('train') === 'page' ? 'page' : 'worker';

/** The app's screens. */
export type AppView = 'live' | 'findings' | 'captures' | 'train' | 'models';

/**
 * The app shell: header (name, status slot, language), a tab bar, and the screens: the live
 * inspection view with one-tap labelled capture and one-tap findings, the findings list, the capture
 * library, the trainer and the model library. It has the inference worker (which picks its own TF.js
 * backend) load the active model from the library (else the built-in one): a crack classifier, or a
 * one-class ("normal-only") model, which the live view then runs in anomaly mode. The page loads its
 * own copy of the base and the model only when it needs one: for the trainer, the model library,
 * team models to check, or frames on the main thread (no worker, or `?inference=main`); so while the
 * worker runs the live view, the main thread never waits on a model load. The trainer fine-tunes
 * classifiers, or trains a normal-only model on the shared base whatever model is active. The camera
 * starts independently, so a camera problem never blocks the rest of the app and a model problem never
 * hides the camera. The camera and frame loop are suspended while another screen is shown (training
 * gets the CPU).
 *
 * Test hooks: `data-model-id`, `data-model-name`, `data-model-version`, `data-model-kind`
 * (`classifier` or `oneclass`) on the host; `ready` on the host once the shell is shown.
 *
 * Extension points (light-DOM children):
 * - `slot="status"`: header indicators and actions (offline badge, "update available" button, ...).
 * - default slot: further views, rendered below the live view and the storage panel (which the
 *   shell places and the PWA layer defines after the first paint, pwa-setup.ts).
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
  /** Screens shown at least once: the others are not rendered yet, so the first paint is the live view's alone. */
  @state() private shownViews: ReadonlySet<AppView> = new Set(['live']);
  /** How many of {@link LIVE_PARTS} have been rendered. */
  @state() private livePartsRendered = 0;
  private resolveShellReady!: () => void;
  /** Resolves once the whole shell has rendered; it is shown from then on (`ready` on the host). */
  readonly shellReady: Promise<void> = new Promise((resolve) => (this.resolveShellReady = resolve));
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
  @state() private base?: BaseNetwork;
  /** The page's choice of TF.js backend (see {@link pickBackend}). */
  private backendPick?: Promise<BackendChoice>;
  /** The model library's opening (see {@link ensureModelStore}). */
  private modelStoreOpen?: Promise<ModelStore | undefined>;
  /** Team models are being received into the library (team sync is on). */
  private teamModelsConnected = false;
  /** The page's load of the base (see {@link ensureBase}); undefined until something needs it. */
  @state() private baseLoad?: Promise<BaseNetwork | undefined>;
  /** The page's load of the active model (see {@link ensurePageModel}). */
  private pageModelLoad?: Promise<void>;
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
    :host(:not([ready])) {
      visibility: hidden;
    }
    h1 {
      margin: 0;
      font-size: 1.25rem;
      letter-spacing: 0.02em;
    }
    .status {
      flex: 1;
      min-width: 0;
      flex-wrap: wrap;
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
    /* Never squeezed below its content (the viewfinder's least height and the controls): on a short
       screen the inspection screen scrolls instead of clipping the controls. */
    crackcam-live-view {
      flex: 1 0 auto;
    }
    /* Defined by the PWA layer after the first paint: its collapsed line's height is kept from the
       start, so that the live view does not shrink when it comes (crackcam-storage-panel.ts). */
    crackcam-storage-panel:not(:defined) {
      display: block;
      min-height: ${storagePanelLineHeight};
    }
    nav {
      display: flex;
      background: #102027;
      border-bottom: 1px solid #37474f;
    }
    nav button {
      flex: 1 1 auto;
      min-width: 0;
      white-space: nowrap;
      padding: 0 0.2rem;
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
    @media (max-width: 380px) {
      nav button {
        font-size: 0.9rem;
      }
    }
    .live {
      flex: 1;
      display: flex;
      flex-direction: column;
      min-height: 0;
      overflow-y: auto;
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

  /**
   * The first render waits a task after the shell's modules are evaluated, so that evaluating them and
   * rendering the shell are two tasks, not one long one (see {@link LIVE_PARTS}).
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (!this.hasUpdated) await new Promise((resolve) => setTimeout(resolve));
    await super.scheduleUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.started) {
      this.started = true;
      void this.init();
    }
  }

  /**
   * Renders the shell's frame, then {@link LIVE_PARTS} one frame apart, then shows it; shown also
   * when a part failed to render, with the error (what did render beats a blank page).
   */
  private async renderInParts(): Promise<void> {
    try {
      await this.updateComplete;
      for (let n = 1; n <= LIVE_PARTS.length; n++) {
        await afterNextPaint();
        this.livePartsRendered = n;
        await this.updateComplete;
      }
    } catch (e) {
      this.error = msg(str`Part of the app could not be shown: ${(e as Error).message}`);
    }
    this.toggleAttribute('ready', true);
    this.resolveShellReady();
  }

  /** `template` once the part has been rendered (see {@link LIVE_PARTS}), else nothing. */
  private livePart(part: LivePart, template: TemplateResult): TemplateResult | typeof nothing {
    return this.livePartsRendered > LIVE_PARTS.indexOf(part) ? template : nothing;
  }

  private async init(): Promise<void> {
    // The shell (header, tabs, camera view, bars) paints first; the worker, TF.js and the model files
    // are asked for only once it has painted, so that they never hold up that paint.
    await this.renderInParts();
    await afterNextPaint();
    void this.liveView?.startWorker().catch(() => undefined);
    try {
      parseBackendOverride(location.search); // a bad ?backend= stops here, naming the valid values
    } catch (e) {
      this.error = (e as Error).message;
      this.modelState = 'error';
      this.modelError = msg('no TensorFlow.js backend could start');
      return;
    }
    // The worker reads the active model from the library itself: the page opens the library (and
    // loads TF.js with it) only when a screen or team sync needs it.
    const inWorker = this.prefetchWorkerModel();
    // Captures and findings: a storage problem (private mode, blocked) must not stop the live view.
    // The stores (PouchDB) are lazy chunks too: the shell paints without them.
    await Promise.all([
      import('../platform/capture-store')
        .then(({ openCaptureStore }) => openCaptureStore())
        .then(
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
      import('../platform/finding-store')
        .then(({ openFindingStore }) => openFindingStore())
        .then(
          (s) => (this.findingStore = s),
          (e: Error) => (this.error = e.message),
        ),
    ]);
    void this.openTeamSync();
    if (!(await inWorker)) await this.ensurePageModel();
  }

  /**
   * Has the inference worker load the active model and, once it runs there, shows it as the active
   * model. Resolves false where frames do not run in a worker or its load failed: the page then loads
   * its own copy (which falls back to the built-in model where a stored one is broken).
   */
  private async prefetchWorkerModel(): Promise<boolean> {
    try {
      const info = await this.liveView?.prefetchModel();
      if (!info) return false;
      if (!this.pageModelLoad) {
        this.activeId = info.modelId;
        this.showActiveModel(info.modelId, { name: info.name, version: info.version, kind: info.modelKind });
      }
      return true;
    } catch (e) {
      console.warn('the inference worker could not load the model', e);
      return false;
    }
  }

  /** The active model on the host (test hooks) and for the live view's state. */
  private showActiveModel(id: string, model: { name: string; version: number; kind: string }): void {
    this.modelState = 'ready';
    this.dataset.modelId = id;
    this.dataset.modelName = model.name;
    this.dataset.modelVersion = String(model.version);
    this.dataset.modelKind = model.kind;
  }

  /** The page's TF.js backend, picked once, the first time the page loads its own copy of the base. */
  private pickBackend(): Promise<BackendChoice> {
    this.backendPick ??= modelLoading()
      .then((models) => models.selectBrowserBackend())
      .then((choice) => (this.backend = choice));
    return this.backendPick;
  }

  /**
   * The model library, opened once, the first time something needs it (the page's model, the Train
   * and Models screens, team models): its module brings the model code and TF.js.
   */
  private ensureModelStore(): Promise<ModelStore | undefined> {
    this.modelStoreOpen ??= modelLoading()
      .then((models) => models.openModelStore())
      .then(
        (s) => (this.modelStore = s),
        (e: Error) => {
          this.error = `the model library could not be opened (${e.message})`;
          return undefined;
        },
      );
    return this.modelStoreOpen;
  }

  /** The page's copy of the base, loaded once, the first time something needs it. */
  private ensureBase(): Promise<BaseNetwork | undefined> {
    this.baseLoad ??= this.loadBase();
    return this.baseLoad;
  }

  private async loadBase(): Promise<BaseNetwork | undefined> {
    try {
      await this.pickBackend(); // the base's tensors go to the page's backend
      const models = await modelLoading();
      const reader = models.progressReader((bytes) => (this.modelBytes = bytes));
      this.base = await models.loadBaseNetwork({ reader, modelJson: appUrl(MODEL_PATHS.base) });
      return this.base;
    } catch (e) {
      this.pageModelFailed((e as Error).message);
      this.baseLoad = undefined; // the next screen that needs it tries again
      this.pageModelLoad = undefined;
      return undefined;
    }
  }

  /**
   * The page's copy of the active model (the trainer, the model library, frames on this thread),
   * loaded once, the first time one of them needs it; {@link loadActiveModel} swaps it later.
   */
  private ensurePageModel(): Promise<void> {
    this.pageModelLoad ??= this.loadActiveModel();
    return this.pageModelLoad;
  }

  /** A failed load of the page's copy: the live view's error, unless the worker runs the model there. */
  private pageModelFailed(message: string): void {
    if (this.modelState === 'ready' && !this.classifier && !this.oneClass) {
      this.error = `the model could not be loaded on this page (${message}); training and the model library need it`;
      return;
    }
    this.modelState = 'error';
    this.modelError = message;
  }

  /** Opens team sync (a lazy chunk with PouchDB) and restarts it when it was on. */
  private async openTeamSync(): Promise<void> {
    try {
      const { openTeamSync } = await import('../platform/sync/team-sync');
      this.teamSync = await openTeamSync();
      this.teamSync.addEventListener('models', () => void this.onTeamModels());
      this.teamSync.addEventListener('change', () => {
        this.requestUpdate(); // the model list's share buttons
        void this.connectTeamModels(); // sync switched on
      });
      await this.teamSync.resume();
      await this.connectTeamModels(this.modelStoreOpen !== undefined); // a screen opened the library already
    } catch (e) {
      this.error = `team sync could not start (${(e as Error).message})`;
    }
  }

  /**
   * Once team sync is on, or a screen opened the library anyway (`always`): team models are checked on
   * the base (loaded for it) and added, and the rejected ones listed. Sync off, at start, the library
   * stays closed.
   */
  private async connectTeamModels(always = false): Promise<void> {
    const teamSync = this.teamSync;
    if (!teamSync || this.teamModelsConnected || !(always || teamSync.settings.enabled)) return;
    this.teamModelsConnected = true;
    const modelStore = await this.ensureModelStore();
    if (!modelStore) return;
    const models = await modelLoading();
    // The check of validateModelFiles (model-store.ts): loaded on the base, then freed.
    await teamSync.useModelLibrary(modelStore, async (files) => {
      const base = await this.ensureBase();
      if (!base) throw new Error('the base network could not be loaded to check the model');
      const loaded = await models.loadModelFiles(files, base);
      loaded.model.dispose();
      return loaded.model.metadata;
    });
    await this.onTeamModels();
  }

  private async onTeamModels(): Promise<void> {
    this.requestUpdate(); // the list's rejected team models
    await this.updateComplete;
    if (!customElements.get('crackcam-models')) return; // not shown yet: it reads the library when it is
    await this.renderRoot.querySelector('crackcam-models')?.refresh();
  }

  /**
   * Loads the library's active model (else the built-in one) and swaps it in. A stored model that no
   * longer loads falls back to the built-in one with an error message.
   */
  async loadActiveModel(): Promise<void> {
    const base = await this.ensureBase();
    if (!base) return;
    const models = await modelLoading();
    const id = (await (await this.ensureModelStore())?.activeId()) ?? BUILTIN_MODEL_ID;
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
        this.pageModelFailed((failure as Error).message);
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
    this.showActiveModel(loadedId, { name: meta.name, version: meta.version, kind: next.kind });
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
    if (!this.shownViews.has(view)) this.shownViews = new Set([...this.shownViews, view]);
    // Defined (upgraded) before they are called; the Train and Models screens train on the page's copy
    // of the model, compare with it and check imports on its base, and their lists read the library.
    const screen = view === 'live' ? undefined : SCREEN_MODULES[view]();
    const tfScreen = view === 'train' || view === 'models';
    if (tfScreen)
      void this.ensurePageModel()
        .then(() => this.connectTeamModels(true))
        .catch((e: Error) => (this.error = `team models could not be read (${e.message})`));
    if (view === 'live') await this.liveView?.resume();
    else if (wasLive) await this.liveView?.suspend();
    await Promise.all([screen, tfScreen ? this.ensureModelStore() : undefined]);
    await this.updateComplete; // the screen is rendered
    if (view === 'captures' || view === 'train') this.classes = (await this.captureStore?.classes()) ?? this.classes;
    if (view === 'captures') await this.renderRoot.querySelector('crackcam-captures')?.refresh();
    if (view === 'train') await this.trainer?.refresh();
    if (view === 'models') await this.renderRoot.querySelector('crackcam-models')?.refresh();
    if (view === 'findings') await this.renderRoot.querySelector('crackcam-findings')?.refresh();
  }

  private readonly onModelChanged = (): void => {
    this.pageModelLoad = this.loadActiveModel();
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
        ${this.livePart(
          'live-view',
          html`<crackcam-live-view
          .backend=${this.backend}
          .classifier=${this.classifier}
          .oneClass=${this.oneClass}
          .modelState=${this.modelState}
          .modelError=${this.modelError}
          .modelBytes=${this.modelBytes}
          .modelId=${this.activeId}
          @adapt-model=${this.onAdaptModel}
          @page-model-request=${() => void this.ensurePageModel()}
        ></crackcam-live-view>`,
        )}
        ${this.livePart(
          'capture-bar',
          html`<crackcam-capture-bar
          .store=${this.captureStore}
          .classes=${this.classes}
          @capture-request=${() => this.liveView?.capture()}
        ></crackcam-capture-bar>`,
        )}
        ${this.livePart(
          'finding-bar',
          html`<crackcam-finding-bar
          .store=${this.findingStore}
          @finding-request=${() => this.liveView?.captureFinding()}
        ></crackcam-finding-bar>`,
        )}
      </div>
      <div class="screen" ?hidden=${this.view !== 'findings'}>
        ${
          this.shownViews.has('findings')
            ? html`<crackcam-findings .store=${this.findingStore} .stills=${this.teamSync}></crackcam-findings>
                <crackcam-measure-settings></crackcam-measure-settings>
                <crackcam-sync-settings .sync=${this.teamSync}></crackcam-sync-settings>`
            : nothing
        }
      </div>
      <div class="screen" ?hidden=${this.view !== 'captures'} @captures-changed=${this.onCapturesChanged}>
        ${
          this.shownViews.has('captures')
            ? html`<crackcam-captures
                .store=${this.captureStore}
                .inputSize=${(this.classifier ?? this.oneClass)?.inputSize ?? 227}
              ></crackcam-captures>`
            : nothing
        }
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
          .base=${this.baseLoad}
          .builtin=${this.builtin}
          .rejected=${this.teamSync?.rejected ?? NO_REJECTED}
          ?canShare=${this.teamSync?.settings.enabled}
          .shared=${this.teamSync?.sharedIds ?? NO_MODEL_IDS}
          .shareStatus=${this.teamSync?.shareStatus ?? NO_SHARE_STATUS}
          @model-share-request=${this.onShareModel}
          @model-unshare-request=${this.onUnshareModel}
          @model-deleted=${this.onModelDeleted}
        ></crackcam-models>
      </div>
      <crackcam-storage-panel ?hidden=${this.view !== 'live'}></crackcam-storage-panel>
      <slot ?hidden=${this.view !== 'live'}></slot>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-app': CrackcamApp;
  }
}
