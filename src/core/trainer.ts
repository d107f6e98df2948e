import * as tf from '@tensorflow/tfjs';
import { augmentBatch, type AugmentConfig } from './augment';
import type { BaseNetwork } from './base';
import { createHead, setLinearHead, type LinearHead } from './head';
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
  /** Start from these weights (fine-tuning the current model); default: fresh. */
  initial?: LinearHead;
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

/**
 * Computes globally pooled base features of `samples`, optionally under `views` random augmentations.
 * @returns [views, n, K] pooled features (caller disposes)
 */
export async function pooledFeatures(
  base: BaseNetwork,
  preprocessing: PreprocessingMode,
  samples: readonly TrainingSample[],
  options: { views?: number; augment?: AugmentConfig | null; seed?: number; batch?: number; signal?: AbortSignal; onBatch?: (done: number) => void | Promise<void> } = {},
): Promise<tf.Tensor3D> {
  const views = options.views ?? 1;
  const batch = options.batch ?? 16;
  const rng = createRng(options.seed ?? 0);
  const perView: tf.Tensor2D[][] = Array.from({ length: views }, () => []);
  if (samples.length === 0) return tf.zeros([views, 0, base.featureShape[2]]);
  try {
    for (let start = 0; start < samples.length; start += batch) {
      options.signal?.throwIfAborted();
      const chunk = samples.slice(start, start + batch);
      const loaded = await Promise.all(chunk.map((s) => s.load()));
      const rgb = tf.tidy(() => tf.concat(loaded.map((img) => centreCrop(img, base.inputSize))) as tf.Tensor4D); // [b, s, s, 3] RGB 0..255
      loaded.forEach((t) => t.dispose());
      for (let v = 0; v < views; v++) {
        const view = options.augment ? await augmentBatch(rgb, options.augment, rng) : rgb;
        perView[v].push(tf.tidy(() => tf.mean(base.model.predict(normalise(view, preprocessing)) as tf.Tensor4D, [1, 2]) as tf.Tensor2D)); // [b, K]
        if (view !== rgb) view.dispose();
      }
      rgb.dispose();
      await options.onBatch?.(Math.min(start + batch, samples.length));
      await yieldToEventLoop();
    }
    return tf.tidy(() => tf.stack(perView.map((parts) => tf.concat(parts))) as tf.Tensor3D);
  } finally {
    perView.flat().forEach((t) => t.dispose());
  }
}

/**
 * Trains the linear head (1x1 conv + GAP, trained in its equivalent form on pooled features) on a
 * frozen base. Features are extracted once per augmented view, so epochs cost milliseconds.
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
    ...config,
  };
  const views = cfg.views ?? (cfg.augment ? cfg.epochs : 1);
  const numClasses = cfg.labels.length;
  if (numClasses < 2) throw new Error(`need at least 2 labels, got ${numClasses}`);
  if (cfg.train.length === 0) throw new Error('no training samples');
  for (const s of [...cfg.train, ...cfg.validation]) {
    if (!(s.label >= 0 && s.label < numClasses)) throw new Error(`sample ${s.id ?? ''} has label index ${s.label}; valid: 0..${numClasses - 1}`);
  }
  const [, , featureChannels] = cfg.base.featureShape;
  const t0 = performance.now();
  const total = cfg.train.length * 1 + cfg.validation.length;
  let done = 0;
  const report = async (n: number) => {
    done = n;
    await cfg.onProgress?.({ phase: 'features', done, total });
  };
  const trainFeats = await pooledFeatures(cfg.base, cfg.preprocessing, cfg.train, {
    views,
    augment: cfg.augment,
    seed: cfg.seed,
    batch: cfg.featureBatch,
    signal: cfg.signal,
    onBatch: (n) => report(n),
  }); // [views, nTrain, K]
  let valFeats: tf.Tensor3D | undefined;
  // tidy frees the initial values; variables survive it.
  const w = tf.tidy(() => tf.variable(cfg.initial ? cfg.initial.kernel.clone() : tf.randomNormal([featureChannels, numClasses], 0, 0.01, 'float32', cfg.seed))); // [K, C]
  const b = tf.tidy(() => tf.variable(cfg.initial ? cfg.initial.bias.clone() : tf.zeros([numClasses]))); // [C]
  const optimizer = tf.train.adam(cfg.learningRate * cfg.headLearningRateFactor);
  try {
    valFeats = await pooledFeatures(cfg.base, cfg.preprocessing, cfg.validation, {
      batch: cfg.featureBatch,
      signal: cfg.signal,
      onBatch: (n) => report(cfg.train.length + n),
    }); // [1, nVal, K]
    const featureSeconds = (performance.now() - t0) / 1000;
    const trainLabels = cfg.train.map((s) => s.label);
    const counts = Array.from({ length: numClasses }, (_, c) => trainLabels.filter((l) => l === c).length);
    const classWeight = counts.map((n) => (cfg.classBalance && n > 0 ? trainLabels.length / (numClasses * n) : 1));
    const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(trainLabels, 'int32'), numClasses).toFloat() as tf.Tensor2D); // [n, C]
    const sampleWeight = tf.tensor1d(trainLabels.map((l) => classWeight[l])); // [n]
    const valLabels = cfg.validation.map((s) => s.label);
    const yVal = tf.tidy(() => tf.oneHot(tf.tensor1d(valLabels.length ? valLabels : [0], 'int32'), numClasses).toFloat() as tf.Tensor2D);
    const rng = createRng(cfg.seed + 1);
    const history: EpochStats[] = [];
    const t1 = performance.now();
    const lossOf = (x: tf.Tensor2D, y: tf.Tensor2D, sw?: tf.Tensor1D) =>
      tf.tidy(() => {
        const logits = tf.add(tf.matMul(x, w), b);
        const ce = tf.losses.softmaxCrossEntropy(y, logits, sw, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
        return { loss: ce as tf.Scalar, logits: logits as tf.Tensor2D };
      });
    try {
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
          const idx = tf.tensor1d(order.slice(s, s + cfg.batchSize), 'int32');
          const x = tf.tidy(() => tf.squeeze(tf.gather(tf.slice(trainFeats, [view, 0, 0], [1, -1, -1]), idx, 1), [0]) as tf.Tensor2D);
          const y = tf.gather(yTrain, idx) as tf.Tensor2D;
          const sw = tf.gather(sampleWeight, idx) as tf.Tensor1D;
          const cost = optimizer.minimize(() => {
            const { loss, logits } = lossOf(x, y, sw);
            const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
            correct += hits.dataSync()[0];
            hits.dispose();
            logits.dispose();
            return tf.add(loss, tf.mul(cfg.weightDecay, tf.sum(tf.square(w)))) as tf.Scalar;
          }, true);
          lossSum += (cost?.dataSync()[0] ?? 0) * idx.shape[0];
          tf.dispose([idx, x, y, sw]);
          cost?.dispose();
        }
        const val = tf.tidy(() => {
          if (valLabels.length === 0) return { loss: NaN, acc: NaN };
          const x = tf.squeeze(valFeats as tf.Tensor3D, [0]) as tf.Tensor2D;
          const { loss, logits } = lossOf(x, yVal);
          const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(yVal, 1)), 'float32'));
          return { loss: loss.dataSync()[0], acc: acc.dataSync()[0] };
        });
        const stats: EpochStats = {
          phase: 'epoch',
          epoch: epoch + 1,
          epochs: cfg.epochs,
          trainLoss: lossSum / order.length,
          trainAccuracy: correct / order.length,
          valLoss: val.loss,
          valAccuracy: val.acc,
          seconds: (performance.now() - t0) / 1000,
        };
        history.push(stats);
        await cfg.onProgress?.(stats);
        await yieldToEventLoop();
      }
    } finally {
      tf.dispose([yTrain, sampleWeight, yVal]);
    }
    const predicted = tf.tidy(() =>
      valLabels.length ? Array.from(tf.argMax(tf.add(tf.matMul(tf.squeeze(valFeats as tf.Tensor3D, [0]), w), b), 1).dataSync()) : [],
    );
    const validation = classificationReport(
      cfg.labels,
      valLabels.map((l) => cfg.labels[l]),
      predicted.map((p) => cfg.labels[p]),
    );
    const misclassified = cfg.validation.flatMap((s, i) =>
      predicted[i] !== s.label ? [{ id: s.id ?? String(i), truth: cfg.labels[s.label], predicted: cfg.labels[predicted[i]] }] : [],
    );
    const head = createHead(cfg.base.featureShape, numClasses);
    setLinearHead(head, w as unknown as tf.Tensor2D, b as unknown as tf.Tensor1D);
    return { head, history, validation, misclassified, featureSeconds, trainSeconds: (performance.now() - t1) / 1000 };
  } finally {
    tf.dispose([trainFeats, w, b]);
    if (valFeats) valFeats.dispose();
    optimizer.dispose();
  }
}
