/**
 * Base features of training samples, cached once per augmented view: globally pooled vectors (a
 * linear head) or whole maps (a hidden layer or fire module copies), for the trainer.
 */
import * as tf from '@tensorflow/tfjs';
import { augmentBatch, type AugmentConfig } from './augment';
import type { BaseNetwork } from './base';
import { centreCrop, normalise, type PreprocessingMode } from './preprocess';
import { createRng } from './random';
import type { TrainingSample } from './trainer';
import { yieldToEventLoop } from './yield';

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
  /**
   * With a two-output feature model ([main, fine], see BaseNetwork.cutMany): gets the second
   * output's maps of each batch and view (disposed after it returns), from the same forward pass.
   */
  onFineMaps?: (view: number, start: number, maps: tf.Tensor4D) => void;
  /** Applied to the (first output's) maps before they are consumed, e.g. frozen fire module copies. */
  after?: MapTransform;
}

/** A fixed function of the cached maps and the [h, w, K] shape it outputs. */
export interface MapTransform {
  apply(maps: tf.Tensor4D): tf.Tensor4D;
  shape: [number, number, number];
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
  features: tf.LayersModel = base.model,
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
        const [maps, fineMaps] = tf.tidy(() => {
          const out = features.predict(normalise(view, preprocessing)) as tf.Tensor4D | tf.Tensor4D[];
          const [main, fine] = Array.isArray(out) ? out : [out]; // [b, h, w, K], [b, h_f, w_f, K_f]
          return [options.after ? options.after.apply(main) : main, ...(fine ? [fine] : [])];
        });
        if (view !== rgb) view.dispose();
        try {
          await consume(v, start, maps);
          if (fineMaps) options.onFineMaps?.(v, start, fineMaps);
        } finally {
          maps.dispose();
          fineMaps?.dispose();
        }
        // One base pass per view: let the page breathe between them, not only between batches.
        if (v + 1 < views) await yieldToEventLoop();
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
  features: tf.LayersModel = base.model,
): Promise<tf.Tensor3D> {
  const views = options.views ?? 1;
  if (samples.length === 0) return tf.zeros([views, 0, (options.after?.shape ?? featureShapeOf(features))[2]]);
  const perView: tf.Tensor2D[][] = Array.from({ length: views }, () => []);
  try {
    await forEachFeatureBatch(
      base,
      preprocessing,
      samples,
      options,
      (v, _start, maps) => {
        perView[v].push(tf.mean(maps, [1, 2]) as tf.Tensor2D); // [b, K]
      },
      features,
    );
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
  features: tf.LayersModel = base.model,
): Promise<Float32Array[]> {
  const per = (options.after?.shape ?? featureShapeOf(features)).reduce((a, b) => a * b, 1);
  const out = Array.from({ length: options.views ?? 1 }, () => new Float32Array(samples.length * per));
  await forEachFeatureBatch(
    base,
    preprocessing,
    samples,
    options,
    async (v, start, maps) => {
      out[v].set(await maps.data(), start * per);
    },
    features,
  );
  return out;
}

/** [h, w, K] of a feature model's output. */
export function featureShapeOf(features: tf.LayersModel): [number, number, number] {
  const [, h, w, k] = features.outputs[0].shape as number[];
  return [h, w, k];
}

/** Cached training inputs of the head: pooled vectors (linear head) or whole maps (hidden layer). */
export interface FeatureStore {
  /** [b, K] pooled, or [b, h*w, K] maps, for `indices` of view `view`. */
  batch(view: number, indices: readonly number[]): tf.Tensor;
  dispose(): void;
}

/** Where {@link buildStore} reads features: the base, the model cut at the cached layer, and how. */
export interface FeatureSource {
  base: BaseNetwork;
  features: tf.LayersModel;
  preprocessing: PreprocessingMode;
  featureBatch: number;
  signal?: AbortSignal;
  onFineMaps?: FeatureOptions['onFineMaps'];
  after?: MapTransform;
}

/**
 * Runs the base over `samples` (`views` augmentations each) and caches the head's inputs: whole
 * maps when `maps`, else pooled vectors.
 */
export async function buildStore(
  cfg: FeatureSource,
  samples: readonly TrainingSample[],
  maps: boolean,
  views: number,
  augment: AugmentConfig | null | undefined,
  seed: number,
  onBatch: (done: number) => void | Promise<void>,
): Promise<FeatureStore> {
  const options = {
    views,
    augment,
    seed,
    batch: cfg.featureBatch,
    signal: cfg.signal,
    onBatch,
    onFineMaps: cfg.onFineMaps,
    after: cfg.after,
  };
  if (!maps) {
    const pooled = await pooledFeatures(cfg.base, cfg.preprocessing, samples, options, cfg.features); // [views, n, K]
    return {
      batch: (view, indices) =>
        tf.tidy(() =>
          tf.squeeze(
            tf.gather(tf.slice(pooled, [view, 0, 0], [1, -1, -1]), tf.tensor1d(indices as number[], 'int32'), 1),
            [0],
          ),
        ),
      dispose: () => pooled.dispose(),
    };
  }
  const data = await featureMaps(cfg.base, cfg.preprocessing, samples, options, cfg.features); // per view [n, h*w, K]
  const [h, w, k] = cfg.after?.shape ?? featureShapeOf(cfg.features);
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
