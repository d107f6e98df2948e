/**
 * The live frame path, in one module the live view imports on demand (the app shell paints and the
 * camera starts before TF.js is loaded; this chunk comes with the first model): the frame loop, and
 * either the inference worker's client or the frame models that run on the page's main thread.
 */
import type { InferenceWorkerClient } from './inference-client';
import { tfMemory } from './inference-memory';
import { setHookMemory, setHookPageMemory } from './test-hook';

export { classifierFrameModel, FrameLoop } from './frame-loop';
export { inferencePlace, InferenceWorkerClient, workerFrameModel } from './inference-client';
export { isOneClassFrameResult, oneClassFrameModel } from './oneclass-frame-model';

/** Points the test hook's memory figures at this page's TF.js (test builds only). */
export function reportPageMemory(): void {
  setHookMemory(tfMemory);
  setHookPageMemory(tfMemory);
}

/** Points the test hook's memory figures at the inference worker's TF.js (test builds only). */
export function reportWorkerMemory(client: InferenceWorkerClient): void {
  setHookMemory(() => client.memory());
  setHookPageMemory(tfMemory);
}
