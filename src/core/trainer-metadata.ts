/**
 * The metadata of a trained classifier: one builder for the CLIs (`npm run train`, `npm run
 * finetune`) and the app's trainer, so that a model records its training the same way wherever it
 * was trained.
 */
import { DEFAULT_AUGMENT, type AugmentConfig } from './augment';
import { MODEL_FORMAT_VERSION, type ModelMetadata, type ModelSurfaces } from './metadata';
import { trainedBaseReference, type HeadTrainingResult } from './trainer';

/** The optimiser settings of a run (Adam). */
export interface OptimizerSettings {
  learningRate: number;
  batchSize: number;
  /** Learning-rate factor of the new layers (hidden, classifier). */
  headLearningRateFactor: number;
  /** Learning-rate factor of the fire module copies (recorded in deep mode). */
  trunkLearningRateFactor: number;
}

/** The model fields of the metadata that the trainer does not decide. */
export type ClassifierIdentity = Pick<
  ModelMetadata,
  'name' | 'version' | 'labels' | 'inputSize' | 'preprocessing' | 'base'
>;

/** What a classifier training records about its run, besides the model's own fields. */
export interface ClassifierTrainingRecord {
  /** What trained it, e.g. `npm run train` or `crackcam app`. */
  tool: string;
  /** Name of the data it trained on (a data folder's name, `captures`); omitted when undefined. */
  data?: string;
  result: Pick<
    HeadTrainingResult,
    | 'featureLayer'
    | 'featureShape'
    | 'fineLayer'
    | 'fineShape'
    | 'mode'
    | 'trunk'
    | 'fineTuned'
    | 'validation'
    | 'history'
  >;
  /** Run-specific fields recorded after the mode (start, split, counts...). */
  setup: Record<string, unknown>;
  optimizer: OptimizerSettings;
  epochs: number;
  views: number;
  /** The augmentation it trained with (default {@link DEFAULT_AUGMENT}). */
  augment?: AugmentConfig;
  /** Run-specific fields recorded after the history (timings, the previous model's accuracy...). */
  extra?: Record<string, unknown>;
  /** The tfjs backend it trained on. */
  backend: string;
  seconds: number;
  /** The surfaces the model was trained and rehearsed on (metadata `surfaces`), when known. */
  surfaces?: ModelSurfaces;
}

/**
 * Metadata of a trained classifier: the model's identity, its base reference pointed at the layers
 * the new head reads, and a `training` record of the run.
 */
export function trainedClassifierMetadata(model: ClassifierIdentity, run: ClassifierTrainingRecord): ModelMetadata {
  const { result, optimizer } = run;
  const deep = result.mode === 'deep';
  return {
    formatVersion: MODEL_FORMAT_VERSION,
    kind: 'classifier',
    name: model.name,
    version: model.version,
    labels: model.labels,
    inputSize: model.inputSize,
    preprocessing: model.preprocessing,
    base: trainedBaseReference(model.base, result),
    createdAt: new Date().toISOString(),
    ...(run.surfaces ? { surfaces: run.surfaces } : {}),
    training: {
      tool: run.tool,
      ...(run.data !== undefined ? { data: run.data } : {}),
      mode: result.mode,
      ...(deep ? { trunk: result.trunk, fineTuned: result.fineTuned } : {}),
      ...run.setup,
      optimizer: {
        name: 'adam',
        learningRate: optimizer.learningRate,
        headLearningRateFactor: optimizer.headLearningRateFactor,
        ...(deep ? { trunkLearningRateFactor: optimizer.trunkLearningRateFactor } : {}),
        batchSize: optimizer.batchSize,
      },
      epochs: run.epochs,
      views: run.views,
      augment: run.augment ?? DEFAULT_AUGMENT,
      valAccuracy: result.validation.accuracy,
      history: result.history.map(({ phase: _phase, ...h }) => h),
      ...run.extra,
      backend: run.backend,
      seconds: run.seconds,
    },
  };
}
