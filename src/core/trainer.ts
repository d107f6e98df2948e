import * as tf from '@tensorflow/tfjs';
import { augmentBatch, type AugmentConfig } from './augment';
import type { BaseNetwork } from './base';
import { SQUEEZENET_FEATURE_LAYER } from './base';
import {
  camActivation,
  createHead,
  FINE_LAYER,
  headForward,
  headWeightsOf,
  headWeightTensors,
  HIDDEN_LAYER,
  spatialMean,
  pooledLogits,
  setLinearHead,
  DEFAULT_DEEP_MODULES,
  fireFromBase,
  lastFires,
  TRUNK_FIRES,
  trunkExpandLayer,
  trunkFires,
  trunkInputLayer,
  trunkSqueezeLayer,
  type HeadWeights,
  type LinearHead,
  type Trunk,
} from './head';
import { trainFineHead } from './fine-head';
import type { BaseReference } from './metadata';
import { classificationReport, type ClassificationReport } from './metrics';
import { centreCrop, normalise, type PreprocessingMode } from './preprocess';
import { createRng, shuffled } from './random';
import { yieldToEventLoop } from './yield';

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
  | { phase: 'epoch'; epoch: number; epochs: number; trainLoss: number; trainAccuracy: number; valLoss: number; valAccuracy: number; seconds: number };

/** Training modes: `head` trains the new layers on a frozen base; `deep` also fine-tunes the last fire modules. */
export const TRAINING_MODES = ['head', 'deep'] as const;
export type TrainingMode = (typeof TRAINING_MODES)[number];

/** The Grad-CAM of one watched sample after an epoch (the seed's "activation map during training"). */
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
  /** Multiplier of the learning rate for the fire module copies in deep mode (default 1: the seed's base rate). */
  trunkLearningRateFactor?: number;
  /** Samples whose Grad-CAM is computed after every epoch (and before the first, epoch 0). */
  watch?: readonly TrainingSample[];
  onWatch?: (epoch: number, cams: WatchedCam[]) => void | Promise<void>;
  base: BaseNetwork;
  preprocessing: PreprocessingMode;
  labels: readonly string[];
  train: readonly TrainingSample[];
  validation: readonly TrainingSample[];
  /** Passes over the cached training features. Default 5 (the seed). */
  epochs?: number;
  /** Default 100 (the seed). */
  batchSize?: number;
  /** Base learning rate (the seed: 2e-4). */
  learningRate?: number;
  /** Multiplier for the new head's learning rate (the seed sets 10 on its new layers). */
  headLearningRateFactor?: number;
  /** L2 penalty on the head kernel. */
  weightDecay?: number;
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
  /** Start from this head (fine-tuning the current model; same hidden size); default: fresh. */
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
export function trainedBaseReference(base: BaseReference, result: Pick<HeadTrainingResult, 'featureLayer' | 'featureShape' | 'fineLayer' | 'fineShape'>): BaseReference {
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
  featureSeconds: number;
  trainSeconds: number;
}

/** Options of {@link pooledFeatures} and {@link featureMaps}. */
export interface FeatureOptions {
  /** Augmented views per sample (default 1). */
  views?: number;
  augment?: AugmentConfig | null;
  seed?: number;
  /** Images per base forward pass. */
  batch?: number;
  signal?: AbortSignal;
  onBatch?: (done: number) => void | Promise<void>;
  /**
   * With a two-output feature model ([main, fine], see BaseNetwork.cutMany): gets the second
   * output's maps of each batch and view (disposed after it returns), from the same forward pass.
   */
  onFineMaps?: (view: number, start: number, maps: tf.Tensor4D) => void;
}

/**
 * Loads `samples` in batches, crops them, draws `views` augmentations of each batch and runs the
 * base on each; `consume` gets the feature maps [b, h, w, K] of batch `start` under view `view`
 * (disposed after it returns).
 */
async function forEachFeatureBatch(
  base: BaseNetwork,
  preprocessing: PreprocessingMode,
  samples: readonly TrainingSample[],
  options: FeatureOptions,
  consume: (view: number, start: number, maps: tf.Tensor4D) => void | Promise<void>,
  features: tf.LayersModel = base.model,
): Promise<void> {
  const views = options.views ?? 1;
  const batch = options.batch ?? 16;
  const rng = createRng(options.seed ?? 0);
  for (let start = 0; start < samples.length; start += batch) {
    options.signal?.throwIfAborted();
    const loaded = await Promise.all(samples.slice(start, start + batch).map((s) => s.load()));
    const rgb = tf.tidy(() => tf.concat(loaded.map((img) => centreCrop(img, base.inputSize))) as tf.Tensor4D); // [b, s, s, 3] RGB 0..255
    loaded.forEach((t) => t.dispose());
    try {
      for (let v = 0; v < views; v++) {
        const view = options.augment ? await augmentBatch(rgb, options.augment, rng) : rgb;
        const out = tf.tidy(() => features.predict(normalise(view, preprocessing)) as tf.Tensor4D | tf.Tensor4D[]);
        const [maps, fineMaps] = Array.isArray(out) ? out : [out]; // [b, h, w, K], [b, h_f, w_f, K_f]
        if (view !== rgb) view.dispose();
        try {
          await consume(v, start, maps);
          if (fineMaps) options.onFineMaps?.(v, start, fineMaps);
        } finally {
          maps.dispose();
          fineMaps?.dispose();
        }
        // One base pass per view: let the page breathe between them, not only between batches.
        if (v + 1 < views) await yieldToEventLoop();
      }
    } finally {
      rgb.dispose();
    }
    await options.onBatch?.(Math.min(start + batch, samples.length));
    await yieldToEventLoop();
  }
}

/**
 * Globally pooled base features of `samples`, optionally under `views` random augmentations.
 * @returns [views, n, K] pooled features (caller disposes)
 */
export async function pooledFeatures(
  base: BaseNetwork,
  preprocessing: PreprocessingMode,
  samples: readonly TrainingSample[],
  options: FeatureOptions = {},
  features: tf.LayersModel = base.model,
): Promise<tf.Tensor3D> {
  const views = options.views ?? 1;
  if (samples.length === 0) return tf.zeros([views, 0, featureShapeOf(features)[2]]);
  const perView: tf.Tensor2D[][] = Array.from({ length: views }, () => []);
  try {
    await forEachFeatureBatch(
      base,
      preprocessing,
      samples,
      options,
      (v, _start, maps) => {
        perView[v].push(tf.mean(maps, [1, 2]) as tf.Tensor2D); // [b, K]
      },
      features,
    );
    return tf.tidy(() => tf.stack(perView.map((parts) => tf.concat(parts))) as tf.Tensor3D);
  } finally {
    perView.flat().forEach((t) => t.dispose());
  }
}

/**
 * Base feature maps of `samples`, optionally under `views` random augmentations, kept in plain
 * arrays (a few thousand 13x13x256 maps do not fit comfortably in WASM memory).
 * @returns per view, the maps of all samples back to back: [n, h*w, K] row-major
 */
export async function featureMaps(
  base: BaseNetwork,
  preprocessing: PreprocessingMode,
  samples: readonly TrainingSample[],
  options: FeatureOptions = {},
  features: tf.LayersModel = base.model,
): Promise<Float32Array[]> {
  const per = featureSize(features);
  const out = Array.from({ length: options.views ?? 1 }, () => new Float32Array(samples.length * per));
  await forEachFeatureBatch(
    base,
    preprocessing,
    samples,
    options,
    async (v, start, maps) => {
      out[v].set(await maps.data(), start * per);
    },
    features,
  );
  return out;
}

/** [h, w, K] of a feature model's output. */
function featureShapeOf(features: tf.LayersModel): [number, number, number] {
  const [, h, w, k] = features.outputs[0].shape as number[];
  return [h, w, k];
}

function featureSize(features: tf.LayersModel): number {
  return featureShapeOf(features).reduce((a, b) => a * b, 1);
}

/** Cached training inputs of the head: pooled vectors (linear head) or whole maps (hidden layer). */
interface FeatureStore {
  /** [b, K] pooled, or [b, h*w, K] maps, for `indices` of view `view`. */
  batch(view: number, indices: readonly number[]): tf.Tensor;
  dispose(): void;
}

async function buildStore(
  cfg: { base: BaseNetwork; features: tf.LayersModel; preprocessing: PreprocessingMode; featureBatch: number; signal?: AbortSignal; onFineMaps?: FeatureOptions['onFineMaps'] },
  samples: readonly TrainingSample[],
  maps: boolean,
  views: number,
  augment: AugmentConfig | null | undefined,
  seed: number,
  onBatch: (done: number) => void | Promise<void>,
): Promise<FeatureStore> {
  const options = { views, augment, seed, batch: cfg.featureBatch, signal: cfg.signal, onBatch, onFineMaps: cfg.onFineMaps };
  if (!maps) {
    const pooled = await pooledFeatures(cfg.base, cfg.preprocessing, samples, options, cfg.features); // [views, n, K]
    return {
      batch: (view, indices) => tf.tidy(() => tf.squeeze(tf.gather(tf.slice(pooled, [view, 0, 0], [1, -1, -1]), tf.tensor1d(indices as number[], 'int32'), 1), [0])),
      dispose: () => pooled.dispose(),
    };
  }
  const data = await featureMaps(cfg.base, cfg.preprocessing, samples, options, cfg.features); // per view [n, h*w, K]
  const [h, w, k] = featureShapeOf(cfg.features);
  const per = h * w * k;
  return {
    batch: (view, indices) => {
      const out = new Float32Array(indices.length * per);
      indices.forEach((i, j) => out.set(data[view].subarray(i * per, (i + 1) * per), j * per));
      return tf.tensor3d(out, [indices.length, h * w, k]);
    },
    dispose: () => data.splice(0),
  };
}

/**
 * Trains the head (linear: 1x1 conv + GAP, trained in its equivalent form on pooled features; or
 * with a hidden 1x1 conv + ReLU, trained on whole feature maps) on a frozen base, or in `deep` mode
 * also fine-tunes a copy of fire9 on cached fire8 maps. Features are extracted once per augmented
 * view, so an epoch costs a fraction of a forward pass per image.
 */
export async function trainHead(config: HeadTrainingConfig): Promise<HeadTrainingResult> {
  const cfg = {
    epochs: 5,
    batchSize: 100,
    learningRate: 2e-4,
    headLearningRateFactor: 10,
    trunkLearningRateFactor: 1,
    weightDecay: 1e-4,
    classBalance: true,
    seed: 0,
    featureBatch: 16,
    hidden: 0,
    mode: 'head' as TrainingMode,
    ...config,
  };
  if (!TRAINING_MODES.includes(cfg.mode)) throw new Error(`mode '${String(cfg.mode)}' is invalid; valid: ${TRAINING_MODES.join(', ')}`);
  const views = cfg.views ?? (cfg.augment ? Math.max(cfg.epochs, 1) : 1);
  const numClasses = cfg.labels.length;
  if (numClasses < 2) throw new Error(`need at least 2 labels, got ${numClasses}`);
  if (cfg.train.length === 0) throw new Error('no training samples');
  for (const s of [...cfg.train, ...cfg.validation, ...(cfg.watch ?? [])]) {
    if (!(s.label >= 0 && s.label < numClasses)) throw new Error(`sample ${s.id ?? ''} has label index ${s.label}; valid: 0..${numClasses - 1}`);
  }
  const initialFires = cfg.initial ? trunkFires(cfg.initial) : [];
  const trainTrunk = cfg.mode === 'deep';
  // Deep mode: the last deepModules modules, or all of the initial head's copies if it has more.
  const fires = trainTrunk ? lastFires(Math.max(cfg.deepModules ?? DEFAULT_DEEP_MODULES, initialFires.length)) : initialFires;
  const useTrunk = fires.length > 0;
  const trunkInputs = TRUNK_FIRES.map(trunkInputLayer);
  const asked = cfg.featureLayer && trunkInputs.includes(cfg.featureLayer) ? SQUEEZENET_FEATURE_LAYER : (cfg.featureLayer ?? SQUEEZENET_FEATURE_LAYER);
  if (useTrunk && asked !== SQUEEZENET_FEATURE_LAYER) {
    throw new Error(`deep mode fine-tunes the last fire modules and needs a head on fire9, but this head reads '${asked}'; train it in head mode`);
  }
  const featureLayer = useTrunk ? trunkInputLayer(fires[0]) : asked;
  const initial = cfg.initial ? headWeightsOf(cfg.initial) : undefined;
  const hidden = initial ? (initial.hidden?.kernel.shape[1] ?? 0) : cfg.hidden;
  const useMaps = hidden > 0 || useTrunk;
  const t0 = performance.now();
  const total = cfg.train.length + cfg.validation.length + (cfg.watch?.length ?? 0);
  const report = (done: number) => cfg.onProgress?.({ phase: 'features', done, total });
  const stores: FeatureStore[] = [];
  // Every tensor made here (initial weights, fresh values, variables), freed at the end.
  const owned: tf.Tensor[] = initial ? headWeightTensors(initial) : [];
  const make = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const headOptimizer = tf.train.adam(cfg.learningRate * cfg.headLearningRateFactor);
  const trunkOptimizer = tf.train.adam(cfg.learningRate * cfg.trunkLearningRateFactor);
  try {
    if (initial && initial.out.kernel.shape[1] !== numClasses) {
      throw new Error(`the initial head has ${initial.out.kernel.shape[1]} classes, the training data ${numClasses}`);
    }
    const features = cfg.base.cut(featureLayer);
    const featureShape = featureShapeOf(features);
    // The fine head's pooled features come from the training images' own forward passes (a second
    // output of the same model), not from a second decode and pass.
    const fineLayer = cfg.fineLayer;
    const finePerView: tf.Tensor2D[][] = Array.from({ length: views }, () => []);
    // The initial head reads the layer under its own fire copies, or (deep mode adding copies) fire9, or the run's layer.
    const initialReads = initialFires.length ? trunkInputLayer(initialFires[0]) : useTrunk ? SQUEEZENET_FEATURE_LAYER : featureLayer;
    const initialShape = cfg.initial?.inputs[0].shape.slice(1);
    const readsShape = featureShapeOf(cfg.base.cut(initialReads));
    if (initialShape && JSON.stringify(initialShape) !== JSON.stringify(readsShape)) {
      throw new Error(`the initial head reads [${initialShape.join(', ')}] features, but base layer '${initialReads}' gives [${readsShape.join(', ')}]`);
    }
    const storeCfg = { ...cfg, features };
    // The pooled batches are owned (freed at the end, also when a later step fails).
    const pooledFine = (v: number, _start: number, m: tf.Tensor4D) => void finePerView[v].push(make(spatialMean(m)));
    const trainCfg = fineLayer ? { ...storeCfg, features: cfg.base.cutMany([featureLayer, fineLayer]), onFineMaps: pooledFine } : storeCfg;
    const trainStore = await buildStore(trainCfg, cfg.train, useMaps, views, cfg.augment, cfg.seed, report);
    stores.push(trainStore);
    const valStore = await buildStore(storeCfg, cfg.validation, useMaps, 1, null, cfg.seed, (n) => report(cfg.train.length + n));
    stores.push(valStore);
    const watched = cfg.watch ?? [];
    const watchStore = watched.length ? await buildStore(storeCfg, watched, true, 1, null, cfg.seed, (n) => report(cfg.train.length + cfg.validation.length + n)) : undefined;
    if (watchStore) stores.push(watchStore);
    const finePooled = fineLayer ? make(tf.tidy(() => tf.concat(finePerView.map((parts) => tf.concat(parts))))) : undefined; // [views * n, K_f] view-major
    const featureSeconds = (performance.now() - t0) / 1000;

    // Parameters: from the initial head, else fresh (He init for the ReLU layer) and, for the
    // trunk, fire9 of the base. A variable shares its initial value's data; both are in `owned`.
    const trunkVars: tf.Variable[] = [];
    const headVars: tf.Variable[] = [];
    const variables = (w: LinearHead, trainable: boolean, list: tf.Variable[]): LinearHead => {
      const [kernel, bias] = [tf.variable(w.kernel, trainable), tf.variable(w.bias, trainable)];
      list.push(kernel, bias);
      owned.push(kernel, bias);
      return { kernel, bias };
    };
    const baseLayer = (name: string) => cfg.base.model.layers.find((l) => l.name === name);
    const trunk: Trunk | undefined = useTrunk
      ? fires.map((fire) => {
          // The initial head's copy (already owned), else the base's module (new tensors, owned here).
          const init = initial?.trunk?.find((m) => m.fire === fire) ?? fireFromBase(fire, baseLayer);
          if (!initial?.trunk?.includes(init)) owned.push(init.squeeze.kernel, init.squeeze.bias, init.expand.kernel, init.expand.bias);
          return { fire, squeeze: variables(init.squeeze, trainTrunk, trunkVars), expand: variables(init.expand, trainTrunk, trunkVars) };
        })
      : undefined;
    const headInChannels = trunk ? trunk[trunk.length - 1].expand.kernel.shape[1] : featureShape[2];
    const hiddenInit =
      initial?.hidden ??
      (hidden > 0
        ? { kernel: make(tf.randomNormal([headInChannels, hidden], 0, Math.sqrt(2 / headInChannels), 'float32', cfg.seed) as tf.Tensor2D), bias: make(tf.zeros([hidden]) as tf.Tensor1D) } // [K, H], [H]
        : undefined);
    const outInit = initial?.out ?? { kernel: make(tf.randomNormal([hidden || headInChannels, numClasses], 0, 0.01, 'float32', cfg.seed + 1) as tf.Tensor2D), bias: make(tf.zeros([numClasses]) as tf.Tensor1D) }; // [H|K, C], [C]
    const params: HeadWeights = {
      trunk,
      hidden: hiddenInit && variables(hiddenInit, true, headVars),
      out: variables(outInit, true, headVars),
    };
    const [fh, fw, fk] = featureShape;

    /** The activation before pooling, [b, h, w, H], from cached maps [b, h*w, K]. */
    const activation = (x: tf.Tensor): tf.Tensor4D =>
      tf.tidy(() => camActivation(tf.reshape(x, [x.shape[0], fh, fw, fk]) as tf.Tensor4D, params.hidden, params.trunk));

    /** x: [b, K] pooled or [b, h*w, K] maps -> logits [b, C]. */
    const forward = (x: tf.Tensor): tf.Tensor2D =>
      tf.tidy(() => (useMaps ? pooledLogits(activation(x), params.out) : (tf.add(tf.matMul(x as tf.Tensor2D, params.out.kernel), params.out.bias) as tf.Tensor2D)));

    const trainLabels = cfg.train.map((s) => s.label);
    const counts = Array.from({ length: numClasses }, (_, c) => trainLabels.filter((l) => l === c).length);
    const classWeight = counts.map((n) => (cfg.classBalance && n > 0 ? trainLabels.length / (numClasses * n) : 1));
    const valLabels = cfg.validation.map((s) => s.label);
    const rng = createRng(cfg.seed + 1);
    const history: EpochStats[] = [];
    const t1 = performance.now();
    const chunks = (n: number, size: number) => Array.from({ length: Math.ceil(n / size) }, (_, i) => Array.from({ length: Math.min(size, n - i * size) }, (_, j) => i * size + j));

    /** Predicted classes and summed loss over the validation set, in batches. */
    const evaluate = async (): Promise<{ predicted: number[]; loss: number }> => {
      const predicted: number[] = [];
      let loss = 0;
      for (const idx of chunks(valLabels.length, cfg.batchSize)) {
        const [p, l] = tf.tidy(() => {
          const x = valStore.batch(0, idx);
          const logits = forward(x);
          const y = tf.oneHot(tf.tensor1d(idx.map((i) => valLabels[i]), 'int32'), numClasses);
          const ce = tf.losses.softmaxCrossEntropy(y, logits, undefined, 0, tf.Reduction.SUM);
          return [Array.from(tf.argMax(logits, 1).dataSync()), ce.dataSync()[0]] as const;
        });
        predicted.push(...p);
        loss += l;
        if (useTrunk) await yieldToEventLoop();
      }
      return { predicted, loss };
    };

    /** Grad-CAM of the watched samples under the current weights (closed form, as the classifier). */
    const watch = async (epoch: number): Promise<void> => {
      if (!watchStore || !cfg.onWatch) return;
      const packed = tf.tidy(() => {
        const maps = tf.reshape(watchStore.batch(0, watched.map((_, i) => i)), [watched.length, fh, fw, fk]) as tf.Tensor4D; // [n, h, w, K]
        const r = headForward(maps, params, 'predicted', 'softmax'); // the classifier's own forward pass
        return tf.concat([r.probabilities, tf.expandDims(tf.cast(r.camClass, 'float32'), 1), tf.reshape(r.cam, [watched.length, fh * fw])], 1); // [n, C + 1 + h*w]
      });
      const data = (await packed.data()) as Float32Array;
      packed.dispose();
      const row = numClasses + 1 + fh * fw;
      const cams = watched.map((s, i): WatchedCam => {
        const r = data.subarray(i * row, (i + 1) * row);
        return { id: s.id, probabilities: r.slice(0, numClasses), classIndex: r[numClasses], cam: r.slice(numClasses + 1), camHeight: fh, camWidth: fw };
      });
      await cfg.onWatch(epoch, cams);
    };

    await watch(0);
    const trainable = [...(trainTrunk ? trunkVars : []), ...headVars];
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const view = epoch % views;
      const order = shuffled(
        Array.from({ length: trainLabels.length }, (_, i) => i),
        rng,
      );
      let lossSum = 0;
      let correct = 0;
      for (let s = 0; s < order.length; s += cfg.batchSize) {
        cfg.signal?.throwIfAborted();
        const idx = order.slice(s, s + cfg.batchSize);
        const x = trainStore.batch(view, idx);
        const y = tf.tidy(() => tf.oneHot(tf.tensor1d(idx.map((i) => trainLabels[i]), 'int32'), numClasses));
        const sw = tf.tensor1d(idx.map((i) => classWeight[trainLabels[i]]));
        const { value, grads } = tf.variableGrads(() => {
          const logits = forward(x);
          const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
          correct += hits.dataSync()[0];
          const ce = tf.losses.softmaxCrossEntropy(y, logits, sw, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
          const decay = tf.mul(cfg.weightDecay, tf.addN([tf.sum(tf.square(params.out.kernel)), ...(params.hidden ? [tf.sum(tf.square(params.hidden.kernel))] : [])]));
          return tf.add(ce, decay) as tf.Scalar;
        }, trainable);
        const pick = (vars: tf.Variable[]) => vars.map((v) => ({ name: v.name, tensor: grads[v.name] }));
        headOptimizer.applyGradients(pick(headVars));
        if (trainTrunk) trunkOptimizer.applyGradients(pick(trunkVars));
        lossSum += value.dataSync()[0] * idx.length;
        tf.dispose([x, y, sw, value, ...Object.values(grads)]);
        await yieldToEventLoop();
      }
      const val = valLabels.length ? await evaluate() : undefined;
      const stats: EpochStats = {
        phase: 'epoch',
        epoch: epoch + 1,
        epochs: cfg.epochs,
        trainLoss: lossSum / order.length,
        trainAccuracy: correct / order.length,
        valLoss: val ? val.loss / valLabels.length : NaN,
        valAccuracy: val ? val.predicted.filter((p, i) => p === valLabels[i]).length / valLabels.length : NaN,
        seconds: (performance.now() - t0) / 1000,
      };
      history.push(stats);
      await cfg.onProgress?.(stats);
      await watch(epoch + 1);
    }
    const predicted = valLabels.length ? (await evaluate()).predicted : [];
    const validation = classificationReport(
      cfg.labels,
      valLabels.map((l) => cfg.labels[l]),
      predicted.map((p) => cfg.labels[p]),
    );
    const misclassified = cfg.validation.flatMap((s, i) =>
      predicted[i] !== s.label ? [{ id: s.id ?? String(i), truth: cfg.labels[s.label], predicted: cfg.labels[predicted[i]] }] : [],
    );
    const fine = finePooled
      ? await trainFineHead(
          finePooled as tf.Tensor2D,
          Array.from({ length: views }, () => trainLabels).flat(),
          numClasses,
          { initial: initial?.fine, classBalance: cfg.classBalance, signal: cfg.signal },
        )
      : undefined;
    if (fine) [fine.kernel, fine.bias].forEach(make);
    const fineShape = fineLayer ? featureShapeOf(cfg.base.cut(fineLayer)) : undefined;
    const head = createHead(featureShape, numClasses, {
      hidden,
      trunk: trunk?.map((m) => ({ fire: m.fire, squeeze: m.squeeze.kernel.shape[1], expand: m.expand.kernel.shape[1] })),
      fine: fineShape,
    });
    if (fine) setLinearHead(head, fine.kernel, fine.bias, FINE_LAYER);
    for (const m of trunk ?? []) {
      setLinearHead(head, m.squeeze.kernel, m.squeeze.bias, trunkSqueezeLayer(m.fire));
      setLinearHead(head, m.expand.kernel, m.expand.bias, trunkExpandLayer(m.fire));
    }
    if (params.hidden) setLinearHead(head, params.hidden.kernel, params.hidden.bias, HIDDEN_LAYER);
    setLinearHead(head, params.out.kernel, params.out.bias);
    return {
      head,
      featureLayer,
      featureShape,
      ...(fineShape ? { fineLayer: cfg.fineLayer, fineShape } : {}),
      mode: useTrunk ? 'deep' : 'head',
      trunk: fires,
      fineTuned: trainTrunk ? fires : [],
      history,
      validation,
      misclassified,
      featureSeconds,
      trainSeconds: (performance.now() - t1) / 1000,
    };
  } finally {
    stores.forEach((st) => st.dispose());
    tf.dispose(owned);
    headOptimizer.dispose();
    trunkOptimizer.dispose();
  }
}
