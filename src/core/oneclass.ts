/**
 * Normal-only mode: a model of what sound surface looks like, learned from a few dozen photos of
 * it, that flags anything unlike it and paints where.
 *
 * Method (chosen by measurement, see docs/oneclass.md): one multivariate Gaussian of the local
 * feature vectors of normal photos ("patch Gaussian"), on mid-level SqueezeNet features (fire5,
 * average-pooled to the 13x13 grid, concatenated with fire7), with Ledoit-Wolf shrinkage. A frame's
 * squared Mahalanobis distance at each of the 13x13 locations is the anomaly map; the image score
 * is the mean of the top-k location distances. One Gaussian for all locations (not one per location
 * as in PaDiM) because surface photos are textures: any location may show a joint or a pore, and
 * 50 photos give 8,450 location samples for one Gaussian but only 50 for each of 169.
 *
 * The Gaussian is stored in whitened form as a 1x1 convolution (z = (x - mean) W, |z|^2 = squared
 * Mahalanobis distance) inside a tiny standard TF.js Layers model, so the app reads it with the
 * same ModelReader as a classifier; everything else is in `userDefinedMetadata.crackcam.oneClass`.
 *
 * The code is split by job and re-exported here as one public API: oneclass-scorer.ts (the feature
 * pipeline and the scorer), oneclass-gaussian.ts (the fitted Gaussian), oneclass-training.ts
 * (trainOneClass, metadata, files), oneclass-model.ts (the loaded model) and oneclass-checks.ts
 * (validation of its parts).
 */
export {
  DEFAULT_ONECLASS_LAYERS,
  ONECLASS_LABELS,
  ONECLASS_METHODS,
  WHITEN_LAYER,
  createOneClassScorer,
  type OneClassMethod,
} from './oneclass-scorer';
export { validateOneClassInfo } from './oneclass-checks';
export {
  createOneClassModel,
  loadOneClassModel,
  type AnomalyResult,
  type DetectOptions,
  type OneClassModel,
  type OneClassModelConfig,
  type OneClassTensors,
} from './oneclass-model';
export {
  ONECLASS_DEFAULTS,
  oneClassMetadata,
  serializeOneClassModel,
  trainOneClass,
  type OneClassProgress,
  type OneClassSample,
  type OneClassTrainingConfig,
  type OneClassTrainingResult,
} from './oneclass-training';
