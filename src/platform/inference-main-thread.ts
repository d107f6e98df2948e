/**
 * The frame models that run on the page's main thread (no worker, `?inference=main`, or a worker that
 * failed), in one module the live view imports only then: it brings TF.js with it.
 */
import { tfMemory } from './inference-memory';
import { setHookMemory } from './test-hook';

export { classifierFrameModel, localLoopModel } from './frame-model';
export { oneClassFrameModel } from './oneclass-frame-model';

/** Points the test hook's memory figures at this page's TF.js (test builds only). */
export function reportPageMemory(): void {
  setHookMemory(tfMemory);
}
