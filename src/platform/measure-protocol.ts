/**
 * Messages between the page and the measurement worker (measure-worker.ts). The pixels travel as a
 * transferred buffer; options are the serialisable part of measureCrack's.
 */
import type { CrackMeasurement } from '../core/measure/measure-crack';
import type { Region } from '../core/measure/segment';

/** RGBA pixels of the image to measure. [height * width * 4] */
export interface WirePixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * A picture the worker reads the pixels from: the area `crop` of `source` (transferred; a video frame
 * holds no copy of the pixels), scaled to `size`. The live width's video grabs travel so, and the
 * page draws and reads back nothing.
 */
export interface WireFrame {
  source: VideoFrame | ImageBitmap;
  crop: { x: number; y: number; width: number; height: number };
  size: { width: number; height: number };
}

/** What the worker measures: RGBA pixels, or a picture it reads them from. */
export type WireImage = WirePixels | WireFrame;

/** measureCrack's options that can be sent to a worker. */
export interface WireMeasureOptions {
  standard: string;
  exposure?: string;
  /** Where to look for the crack within the pixels (the marker is looked for everywhere). */
  region?: Region;
  /** The square the classifier judged (the crop box) within the pixels: a marker or card inside it gets guidance. */
  classifiedBox?: Region;
  /** Scale when no marker is in view, mm per px. */
  mmPerPx?: number;
}

/** Measure `pixels`; the answer carries the same id. */
export interface MeasureRequest {
  type: 'measure';
  id: number;
  image: WireImage;
  options: WireMeasureOptions;
}

/** Stop the measurement of `id` (its answer is an error, or nothing when it already finished). */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export type ToMeasureWorker = MeasureRequest | CancelRequest;

export type FromMeasureWorker =
  { type: 'result'; id: number; measurement: CrackMeasurement } | { type: 'error'; id: number; message: string };
