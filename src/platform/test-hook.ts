/**
 * `window.__crackcam`: a small read-only window into the running app for end-to-end tests and the
 * benchmark (tensor counts, frame count, the current heatmap). Cheap: values are copied on demand.
 *
 * Test builds only: the hook is installed when the compile-time flag `__CRACKCAM_TEST_HOOKS__` is
 * true, which scripts/vite-pwa.ts sets on the dev server and in builds made with
 * CRACKCAM_TEST_HOOKS=1 (the e2e harness and the benchmark); in `npm run build` it is false, the
 * installing code is dropped as dead code and the bundle carries no hook.
 */
import type { CaptureRecord } from './capture-record';
import type { FrameStats } from './frame-loop';

/** Memory figures of the running backend. */
export interface HookMemory {
  numTensors: number;
  numDataBuffers: number;
  numBytes: number;
  /** Size of the WASM backend's heap (it only grows), if that backend runs. */
  wasmHeapBytes?: number;
}

/** The current heatmap, row-major. */
export interface HookCam {
  width: number;
  height: number;
  /** This frame's map in [0, 1]. */
  raw: number[];
  /** The map as painted (after temporal smoothing). */
  shown: number[];
}

/** The heatmap as painted and the heatmap canvas's pixels, read at the same moment. */
export interface HookHeatmap {
  /** Map size in cells. */
  width: number;
  height: number;
  /** The map as painted (after temporal smoothing), row-major. */
  shown: Float32Array;
  canvasWidth: number;
  canvasHeight: number;
  /** The canvas's RGBA pixels, row-major. */
  rgba: Uint8ClampedArray;
}

/** Shape of `window.__crackcam`. */
export interface CrackcamHook {
  /** Running backend name, once chosen. */
  backend?: string;
  /** Frames processed since the loop last started. */
  frames: number;
  /**
   * Latest frame's verdict: the classifier's class and its probability and, for a classifier with a
   * novelty model, whether that frame was unfamiliar (the frame's own flag; the verdict element shows
   * it after a few frames, see UNFAMILIAR_HYSTERESIS_FRAMES in crackcam-live-view.ts).
   */
  verdict?: { label: string; probability: number; unfamiliar?: boolean };
  stats?: Readonly<FrameStats>;
  /**
   * Each processed frame's latency (FrameStats.lastLatencyMs), oldest first, the last
   * {@link HOOK_LATENCY_FRAMES}: a reader takes the frames of a window at its end, without polling the
   * page every frame (the benchmark's main-thread load would count its own polling).
   */
  latencies?: number[];
  /**
   * Tensors and bytes where the live frames run: TF.js in the page, or in the inference worker
   * (asynchronous then). Throws until the frame path has loaded TF.js (see setHookMemory).
   */
  memory(): HookMemory | Promise<HookMemory>;
  /**
   * Tensors and bytes of this page's TF.js, wherever the frames run: what training and scoring in the
   * page hold. All zero until the page starts a TF.js backend (it holds no tensor before).
   */
  pageMemory(): HookMemory;
  cam(): HookCam | undefined;
  /**
   * The heatmap canvas's pixels with the map they show, read together (the canvas is painted in the
   * inference worker when the frames run there, so its pixels are read there).
   */
  heatmap?(): Promise<HookHeatmap | undefined>;
  /** The captures in the app's capture store, newest first (with crops), once it is open. */
  captures?(): Promise<CaptureRecord[]>;
}

declare global {
  interface Window {
    __crackcam?: CrackcamHook;
  }
}

/** Vite's define; undeclared where the code runs without vite (then no hook). */
declare const __CRACKCAM_TEST_HOOKS__: boolean;

/** Whether this build installs the hook (see the file comment). */
export const TEST_HOOKS: boolean = typeof __CRACKCAM_TEST_HOOKS__ === 'boolean' && __CRACKCAM_TEST_HOOKS__;

/** Frames kept in {@link CrackcamHook.latencies}. */
export const HOOK_LATENCY_FRAMES = 10_000;

/** Appends a processed frame's latency to `hook.latencies`, keeping the last {@link HOOK_LATENCY_FRAMES}. */
export function recordHookLatency(hook: CrackcamHook, ms: number): void {
  const list = (hook.latencies ??= []);
  list.push(ms);
  if (list.length > HOOK_LATENCY_FRAMES) list.splice(0, list.length - HOOK_LATENCY_FRAMES);
}

/** In a test build: installs (once) and returns the hook object that the app updates; else undefined. */
export function crackcamHook(): CrackcamHook | undefined {
  if (!TEST_HOOKS) return undefined;
  if (!window.__crackcam) {
    window.__crackcam = {
      frames: 0,
      memory() {
        throw new Error('the frame path has not loaded TF.js yet: no memory figures');
      },
      pageMemory: () => ({ numTensors: 0, numDataBuffers: 0, numBytes: 0 }),
      cam: () => undefined,
    };
  }
  return window.__crackcam;
}

/**
 * Where {@link CrackcamHook.memory} reads from, once the frame path has loaded TF.js: this page's
 * TF.js (tfMemory in inference-memory.ts) or the inference worker. No-op outside test builds.
 */
export function setHookMemory(read: () => HookMemory | Promise<HookMemory>): void {
  const hook = crackcamHook();
  if (hook) hook.memory = read;
}

/** Where {@link CrackcamHook.pageMemory} reads from: this page's TF.js. No-op outside test builds. */
export function setHookPageMemory(read: () => HookMemory): void {
  const hook = crackcamHook();
  if (hook) hook.pageMemory = read;
}

/** Where {@link CrackcamHook.captures} reads from: the app's capture store. No-op outside test builds. */
export function setHookCaptures(read: () => Promise<CaptureRecord[]>): void {
  const hook = crackcamHook();
  if (hook) hook.captures = read;
}
