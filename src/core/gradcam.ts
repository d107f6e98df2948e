import * as tf from '@tensorflow/tfjs';

/** Which class score Grad-CAM differentiates: the softmax output (as in the MATLAB reference) or the logit. */
export type CamScore = 'softmax' | 'logit';
export const CAM_SCORES: readonly CamScore[] = ['softmax', 'logit'];

/**
 * Grad-CAM channel weights for a head of the form logits = GAP(conv1x1(F)) = mean_yx(F) . W + b,
 * in closed form, so the map needs no backward pass.
 *
 * d logit_c / dF[y,x,k] = W[k,c] / (h*w): summed over y,x this is W[k,c].
 * d p_c / dF[y,x,k] = p_c (W[k,c] - sum_j p_j W[k,j]) / (h*w): summed, p_c sum_j p_j (W[k,c] - W[k,j]).
 * The last form has no cancellation when p_c is close to 1, so it stays accurate where float32
 * tf.grad (which forms p_c - p_c^2) loses digits.
 *
 * @param kernel [K, C] classifier weights
 * @param probs [n, C] softmax outputs of the same forward pass
 * @param classIndex [n] class per sample (int32)
 * @returns [n, K] weight of each feature channel
 */
export function closedFormCamWeights(
  kernel: tf.Tensor2D,
  probs: tf.Tensor2D,
  classIndex: tf.Tensor1D,
  score: CamScore,
): tf.Tensor2D {
  return tf.tidy(() => {
    const numClasses = kernel.shape[1];
    const onehot = tf.oneHot(classIndex, numClasses).toFloat() as tf.Tensor2D; // [n, C]
    const wc = tf.matMul(onehot, kernel, false, true); // [n, K]  W[:, c]
    if (score === 'logit') return wc as tf.Tensor2D;
    const pc = tf.sum(tf.mul(onehot, probs), 1, true); // [n, 1]
    const others = tf.mul(probs, tf.sub(1, onehot)); // [n, C]  p_j for j != c, exactly 0 for j = c
    const rest = tf.sum(others, 1, true); // [n, 1]  sum_{j != c} p_j, computed without 1 - p_c
    const mixed = tf.matMul(others, kernel, false, true); // [n, K]  sum_{j != c} p_j W[:, j]
    return tf.mul(pc, tf.sub(tf.mul(rest, wc), mixed)) as tf.Tensor2D;
  });
}

/**
 * map[y,x] = sum_k weights[k] * F[y,x,k] (the MATLAB reference's `sum(featureMap .* weights, 3)`).
 * @param features [n, h, w, K]
 * @param weights [n, K]
 * @returns [n, h, w] raw (unrectified, unscaled) class activation maps
 */
export function weightedFeatureSum(features: tf.Tensor4D, weights: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, k] = features.shape;
    const flat = tf.reshape(features, [n, h * w, k]); // [n, h*w, K]
    const map = tf.matMul(flat, tf.reshape(weights, [n, k, 1])); // [n, h*w, 1]
    return tf.reshape(map, [n, h, w]) as tf.Tensor3D;
  });
}

/**
 * Optional ReLU, then per-map min-max rescale to [0, 1] (MATLAB's `rescale`). A constant map
 * becomes all zeros.
 * @param raw [n, h, w]
 * @returns [n, h, w] in [0, 1]
 */
export function rescaleCam(raw: tf.Tensor3D, relu = true): tf.Tensor3D {
  return tf.tidy(() => {
    const m = relu ? tf.relu(raw) : raw;
    const min = tf.min(m, [1, 2], true);
    const range = tf.sub(tf.max(m, [1, 2], true), min);
    // Any positive range counts: a confident softmax scales the whole map by p_c * (1 - p_c), which
    // can be 1e-15 and must not be mistaken for a constant map.
    const varies = tf.greater(range, 0);
    const safe = tf.where(varies, range, tf.onesLike(range));
    return tf.mul(tf.div(tf.sub(m, min), safe), tf.cast(varies, 'float32')) as tf.Tensor3D;
  });
}

/**
 * Reference Grad-CAM by automatic differentiation, as public examples do it: a separate backward
 * pass of `head` (features -> logits) with tf.grad. Used to verify the closed form and as the
 * benchmark's reference pipeline.
 * @param features [1, h, w, K] feature map of one image
 * @param head model mapping features to logits [1, C]
 * @returns [1, h, w] raw map
 */
export function autodiffGradCam(
  features: tf.Tensor4D,
  head: (f: tf.Tensor4D) => tf.Tensor2D,
  classIndex: number,
  score: CamScore,
): tf.Tensor3D {
  return tf.tidy(() => {
    const scoreOf = (f: tf.Tensor): tf.Scalar => {
      const logits = head(f as tf.Tensor4D); // [1, C]
      const out = score === 'softmax' ? tf.softmax(logits) : logits;
      return tf.squeeze(tf.slice(out, [0, classIndex], [1, 1])) as tf.Scalar;
    };
    const grads = tf.grad(scoreOf)(features); // [1, h, w, K]
    const weights = tf.sum(grads, [1, 2]) as tf.Tensor2D; // [1, K]  the MATLAB reference's sum(dScore/dMap, [1 2])
    return weightedFeatureSum(features, weights);
  });
}
