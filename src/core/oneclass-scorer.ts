/**
 * The one-class model's feature pipeline, shared by training and scoring: the base cut at several
 * layers, their maps pooled to one grid and concatenated, and the scorer (a whitening 1x1 conv) with
 * the image score and heatmap it gives. The method is described in oneclass.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';
import type { OneClassInfo } from './metadata';

/** Scoring methods a one-class model can use. */
export const ONECLASS_METHODS: readonly OneClassInfo['method'][] = ['patch-gaussian', 'pooled-gaussian'];
export type OneClassMethod = OneClassInfo['method'];

/** Default features: fire5 (27x27, average-pooled to 13x13) and fire7 (13x13), 640 channels. */
export const DEFAULT_ONECLASS_LAYERS: readonly string[] = ['fire5/concat', 'fire7/concat'];

/** Name of the 1x1 convolution holding the whitening transform of the normal-feature Gaussian. */
export const WHITEN_LAYER = 'oneclass_whiten';

/** Labels of a one-class model: index 0 normal, index 1 anomaly. */
export const ONECLASS_LABELS: readonly string[] = ['normal', 'anomaly'];

/** How a base layer's map is brought to the grid: identity, or SqueezeNet's own 3x3/2 pooling window. */
export function poolingTo(
  shape: readonly (number | null)[],
  grid: readonly [number, number],
  layer: string,
): 'none' | 'avg3s2' {
  const [h, w] = [shape[1] as number, shape[2] as number];
  if (h === grid[0] && w === grid[1]) return 'none';
  if (Math.floor((h - 3) / 2) + 1 === grid[0] && Math.floor((w - 3) / 2) + 1 === grid[1]) return 'avg3s2';
  throw new Error(`layer '${layer}' is ${h}x${w}; it must be ${grid[0]}x${grid[1]} or pool to it with a 3x3/2 window`);
}

/** The base truncated to several outputs; shares the base's layers (never dispose it: that would free the base's weights). */
export function featureModel(base: BaseNetwork, layers: readonly string[]): tf.LayersModel {
  const outputs = layers.map((name) => {
    try {
      return base.model.getLayer(name).output as tf.SymbolicTensor;
    } catch {
      throw new Error(`base ${base.source} has no layer '${name}'`);
    }
  });
  return tf.model({ inputs: base.model.inputs, outputs });
}

/** All outputs of a (multi-output) feature model as a list. */
export function predictAll(model: tf.LayersModel, input: tf.Tensor4D): tf.Tensor4D[] {
  const out = model.predict(input);
  return (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
}

/**
 * Pools each layer's map to the grid and concatenates along channels (the same ops as the scorer's
 * pooling layers). Does not dispose the inputs.
 * @param maps per layer [n, h_i, w_i, c_i]
 * @returns [n, gh, gw, sum c_i]
 */
export function gridFeatures(maps: readonly tf.Tensor4D[], grid: readonly [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const pooled = maps.map((m) => (poolingTo(m.shape, grid, 'feature') === 'none' ? m : tf.avgPool(m, 3, 2, 'valid')));
    return (pooled.length === 1 ? pooled[0].clone() : tf.concat(pooled, 3)) as tf.Tensor4D;
  });
}

/**
 * The scorer: base feature maps -> pooled to the grid -> concatenated -> whitened (1x1 conv).
 * Output z [n, gh, gw, D]: |z|^2 at a location is its squared Mahalanobis distance to normal.
 */
export function createOneClassScorer(
  layers: readonly string[],
  inputShapes: readonly [number, number, number][],
  grid: readonly [number, number],
): tf.LayersModel {
  if (layers.length === 0 || layers.length !== inputShapes.length)
    throw new Error(`need one input shape per feature layer, got ${inputShapes.length} for ${layers.length}`);
  const inputs = inputShapes.map((shape, i) =>
    tf.input({ shape: [...shape], name: `features_${i}_${layers[i].replace(/[^A-Za-z0-9_]/g, '_')}` }),
  );
  const pooled = inputs.map((x, i) =>
    poolingTo(x.shape, grid, layers[i]) === 'none'
      ? x
      : (tf.layers
          .averagePooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: `pool_${i}` })
          .apply(x) as tf.SymbolicTensor),
  );
  const joined =
    pooled.length === 1
      ? pooled[0]
      : (tf.layers.concatenate({ axis: -1, name: 'concat' }).apply(pooled) as tf.SymbolicTensor);
  const channels = joined.shape[3] as number;
  const z = tf.layers
    .conv2d({ filters: channels, kernelSize: 1, name: WHITEN_LAYER, kernelInitializer: 'zeros' })
    .apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: z, name: 'crackcam_oneclass' });
}

/** Per-location squared distances from whitened features. @param z [n, h, w, D] @returns [n, h, w] */
export function locationDistances(z: tf.Tensor4D): tf.Tensor3D {
  return tf.sum(tf.square(z), 3);
}

/**
 * Image scores from whitened features.
 * @param z [n, h, w, D]
 * @returns [n]
 */
export function imageScores(z: tf.Tensor4D, method: OneClassMethod, topK: number): tf.Tensor1D {
  return tf.tidy(() => {
    if (method === 'pooled-gaussian') {
      // The whitening is affine, so whitening the pooled features = pooling the whitened ones.
      return tf.sum(tf.square(tf.mean(z, [1, 2])), 1) as tf.Tensor1D;
    }
    const [n, h, w] = z.shape;
    const d = tf.reshape(locationDistances(z), [n, h * w]); // [n, h*w]
    return tf.mean(tf.topk(d, Math.min(topK, h * w)).values, 1) as tf.Tensor1D;
  });
}

/** Heatmap in [0, 1]: log-scaled squared distance between heatmapRange[0] (0) and [1] (1). @param d [n, h, w] */
export function heatmapOf(d: tf.Tensor3D, range: readonly [number, number]): tf.Tensor3D {
  return tf.tidy(() => {
    const [lo, hi] = range.map(Math.log);
    return tf.clipByValue(tf.div(tf.sub(tf.log(tf.add(d, 1e-6)), lo), hi - lo), 0, 1) as tf.Tensor3D;
  });
}
