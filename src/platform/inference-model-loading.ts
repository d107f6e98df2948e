/**
 * What the app needs to start inference (backend selection, the base, the model loaders, the model
 * library), in one module the app shell imports after its first paint: TF.js and the model code are
 * a lazy chunk, so the shell and the camera never wait for them.
 */

export { selectBrowserBackend } from './backend';
export { loadBaseNetwork } from '../core/base';
export { loadCrackClassifier } from '../core/classifier';
export { loadModelFiles, openModelStore } from './model-store';
export { progressReader } from './model-url';
