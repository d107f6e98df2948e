import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';

/**
 * Globally average-pooled features.
 * @param input [n, s, s, 3] normalised
 * @returns [n, K] (caller disposes)
 */
export function extractPooledFeatures(base: BaseNetwork, input: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.mean(base.model.predict(input) as tf.Tensor4D, [1, 2]) as tf.Tensor2D);
}
