/**
 * Makes a trained classifier honest about itself: fits its temperature on validation photos (and folds
 * it into the output layer) and its novelty model on the training photos' pooled base features, with
 * the threshold set on the validation photos. One forward pass per photo, no augmentation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';
import { expectedCalibrationError, fitTemperature, softmaxRows } from './calibration';
import { argMax } from './colormap';
import { linearHeadOf, setLinearHead } from './head';
import type { CalibrationInfo, ModelMetadata } from './metadata';
import { fitNovelty, poolFeatures, type NoveltyInfo, type NoveltyMatch, type NoveltyThresholds } from './novelty';
import { cropAndNormalise } from './preprocess';
import type { TrainingSample } from './trainer';
import { yieldToEventLoop } from './yield';

/** A photo with the group it belongs to (e.g. `concrete/crack`: its surface and label). */
export interface GroupedSample extends TrainingSample {
  group: string;
}

/** Options of {@link fitReliability}. */
export interface ReliabilityFitOptions {
  base: BaseNetwork;
  /** The trained head (its output layer is rescaled by the fitted temperature). */
  head: tf.LayersModel;
  metadata: ModelMetadata;
  /** Photos the novelty model learns (the training photos, or a spread-out subset of them). */
  train: readonly GroupedSample[];
  /** Photos the temperature and the novelty threshold are set on. */
  validation: readonly GroupedSample[];
  /** Share of every group's validation photos the novelty threshold keeps (default 0.99). */
  quantile?: number;
  /** One novelty threshold for all groups, or one per group (novelty.ts; default 'shared'). */
  thresholds?: NoveltyThresholds;
  /** Which groups score a photo: all ('nearest', default) or the verdict's ('verdict'; novelty.ts). */
  match?: NoveltyMatch;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** What {@link fitReliability} adds to the model's metadata. */
export interface ReliabilityFit {
  calibration: CalibrationInfo;
  novelty: NoveltyInfo;
}

/** Logits [n * C] and pooled base features of photos, in order. */
interface Observed {
  logits: Float32Array;
  /** [n, D] */
  pooled: tf.Tensor2D;
}

/** The base cut the head reads: image -> features (and, for a fine head, the fine features too). */
function featureCut(base: BaseNetwork, metadata: ModelMetadata): tf.LayersModel {
  const { featureLayer, fineLayer } = metadata.base;
  return fineLayer ? base.cutMany([featureLayer, fineLayer]) : base.cut(featureLayer);
}

async function observe(
  options: ReliabilityFitOptions,
  samples: readonly GroupedSample[],
  done: { count: number; total: number },
): Promise<Observed> {
  const { base, head, metadata } = options;
  const batch = options.batchSize ?? 16;
  const cut = featureCut(base, metadata);
  const logits: Float32Array[] = [];
  const pooled: tf.Tensor2D[] = [];
  try {
    for (let i = 0; i < samples.length; i += batch) {
      options.signal?.throwIfAborted();
      const images = await Promise.all(samples.slice(i, i + batch).map((s) => s.load()));
      let l: tf.Tensor2D;
      let p: tf.Tensor2D;
      try {
        [l, p] = tf.tidy(() => {
          const input = tf.concat(
            images.map((im) => cropAndNormalise(im, metadata.inputSize, metadata.preprocessing, 1)),
          ) as tf.Tensor4D; // [b, s, s, 3]
          const out = cut.predict(input) as tf.Tensor4D | tf.Tensor4D[];
          const maps = Array.isArray(out) ? out : [out]; // [b, h, w, K] (and [b, h_f, w_f, K_f])
          const headOut = head.predict(maps.length > 1 ? maps : maps[0]) as tf.Tensor2D | tf.Tensor2D[];
          return [Array.isArray(headOut) ? headOut[0] : headOut, poolFeatures(maps[0])]; // [b, C], [b, K]
        });
      } finally {
        tf.dispose(images);
      }
      logits.push((await l.data()) as Float32Array);
      l.dispose();
      pooled.push(p);
      done.count += images.length;
      options.onProgress?.(done.count, done.total);
      await yieldToEventLoop();
    }
    const all = new Float32Array(logits.reduce((n, a) => n + a.length, 0));
    logits.reduce((at, a) => (all.set(a, at), at + a.length), 0);
    const stacked =
      pooled.length > 0 ? (tf.concat(pooled) as tf.Tensor2D) : tf.zeros([0, metadata.base.featureShape[2]]);
    return { logits: all, pooled: stacked as tf.Tensor2D };
  } finally {
    tf.dispose(pooled);
  }
}

/** The verdict (class index of the largest logit, the first on ties) of each row of logits [n * classes]. */
function verdictsOf(logits: Float32Array, classes: number): Int32Array {
  return Int32Array.from(
    { length: logits.length / classes },
    (_, i) => argMax(logits.subarray(i * classes, (i + 1) * classes)).index,
  );
}

/** ECE of logits / t, given each row's verdict (which no t > 0 changes). */
function ece(
  logits: Float32Array,
  verdicts: Int32Array,
  labels: readonly number[],
  classes: number,
  t: number,
): number {
  const p = softmaxRows({ logits, classes }, t);
  const confidence = labels.map((_, i) => p[i * classes + verdicts[i]]);
  const correct = labels.map((label, i) => verdicts[i] === label);
  return expectedCalibrationError(confidence, correct);
}

/** Divides the head's output layer (kernel and bias) by `t`: its softmax becomes softmax(logits / t). */
export function applyTemperature(head: tf.LayersModel, t: number): void {
  const { kernel, bias } = linearHeadOf(head);
  const scaled = tf.tidy(() => [tf.div(kernel, t) as tf.Tensor2D, tf.div(bias, t) as tf.Tensor1D] as const);
  setLinearHead(head, scaled[0], scaled[1]);
  tf.dispose([kernel, bias, ...scaled]);
}

/**
 * Fits the temperature (applied to `head` at once) and the novelty model.
 * @throws when there are no validation photos, or a group of the novelty model has no training photo
 */
export async function fitReliability(options: ReliabilityFitOptions): Promise<ReliabilityFit> {
  if (options.validation.length === 0) throw new Error('fitReliability: no validation photos to calibrate on');
  const groups = [...new Set([...options.train, ...options.validation].map((s) => s.group))].sort();
  const done = { count: 0, total: options.train.length + options.validation.length };
  const train = await observe(options, options.train, done);
  let validation: Observed | undefined;
  try {
    validation = await observe(options, options.validation, done);
    const classes = options.metadata.labels.length;
    const labels = options.validation.map((s) => s.label);
    const verdicts = verdictsOf(validation.logits, classes); // [n] the class of each row's largest logit
    const temperature = fitTemperature({ logits: validation.logits, classes }, labels);
    const calibration: CalibrationInfo = {
      method: 'temperature',
      temperature,
      ece: {
        before: ece(validation.logits, verdicts, labels, classes, 1),
        after: ece(validation.logits, verdicts, labels, classes, temperature),
      },
      n: labels.length,
    };
    const groupOf = (samples: readonly GroupedSample[]) => samples.map((s) => groups.indexOf(s.group));
    const novelty = fitNovelty(
      { features: train.pooled, groups: groupOf(options.train) },
      {
        features: validation.pooled,
        groups: groupOf(options.validation),
        verdicts,
      },
      {
        groups,
        quantile: options.quantile,
        thresholds: options.thresholds,
        match: options.match,
        labels: options.metadata.labels,
      },
    );
    applyTemperature(options.head, temperature);
    return { calibration, novelty };
  } finally {
    tf.dispose([train.pooled, ...(validation ? [validation.pooled] : [])]);
  }
}
