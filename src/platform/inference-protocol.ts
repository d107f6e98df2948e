/**
 * Messages between the page and the inference worker (inference-worker.ts, inference-client.ts).
 * The page sends camera frames (VideoFrame or ImageBitmap, transferred, not copied), one at a time;
 * the worker answers each with the frame's result (probabilities, familiarity, the map to paint).
 */
import type { BackendChoice, BackendName } from './backend-names';
import type { FrameResult } from './frame-loop';
import type { HeatmapStyle } from './heatmap-painter';
import type { HookHeatmap, HookMemory } from './test-hook';

/** Which map the classifier paints (see ClassifierFrameOptions.map in frame-loop.ts). */
export type WireMapKind = 'fine' | 'gradcam';

/** The model the worker runs: the shipped one (by URL) or one of the library's (by id, from IndexedDB). */
export type WireModelSource =
  | { kind: 'builtin'; headUrl: string }
  | { kind: 'stored'; id: string }
  /** The library's active model (the worker reads which one), else the built-in one at `headUrl`. */
  | { kind: 'active'; headUrl: string };

/**
 * How the worker paints a frame's map into the heatmap canvas it was handed: the style, the canvas
 * size (the page lays the canvas over the crop box) and whether to forget the smoothing history.
 */
export interface WireHeatmap {
  style: HeatmapStyle;
  width: number;
  height: number;
  reset: boolean;
}

/** What the worker reports of the model it runs, once loaded. */
export interface WorkerModelReport {
  /** The backend the worker picked and runs, and how (the live view's backend badge). */
  backend: BackendChoice;
  /** The model library's id of the model it runs (`builtin`: the shipped one). */
  modelId: string;
  /** The frame model's kind: `classifier` or `oneclass`. */
  modelKind: string;
  inputSize: number;
  /** The model's metadata name and version (the live view's badge and findings name it). */
  name: string;
  version: number;
  /** The classifier's labels, in output order (empty for a one-class model). */
  labels: string[];
  /** The classifier has a fine head: the live view offers the fine map. */
  fineMap: boolean;
}

/** Page -> worker. */
export type ToInferenceWorker =
  | {
      type: 'load';
      /**
       * The backend forced with the page's `?backend=`; absent: the worker picks its own (WebGPU,
       * WebGL, WASM, CPU; emulated GPUs passed over). Only the first load starts a backend.
       */
      forcedBackend?: BackendName;
      /** Absolute URL of the base model.json (the page's, so the service worker's precache serves it). */
      baseUrl: string;
      model: WireModelSource;
      map: WireMapKind;
    }
  | {
      type: 'frame';
      id: number;
      /** The whole camera frame; the worker crops it (centre square scaled by `cropFraction`) and closes it. */
      frame: VideoFrame | ImageBitmap;
      cropFraction: number;
      /** Paint the map into the heatmap canvas (absent: the heatmap is hidden; the canvas is cleared). */
      heatmap?: WireHeatmap;
    }
  /** The heatmap canvas (the page's element, transferControlToOffscreen): the worker paints each frame's map there. */
  | { type: 'heatmap-canvas'; canvas: OffscreenCanvas }
  | { type: 'memory'; id: number }
  /** The heatmap as painted and the canvas's pixels (test hook). */
  | { type: 'heatmap-probe'; id: number };

/** Worker -> page. */
export type FromInferenceWorker =
  | ({ type: 'ready' } & WorkerModelReport)
  /** Bytes of model files received so far by the load in progress (base and model; none from IndexedDB). */
  | { type: 'progress'; bytes: number }
  | { type: 'result'; id: number; result: FrameResult }
  | { type: 'memory'; id: number; memory: HookMemory }
  | { type: 'heatmap-probe'; id: number; probe: HookHeatmap | undefined }
  /** A load or frame failed (`id`: the frame's). */
  | { type: 'failed'; id?: number; message: string };
