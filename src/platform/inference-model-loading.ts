/**
 * What the page needs to run TF.js itself (backend selection, the base, the model loaders, the model
 * library), in one lazy chunk the app shell imports the first time it needs one of them: a screen
 * that trains or lists models, team sync, or frames on the main thread. The live view's worker path
 * needs none of it on the page.
 */

export { selectBrowserBackend } from './backend';
export { loadBaseNetwork } from '../core/base';
export { loadCrackClassifier } from '../core/classifier';
export { loadModelFiles, openModelStore } from './model-store';
export { progressReader } from './model-url';
