/** The Gaussian of normal features, fitted with shrinkage and kept in whitened form. */
import * as tf from '@tensorflow/tfjs';
import { whiteningMatrix } from './oneclass-linalg';
import { WHITEN_LAYER } from './oneclass-scorer';

/** A fitted Gaussian in whitened form: z = x W + b. */
export interface Whitening {
  /** [D, D] */
  kernel: tf.Tensor2D;
  /** [D] */
  bias: tf.Tensor1D;
  shrinkage: number;
}

/**
 * Fits a Gaussian with shrinkage to the rows of `x` and returns its whitening transform.
 * Ledoit-Wolf (2004): covariance (1 - s) S + s mu I, with s estimated from the data.
 * @param x [N, D]
 */
export function fitGaussian(x: tf.Tensor2D, shrinkage: number | 'ledoit-wolf'): Whitening {
  const [n, d] = x.shape;
  const { mean, cov, stats } = tf.tidy(() => {
    const mean = tf.mean(x, 0) as tf.Tensor1D; // [D]
    const xc = tf.sub(x, mean); // [N, D]
    // Explicit transpose: matMul(transposeA) is ~20x slower on the WASM backend for this shape.
    const cov = tf.div(tf.matMul(tf.transpose(xc), xc), n) as tf.Tensor2D; // [D, D] empirical covariance
    // Ledoit-Wolf terms: sum_k |x_k|^4 / N (= sum of (X^2)^T X^2 / N) and |S|_F^2.
    const norms2 = tf.sum(tf.square(xc), 1); // [N]
    const stats = tf.stack([tf.div(tf.sum(tf.square(norms2)), n), tf.sum(tf.square(cov))]); // [2]
    return { mean, cov, stats };
  });
  const s = Float64Array.from(cov.dataSync());
  const m = Float64Array.from(mean.dataSync());
  const [fourth, covNorm2] = Array.from(stats.dataSync());
  tf.dispose([cov, mean, stats]);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += s[i * d + i];
  const mu = trace / d;
  let shrink: number;
  if (shrinkage === 'ledoit-wolf') {
    // delta = |S - mu I|_F^2 / D; beta = (sum |x|^4 / N - |S|_F^2) / (D N), capped at delta.
    const delta = (covNorm2 - 2 * mu * trace + d * mu * mu) / d;
    const beta = Math.min(Math.max((fourth - covNorm2) / (d * n), 0), delta);
    shrink = delta > 0 ? beta / delta : 1;
  } else {
    shrink = shrinkage;
  }
  // A floor keeps the float32 covariance positive definite when features are nearly collinear.
  const ridge = Math.max(shrink * mu, 1e-6 * mu, 1e-12);
  for (let i = 0; i < d * d; i++) s[i] *= 1 - shrink;
  for (let i = 0; i < d; i++) s[i * d + i] += ridge;
  const w = whiteningMatrix(s, d);
  const b = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const mi = m[i];
    if (mi === 0) continue;
    const row = i * d;
    for (let j = i; j < d; j++) b[j] -= mi * w[row + j]; // W is upper-triangular
  }
  return {
    kernel: tf.tensor2d(Float32Array.from(w), [d, d]),
    bias: tf.tensor1d(Float32Array.from(b)),
    shrinkage: shrink,
  };
}

/** Sets the scorer's whitening layer. Does not dispose the arguments. */
export function setWhitening(scorer: tf.LayersModel, w: Whitening): void {
  const [d] = w.kernel.shape;
  tf.tidy(() => scorer.getLayer(WHITEN_LAYER).setWeights([tf.reshape(w.kernel, [1, 1, d, d]), w.bias]));
}
