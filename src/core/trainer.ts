import * as tf from '@tensorflow/tfjs';
import type { AugmentConfig } from './augment';
import { SQUEEZENET_FEATURE_LAYER, type BaseNetwork } from './base';
import {
  camActivation,
  growHead,
  headClassCount,
  headWeightsOf,
  headWeightTensors,
  spatialMean,
  trunkFires,
  trunkInputLayer,
  type HeadWeights,
} from './head';
import { trainFineHead } from './fine-head';
import type { BaseReference } from './metadata';
import { classificationReport, type ClassificationReport } from './metrics';
import type { PreprocessingMode } from './preprocess';
import { createRng } from './random';
import {
  buildStore,
  featureShapeOf,
  type FeatureSource,
  type FeatureStore,
  type MapTransform,
} from './trainer-features';
import { assembleHead, createHeadUnderTraining, type HeadUnderTraining } from './trainer-head-model';
import {
  cachedMapShape,
  trainingLayers,
  TRAINING_MODES,
  type TrainingLayers,
  type TrainingMode,
} from './trainer-layers';
import {
  classWeights,
  evaluate,
  trainEpoch,
  watchedCams,
  type HeadOptimizers,
  type LabelledStore,
} from './trainer-steps';

export { featureMaps, pooledFeatures, type FeatureOptions } from './trainer-features';
export { TRAINING_MODES, trainingLayers, type TrainingLayers, type TrainingMode } from './trainer-layers';

/** One training image; `load` returns [h, w, 3] RGB 0..255 (the trainer disposes it). */
export interface TrainingSample {
  label: number;
  load(): Promise<tf.Tensor3D>;
  /** Identifies the sample in reports (file name, capture id). */
  id?: string;
}

/** Progress of a training run, reported after each feature batch and each epoch. */
export type TrainingProgress =
  | { phase: 'features'; done: number; total: number }
  | {
      phase: 'epoch';
      epoch: number;
      epochs: number;
      trainLoss: number;
      trainAccuracy: number;
      valLoss: number;
      valAccuracy: number;
      seconds: number;
    };

/** The Grad-CAM of one watched sample after an epoch (the MATLAB reference's "activation map during training"). */
export interface WatchedCam {
  id?: string;
  /** [C] class probabilities under the current weights. */
  probabilities: Float32Array;
  /** Predicted class, the one the map explains. */
  classIndex: number;
  /** [h * w] rescaled map, row-major. */
  cam: Float32Array;
  camHeight: number;
  camWidth: number;
}

/** Options of {@link trainHead}. */
export interface HeadTrainingConfig {
  /**
   * `head` (default): the head on cached features of the frozen base. `deep`: the head plus copies
   * of the last `deepModules` fire modules (from `initial` where it has them, else from the base) on
   * cached maps of the module before them; their convolutions run as matMuls, so every backend,
   * WASM included, trains them. A head that already has fire module copies keeps them frozen in
   * `head` mode.
   */
  mode?: TrainingMode;
  /**
   * Fire modules deep mode fine-tunes: the last 1 (fire9), 2 (fire8, fire9; default) or 3 (from
   * fire7). A head with more copies keeps them all, trained.
   */
  deepModules?: number;
  /** Multiplier of the learning rate for the fire module copies in deep mode (default 1: the MATLAB reference's base rate). */
  trunkLearningRateFactor?: number;
  /** Samples whose Grad-CAM is computed after every epoch (and before the first, epoch 0). */
  watch?: readonly TrainingSample[];
  onWatch?: (epoch: number, cams: WatchedCam[]) => void | Promise<void>;
  base: BaseNetwork;
  preprocessing: PreprocessingMode;
  labels: readonly string[];
  train: readonly TrainingSample[];
  validation: readonly TrainingSample[];
  /** Passes over the cached training features. Default 5 (as the MATLAB reference). */
  epochs?: number;
  /** Default 100 (as the MATLAB reference). */
  batchSize?: number;
  /** Base learning rate (the MATLAB reference: 2e-4). */
  learningRate?: number;
  /** Multiplier for the new head's learning rate (the MATLAB reference sets 10 on its new layers). */
  headLearningRateFactor?: number;
  /** L2 penalty on the head kernel. */
  weightDecay?: number;
  /**
   * Pull of the hidden and classifier kernels towards the starting head's (L2-SP; 0: none, the
   * default). Only with `initial`: adaptation that should not forget the old surfaces.
   */
  anchor?: number;
  /** Augmentation; null for none. */
  augment?: AugmentConfig | null;
  /** Augmented views computed per training image; epoch e trains on view e mod views. Default = epochs. */
  views?: number;
  /** Weight the loss by inverse class frequency. Default true. */
  classBalance?: boolean;
  /** Channels of the head's hidden 1x1 conv + ReLU (0: linear head on pooled features). */
  hidden?: number;
  /**
   * Base layer the head reads: a model's `base.featureLayer` (default: fire9's output). A finer
   * layer (fire5, 27x27) gives a finer Grad-CAM map. When `initial` is given this must be the layer it
   * was trained on. A head with fire module copies (deep mode) reads the layer under them; such a
   * layer named here for a head without them (a fresh head from a deep model's metadata) means fire9.
   */
  featureLayer?: string;
  /**
   * Early base layer of a fine head to train with the classifier (e.g. `fire3/concat`, see
   * `fineMap` in head.ts); its pooled features come from the same augmented views. Continues from
   * `initial`'s fine head when it has one. Undefined: no fine head.
   */
  fineLayer?: string;
  /**
   * Start from this head (fine-tuning the current model; same hidden size); default: fresh. A head
   * with fewer classes than `labels` is grown ({@link growHead}): its classes are the first labels,
   * the others are added (`addedClasses` in the result).
   */
  initial?: tf.LayersModel;
  seed?: number;
  /** Images per base forward pass during feature extraction. */
  featureBatch?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainingProgress) => void | Promise<void>;
}

/**
 * The `base` metadata of a trained model: the base it was trained on, with where the result's head
 * reads (its feature layer and, if it has one, its fine layer; a previous fine layer is dropped
 * when the new head has none).
 */
export function trainedBaseReference(
  base: BaseReference,
  result: Pick<HeadTrainingResult, 'featureLayer' | 'featureShape' | 'fineLayer' | 'fineShape'>,
): BaseReference {
  const { fineLayer: _oldFine, fineShape: _oldShape, ...rest } = base;
  void _oldFine;
  void _oldShape;
  const fine = result.fineLayer && result.fineShape ? { fineLayer: result.fineLayer, fineShape: result.fineShape } : {};
  return { ...rest, featureLayer: result.featureLayer, featureShape: result.featureShape, ...fine };
}

/** Per-epoch history entry. */
export type EpochStats = Extract<TrainingProgress, { phase: 'epoch' }>;

/** What a training run produced. */
export interface HeadTrainingResult {
  /** The trained head (caller disposes). */
  head: tf.LayersModel;
  /** Base layer the head reads (metadata `base.featureLayer`) and its output shape. */
  featureLayer: string;
  featureShape: [number, number, number];
  /** The fine head's base layer and its output shape (metadata `base.fineLayer`), when trained. */
  fineLayer?: string;
  fineShape?: [number, number, number];
  mode: TrainingMode;
  /** The fire modules the head carries copies of (deep mode), and those this run fine-tuned. */
  trunk: string[];
  fineTuned: string[];
  history: EpochStats[];
  validation: ClassificationReport;
  /** Validation sample ids the model got wrong, with their predicted label. */
  misclassified: { id: string; truth: string; predicted: string }[];
  /** Labels the run added to the starting head (empty when it had them all, or started fresh). */
  addedClasses: string[];
  featureSeconds: number;
  trainSeconds: number;
}

/** Defaults of {@link trainHead}: the MATLAB reference's optimiser settings and epochs. */
export const HEAD_TRAINING_DEFAULTS = {
  epochs: 5,
  batchSize: 100,
  learningRate: 2e-4,
  headLearningRateFactor: 10,
  trunkLearningRateFactor: 1,
  weightDecay: 1e-4,
  anchor: 0,
  classBalance: true,
  seed: 0,
  featureBatch: 16,
  hidden: 0,
  mode: 'head' as TrainingMode,
};

/** {@link HeadTrainingConfig} with its defaults filled in. */
type ResolvedConfig = HeadTrainingConfig & typeof HEAD_TRAINING_DEFAULTS;

/** The config with its defaults; throws on a bad mode, fewer than 2 labels, no training samples or a label index out of range. */
function resolveConfig(config: HeadTrainingConfig): ResolvedConfig {
  const cfg = { ...HEAD_TRAINING_DEFAULTS, ...config };
  if (!TRAINING_MODES.includes(cfg.mode))
    throw new Error(`mode '${String(cfg.mode)}' is invalid; valid: ${TRAINING_MODES.join(', ')}`);
  const numClasses = cfg.labels.length;
  if (numClasses < 2) throw new Error(`need at least 2 labels, got ${numClasses}`);
  if (cfg.train.length === 0) throw new Error('no training samples');
  if (!(cfg.anchor >= 0 && Number.isFinite(cfg.anchor)))
    throw new Error(`anchor must be a finite number >= 0, got ${cfg.anchor}`);
  for (const s of [...cfg.train, ...cfg.validation, ...(cfg.watch ?? [])]) {
    if (!(s.label >= 0 && s.label < numClasses))
      throw new Error(`sample ${s.id ?? ''} has label index ${s.label}; valid: 0..${numClasses - 1}`);
  }
  return cfg;
}

/** Checks that the starting head fits the run: its classes, and the shape of the base layer it reads. */
function checkInitialHead(
  cfg: ResolvedConfig,
  initial: HeadWeights,
  initialFires: readonly string[],
  layers: TrainingLayers,
): void {
  const classes = initial.out.kernel.shape[1];
  if (classes !== cfg.labels.length)
    throw new Error(`the initial head has ${classes} classes, the training data ${cfg.labels.length}`);
  // The initial head reads the layer under its own fire copies, or (deep mode adding copies) fire9, or the run's layer.
  const reads = initialFires.length
    ? trunkInputLayer(initialFires[0])
    : layers.fires.length
      ? SQUEEZENET_FEATURE_LAYER
      : layers.featureLayer;
  const initialShape = cfg.initial?.inputs[0].shape.slice(1);
  const readsShape = featureShapeOf(cfg.base.cut(reads));
  if (initialShape && JSON.stringify(initialShape) !== JSON.stringify(readsShape)) {
    throw new Error(
      `the initial head reads [${initialShape.join(', ')}] features, but base layer '${reads}' gives [${readsShape.join(', ')}]`,
    );
  }
}

/** The cached inputs of a run: training samples per view, validation and watched samples once, and the fine head's pooled features. */
interface CachedFeatures {
  train: LabelledStore;
  validation: LabelledStore;
  watch?: FeatureStore;
  /** [views * n, K_f] view-major pooled fine-layer features of the training samples, when a fine head trains. */
  finePooled?: tf.Tensor2D;
}

/**
 * Runs the base over every sample once per view and caches what the head trains on. Every store
 * goes into `stores` and every tensor into `owned` as soon as it exists (the caller frees them,
 * also when a later step fails).
 */
async function cacheFeatures(
  cfg: ResolvedConfig,
  layers: TrainingLayers,
  useMaps: boolean,
  views: number,
  stores: FeatureStore[],
  owned: tf.Tensor[],
  after?: MapTransform,
): Promise<CachedFeatures> {
  const total = cfg.train.length + cfg.validation.length + (cfg.watch?.length ?? 0);
  const report = (done: number) => cfg.onProgress?.({ phase: 'features', done, total });
  const source: FeatureSource = { ...cfg, features: cfg.base.cut(layers.featureLayer), after };
  const keep = (store: FeatureStore): FeatureStore => {
    stores.push(store);
    return store;
  };
  // The fine head's pooled features come from the training images' own forward passes (a second
  // output of the same model), not from a second decode and pass.
  const finePerView: tf.Tensor2D[][] = Array.from({ length: views }, () => []);
  const pooledFine = (v: number, _start: number, m: tf.Tensor4D): void => {
    const pooled = spatialMean(m); // [b, K_f]
    owned.push(pooled);
    finePerView[v].push(pooled);
  };
  const trainSource = cfg.fineLayer
    ? { ...source, features: cfg.base.cutMany([layers.featureLayer, cfg.fineLayer]), onFineMaps: pooledFine }
    : source;
  const train = keep(await buildStore(trainSource, cfg.train, useMaps, views, cfg.augment, cfg.seed, report));
  const validation = keep(
    await buildStore(source, cfg.validation, useMaps, 1, null, cfg.seed, (n) => report(cfg.train.length + n)),
  );
  const watched = cfg.watch ?? [];
  const watch = watched.length
    ? keep(
        await buildStore(source, watched, true, 1, null, cfg.seed, (n) =>
          report(cfg.train.length + cfg.validation.length + n),
        ),
      )
    : undefined;
  const finePooled = cfg.fineLayer
    ? (tf.tidy(() => tf.concat(finePerView.map((parts) => tf.concat(parts)))) as tf.Tensor2D)
    : undefined; // [views * n, K_f] view-major
  if (finePooled) owned.push(finePooled);
  return {
    train: { store: train, labels: cfg.train.map((s) => s.label) },
    validation: { store: validation, labels: cfg.validation.map((s) => s.label) },
    watch,
    finePooled,
  };
}

/** A run's epochs: trains, validates, reports each epoch and redraws the watched maps (before the first and after every epoch). */
async function runEpochs(
  cfg: ResolvedConfig,
  trained: HeadUnderTraining,
  optimizers: HeadOptimizers,
  cached: CachedFeatures,
  run: {
    views: number;
    trainTrunk: boolean;
    yieldBetween: boolean;
    featureShape: [number, number, number];
    started: number;
  },
): Promise<EpochStats[]> {
  const numClasses = cfg.labels.length;
  const watch = async (epoch: number): Promise<void> => {
    if (!cached.watch || !cfg.onWatch) return;
    await cfg.onWatch(
      epoch,
      await watchedCams(
        trained,
        cached.watch,
        (cfg.watch ?? []).map((s) => s.id),
        run.featureShape,
        numClasses,
      ),
    );
  };
  const settings = {
    numClasses,
    batchSize: cfg.batchSize,
    weightDecay: cfg.weightDecay,
    anchor: cfg.anchor,
    classWeight: classWeights(cached.train.labels, numClasses, cfg.classBalance),
    trainTrunk: run.trainTrunk,
    signal: cfg.signal,
  };
  const valLabels = cached.validation.labels;
  const rng = createRng(cfg.seed + 1);
  const history: EpochStats[] = [];
  await watch(0);
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const pass = await trainEpoch(trained, optimizers, cached.train, epoch % run.views, rng, settings);
    const val = valLabels.length
      ? await evaluate(trained, cached.validation, numClasses, cfg.batchSize, run.yieldBetween)
      : undefined;
    const stats: EpochStats = {
      phase: 'epoch',
      epoch: epoch + 1,
      epochs: cfg.epochs,
      trainLoss: pass.loss,
      trainAccuracy: pass.accuracy,
      valLoss: val ? val.loss / valLabels.length : NaN,
      valAccuracy: val ? val.predicted.filter((p, i) => p === valLabels[i]).length / valLabels.length : NaN,
      seconds: (performance.now() - run.started) / 1000,
    };
    history.push(stats);
    await cfg.onProgress?.(stats);
    await watch(epoch + 1);
  }
  return history;
}

/** The validation report of the final weights, and the samples they get wrong. */
async function finalValidation(
  cfg: ResolvedConfig,
  trained: HeadUnderTraining,
  validation: LabelledStore,
  yieldBetween: boolean,
): Promise<Pick<HeadTrainingResult, 'validation' | 'misclassified'>> {
  const predicted = validation.labels.length
    ? (await evaluate(trained, validation, cfg.labels.length, cfg.batchSize, yieldBetween)).predicted
    : [];
  const report = classificationReport(
    cfg.labels,
    validation.labels.map((l) => cfg.labels[l]),
    predicted.map((p) => cfg.labels[p]),
  );
  const misclassified = cfg.validation.flatMap((s, i) =>
    predicted[i] !== s.label
      ? [{ id: s.id ?? String(i), truth: cfg.labels[s.label], predicted: cfg.labels[predicted[i]] }]
      : [],
  );
  return { validation: report, misclassified };
}

/**
 * Trains the head (linear: 1x1 conv + GAP, trained in its equivalent form on pooled features; or
 * with a hidden 1x1 conv + ReLU, trained on whole feature maps) on a frozen base, or in `deep` mode
 * also fine-tunes copies of the last fire modules on cached maps of the module before them.
 * Features are extracted once per augmented view, so an epoch costs a fraction of a forward pass
 * per image. Throws on abort, with every tensor it made freed.
 */
export async function trainHead(config: HeadTrainingConfig): Promise<HeadTrainingResult> {
  const given = config.initial ? headClassCount(config.initial) : config.labels.length;
  const grown =
    config.initial && given < config.labels.length ? growHead(config.initial, config.labels.length - given) : undefined;
  try {
    const result = await trainFrom({ ...config, initial: grown ?? config.initial });
    return { ...result, addedClasses: config.labels.slice(given) };
  } finally {
    grown?.dispose();
  }
}

/**
 * In head mode from a head with fire module copies (a deep model adapted to a site), the copies stay
 * frozen: they are applied once, as the maps are cached, instead of in every step of every epoch
 * (the cached maps are then the copies' output, e.g. 13x13x256 for fire9's copy, which keeps the
 * 3x3 half the head reads, instead of fire7's 13x13x384). Undefined when the copies train or there are none.
 */
function frozenTrunk(
  layers: TrainingLayers,
  initial: HeadWeights | undefined,
  cachedShape: [number, number, number],
): MapTransform | undefined {
  const trunk = initial?.trunk;
  if (layers.trainTrunk || !trunk?.length) return undefined;
  return { apply: (maps) => camActivation(maps, undefined, trunk), shape: cachedShape };
}

/** {@link trainHead} from a head with as many classes as labels (or a fresh one). */
async function trainFrom(config: HeadTrainingConfig): Promise<Omit<HeadTrainingResult, 'addedClasses'>> {
  const cfg = resolveConfig(config);
  const views = cfg.views ?? (cfg.augment ? Math.max(cfg.epochs, 1) : 1);
  const numClasses = cfg.labels.length;
  const initialFires = cfg.initial ? trunkFires(cfg.initial) : [];
  const layers = trainingLayers({
    mode: cfg.mode,
    initialFires,
    deepModules: cfg.deepModules,
    featureLayer: cfg.featureLayer,
  });
  const useTrunk = layers.fires.length > 0;
  const initial = cfg.initial ? headWeightsOf(cfg.initial) : undefined;
  const hidden = initial ? (initial.hidden?.kernel.shape[1] ?? 0) : cfg.hidden;
  const useMaps = hidden > 0 || useTrunk;
  const started = performance.now();
  const stores: FeatureStore[] = [];
  // Every tensor made here (initial weights, fresh values, variables, pooled fine features), freed at the end.
  const owned: tf.Tensor[] = initial ? headWeightTensors(initial) : [];
  const optimizers: HeadOptimizers = {
    head: tf.train.adam(cfg.learningRate * cfg.headLearningRateFactor),
    trunk: tf.train.adam(cfg.learningRate * cfg.trunkLearningRateFactor),
  };
  try {
    if (initial) checkInitialHead(cfg, initial, initialFires, layers);
    const featureShape = featureShapeOf(cfg.base.cut(layers.featureLayer));
    const cachedShape = cachedMapShape(layers, featureShape, cfg.initial);
    const frozen = frozenTrunk(layers, initial, cachedShape);
    const cached = await cacheFeatures(cfg, layers, useMaps, views, stores, owned, frozen);
    const featureSeconds = (performance.now() - started) / 1000;
    const trained = createHeadUnderTraining(
      {
        base: cfg.base,
        layers,
        initial,
        hidden,
        featureShape: cachedShape,
        trunkApplied: frozen !== undefined,
        numClasses,
        useMaps,
        seed: cfg.seed,
      },
      owned,
    );
    const trainStarted = performance.now();
    const history = await runEpochs(cfg, trained, optimizers, cached, {
      views,
      trainTrunk: layers.trainTrunk,
      yieldBetween: useTrunk,
      featureShape: cachedShape,
      started,
    });
    const { validation, misclassified } = await finalValidation(cfg, trained, cached.validation, useTrunk);
    const fine = cached.finePooled
      ? await trainFineHead(
          cached.finePooled,
          Array.from({ length: views }, () => cached.train.labels).flat(),
          numClasses,
          { initial: initial?.fine, classBalance: cfg.classBalance, signal: cfg.signal },
        )
      : undefined;
    if (fine) owned.push(fine.kernel, fine.bias);
    const fineShape = cfg.fineLayer ? featureShapeOf(cfg.base.cut(cfg.fineLayer)) : undefined;
    const head = assembleHead(
      trained,
      featureShape,
      numClasses,
      fine && fineShape ? { head: fine, shape: fineShape } : undefined,
    );
    return {
      head,
      featureLayer: layers.featureLayer,
      featureShape,
      ...(fineShape ? { fineLayer: cfg.fineLayer, fineShape } : {}),
      mode: useTrunk ? 'deep' : 'head',
      trunk: layers.fires,
      fineTuned: layers.trainTrunk ? layers.fires : [],
      history,
      validation,
      misclassified,
      featureSeconds,
      trainSeconds: (performance.now() - trainStarted) / 1000,
    };
  } finally {
    stores.forEach((st) => st.dispose());
    tf.dispose(owned);
    optimizers.head.dispose();
    optimizers.trunk.dispose();
  }
}
