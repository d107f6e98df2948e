/**
 * A matrix product whose gradient multiplies untransposed matrices only.
 *
 * tf.matMul's gradient is dA = dY . B^T and dB = A^T . dY, computed as matMuls with a transpose flag.
 * TF.js's WASM backend hands a product to XNNPACK only when neither operand is transposed
 * (tensorflow/tfjs#2532); a transposed one takes a plain loop that is 12-25x slower on a
 * fire module's shapes (dB for [8112, 576] x [8112, 512]: 6.2 s against 0.25 s with the transpose
 * materialised first, docs/trainer.md "Training speed"). Deep-mode training spends almost all its time
 * there. This op computes the same gradients with the transposes made explicit; other backends
 * (WebGL, WebGPU, CPU) pay one extra transpose of each operand, small beside the product.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * a . b, differentiable like tf.matMul (same values, same gradients), with a gradient that is fast on WASM.
 * @param a [m, k]
 * @param b [k, n]
 * @returns [m, n]
 */
export const matMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b), // [m, n]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), // [m, n] . [n, k] = [m, k]
        tf.matMul(tf.transpose(sa), dy as tf.Tensor2D), // [k, m] . [m, n] = [k, n]
      ];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
