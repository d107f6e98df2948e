import * as tf from '@tensorflow/tfjs';
import { augmentBatch, type AugmentConfig } from './augment';
import type { BaseNetwork } from './base';
import { createHead, HIDDEN_LAYER, hiddenLayerOf, linearHeadOf, setLinearHead } from './head';
import { classificationReport, type ClassificationReport } from './metrics';
import { centreCrop, normalise, type PreprocessingMode } from './preprocess';
import { createRng, shuffled } from './random';

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

/** Options of {@link trainHead}. */
export interface HeadTrainingConfig {
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
  /** Start from this head (fine-tuning the current model; same hidden size); default: fresh. */
  initial?: tf.LayersModel;
  seed?: number;
  /** Images per base forward pass during feature extraction. */
  featureBatch?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainingProgress) => void | Promise<void>;
}

/** Per-epoch history entry. */
export type EpochStats = Extract<TrainingProgress, { phase: 'epoch' }>;

/** What a training run produced. */
export interface HeadTrainingResult {
  /** The trained head (caller disposes). */
  head: tf.LayersModel;
  history: EpochStats[];
  validation: ClassificationReport;
  /** Validation sample ids the model got wrong, with their predicted label. */
  misclassified: { id: string; truth: string; predicted: string }[];
  featureSeconds: number;
  trainSeconds: number;
}

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

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
        const maps = tf.tidy(() => base.model.predict(normalise(view, preprocessing)) as tf.Tensor4D); // [b, h, w, K]
        if (view !== rgb) view.dispose();
        try {
          await consume(v, start, maps);
        } finally {
          maps.dispose();
        }
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
): Promise<tf.Tensor3D> {
  const views = options.views ?? 1;
  if (samples.length === 0) return tf.zeros([views, 0, base.featureShape[2]]);
  const perView: tf.Tensor2D[][] = Array.from({ length: views }, () => []);
  try {
    await forEachFeatureBatch(base, preprocessing, samples, options, (v, _start, maps) => {
      perView[v].push(tf.mean(maps, [1, 2]) as tf.Tensor2D); // [b, K]
    });
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
): Promise<Float32Array[]> {
  const [h, w, k] = base.featureShape;
  const per = h * w * k;
  const out = Array.from({ length: options.views ?? 1 }, () => new Float32Array(samples.length * per));
  await forEachFeatureBatch(base, preprocessing, samples, options, async (v, start, maps) => {
    out[v].set(await maps.data(), start * per);
  });
  return out;
}

/** Cached training inputs of the head: pooled vectors (linear head) or whole maps (hidden layer). */
interface FeatureStore {
  /** [b, K] pooled, or [b, h*w, K] maps, for `indices` of view `view`. */
  batch(view: number, indices: readonly number[]): tf.Tensor;
  dispose(): void;
}

async function buildStore(
  cfg: { base: BaseNetwork; preprocessing: PreprocessingMode; featureBatch: number; signal?: AbortSignal },
  samples: readonly TrainingSample[],
  maps: boolean,
  views: number,
  augment: AugmentConfig | null | undefined,
  seed: number,
  onBatch: (done: number) => void | Promise<void>,
): Promise<FeatureStore> {
  const options = { views, augment, seed, batch: cfg.featureBatch, signal: cfg.signal, onBatch };
  if (!maps) {
    const pooled = await pooledFeatures(cfg.base, cfg.preprocessing, samples, options); // [views, n, K]
    return {
      batch: (view, indices) => tf.tidy(() => tf.squeeze(tf.gather(tf.slice(pooled, [view, 0, 0], [1, -1, -1]), tf.tensor1d(indices as number[], 'int32'), 1), [0])),
      dispose: () => pooled.dispose(),
    };
  }
  const data = await featureMaps(cfg.base, cfg.preprocessing, samples, options); // per view [n, h*w, K]
  const [h, w, k] = cfg.base.featureShape;
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
 * with a hidden 1x1 conv + ReLU, trained on whole feature maps) on a frozen base. Features are
 * extracted once per augmented view, so an epoch costs a fraction of a forward pass per image.
 */
export async function trainHead(config: HeadTrainingConfig): Promise<HeadTrainingResult> {
  const cfg = {
    epochs: 5,
    batchSize: 100,
    learningRate: 2e-4,
    headLearningRateFactor: 10,
    weightDecay: 1e-4,
    classBalance: true,
    seed: 0,
    featureBatch: 16,
    hidden: 0,
    ...config,
  };
  const views = cfg.views ?? (cfg.augment ? Math.max(cfg.epochs, 1) : 1);
  const numClasses = cfg.labels.length;
  if (numClasses < 2) throw new Error(`need at least 2 labels, got ${numClasses}`);
  if (cfg.train.length === 0) throw new Error('no training samples');
  for (const s of [...cfg.train, ...cfg.validation]) {
    if (!(s.label >= 0 && s.label < numClasses)) throw new Error(`sample ${s.id ?? ''} has label index ${s.label}; valid: 0..${numClasses - 1}`);
  }
  const initialHidden = cfg.initial ? hiddenLayerOf(cfg.initial) : undefined;
  const hidden = cfg.initial ? (initialHidden?.kernel.shape[1] ?? 0) : cfg.hidden;
  if (initialHidden) tf.dispose([initialHidden.kernel, initialHidden.bias]);
  const [, , featureChannels] = cfg.base.featureShape;
  const t0 = performance.now();
  const total = cfg.train.length + cfg.validation.length;
  const report = (done: number) => cfg.onProgress?.({ phase: 'features', done, total });
  const stores: FeatureStore[] = [];
  const params: tf.Variable[] = [];
  const optimizer = tf.train.adam(cfg.learningRate * cfg.headLearningRateFactor);
  try {
    const trainStore = await buildStore(cfg, cfg.train, hidden > 0, views, cfg.augment, cfg.seed, report);
    stores.push(trainStore);
    const valStore = await buildStore(cfg, cfg.validation, hidden > 0, 1, null, cfg.seed, (n) => report(cfg.train.length + n));
    stores.push(valStore);
    const featureSeconds = (performance.now() - t0) / 1000;

    // Parameters: from the initial head, else fresh (He init for the ReLU layer). tidy frees the initial values.
    const init = (name: string, make: () => tf.Tensor) => {
      const v = tf.tidy(() => tf.variable(make(), true, name));
      params.push(v);
      return v;
    };
    const start = cfg.initial ? { out: linearHeadOf(cfg.initial), hid: hidden > 0 ? linearHeadOf(cfg.initial, HIDDEN_LAYER) : undefined } : undefined;
    const w1 = hidden > 0 ? init('w1', () => start?.hid?.kernel.clone() ?? tf.randomNormal([featureChannels, hidden], 0, Math.sqrt(2 / featureChannels), 'float32', cfg.seed)) : undefined; // [K, H]
    const b1 = hidden > 0 ? init('b1', () => start?.hid?.bias.clone() ?? tf.zeros([hidden])) : undefined; // [H]
    const w2 = init('w2', () => start?.out.kernel.clone() ?? tf.randomNormal([hidden || featureChannels, numClasses], 0, 0.01, 'float32', cfg.seed + 1)); // [H|K, C]
    const b2 = init('b2', () => start?.out.bias.clone() ?? tf.zeros([numClasses])); // [C]
    if (start) tf.dispose([start.out.kernel, start.out.bias, ...(start.hid ? [start.hid.kernel, start.hid.bias] : [])]);

    /** x: [b, K] pooled or [b, h*w, K] maps -> logits [b, C]. */
    const forward = (x: tf.Tensor): tf.Tensor2D =>
      tf.tidy(() => {
        if (!w1 || !b1) return tf.add(tf.matMul(x as tf.Tensor2D, w2 as tf.Tensor2D), b2) as tf.Tensor2D;
        const [b, hw, k] = x.shape;
        const act = tf.relu(tf.add(tf.matMul(tf.reshape(x, [b * hw, k]), w1 as tf.Tensor2D), b1)); // [b*hw, H]
        const pooled = tf.mean(tf.reshape(act, [b, hw, hidden]), 1) as tf.Tensor2D; // [b, H]
        return tf.add(tf.matMul(pooled, w2 as tf.Tensor2D), b2) as tf.Tensor2D;
      });

    const trainLabels = cfg.train.map((s) => s.label);
    const counts = Array.from({ length: numClasses }, (_, c) => trainLabels.filter((l) => l === c).length);
    const classWeight = counts.map((n) => (cfg.classBalance && n > 0 ? trainLabels.length / (numClasses * n) : 1));
    const valLabels = cfg.validation.map((s) => s.label);
    const rng = createRng(cfg.seed + 1);
    const history: EpochStats[] = [];
    const t1 = performance.now();
    const chunks = (n: number, size: number) => Array.from({ length: Math.ceil(n / size) }, (_, i) => Array.from({ length: Math.min(size, n - i * size) }, (_, j) => i * size + j));

    /** Predicted classes and summed loss over the validation set, in batches. */
    const evaluate = (): { predicted: number[]; loss: number } => {
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
      }
      return { predicted, loss };
    };

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
        const cost = optimizer.minimize(() => {
          const logits = forward(x);
          const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
          correct += hits.dataSync()[0];
          const ce = tf.losses.softmaxCrossEntropy(y, logits, sw, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
          const decay = tf.mul(cfg.weightDecay, tf.addN([tf.sum(tf.square(w2)), ...(w1 ? [tf.sum(tf.square(w1))] : [])]));
          return tf.add(ce, decay) as tf.Scalar;
        }, true);
        lossSum += (cost?.dataSync()[0] ?? 0) * idx.length;
        tf.dispose([x, y, sw]);
        cost?.dispose();
        await yieldToEventLoop();
      }
      const val = valLabels.length ? evaluate() : undefined;
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
    }
    const predicted = valLabels.length ? evaluate().predicted : [];
    const validation = classificationReport(
      cfg.labels,
      valLabels.map((l) => cfg.labels[l]),
      predicted.map((p) => cfg.labels[p]),
    );
    const misclassified = cfg.validation.flatMap((s, i) =>
      predicted[i] !== s.label ? [{ id: s.id ?? String(i), truth: cfg.labels[s.label], predicted: cfg.labels[predicted[i]] }] : [],
    );
    const head = createHead(cfg.base.featureShape, numClasses, { hidden });
    if (w1 && b1) setLinearHead(head, w1 as tf.Tensor as tf.Tensor2D, b1 as tf.Tensor as tf.Tensor1D, HIDDEN_LAYER);
    setLinearHead(head, w2 as tf.Tensor as tf.Tensor2D, b2 as tf.Tensor as tf.Tensor1D);
    return { head, history, validation, misclassified, featureSeconds, trainSeconds: (performance.now() - t1) / 1000 };
  } finally {
    stores.forEach((st) => st.dispose());
    tf.dispose(params);
    optimizer.dispose();
  }
}
