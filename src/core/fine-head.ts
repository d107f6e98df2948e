import * as tf from '@tensorflow/tfjs';
import type { LinearHead } from './head';
import { yieldToEventLoop } from './yield';
import { matMul } from './matmul-grad';

/** Options of {@link trainFineHead}. */
export interface FineHeadTraining {
  /** Start from these weights (a model's fine head) instead of zeros. Not disposed. */
  initial?: LinearHead;
  /** Full-batch Adam steps (default 600). */
  steps?: number;
  /** Adam learning rate on standardised features (default 0.01). */
  learningRate?: number;
  /** L2 penalty on the standardised weights (default 1e-3). */
  weightDecay?: number;
  /** Weight the loss by inverse class frequency (default true). */
  classBalance?: boolean;
  signal?: AbortSignal;
}

/**
 * Trains the fine head (1x1 conv to C classes + global average pooling on an early base layer) in
 * its equivalent form, softmax regression on the pooled features. The features are standardised
 * for the optimiser (fire3's channels differ in scale by orders of magnitude) and the result is
 * folded back into weights on the raw features: W = Wz / sd, b = bz - (mean / sd) . Wz.
 * @param pooled [m, K] globally pooled early features (all augmented views stacked); not disposed
 * @param labels class index of each row
 * @returns kernel [K, C] and bias [C] (new tensors, the caller owns them)
 */
export async function trainFineHead(
  pooled: tf.Tensor2D,
  labels: readonly number[],
  numClasses: number,
  options: FineHeadTraining = {},
): Promise<LinearHead> {
  const { steps = 600, learningRate = 0.01, weightDecay = 1e-3, classBalance = true } = options;
  const [m, k] = pooled.shape;
  if (labels.length !== m) throw new Error(`${labels.length} labels for ${m} feature rows`);
  const counts = Array.from({ length: numClasses }, (_, c) => labels.filter((l) => l === c).length);
  const weightOf = counts.map((n) => (classBalance && n > 0 ? m / (numClasses * n) : 1));
  const owned: tf.Tensor[] = [];
  const optimizer = tf.train.adam(learningRate);
  try {
    const { mean, sd, z, y, w } = tf.tidy(() => {
      const moments = tf.moments(pooled, 0); // [K]
      const sd = tf.add(tf.sqrt(moments.variance), 1e-3) as tf.Tensor1D; // [K]
      return {
        mean: moments.mean as tf.Tensor1D,
        sd,
        z: tf.div(tf.sub(pooled, moments.mean), sd) as tf.Tensor2D, // [m, K]
        y: tf.oneHot(tf.tensor1d(labels as number[], 'int32'), numClasses), // [m, C]
        w: tf.tensor1d(labels.map((l) => weightOf[l])), // [m]
      };
    });
    owned.push(mean, sd, z, y, w);
    const [kernelInit, biasInit] = tf.tidy(() =>
      options.initial
        ? [
            tf.mul(options.initial.kernel, tf.expandDims(sd, 1)),
            tf.add(options.initial.bias, tf.squeeze(tf.matMul(tf.expandDims(mean, 0), options.initial.kernel), [0])),
          ]
        : [tf.zeros([k, numClasses]), tf.zeros([numClasses])],
    );
    const kernel = tf.variable(kernelInit);
    const bias = tf.variable(biasInit);
    owned.push(kernelInit, biasInit, kernel, bias);
    for (let step = 0; step < steps; step++) {
      options.signal?.throwIfAborted();
      const loss = optimizer.minimize(
        () =>
          tf.add(
            tf.losses.softmaxCrossEntropy(
              y,
              tf.add(matMul(z, kernel as tf.Tensor2D), bias),
              w,
              0,
              tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
            ),
            tf.mul(weightDecay, tf.sum(tf.square(kernel))),
          ) as tf.Scalar,
        false,
        [kernel, bias],
      );
      loss?.dispose();
      if (step % 50 === 49) await yieldToEventLoop();
    }
    return tf.tidy(() => {
      const raw = tf.div(kernel, tf.expandDims(sd, 1)) as tf.Tensor2D; // [K, C]
      const shift = tf.squeeze(tf.matMul(tf.expandDims(tf.div(mean, sd), 0), kernel), [0]); // [C]
      return { kernel: raw, bias: tf.sub(bias, shift) as tf.Tensor1D };
    });
  } finally {
    tf.dispose(owned);
    optimizer.dispose();
  }
}
