/**
 * The trainer's steps on cached features: one epoch of optimiser steps, the validation pass, and
 * the Grad-CAM of the watched samples.
 */
import * as tf from '@tensorflow/tfjs';
import { headForward } from './head';
import { shuffled, type Rng } from './random';
import type { WatchedCam } from './trainer';
import type { FeatureStore } from './trainer-features';
import type { HeadUnderTraining } from './trainer-head-model';
import { yieldToEventLoop } from './yield';

/** Cached samples with their class indices. */
export interface LabelledStore {
  store: FeatureStore;
  labels: readonly number[];
}

/** How an epoch steps. */
export interface EpochSettings {
  numClasses: number;
  batchSize: number;
  weightDecay: number;
  /** Strength of the pull of the hidden and classifier kernels towards the starting head's (0: none). */
  anchor: number;
  /** Loss weight per class (inverse frequency, or all 1). */
  classWeight: readonly number[];
  /** Also step the fire module copies (deep mode). */
  trainTrunk: boolean;
  signal?: AbortSignal;
}

/** The optimisers of the new layers and of the fire module copies. */
export interface HeadOptimizers {
  head: tf.Optimizer;
  trunk: tf.Optimizer;
}

/** Indices 0..n-1 in batches of `size`. */
function chunks(n: number, size: number): number[][] {
  return Array.from({ length: Math.ceil(n / size) }, (_, i) =>
    Array.from({ length: Math.min(size, n - i * size) }, (_, j) => i * size + j),
  );
}

/** Loss weight per class: inverse frequency in `labels` when `balance`, else 1. */
export function classWeights(labels: readonly number[], numClasses: number, balance: boolean): number[] {
  const counts = Array.from({ length: numClasses }, (_, c) => labels.filter((l) => l === c).length);
  return counts.map((n) => (balance && n > 0 ? labels.length / (numClasses * n) : 1));
}

/**
 * One pass over the training samples of augmented view `view` in a shuffled order (drawn from
 * `rng`), one optimiser step per batch.
 * @returns mean training loss and accuracy of the pass
 */
export async function trainEpoch(
  head: HeadUnderTraining,
  optimizers: HeadOptimizers,
  train: LabelledStore,
  view: number,
  rng: Rng,
  settings: EpochSettings,
): Promise<{ loss: number; accuracy: number }> {
  const labels = train.labels;
  const order = shuffled(
    Array.from({ length: labels.length }, (_, i) => i),
    rng,
  );
  const trainable = [...(settings.trainTrunk ? head.trunkVars : []), ...head.headVars];
  let lossSum = 0;
  let correct = 0;
  for (let s = 0; s < order.length; s += settings.batchSize) {
    settings.signal?.throwIfAborted();
    const idx = order.slice(s, s + settings.batchSize);
    const x = train.store.batch(view, idx); // [b, K] or [b, h*w, K]
    const y = tf.tidy(() =>
      tf.oneHot(
        tf.tensor1d(
          idx.map((i) => labels[i]),
          'int32',
        ),
        settings.numClasses,
      ),
    ); // [b, C]
    const sw = tf.tensor1d(idx.map((i) => settings.classWeight[labels[i]])); // [b]
    const { value, grads } = tf.variableGrads(() => {
      const logits = head.forward(x);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
      correct += hits.dataSync()[0];
      const ce = tf.losses.softmaxCrossEntropy(y, logits, sw, 0, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
      return tf.addN([ce, weightDecayTerm(head, settings.weightDecay), anchorTerm(head, settings.anchor)]) as tf.Scalar;
    }, trainable);
    const pick = (vars: tf.Variable[]) => vars.map((v) => ({ name: v.name, tensor: grads[v.name] }));
    optimizers.head.applyGradients(pick(head.headVars));
    if (settings.trainTrunk) optimizers.trunk.applyGradients(pick(head.trunkVars));
    lossSum += value.dataSync()[0] * idx.length;
    tf.dispose([x, y, sw, value, ...Object.values(grads)]);
    await yieldToEventLoop();
  }
  return { loss: lossSum / order.length, accuracy: correct / order.length };
}

/** The L2 penalty on the classifier's and hidden layer's kernels (a scalar). */
function weightDecayTerm(head: HeadUnderTraining, weightDecay: number): tf.Scalar {
  const { out, hidden } = head.params;
  return tf.mul(
    weightDecay,
    tf.addN([tf.sum(tf.square(out.kernel)), ...(hidden ? [tf.sum(tf.square(hidden.kernel))] : [])]),
  );
}

/**
 * L2-SP (Li et al. 2018): the squared distance of the hidden and classifier kernels from the starting
 * head's, times `strength` (a scalar; 0 without a starting head). Keeps an adapted head near the one
 * that knew the old surfaces. A grown head's new class columns are pulled towards their fresh init.
 */
function anchorTerm(head: HeadUnderTraining, strength: number): tf.Scalar {
  const { anchor } = head;
  if (!anchor || strength === 0) return tf.scalar(0);
  const { out, hidden } = head.params;
  const distance = (w: tf.Tensor, w0: tf.Tensor) => tf.sum(tf.square(tf.sub(w, w0)));
  return tf.mul(
    strength,
    tf.addN([
      distance(out.kernel, anchor.out),
      ...(hidden && anchor.hidden ? [distance(hidden.kernel, anchor.hidden)] : []),
    ]),
  );
}

/**
 * Predicted classes and summed loss over the validation samples, in batches (yielding between
 * them when `yieldBetween`: a batch through fire module copies is slow).
 */
export async function evaluate(
  head: HeadUnderTraining,
  validation: LabelledStore,
  numClasses: number,
  batchSize: number,
  yieldBetween: boolean,
): Promise<{ predicted: number[]; loss: number }> {
  const predicted: number[] = [];
  let loss = 0;
  for (const idx of chunks(validation.labels.length, batchSize)) {
    const [p, l] = tf.tidy(() => {
      const logits = head.forward(validation.store.batch(0, idx)); // [b, C]
      const y = tf.oneHot(
        tf.tensor1d(
          idx.map((i) => validation.labels[i]),
          'int32',
        ),
        numClasses,
      ); // [b, C]
      const ce = tf.losses.softmaxCrossEntropy(y, logits, undefined, 0, tf.Reduction.SUM);
      return [Array.from(tf.argMax(logits, 1).dataSync()), ce.dataSync()[0]] as const;
    });
    predicted.push(...p);
    loss += l;
    if (yieldBetween) await yieldToEventLoop();
  }
  return { predicted, loss };
}

/**
 * Grad-CAM of the watched samples under the current weights (the classifier's own closed-form
 * forward pass on their cached maps), one readback for all.
 * @param featureShape [h, w, K] of the cached maps
 */
export async function watchedCams(
  head: HeadUnderTraining,
  watch: FeatureStore,
  ids: readonly (string | undefined)[],
  featureShape: [number, number, number],
  numClasses: number,
): Promise<WatchedCam[]> {
  const [h, w, k] = featureShape;
  const n = ids.length;
  const packed = tf.tidy(() => {
    const maps = tf.reshape(
      watch.batch(
        0,
        ids.map((_, i) => i),
      ),
      [n, h, w, k],
    ) as tf.Tensor4D; // [n, h, w, K]
    const r = headForward(maps, head.onCached, 'predicted', 'softmax');
    return tf.concat(
      [r.probabilities, tf.expandDims(tf.cast(r.camClass, 'float32'), 1), tf.reshape(r.cam, [n, h * w])],
      1,
    ); // [n, C + 1 + h*w]
  });
  const data = (await packed.data()) as Float32Array;
  packed.dispose();
  const row = numClasses + 1 + h * w;
  return ids.map((id, i): WatchedCam => {
    const r = data.subarray(i * row, (i + 1) * row);
    return {
      id,
      probabilities: r.slice(0, numClasses),
      classIndex: r[numClasses],
      cam: r.slice(numClasses + 1),
      camHeight: h,
      camWidth: w,
    };
  });
}
