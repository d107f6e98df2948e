/**
 * The measurement worker's message handling, apart from the worker global so that it runs in Node
 * tests: measures each request with measureCrack and posts the result or the error under its id.
 */
import { measureCrack, type CrackMeasurement } from '../core/measure/measure-crack';
import type { MeasureOptions } from '../core/measure/measure-options';
import type { PixelImage } from '../core/measure/pixels';
import type { FromMeasureWorker, ToMeasureWorker, WireFrame, WireImage, WirePixels } from './measure-protocol';

/** What the handler measures with (measureCrack; replaceable in tests). */
export type Measure = (pixels: PixelImage, options: Partial<MeasureOptions>) => Promise<CrackMeasurement>;

/** Reads a picture's RGBA pixels (the worker's: frame-pixels.ts) and closes its source. */
export type ReadFrame = (frame: WireFrame) => WirePixels;

const noFrames: ReadFrame = () => {
  throw new Error('this measurement handler reads no pictures, only pixels');
};

/** The pixels of a request's image. */
function imagePixels(image: WireImage, readFrame: ReadFrame): WirePixels {
  return 'source' in image ? readFrame(image) : image;
}

/** A function that takes each message to the worker and posts the answers with `post`. */
export function createMeasureHandler(
  post: (message: FromMeasureWorker) => void,
  measure: Measure = measureCrack,
  readFrame: ReadFrame = noFrames,
): (message: ToMeasureWorker) => Promise<void> {
  const running = new Map<number, AbortController>();
  return async (message) => {
    if (message.type === 'cancel') {
      running.get(message.id)?.abort(new Error('measurement cancelled'));
      return;
    }
    const { id, image, options } = message;
    const abort = new AbortController();
    running.set(id, abort);
    try {
      const pixels = imagePixels(image, readFrame);
      const measurement = await measure({ ...pixels, channels: 4 }, { ...options, signal: abort.signal });
      post({ type: 'result', id, measurement });
    } catch (e) {
      post({ type: 'error', id, message: e instanceof Error ? e.message : String(e) });
    } finally {
      running.delete(id);
    }
  };
}
