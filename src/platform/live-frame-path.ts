/**
 * The live frame path, in one module the live view imports on demand (the app shell paints and the
 * camera starts before it): the frame loop and the inference worker's client. No TF.js here: where
 * frames run in the worker, the page loads none for the live view. Frames on the main thread take
 * inference-main-thread.ts as well.
 */
import type { InferenceWorkerClient } from './inference-client';
import { setHookMemory } from './test-hook';

export { FrameLoop } from './frame-loop';
export { inferencePlace, InferenceWorkerClient, librarySource, workerFrameModel } from './inference-client';
export { isOneClassFrameResult } from './oneclass-frame-result';

/** Points the test hook's memory figures at the inference worker's TF.js (test builds only). */
export function reportWorkerMemory(client: InferenceWorkerClient): void {
  setHookMemory(() => client.memory());
}
