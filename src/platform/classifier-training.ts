/**
 * A classifier fine-tuning run on the device: plans it on the stored captures (labels, seeded
 * train/validation split, augmented views within the memory budget), trains the head in the worker
 * or the page (`head-training-place.ts`), scores the current model on the same validation captures,
 * and builds the new model's metadata with the builder the CLIs use. Never touches a model store,
 * so an interrupted run cannot change the active model.
 */
import type * as tf from '@tensorflow/tfjs';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { trunkFires } from '../core/head';
import { cachedMapShape } from '../core/trainer-layers';
import { featureShapeOf } from '../core/trainer-features';
import type { ModelMetadata } from '../core/metadata';
import { modelSurfaces } from '../core/model-surfaces';
import { classificationReport, type ClassificationReport } from '../core/metrics';
import { serializeModel } from '../core/model-writer';
import {
  HEAD_TRAINING_DEFAULTS,
  trainingLayers,
  type HeadTrainingResult,
  type TrainingMode,
  type TrainingProgress,
  type WatchedCam,
} from '../core/trainer';
import { trainedClassifierMetadata } from '../core/trainer-metadata';
import { DEFAULT_RECIPE, trainedSurfaces } from '../core/trainer-recipe';
import { nearestPackSurface } from '../core/rehearsal-surface';
import { rehearsalSurfaces, rehearsalTrainItems } from '../core/trainer-rehearsal';
import {
  capViewsToMemory,
  DEFAULT_VALIDATION_SHARE,
  estimateSplit,
  planTraining,
  suggestViews,
  type FeatureCachePlan,
  type TrainingStart,
} from '../core/training-plan';
import type { AugmentConfig } from '../core/augment';
import { routingFor } from '../core/routing';
import { captureNovelty } from './capture-novelty';
import { withCaptureRouter } from './capture-router';
import { blobToTensor, predictSamples, wireSample } from './capture-samples';
import type { CaptureRecord } from './capture-store';
import { trainHeadInWorkerOrPage, type CropDecoder, type TrainingPlace } from './head-training-place';
import { filesReader } from './model-store';
import type { RehearsalItem } from './rehearsal-pack';
import type { TrainingWorker } from './training-client';

/** Hidden channels of a head trained from the base (as `npm run train`). */
export const FRESH_HIDDEN = 64;

/** Images per base pass while caching features: small batches keep each blocking step short when training runs in the page. */
const FEATURE_BATCH = 4;

/** Misclassified captures whose maps {@link misclassifiedMaps} computes at most. */
export const MISCLASSIFIED_MAPS_LIMIT = 24;

/** Captures per label offered for the activation map (a short strip of thumbnails, not the library). */
export const WATCH_CHOICES_PER_LABEL = 12;

/** The captures offered to watch during a run: the first {@link WATCH_CHOICES_PER_LABEL} of every label, in the given order. */
export function watchCandidates<T extends { label: string }>(all: readonly T[]): T[] {
  const perLabel = new Map<string, number>();
  return all.filter((c) => {
    const n = perLabel.get(c.label) ?? 0;
    perLabel.set(c.label, n + 1);
    return n < WATCH_CHOICES_PER_LABEL;
  });
}

/** The id of the capture to watch among `candidates`: `current` while it is there, else the first `crack` capture, else the first ('' for none). */
export function watchedCapture(candidates: readonly { id: string; label: string }[], current: string): string {
  if (candidates.some((c) => c.id === current)) return current;
  return (candidates.find((c) => c.label === 'crack') ?? candidates[0])?.id ?? '';
}

/** What the user chooses for a run. */
export interface ClassifierTrainingChoice {
  /** Fine-tune the current model's head, or train a fresh one from the base (new classes). */
  start: TrainingStart;
  mode: TrainingMode;
  epochs: number;
  seed: number;
  /** Fire modules deep mode fine-tunes (default: the recipe's, `DEFAULT_RECIPE.deepModules`). */
  deepModules?: number;
  /** The head's learning-rate factor (default the MATLAB reference's 10; the default recipe's: `DEFAULT_RECIPE.headLearningRateFactor`). */
  headLearningRateFactor?: number;
}

/** Progress of {@link trainClassifier}: the trainer's, then scoring the current model. */
export type ClassifierTrainingProgress = TrainingProgress | { phase: 'scoring' };

/** Options of {@link trainClassifier}. */
export interface ClassifierTrainingConfig extends ClassifierTrainingChoice {
  /** The active model: its base trains, its head is the start (`current`) and the comparison. Not disposed. */
  classifier: CrackClassifier;
  captures: readonly CaptureRecord[];
  /** Class order of a run from the base (the capture store's). */
  classOrder?: readonly string[];
  /**
   * The rehearsal pack's photos (`loadRehearsalPack`): its `train` items of the run's labels, at most
   * {@link DEFAULT_RECIPE}.rehearsalPerGroup per surface and label, train with the captures, so the
   * model keeps its old surfaces. Undefined or null: no rehearsal.
   */
  rehearsal?: readonly RehearsalItem[] | null;
  /**
   * Rehearse only the pack's surface that most captures of the model's own classes lie nearest
   * (src/core/rehearsal-surface.ts; the recipe's choice for a run that adds a class), not all of `rehearsal`.
   */
  rehearseNearestSurface?: boolean;
  /**
   * The starting model's whole rehearsal pack (`loadRehearsalPack`), rehearsed or not: a routed run
   * fits its site router against it (src/platform/capture-router.ts). Undefined or null: no router.
   */
  pack?: readonly RehearsalItem[] | null;
  /**
   * Keep the current model's head for frames that are not nearest the captures (metadata `routing`,
   * src/core/routing-info.ts) where the new head can sit on its trunk. Default true.
   */
  route?: boolean;
  /** Id of the capture whose Grad-CAM is reported before training and after every epoch. */
  watchId?: string;
  /** The training worker; undefined trains in the page. */
  worker?: TrainingWorker;
  /** Decodes a crop (default: the browser's image decoder). */
  decode?: CropDecoder;
  signal?: AbortSignal;
  onProgress?: (p: ClassifierTrainingProgress) => void;
  /** The watched capture's map after `epoch` (0: before training), with the run's labels. */
  onWatch?: (epoch: number, cam: WatchedCam, labels: readonly string[]) => void | Promise<void>;
  onPlace?: (place: TrainingPlace) => void;
}

/** What {@link trainClassifier} produced. */
export interface ClassifierTrainingOutcome {
  /** The trained head (the caller disposes `result.head`) and its validation report. */
  result: HeadTrainingResult;
  labels: string[];
  /** The current model on the same validation captures. */
  previous: ClassificationReport;
  /** Labels the run added to the current model's (its head grew). */
  added: string[];
  /** The rehearsal photos it trained on, and their surfaces. */
  /** `nearestSurface`: only the surface the captures lie nearest was rehearsed (`rehearseNearestSurface`). */
  rehearsed: { n: number; surfaces: string[]; nearestSurface?: boolean };
  /** The captures held out for validation (never trained on), for comparing the old and new model. */
  validationCaptures: CaptureRecord[];
  /** Metadata to save the model with: the next version of the current one. */
  metadata: ModelMetadata;
  n: { train: number; validation: number };
  views: number;
  place: TrainingPlace;
  seconds: number;
}

/** The base layer a run caches and how many views per capture fit the memory budget. */
export interface ClassifierMemoryPlan extends FeatureCachePlan {
  /** The fire modules the run's head carries copies of (empty: none), and whether they train. */
  fires: string[];
  trainTrunk: boolean;
  /** The cached layer and the bytes of one of its maps. */
  layer: string;
  mapBytes: number;
}

/**
 * The layer a run of `choice` caches (as the trainer decides it) and the views per training
 * capture that keep the cached maps within the budget, for `train` captures cached per view and
 * `other` once.
 */
export function classifierMemoryPlan(
  classifier: CrackClassifier,
  choice: Pick<ClassifierTrainingChoice, 'start' | 'mode' | 'epochs' | 'deepModules'>,
  counts: { train: number; other: number },
): ClassifierMemoryPlan {
  const initialFires = choice.start === 'current' ? trunkFires(classifier.head) : [];
  const layers = trainingLayers({
    mode: choice.mode,
    initialFires,
    deepModules: choice.deepModules ?? DEFAULT_RECIPE.deepModules,
    featureLayer: classifier.metadata.base.featureLayer,
  });
  const readShape = featureShapeOf(classifier.base.cut(layers.featureLayer));
  const [h, w, k] = cachedMapShape(layers, readShape, choice.start === 'current' ? classifier.head : undefined);
  const mapBytes = h * w * k * Float32Array.BYTES_PER_ELEMENT;
  const plan = capViewsToMemory(suggestViews(counts.train, choice.epochs), counts, mapBytes);
  return { ...plan, fires: layers.fires, trainTrunk: layers.trainTrunk, layer: layers.featureLayer, mapBytes };
}

/**
 * The memory plan of a run on `captureCount` captures before it is planned (the split estimated
 * with {@link DEFAULT_VALIDATION_SHARE}, one watched capture), or undefined when the run caches
 * no maps under fire module copies or its layers cannot be chosen.
 */
export function deepMemoryEstimate(
  classifier: CrackClassifier,
  choice: Pick<ClassifierTrainingChoice, 'start' | 'mode' | 'epochs' | 'deepModules'>,
  captureCount: number,
): ClassifierMemoryPlan | undefined {
  const split = estimateSplit(captureCount);
  try {
    const plan = classifierMemoryPlan(classifier, choice, { train: split.train, other: split.validation + 1 });
    return plan.fires.length > 0 ? plan : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pack photos a run rehearses: the `train` items of its labels, at most the recipe's per surface
 * and label, of the surface nearest the captures of the model's own classes where the config asks.
 */
async function rehearsalOfRun(
  config: ClassifierTrainingConfig,
  train: readonly CaptureRecord[],
  labels: readonly string[],
  decode: CropDecoder,
): Promise<RehearsalItem[]> {
  const pack = config.rehearsal ?? [];
  if (!config.rehearseNearestSurface || pack.length === 0)
    return rehearsalTrainItems(pack, labels, DEFAULT_RECIPE.rehearsalPerGroup);
  const own = train.filter((c) => config.classifier.labels.includes(c.label));
  const { surface } = await nearestPackSurface(
    {
      base: config.classifier.base,
      parent: config.classifier.metadata,
      samples: own.map((c) => ({ ...wireSample(c, labels), load: () => decode(c.crop) })),
      batch: FEATURE_BATCH,
      signal: config.signal,
    },
    rehearsalSurfaces(pack),
  );
  return rehearsalTrainItems(pack, labels, DEFAULT_RECIPE.rehearsalPerGroup, surface ? [surface] : []);
}

/**
 * Trains a new version of `classifier` on `captures`: plans the run, trains in the worker or the
 * page, scores the current model on the validation captures and builds the metadata. Throws on
 * abort or a bad plan (the error says what to do), with nothing left allocated.
 */
export async function trainClassifier(config: ClassifierTrainingConfig): Promise<ClassifierTrainingOutcome> {
  const started = performance.now();
  const { classifier, start, mode, epochs, seed } = config;
  const decode = config.decode ?? blobToTensor;
  const plan = planTraining(config.captures, {
    start,
    modelLabels: classifier.labels,
    seed,
    classOrder: config.classOrder,
  });
  const watch = config.captures.filter((c) => c.id === config.watchId).slice(0, 1);
  const rehearsal = await rehearsalOfRun(config, plan.train, plan.labels, decode);
  const train = [...plan.train, ...rehearsal];
  const { views } = classifierMemoryPlan(classifier, config, {
    train: train.length,
    other: plan.validation.length + watch.length,
  });
  const batchSize = DEFAULT_RECIPE.batchSize; // as `npm run finetune`, in either mode
  const recipe = {
    deepModules: config.deepModules ?? DEFAULT_RECIPE.deepModules,
    headLearningRateFactor: config.headLearningRateFactor ?? HEAD_TRAINING_DEFAULTS.headLearningRateFactor,
    augment: DEFAULT_RECIPE.augment, // as `npm run finetune`
  };
  const { result, place } = await trainHeadInWorkerOrPage({
    base: classifier.base,
    options: {
      mode,
      batchSize,
      preprocessing: classifier.metadata.preprocessing,
      labels: plan.labels,
      epochs,
      views,
      augment: recipe.augment,
      featureLayer: classifier.metadata.base.featureLayer,
      fineLayer: classifier.metadata.base.fineLayer,
      hidden: FRESH_HIDDEN,
      seed,
      featureBatch: FEATURE_BATCH,
      deepModules: recipe.deepModules,
      headLearningRateFactor: recipe.headLearningRateFactor,
    },
    train,
    validation: plan.validation,
    watch,
    initial: start === 'current' ? classifier.head : undefined,
    worker: config.worker,
    decode,
    signal: config.signal,
    onProgress: config.onProgress,
    onWatch: (epoch, cams) => config.onWatch?.(epoch, cams[0], plan.labels),
    onPlace: config.onPlace,
  });
  try {
    config.onProgress?.({ phase: 'scoring' });
    const samples = plan.validation.map((c) => ({ ...wireSample(c, plan.labels), load: () => decode(c.crop) }));
    const previous = classificationReport(
      plan.labels,
      plan.validation.map((c) => c.label),
      await predictSamples(classifier, samples, 8, config.signal),
    );
    const novelty = await captureNovelty({
      base: classifier.base,
      parent: classifier.metadata,
      featureLayer: result.featureLayer,
      labels: plan.labels,
      train: [...plan.train, ...rehearsal],
      validation: plan.validation,
      decode,
      signal: config.signal,
    });
    // The new model keeps the current one's head for frames off the captures' site (src/core/routing-info.ts):
    // its site router decides where one separates the captures from the pack, else the nearest novelty group.
    const nearestRouting =
      config.route === false
        ? undefined
        : await routingFor(classifier, {
            head: result.head,
            labels: plan.labels,
            featureLayer: result.featureLayer,
            novelty,
          });
    const routing =
      nearestRouting &&
      (await withCaptureRouter(nearestRouting, {
        base: classifier.base,
        parent: classifier.metadata,
        featureLayer: result.featureLayer,
        novelty,
        labels: plan.labels,
        train: plan.train,
        validation: plan.validation,
        pack: config.pack,
        decode,
        signal: config.signal,
      }));
    // A cancel after the last step still counts: the caller asked for no result.
    config.signal?.throwIfAborted();
    const n = { train: plan.train.length, validation: plan.validation.length };
    const seconds = (performance.now() - started) / 1000;
    const rehearsed = {
      n: rehearsal.length,
      surfaces: rehearsalSurfaces(rehearsal),
      ...(config.rehearseNearestSurface ? { nearestSurface: true } : {}),
    };
    const trained = newVersionMetadata(
      classifier,
      { result, labels: plan.labels, previous, added: plan.added, rehearsed, n, views, place, seconds },
      { ...config, batchSize, ...recipe },
    );
    const metadata = { ...trained, ...(novelty ? { novelty } : {}), ...(routing ? { routing } : {}) };
    return {
      result,
      labels: plan.labels,
      previous,
      added: plan.added,
      rehearsed,
      validationCaptures: plan.validation,
      metadata,
      n,
      views,
      place,
      seconds,
    };
  } catch (e) {
    result.head.dispose();
    throw e;
  }
}

/** The trained model's metadata: the next version of `classifier`, with the app's training record. */
function newVersionMetadata(
  classifier: CrackClassifier,
  o: Omit<ClassifierTrainingOutcome, 'metadata' | 'validationCaptures'>,
  run: ClassifierTrainingChoice & { batchSize: number; headLearningRateFactor: number; augment: AugmentConfig },
): ModelMetadata {
  const prev = classifier.metadata;
  return trainedClassifierMetadata(
    {
      name: prev.name,
      version: prev.version + 1,
      labels: o.labels,
      inputSize: prev.inputSize,
      preprocessing: prev.preprocessing,
      base: prev.base,
    },
    {
      tool: 'crackcam app',
      data: 'captures',
      result: o.result,
      setup: {
        start: run.start === 'current' ? { from: prev.name, version: prev.version } : 'base',
        split: { validation: DEFAULT_VALIDATION_SHARE, seed: run.seed },
        n: { ...o.n, ...(o.rehearsed.n ? { replay: o.rehearsed.n } : {}) },
        ...(o.rehearsed.n
          ? {
              replay: {
                data: 'rehearsal pack',
                perClass: DEFAULT_RECIPE.rehearsalPerGroup,
                surfaces: o.rehearsed.surfaces,
              },
            }
          : {}),
      },
      optimizer: {
        learningRate: HEAD_TRAINING_DEFAULTS.learningRate,
        batchSize: run.batchSize,
        headLearningRateFactor: run.headLearningRateFactor,
        trunkLearningRateFactor: HEAD_TRAINING_DEFAULTS.trunkLearningRateFactor,
      },
      epochs: run.epochs,
      views: o.views,
      augment: run.augment,
      extra: {
        previousValAccuracy: o.previous.accuracy,
        featureSeconds: o.result.featureSeconds,
        trainSeconds: o.result.trainSeconds,
      },
      backend: o.place.backend ?? 'unknown',
      seconds: o.seconds,
      surfaces: trainedSurfaces(modelSurfaces(prev), ['captures'], o.rehearsed.surfaces),
    },
  );
}

/** A map over one capture's crop: [height * width] row-major in [0, 1]. */
export interface CaptureMap {
  id: string;
  map: Float32Array;
  width: number;
  height: number;
}

/**
 * Heatmaps of the first {@link MISCLASSIFIED_MAPS_LIMIT} misclassified captures under the trained
 * model: Grad-CAM of `crack` when the model has it, else of the predicted class; the fine map when
 * the model has a fine head (the live view's map), else the classifier's. Frees what it loads.
 */
export async function misclassifiedMaps(
  outcome: ClassifierTrainingOutcome,
  base: CrackClassifier['base'],
  captures: readonly CaptureRecord[],
  decode: CropDecoder = blobToTensor,
  signal?: AbortSignal,
): Promise<CaptureMap[]> {
  const byId = new Map(captures.map((c) => [c.id, c] as const));
  const misses = outcome.result.misclassified.filter((m) => byId.has(m.id)).slice(0, MISCLASSIFIED_MAPS_LIMIT);
  if (misses.length === 0) return [];
  const files = await serializeModel(outcome.result.head, outcome.metadata);
  const trained = await loadCrackClassifier({ reader: filesReader(files), modelJson: 'model:model.json', base });
  try {
    const camClass = trained.labels.includes('crack') ? 'crack' : 'predicted';
    const out: CaptureMap[] = [];
    for (const m of misses) {
      signal?.throwIfAborted();
      const pixels: tf.Tensor3D = await decode(byId.get(m.id)!.crop); // [h, w, 3]
      const r = await trained.classify(pixels, { camClass }).finally(() => pixels.dispose());
      out.push(
        r.fineCam && r.fineWidth && r.fineHeight
          ? { id: m.id, map: r.fineCam, width: r.fineWidth, height: r.fineHeight }
          : { id: m.id, map: r.cam, width: r.camWidth, height: r.camHeight },
      );
    }
    return out;
  } finally {
    trained.dispose();
  }
}
