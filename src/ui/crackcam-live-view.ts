import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { CrackClassifier } from '../core/classifier';
import type { OneClassModel } from '../core/oneclass';
import { centreCropBox, type CropBox } from '../core/crop';
import { cropBoxOnScreen, type Rect } from '../core/viewfinder';
import { parseBackendOverride, type BackendChoice, type BackendName } from '../platform/backend-names';
import { Camera, CameraError, type CameraDevice, type CameraErrorKind, type CameraFeatures } from '../platform/camera';
import type { FrameLoop, FrameResult, FrameStats, LoopModel } from '../platform/frame-loop';
import type { InferencePlace, InferenceWorkerClient, WorkerLoad, WorkerModelInfo } from '../platform/inference-client';
import type { WireMapKind, WireModelSource } from '../platform/inference-protocol';
import { appUrl, MODEL_PATHS } from '../platform/model-url';
import { paintedOverlay, type FindingSnapshot } from '../platform/finding-capture';
import { crackcamHook, recordHookLatency, type CrackcamHook } from '../platform/test-hook';
import { VideoFrameSource } from '../platform/video-frame-source';
import { DEFAULT_HEATMAP_STYLE, HEATMAP_MODES, type HeatmapMode, type HeatmapStyle } from '../platform/heatmap-painter';
import { LiveHeatmap } from '../platform/live-heatmap';
import { controlStyles } from './shared-styles';
import './crackcam-verdict';
import './crackcam-label-this';
import './crackcam-live-width';
import { isUncertain } from '../core/uncertainty';

/** `detail` of the `capture` event. */
export interface CaptureDetail {
  /** The crop the model sees (the crop box), at the model's input size (227 x 227). */
  crop: ImageData;
  /** The whole camera frame at its native resolution. */
  frame: ImageData;
  /** The crop box in `frame` pixels. */
  cropBox: CropBox;
  /** The latest verdict when the capture was taken, if the model is running. */
  verdict?: { label: string; probability: number; scores: { label: string; probability: number }[] };
  /** Name and version of the model that gave the verdict. */
  model?: { name: string; version: number };
  /** Milliseconds since the epoch. */
  takenAt: number;
  /** The label chosen with *Label this*; without it the capture bar's label applies. */
  label?: string;
}

/** Where the model is: shown in the verdict bar until frames come in. */
export type ModelState = 'loading' | 'ready' | 'error';

/** What the live view runs: the crack classifier (Grad-CAM) or a one-class model (anomaly map). */
export type InspectionMode = 'classifier' | 'oneclass';

type CameraState = 'idle' | 'starting' | 'running' | 'error';

/** The lazily imported frame path module (frame loop, worker client; no TF.js). */
type FramePath = typeof import('../platform/live-frame-path');
/** The frame models for the main thread (TF.js): imported only where frames run there. */
type PageFramePath = typeof import('../platform/inference-main-thread');

const { mode: DEFAULT_HEATMAP_MODE, alpha: DEFAULT_ALPHA, smoothing: DEFAULT_SMOOTHING } = DEFAULT_HEATMAP_STYLE;

/** A heatmap mode's name in the style picker. */
function heatmapModeLabel(mode: HeatmapMode): string {
  return mode === 'jet' ? msg('Jet') : msg('Highlight');
}

/**
 * Consecutive frames the classifier's "unfamiliar" flag must hold before the verdict says
 * *Unfamiliar surface*, and that it must stay off before the verdict comes back (no flicker at
 * the novelty threshold).
 */
export const UNFAMILIAR_HYSTERESIS_FRAMES = 3;

/** How long *Label this* stays offered after the last uncertain frame (no flicker at the threshold). */
export const LABEL_THIS_HOLD_MS = 2000;

/**
 * Longest side of the heatmap canvas's backing store, px. The map is at most 56 cells a side and is
 * drawn with bilinear smoothing, so more pixels add no detail, only per-frame drawing on the main
 * thread (a phone's crop box at 3 device pixels per CSS pixel is over 1000 px a side); the browser
 * scales the canvas to the crop box, smoothly.
 */
export const HEATMAP_MAX_SIDE = 256;

/**
 * Least time between two refreshes of the fps and latency figures on screen, ms: a figure that
 * changes with every frame cannot be read, and each change costs the page a layout and a paint.
 */
export const STATS_REFRESH_MS = 500;

/**
 * The live inspection view: camera viewfinder with the crop box the model sees, the Grad-CAM
 * heatmap of the crack class painted into that box, the verdict, backend / fps / latency, and the
 * camera and heatmap controls. Tap the viewfinder (or the button) to capture.
 *
 * With a one-class ("normal-only") model instead of the classifier, the same loop and painter show
 * its anomaly heatmap and the verdict is *Normal* / *Anomaly* with score / threshold; a mode badge
 * says which kind of model runs (`[data-testid="mode"]`, `data-mode` = {@link InspectionMode}).
 *
 * A classifier with a novelty model flags frames of surfaces it was not trained on; the verdict then
 * says *Unfamiliar surface* instead of a confident class, once the flag has held for
 * {@link UNFAMILIAR_HYSTERESIS_FRAMES} consecutive frames, and goes back to the class after as many
 * consecutive familiar frames. Its Adapt button's `adapt-model` event bubbles out of this element.
 *
 * While the classifier is unsure (top probability below `UNCERTAIN_BELOW`, or unfamiliar), and for
 * {@link LABEL_THIS_HOLD_MS} after, *Label this* (`crackcam-label-this`) is offered: it pauses the
 * frame, and the chosen label goes with its `capture` event, which the capture bar stores.
 *
 * @fires capture - {@link CaptureDetail}: the crop and full frame of a capture (bubbles, composed).
 *   The trainer's capture store listens for it.
 * @fires finding-capture - {@link FindingSnapshot}: what {@link captureFinding} took (bubbles, composed).
 * @fires page-model-request - the frames need the app's own copy of the model (they run on this
 *   thread, or the worker could not run them) and none is set (bubbles, composed).
 */
@localized()
@customElement('crackcam-live-view')
export class CrackcamLiveView extends LitElement {
  /** The loaded classifier; the loop starts once both it and the camera are ready. Not owned. */
  @property({ attribute: false }) classifier?: CrackClassifier;
  /** A one-class model to run instead of the classifier (takes precedence when both are set). Not owned. */
  @property({ attribute: false }) oneClass?: OneClassModel;
  /** The page's TF.js backend (where frames run on the main thread; the worker reports its own). */
  @property({ attribute: false }) backend?: BackendChoice;
  @property() modelState: ModelState = 'loading';
  /** Why the model failed to load, when `modelState` is `error`. */
  @property() modelError = '';
  /** Model bytes received so far while `modelState` is `loading` (shown as progress). */
  @property({ type: Number }) modelBytes = 0;
  /** The model library's id of the model that runs (`builtin`: the shipped one): the inference worker loads it too. */
  @property() modelId?: string;
  /** Where the frames run: in the inference worker, or on the main thread (`?inference=main`, or no worker). */
  @state() private inference?: InferencePlace;
  /**
   * The model the inference worker runs, as it reported it. The live view runs with it alone until
   * the app sets {@link classifier} or {@link oneClass}: the app loads its own copy only when a screen
   * or the main-thread frame path needs one.
   */
  @state() private workerModelInfo?: WorkerModelInfo;
  /** Bytes of model files the inference worker has received for its load (shown as progress). */
  @state() private workerBytes = 0;

  @state() private cameraState: CameraState = 'idle';
  @state() private cameraError?: CameraError;
  @state() private cameras: CameraDevice[] = [];
  @state() private cameraId?: string;
  @state() private features: CameraFeatures = { torch: false };
  @state() private torch = false;
  @state() private zoom?: number;
  @state() private frozen = false;
  @state() private showHeatmap = true;
  @state() private heatmapMode: HeatmapMode = DEFAULT_HEATMAP_MODE;
  @state() private alpha = DEFAULT_ALPHA;
  @state() private smoothing = DEFAULT_SMOOTHING;
  /** Paint the fine map (56x56) when the model has a fine head; off: the MATLAB reference's 13x13 Grad-CAM. */
  @state() private fineMap = true;
  @state() private label?: string;
  @state() private probability?: number;
  /** score / threshold of the latest frame in one-class mode, else undefined. */
  @state() private ratio?: number;
  /** The verdict says "unfamiliar surface" (the frames' flag after the hysteresis). */
  @state() private unfamiliar = false;
  /** The reference marker or card lies in the crop box (from the live width): no adapting, no labelling then. */
  @state() private referenceInBox = false;
  /** For a routed model: whether the site's head answered the latest frame (see FrameResult.siteHead). */
  @state() private siteHead?: boolean;
  /** Consecutive frames whose unfamiliar flag disagreed with {@link unfamiliar}. */
  private unfamiliarStreak = 0;
  /** *Label this* is offered until this time (performance.now()); its choice is open; the view paused for it. */
  private labelOfferUntil = 0;
  @state() private offerLabel = false;
  @state() private labelling = false;
  private pausedForLabel = false;
  @state() private fps = 0;
  @state() private latency = 0;
  /** When {@link fps} and {@link latency} were last refreshed (performance.now()). */
  private statsShownAt = -Infinity;
  @state() private box?: Rect;
  @state() private flash = false;

  @query('video') private video!: HTMLVideoElement;
  @query('.viewfinder') private viewfinder!: HTMLElement;
  @query('canvas.heatmap') private heatmapCanvas?: HTMLCanvasElement;
  /** Bumped when the worker that painted the heatmap canvas is gone: a new canvas element replaces the handed-over one. */
  @state() private canvasGeneration = 0;

  private readonly camera = new Camera();
  private source?: VideoFrameSource;
  private loop?: FrameLoop;
  /** The frame path (frame loop, worker client): imported after the first paint, see {@link startWorker}. */
  private framePath?: Promise<FramePath>;
  private frames?: FramePath;
  /** The main thread's frame models, imported the first time frames run there. */
  private pageFramePath?: Promise<PageFramePath>;
  private pageFrames?: PageFramePath;
  /** Counts {@link attachModel} calls: a model that finished loading after a newer call is dropped. */
  private attachGeneration = 0;
  /** The inference worker, where frames run in one. */
  private worker?: InferenceWorkerClient;
  private readonly heatmap = new LiveHeatmap(() => this.heatmapCanvas);
  private resizeObserver?: ResizeObserver;
  private lastResult?: { label: string; probability: number; scores: { label: string; probability: number }[] };
  private lastCam?: { raw: Float32Array; width: number; height: number };
  /** window.__crackcam in test builds (platform/test-hook.ts), else undefined. */
  private readonly hook = crackcamHook();

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      min-height: 0;
      color: #fff;
      background: #000;
    }
    .viewfinder {
      position: relative;
      flex: 1;
      /* at least half a phone's screen: the view is what the inspector aims with */
      min-height: max(12rem, 50vh);
      overflow: hidden;
      background: #000;
      cursor: crosshair;
      touch-action: manipulation;
    }
    video {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      object-fit: contain;
    }
    .cropbox,
    canvas.heatmap {
      position: absolute;
      box-sizing: border-box;
      pointer-events: none;
    }
    .cropbox {
      border: 3px solid #fff;
      outline: 2px solid rgba(0, 0, 0, 0.7);
    }
    canvas.heatmap[hidden] {
      display: none;
    }
    .flash {
      position: absolute;
      inset: 0;
      background: #fff;
      opacity: 0;
      pointer-events: none;
      animation: flash 0.25s ease-out;
    }
    @keyframes flash {
      from {
        opacity: 0.7;
      }
      to {
        opacity: 0;
      }
    }
    .stats {
      position: absolute;
      top: 0.5rem;
      left: 0.5rem;
      display: flex;
      gap: 0.5rem;
      align-items: center;
      padding: 0.25rem 0.5rem;
      border-radius: 0.3rem;
      background: rgba(0, 0, 0, 0.65);
      font-size: 0.95rem;
      font-variant-numeric: tabular-nums;
      pointer-events: none;
      flex-wrap: wrap;
      max-width: calc(100% - 2rem);
    }
    .stats > * {
      white-space: nowrap;
    }
    .figure {
      text-align: right;
    }
    .figure.fps {
      min-width: 7ch;
    }
    .figure.latency {
      min-width: 6ch;
    }
    .badge.backend {
      min-width: 4.5em;
      text-align: center;
    }
    .badge {
      font-weight: 700;
      padding: 0 0.35rem;
      border-radius: 0.2rem;
      background: #eceff1;
      color: #000;
    }
    .badge.software {
      background: #ffb300;
    }
    .badge.mode {
      background: #bbdefb;
    }
    .badge.mode.oneclass {
      background: #e1bee7;
    }
    .message {
      position: absolute;
      inset: 0;
      display: flex;
      flex-direction: column;
      justify-content: center;
      align-items: center;
      gap: 0.8rem;
      padding: 1.5rem;
      text-align: center;
      background: #263238;
      cursor: default;
    }
    .message h2 {
      margin: 0;
      font-size: 1.4rem;
    }
    .message p {
      margin: 0;
      max-width: 36rem;
      line-height: 1.45;
    }
    .message .detail {
      font-family: monospace;
      font-size: 0.85rem;
      opacity: 0.8;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      align-items: center;
      padding: 0.6rem 0.8rem;
      background: #1c262b;
    }
    ${controlStyles}
    .controls button.pending {
      visibility: hidden;
    }
    button[aria-pressed='true'] {
      background: #eceff1;
      color: #000;
    }
    button.primary {
      background: #1565c0;
      border-color: #1565c0;
      font-weight: 700;
    }
    button:disabled {
      opacity: 0.5;
    }
    label {
      display: inline-flex;
      gap: 0.4rem;
      align-items: center;
    }
    input[type='range'] {
      width: 7rem;
      min-height: 2rem;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibilityChange);
    if (this.hasUpdated) void this.startCamera(this.cameraId);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibilityChange);
    void this.loop?.stop();
    this.camera.stop();
    this.cameraState = 'idle';
  }

  protected override firstUpdated(): void {
    this.video.addEventListener('resize', () => this.layout());
    this.video.addEventListener('loadedmetadata', () => this.layout());
    this.resizeObserver = new ResizeObserver(() => this.layout());
    this.resizeObserver.observe(this.viewfinder);
    if (this.hook) {
      this.hook.cam = () =>
        this.lastCam && {
          width: this.lastCam.width,
          height: this.lastCam.height,
          raw: Array.from(this.lastCam.raw),
          shown: Array.from(this.heatmap.shown ?? this.lastCam.raw),
        };
      this.hook.heatmap = () => this.heatmap.probe();
    }
    if (document.visibilityState === 'visible') void this.startCamera();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('classifier') || changed.has('oneClass')) this.attachModel();
    if (this.hook) this.hook.backend = this.runningBackend?.name;
  }

  /** Stops the loop and the camera (e.g. when another view takes over); {@link resume} restarts. */
  async suspend(): Promise<void> {
    await this.loop?.stop();
    this.camera.stop();
    this.cameraState = 'idle';
  }

  /** Restarts the camera after {@link suspend}. */
  async resume(): Promise<void> {
    await this.startCamera(this.cameraId);
  }

  /** The running mode: one-class when a one-class model is set (or the worker runs one), else the classifier. */
  get mode(): InspectionMode {
    if (this.oneClass) return 'oneclass';
    if (this.classifier) return 'classifier';
    return this.workerModelInfo?.modelKind === 'oneclass' ? 'oneclass' : 'classifier';
  }

  /** Name, version and input size of the model that runs (the app's copy, else the worker's report). */
  private get activeModel(): { name: string; version: number; inputSize: number } | undefined {
    const model = this.oneClass ?? this.classifier;
    if (!model) return this.workerModelInfo;
    return { name: model.metadata.name, version: model.metadata.version, inputSize: model.inputSize };
  }

  /** Name and version of the model that runs, for a capture or a finding. */
  private modelNameVersion(): { name: string; version: number } | undefined {
    const model = this.activeModel;
    return model && { name: model.name, version: model.version };
  }

  /** The classifier's labels (*Label this* offers them); none in one-class mode. */
  private get classifierLabels(): readonly string[] {
    if (this.mode !== 'classifier') return [];
    return this.classifier?.labels ?? this.workerModelInfo?.labels ?? [];
  }

  /** The classifier has a fine head, so the fine map can be switched. */
  private get hasFineMap(): boolean {
    if (this.mode !== 'classifier') return false;
    return this.classifier ? Boolean(this.classifier.metadata.base.fineLayer) : this.workerModelInfo?.fineMap === true;
  }

  /** Imports the frame path once (a lazy chunk), then attaches the current model. */
  private attachModel(): void {
    const generation = ++this.attachGeneration;
    if (!this.oneClass && !this.classifier && !this.frames) return this.attachLoopModel(undefined);
    // On the main thread the swap must happen now, before the app disposes the old model.
    if (this.pageFrames && this.inference === 'main') return this.attachLoopModel(this.pageModel(this.pageFrames));
    void this.loadFramePath()
      .then((frames) => this.loopModel(frames))
      .then((model) => {
        if (generation === this.attachGeneration) this.attachLoopModel(model);
      });
  }

  /**
   * The frame loop's model for the current classifier or one-class model: the inference worker's
   * (loading the same model there) where frames run in a worker, else one on this thread. A worker
   * that cannot start leaves the frames on this thread for good.
   */
  private async loopModel(frames: FramePath): Promise<LoopModel | undefined> {
    if (!this.oneClass && !this.classifier && !this.workerModelInfo) return undefined;
    const map = this.fineMap ? 'fine' : 'gradcam';
    try {
      this.inference ??= frames.inferencePlace(location.search);
    } catch (e) {
      this.modelState = 'error';
      this.modelError = (e as Error).message;
      return undefined;
    }
    if (this.inference === 'worker') {
      try {
        if (!this.worker) await this.startWorker();
        if (!this.worker) throw new Error('the inference worker did not start');
        const info = await this.worker.load(
          workerLoad(frames.librarySource(this.modelId, appUrl(MODEL_PATHS.head)), map),
        );
        return this.workerModel(frames, this.worker, info);
      } catch (e) {
        console.warn('the inference worker could not run the model; frames run on the main thread', e);
        this.worker?.terminate();
        this.worker = undefined;
        this.workerModelInfo = undefined;
        this.inference = 'main';
        if (this.heatmap.inWorker) {
          this.heatmap.takeBack();
          this.canvasGeneration++;
        }
      }
    }
    this.pageFramePath ??= import('../platform/inference-main-thread').then((page) => (this.pageFrames = page));
    const model = this.pageModel(await this.pageFramePath);
    if (!model) this.dispatchEvent(new CustomEvent('page-model-request', { bubbles: true, composed: true }));
    return model;
  }

  /**
   * Starts loading the library's active model (else the shipped one; the worker reads which) in the
   * inference worker and runs the frames with it as soon as it is there, if the app has set no model of its own by then.
   * The app's copy, once set, takes the same load ({@link loopModel}). Resolves with what the worker
   * reports of the model, or undefined where frames do not run in a worker or the load failed (the
   * app then loads its own copy, see `page-model-request`).
   */
  async prefetchModel(): Promise<WorkerModelInfo | undefined> {
    const frames = await this.startWorker();
    const worker = this.worker;
    if (!frames || !worker) return undefined;
    const generation = this.attachGeneration;
    const active = { kind: 'active', headUrl: appUrl(MODEL_PATHS.head) } as const;
    const info = await worker.prefetch(workerLoad(active, this.fineMap ? 'fine' : 'gradcam')).catch(() => {
      // the app loads its own copy, whose load through loopModel takes the failure
    });
    if (!info) return undefined;
    if (generation === this.attachGeneration && !this.classifier && !this.oneClass && this.worker === worker)
      this.attachLoopModel(this.workerModel(frames, worker, info));
    return info;
  }

  /**
   * Imports the frame path and, where the frames run in a worker, starts the worker: its script and
   * TF.js load while the app opens the model library. Resolves with the frame path where a worker runs.
   */
  async startWorker(): Promise<FramePath | undefined> {
    const frames = await this.loadFramePath();
    try {
      this.inference ??= frames.inferencePlace(location.search);
    } catch {
      return undefined; // loopModel reports the bad value
    }
    if (this.inference !== 'worker') return undefined;
    if (!this.worker) {
      this.worker = new frames.InferenceWorkerClient();
      this.worker.onLoadProgress = (bytes) => (this.workerBytes = bytes);
    }
    return frames;
  }

  private loadFramePath(): Promise<FramePath> {
    this.framePath ??= import('../platform/live-frame-path').then((frames) => (this.frames = frames));
    return this.framePath;
  }

  /** The inference worker's model as the loop's, painting the heatmap there. */
  private workerModel(frames: FramePath, worker: InferenceWorkerClient, info: WorkerModelInfo): LoopModel {
    this.workerModelInfo = info;
    frames.reportWorkerMemory(worker);
    this.heatmap.handTo(worker);
    return frames.workerFrameModel(
      worker,
      info,
      () => this.source?.cropFraction ?? 1,
      () => this.heatmap.forWorker(this.heatmapStyle()),
    );
  }

  /** The current model as a frame model on this thread. */
  private pageModel(page: PageFramePath): LoopModel | undefined {
    page.reportPageMemory();
    if (this.oneClass) return page.localLoopModel(page.oneClassFrameModel(this.oneClass));
    const map = this.fineMap ? 'fine' : 'gradcam';
    return this.classifier && page.localLoopModel(page.classifierFrameModel(this.classifier, { map }));
  }

  private attachLoopModel(model: LoopModel | undefined): void {
    const frames = this.frames;
    // A verdict of the previous mode must not stay on screen under the new mode's badge.
    this.label = undefined;
    this.probability = undefined;
    this.ratio = undefined;
    this.unfamiliar = false;
    this.unfamiliarStreak = 0;
    this.siteHead = undefined;
    this.lastResult = undefined;
    if (!model) {
      void this.loop?.stop();
      this.loop = undefined;
      return;
    }
    this.heatmap.resetSmoothing();
    if (this.loop) {
      this.loop.setModel(model);
    } else if (frames) {
      const source = this.ensureSource(model.inputSize);
      this.loop = new frames.FrameLoop({
        model,
        source,
        onFrame: (result, stats) => this.onFrame(result, stats),
        onError: (e) => {
          console.error('frame loop stopped', e);
          this.modelState = 'error';
          this.modelError = e instanceof Error ? e.message : String(e);
        },
      });
    }
    this.maybeStartLoop();
  }

  private ensureSource(size: number): VideoFrameSource {
    if (!this.source) {
      const gpu = this.runningBackend?.name === 'webgl' || this.runningBackend?.name === 'webgpu';
      this.source = new VideoFrameSource(this.video, { size, willReadFrequently: !gpu });
    }
    return this.source;
  }

  private maybeStartLoop(): void {
    if (this.loop && this.cameraState === 'running' && !this.frozen && document.visibilityState === 'visible') {
      this.heatmap.resetSmoothing();
      this.statsShownAt = -Infinity;
      this.loop.start();
    }
  }

  private onFrame(result: FrameResult, stats: Readonly<FrameStats>): void {
    this.label = result.label;
    this.probability = result.probability;
    this.ratio = this.frames?.isOneClassFrameResult(result) ? result.ratio : undefined;
    this.followUnfamiliar(result.unfamiliar === true);
    this.siteHead = result.siteHead;
    this.followUncertain(result.probability);
    const now = performance.now();
    if (now - this.statsShownAt >= STATS_REFRESH_MS) {
      if (stats.fps > 0) this.statsShownAt = now; // the first frame has no rate yet: refresh again at the next
      this.fps = stats.fps;
      this.latency = stats.latencyMs;
    }
    this.lastResult = {
      label: result.label,
      probability: result.probability,
      scores: result.scores.map((s) => ({ ...s })),
    };
    if (!this.lastCam || this.lastCam.raw.length !== result.map.length) {
      this.lastCam = { raw: new Float32Array(result.map.length), width: result.mapWidth, height: result.mapHeight };
    }
    this.lastCam.raw.set(result.map);
    this.heatmap.frame(result, this.heatmapStyle());
    if (this.hook) {
      Object.assign(this.hook, { frames: stats.frames, stats, verdict: hookVerdict(result) });
      recordHookLatency(this.hook, stats.lastLatencyMs);
    }
  }

  /** Flips {@link unfamiliar} once a frame's flag has disagreed with it {@link UNFAMILIAR_HYSTERESIS_FRAMES} frames in a row. */
  private followUnfamiliar(flag: boolean): void {
    this.unfamiliarStreak = flag === this.unfamiliar ? 0 : this.unfamiliarStreak + 1;
    if (this.unfamiliarStreak >= UNFAMILIAR_HYSTERESIS_FRAMES) {
      this.unfamiliar = flag;
      this.unfamiliarStreak = 0;
    }
  }

  /**
   * Offers *Label this* while classifier frames are uncertain (and the reference is not in the box),
   * and for {@link LABEL_THIS_HOLD_MS} after.
   */
  private followUncertain(probability: number): void {
    const now = performance.now();
    const classifying = this.mode === 'classifier' && this.activeModel !== undefined;
    // a frame with the marker in the box is no photo to label: the model would learn the marker
    if (classifying && !this.referenceInBox && isUncertain({ probability, unfamiliar: this.unfamiliar }))
      this.labelOfferUntil = now + LABEL_THIS_HOLD_MS;
    this.offerLabel = now < this.labelOfferUntil;
  }

  /** Holds the frame while a label is chosen (unless it already was paused). */
  private async onLabelThisOpen(): Promise<void> {
    this.labelling = true;
    if (this.frozen) return;
    this.pausedForLabel = true;
    await this.toggleFreeze();
  }

  /** Stores the held frame with `label` (none: cancelled), then resumes if *Label this* paused it. */
  private async onLabelThisClose(label?: string): Promise<void> {
    if (label) this.capture(label);
    this.labelling = false;
    if (this.pausedForLabel && this.frozen) await this.toggleFreeze();
    this.pausedForLabel = false;
  }

  private readonly onVisibilityChange = (): void => {
    if (document.visibilityState === 'hidden') {
      // Release the camera while nobody looks (battery, privacy, and other apps may need it).
      void this.suspend();
    } else if (this.isConnected && this.cameraState !== 'error') {
      void this.resume();
    }
  };

  private async startCamera(deviceId?: string): Promise<void> {
    await this.loop?.stop();
    this.cameraState = 'starting';
    this.cameraError = undefined;
    this.frozen = false;
    try {
      await this.camera.start(this.video, deviceId);
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return; // superseded by a newer start/stop
      this.cameraError = e instanceof CameraError ? e : new CameraError('failed', String(e), e);
      this.cameraState = 'error';
      return;
    }
    this.cameraState = 'running';
    this.cameraId = this.camera.deviceId;
    this.features = this.camera.features();
    this.torch = false;
    this.zoom = this.features.zoom?.value;
    this.layout();
    this.maybeStartLoop();
    try {
      this.cameras = await this.camera.listCameras();
    } catch {
      this.cameras = [];
    }
  }

  /** Places the crop box and heatmap canvas over the part of the frame the model sees. */
  private layout(): void {
    const v = this.video;
    const vf = this.viewfinder;
    if (!v || !vf || v.videoWidth === 0 || vf.clientWidth === 0) return;
    const box = cropBoxOnScreen(
      v.videoWidth,
      v.videoHeight,
      vf.clientWidth,
      vf.clientHeight,
      this.source?.cropFraction ?? 1,
    );
    this.box = box;
    // At most HEATMAP_MAX_SIDE backing pixels a side: the compositor scales the canvas up smoothly.
    const scale = Math.min(window.devicePixelRatio || 1, HEATMAP_MAX_SIDE / Math.max(box.width, box.height, 1));
    this.heatmap.resize(box.width * scale, box.height * scale);
  }

  private async toggleFreeze(): Promise<void> {
    if (this.cameraState !== 'running') return;
    if (!this.frozen) {
      this.frozen = true;
      await this.loop?.stop();
      this.video.pause();
    } else {
      this.frozen = false;
      await this.video.play();
      this.maybeStartLoop();
    }
  }

  /** Dispatches a `capture` event with the current crop and frame (and `label`, from *Label this*). */
  capture(label?: string): void {
    const v = this.video;
    if (this.cameraState !== 'running' || !v || v.videoWidth === 0) return;
    const source = this.ensureSource(this.activeModel?.inputSize ?? 227);
    source.pixels();
    const detail: CaptureDetail = {
      crop: source.cropImageData(),
      frame: source.fullFrameImageData(),
      cropBox: centreCropBox(v.videoWidth, v.videoHeight, source.cropFraction),
      verdict: this.lastResult,
      model: this.modelNameVersion(),
      takenAt: Date.now(),
      ...(label === undefined ? {} : { label }),
    };
    this.dispatchEvent(new CustomEvent<CaptureDetail>('capture', { detail, bubbles: true, composed: true }));
    this.flash = false;
    requestAnimationFrame(() => (this.flash = true));
  }

  /**
   * Dispatches a `finding-capture` event ({@link FindingSnapshot}): the crop and full frame as
   * {@link capture} takes them, the heatmap as painted over the crop, the verdict as shown and the
   * camera track (for a full-resolution photo). The finding bar stores it.
   */
  captureFinding(): void {
    const v = this.video;
    if (this.cameraState !== 'running' || !v || v.videoWidth === 0) return;
    const source = this.ensureSource(this.activeModel?.inputSize ?? 227);
    source.pixels();
    const crop = source.cropImageData();
    const result = this.lastResult;
    const detail: FindingSnapshot = {
      crop,
      frame: source.fullFrameImageData(),
      overlay: paintedOverlay(crop, this.findingOverlay()),
      verdict: result && { label: result.label, probability: result.probability },
      unfamiliar: this.unfamiliar,
      model: this.modelNameVersion(),
      takenAt: Date.now(),
      track: this.camera.track,
    };
    this.dispatchEvent(new CustomEvent<FindingSnapshot>('finding-capture', { detail, bubbles: true, composed: true }));
    this.flash = false;
    requestAnimationFrame(() => (this.flash = true));
  }

  private async onCameraPick(e: Event): Promise<void> {
    const id = (e.target as HTMLSelectElement).value;
    if (id && id !== this.cameraId) await this.startCamera(id);
  }

  private async onTorch(): Promise<void> {
    const on = !this.torch;
    try {
      await this.camera.setTorch(on);
      this.torch = on;
    } catch (e) {
      console.warn('torch', e);
      this.features = { ...this.features, torch: false };
    }
  }

  private async onZoom(e: Event): Promise<void> {
    const value = Number((e.target as HTMLInputElement).value);
    try {
      await this.camera.setZoom(value);
      this.zoom = value;
    } catch (err) {
      console.warn('zoom', err);
    }
  }

  private onToggleHeatmap(): void {
    this.showHeatmap = !this.showHeatmap;
    if (!this.showHeatmap) this.heatmap.clear();
    else this.heatmap.resetSmoothing();
  }

  /** How the heatmap is painted now; undefined while it is hidden. */
  private heatmapStyle(): HeatmapStyle | undefined {
    return this.showHeatmap ? { mode: this.heatmapMode, alpha: this.alpha, smoothing: this.smoothing } : undefined;
  }

  /** The heatmap as the inspector sees it over the crop box (for a finding), or undefined while hidden. */
  private findingOverlay(): CanvasImageSource | undefined {
    const style = this.heatmapStyle();
    const cam = this.lastCam;
    return style && cam ? this.heatmap.overlay(cam.width, cam.height, style) : undefined;
  }

  private placeholder(): string {
    if (this.modelState === 'error') return msg(str`Model not loaded: ${this.modelError}`);
    const bytes = Math.max(this.modelBytes, this.workerBytes);
    if (this.modelState === 'loading')
      return bytes > 0 ? msg(str`Loading model… ${(bytes / 1e6).toFixed(1)} MB`) : msg('Loading model…');
    if (this.cameraState === 'starting') return msg('Starting camera…');
    if (this.cameraState !== 'running') return msg('Camera off');
    return msg('Analysing…');
  }

  private cameraMessage(kind: CameraErrorKind): { title: string; body: string } {
    switch (kind) {
      case 'denied':
        return {
          title: msg('Camera access is blocked'),
          body: msg(
            "CrackCam needs the camera for live inspection. Allow camera access for this site in the browser's site settings (the camera or lock icon next to the address), then press Try again.",
          ),
        };
      case 'missing':
        return {
          title: msg('No camera found'),
          body: msg('Connect a camera (or pick another one), then press Try again.'),
        };
      case 'busy':
        return {
          title: msg('The camera is busy'),
          body: msg('Another app or browser tab is using the camera. Close it, then press Try again.'),
        };
      case 'insecure':
        return {
          title: msg('The camera needs a secure connection'),
          body: msg('Browsers only allow the camera on HTTPS pages (or localhost). Open CrackCam over HTTPS.'),
        };
      case 'unsupported':
        return {
          title: msg('This browser cannot use a camera'),
          body: msg('Use a current version of Chrome, Edge, Firefox or Safari.'),
        };
      default:
        return {
          title: msg('The camera could not start'),
          body: msg('Press Try again. If that does not help, reload the page.'),
        };
    }
  }

  private renderMessage() {
    const err = this.cameraError;
    if (this.cameraState !== 'error' || !err) return nothing;
    const { title, body } = this.cameraMessage(err.kind);
    return html`<div
      class="message"
      role="alert"
      data-testid="camera-message"
      data-kind=${err.kind}
      @click=${(e: Event) => e.stopPropagation()}
    >
      <h2>${title}</h2>
      <p>${body}</p>
      <p>${msg('Captures, models and training keep working without the camera.')}</p>
      <p class="detail">${err.message}</p>
      <button class="primary" @click=${() => this.startCamera(this.cameraId)}>${msg('Try again')}</button>
    </div>`;
  }

  /** The backend that runs the frames: the worker's where they run there, else the page's. */
  private get runningBackend(): BackendChoice | undefined {
    return this.inference === 'worker' ? this.workerModelInfo?.backend : this.backend;
  }

  private renderStats() {
    const b = this.runningBackend;
    const names: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
    const title = b
      ? [b.device, ...b.skipped.map((s) => `${s.name}: ${s.reason}`), b.forced ? msg('forced with ?backend=') : '']
          .filter((s) => s)
          .join('\n')
      : '';
    // The figures first, at fixed widths, and the badges after them, so that nothing already shown
    // moves when the backend and the model are known.
    return html`<div class="stats">
      <span class="figure fps" data-testid="fps">${msg(str`${this.fps.toFixed(1)} fps`)}</span>
      <span class="figure latency" data-testid="latency">${msg(str`${Math.round(this.latency)} ms`)}</span>
      <span
        class="badge backend ${b?.software ? 'software' : ''}"
        data-testid="backend"
        data-backend=${b?.name ?? ''}
        data-software=${b?.software ? 'true' : 'false'}
        title=${title}
        >${b ? names[b.name] : '…'}</span
      >
      ${
        this.inference
          ? html`<span class="badge" data-testid="inference" data-inference=${this.inference}
            >${this.inference === 'worker' ? msg('worker') : msg('main thread')}</span
          >`
          : nothing
      }
      ${this.renderMode()}
    </div>`;
  }

  /** The mode badge: which kind of model is judging the frames (hidden until one is loaded). */
  private renderMode() {
    if (!this.activeModel) return nothing;
    const mode = this.mode;
    const text =
      mode === 'oneclass'
        ? msg('Normal-only (anomaly)', {
            desc: 'mode badge: a one-class model trained on sound surface only flags anomalies',
          })
        : msg('Crack classifier', { desc: 'mode badge: the crack / no-crack classifier runs' });
    const title =
      mode === 'oneclass'
        ? msg(
            'A normal-only model: frames unlike the sound surface it learned are flagged as anomalies; the heatmap shows where.',
          )
        : msg('The crack classifier: crack or no crack; the heatmap (Grad-CAM) shows what the decision rests on.');
    return html`<span class="badge mode ${mode}" data-testid="mode" data-mode=${mode} title=${title}>${text}</span>`;
  }

  private onToggleFineMap = (): void => {
    this.fineMap = !this.fineMap;
    this.attachModel();
  };

  /**
   * The fine map's switch, for a classifier with a fine head. Until the model is known it holds its
   * place unseen, so that the controls do not grow under the inspector's thumb when it comes.
   */
  private renderFineMapToggle() {
    const pending = this.activeModel === undefined;
    if (!pending && !this.hasFineMap) return nothing;
    return html`<button
      data-testid="fine-map-toggle"
      class=${pending ? 'pending' : ''}
      aria-pressed=${this.fineMap ? 'true' : 'false'}
      ?disabled=${pending || !this.showHeatmap}
      title=${msg('Fine map: 4 px cells that follow thin cracks (Grad-CAM of an early layer, kept where the 13x13 Grad-CAM sees a crack). Off: the 13x13 Grad-CAM alone.')}
      @click=${this.onToggleFineMap}
    >
      ${msg('Fine map')}
    </button>`;
  }

  private renderControls() {
    const running = this.cameraState === 'running';
    const zoom = this.features.zoom;
    return html`<div class="controls">
      <button class="primary" data-testid="capture" ?disabled=${!running} @click=${() => this.capture()}>
        ${msg('Capture')}
      </button>
      <button
        data-testid="freeze"
        aria-pressed=${this.frozen ? 'true' : 'false'}
        ?disabled=${!running}
        @click=${this.toggleFreeze}
      >
        ${this.frozen ? msg('Resume') : msg('Pause')}
      </button>
      <button
        data-testid="heatmap-toggle"
        aria-pressed=${this.showHeatmap ? 'true' : 'false'}
        @click=${this.onToggleHeatmap}
      >
        ${msg('Heatmap')}
      </button>
      ${this.renderFineMapToggle()}
      <label
        >${msg('Style')}
        <select
          data-testid="heatmap-style"
          ?disabled=${!this.showHeatmap}
          title=${msg("Highlight: colour only where the map is high, so the wall stays visible. Jet: the MATLAB reference's colour veil over the whole crop.")}
          @change=${(e: Event) => (this.heatmapMode = (e.target as HTMLSelectElement).value as HeatmapMode)}
        >
          ${HEATMAP_MODES.map((m) => html`<option value=${m} ?selected=${m === this.heatmapMode}>${heatmapModeLabel(m)}</option>`)}
        </select></label
      >
      <label
        >${msg('Opacity')}
        <input
          type="range"
          min="0"
          max="1"
          step="0.05"
          .value=${String(this.alpha)}
          ?disabled=${!this.showHeatmap}
          data-testid="heatmap-alpha"
          @input=${(e: Event) => (this.alpha = Number((e.target as HTMLInputElement).value))}
      /></label>
      <label
        >${msg('Smoothing')}
        <input
          type="range"
          min="0"
          max="0.9"
          step="0.1"
          .value=${String(this.smoothing)}
          ?disabled=${!this.showHeatmap}
          data-testid="heatmap-smoothing"
          @input=${(e: Event) => (this.smoothing = Number((e.target as HTMLInputElement).value))}
      /></label>
      ${
        this.cameras.length > 1
          ? html`<label
              >${msg('Camera')}
              <select data-testid="camera-select" @change=${this.onCameraPick}>
                ${this.cameras.map((c) => html`<option value=${c.deviceId} ?selected=${c.deviceId === this.cameraId}>${c.label}</option>`)}
              </select></label
            >`
          : nothing
      }
      ${
        running && this.features.torch
          ? html`<button data-testid="torch" aria-pressed=${this.torch ? 'true' : 'false'} @click=${this.onTorch}>
              ${msg('Torch')}
            </button>`
          : nothing
      }
      ${
        running && zoom
          ? html`<label
              >${msg('Zoom')}
              <input
                type="range"
                data-testid="zoom"
                min=${zoom.min}
                max=${zoom.max}
                step=${zoom.step}
                .value=${String(this.zoom ?? zoom.min)}
                @change=${this.onZoom}
            /></label>`
          : nothing
      }
    </div>`;
  }

  override render() {
    const box = this.box;
    const boxStyle = box
      ? { left: `${box.x}px`, top: `${box.y}px`, width: `${box.width}px`, height: `${box.height}px` }
      : { display: 'none' };
    const running = this.cameraState === 'running';
    return html`
      <div class="viewfinder" @click=${() => this.capture()} title=${msg('Tap to capture')}>
        <video muted playsinline aria-label=${msg('Camera image')}></video>
        ${keyed(
          this.canvasGeneration,
          html`<canvas
            class="heatmap"
            data-testid="heatmap"
            style=${styleMap(boxStyle)}
            ?hidden=${!this.showHeatmap || !running}
            aria-hidden="true"
          ></canvas>`,
        )}
        ${running ? html`<div class="cropbox" style=${styleMap(boxStyle)} data-testid="cropbox"></div>` : nothing}
        ${
          running
            ? html`<crackcam-live-width
                .video=${this.video}
                .cropFraction=${this.source?.cropFraction ?? 1}
                .label=${this.label}
                .unfamiliar=${this.unfamiliar}
                @reference-in-box=${(e: CustomEvent<{ inBox: boolean }>) => (this.referenceInBox = e.detail.inBox)}
              ></crackcam-live-width>`
            : nothing
        }
        ${this.flash ? html`<div class="flash" @animationend=${() => (this.flash = false)}></div>` : nothing}
        ${this.renderStats()} ${this.renderMessage()}
      </div>
      <crackcam-verdict
        .label=${running ? this.label : undefined}
        .probability=${this.probability}
        .ratio=${this.ratio}
        .unfamiliar=${this.unfamiliar}
        .referenceInBox=${running && this.referenceInBox}
        .siteHead=${running ? this.siteHead : undefined}
        .placeholder=${this.placeholder()}
        ?frozen=${this.frozen}
      ></crackcam-verdict>
      ${
        running && (this.offerLabel || this.labelling)
          ? html`<crackcam-label-this
              .labels=${this.classifierLabels}
              @label-this-open=${() => void this.onLabelThisOpen()}
              @label-chosen=${(e: CustomEvent<{ label: string }>) => void this.onLabelThisClose(e.detail.label)}
              @label-this-cancel=${() => void this.onLabelThisClose()}
            ></crackcam-label-this>`
          : nothing
      }
      ${this.renderControls()}
    `;
  }
}

/** The inference worker's load of `model`, on the backend forced with `?backend=` or the worker's own choice. */
function workerLoad(model: WireModelSource, map: WireMapKind): WorkerLoad {
  return { forcedBackend: forcedBackend(), baseUrl: appUrl(MODEL_PATHS.base), model, map };
}

/** The backend forced with `?backend=`; a bad value counts as none here (the app reports it). */
function forcedBackend(): BackendName | undefined {
  try {
    return parseBackendOverride(location.search);
  } catch {
    return undefined;
  }
}

/** The test hook's verdict of one frame: its class and probability, and its own unfamiliar flag (no hysteresis) for a model with a novelty model. */
function hookVerdict(result: FrameResult): NonNullable<CrackcamHook['verdict']> {
  const verdict = { label: result.label, probability: result.probability };
  return result.unfamiliar === undefined ? verdict : { ...verdict, unfamiliar: result.unfamiliar };
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-live-view': CrackcamLiveView;
  }
  interface HTMLElementEventMap {
    capture: CustomEvent<CaptureDetail>;
  }
  /** The capture event bubbles out of the shadow roots up to the document. */
  interface DocumentEventMap {
    capture: CustomEvent<CaptureDetail>;
  }
}
