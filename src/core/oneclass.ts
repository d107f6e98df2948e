/**
 * Normal-only mode: a model of what sound surface looks like, learned from a few dozen photos of
 * it, that flags anything unlike it and paints where.
 *
 * Method (chosen by measurement, see docs/oneclass.md): one multivariate Gaussian of the local
 * feature vectors of normal photos ("patch Gaussian"), on mid-level SqueezeNet features (fire5,
 * average-pooled to the 13x13 grid, concatenated with fire7), with Ledoit-Wolf shrinkage. A frame's
 * squared Mahalanobis distance at each of the 13x13 locations is the anomaly map; the image score
 * is the mean of the top-k location distances. One Gaussian for all locations (not one per location
 * as in PaDiM) because surface photos are textures: any location may show a joint or a pore, and
 * 50 photos give 8,450 location samples for one Gaussian but only 50 for each of 169.
 *
 * The Gaussian is stored in whitened form as a 1x1 convolution (z = (x - mean) W, |z|^2 = squared
 * Mahalanobis distance) inside a tiny standard TF.js Layers model, so the app reads it with the
 * same ModelReader as a classifier; everything else is in `userDefinedMetadata.crackcam.oneClass`.
 */
import * as tf from '@tensorflow/tfjs';
import { augmentBatch, type AugmentConfig } from './augment';
import { loadBaseNetwork, SQUEEZENET_BASE_NAME, type BaseNetwork } from './base';
import type { ImageInput } from './classifier';
import { METADATA_KEY, MODEL_FORMAT_VERSION, validateMetadata, type ModelMetadata, type OneClassInfo } from './metadata';
import { layersModelFromArtifacts, ModelFileError, readLayersArtifacts, type ModelReader } from './model-io';
import { serializeModel, type ModelFiles } from './model-writer';
import { quantile, whiteningMatrix } from './oneclass-linalg';
import { centreCrop, cropAndNormalise, normalise, type PreprocessingMode } from './preprocess';
import { createRng, shuffled } from './random';
import { yieldToEventLoop } from './yield';

/** Scoring methods a one-class model can use. */
export const ONECLASS_METHODS: readonly OneClassInfo['method'][] = ['patch-gaussian', 'pooled-gaussian'];
export type OneClassMethod = OneClassInfo['method'];

/** Default features: fire5 (27x27, average-pooled to 13x13) and fire7 (13x13), 640 channels. */
export const DEFAULT_ONECLASS_LAYERS: readonly string[] = ['fire5/concat', 'fire7/concat'];

/** Name of the 1x1 convolution holding the whitening transform of the normal-feature Gaussian. */
export const WHITEN_LAYER = 'oneclass_whiten';

/** Labels of a one-class model: index 0 normal, index 1 anomaly. */
export const ONECLASS_LABELS: readonly string[] = ['normal', 'anomaly'];

/** Defaults of {@link trainOneClass}. */
export const ONECLASS_DEFAULTS = {
  method: 'patch-gaussian' as OneClassMethod,
  featureLayers: DEFAULT_ONECLASS_LAYERS,
  topK: 20,
  falseAlarmRate: 0.05,
  folds: 5,
  views: 2,
  shrinkage: 'ledoit-wolf' as number | 'ledoit-wolf',
  seed: 0,
  featureBatch: 8,
  /** Extra views beyond the original and its mirror image: mirror and small shifts only. */
  augment: { flipX: true, translate: 16, scale: 0, brightness: 0, contrast: 0 } as AugmentConfig,
};

/** Quantile of held-out normal location distances mapped to heatmap 0; heatmap 1 is `HEAT_SPAN` times it. */
const HEAT_LOW_QUANTILE = 0.99;
const HEAT_SPAN = 4;

// ---------------------------------------------------------------------------------------------
// Feature pipeline shared by training and scoring

/** How a base layer's map is brought to the grid: identity, or SqueezeNet's own 3x3/2 pooling window. */
function poolingTo(shape: readonly (number | null)[], grid: readonly [number, number], layer: string): 'none' | 'avg3s2' {
  const [h, w] = [shape[1] as number, shape[2] as number];
  if (h === grid[0] && w === grid[1]) return 'none';
  if (Math.floor((h - 3) / 2) + 1 === grid[0] && Math.floor((w - 3) / 2) + 1 === grid[1]) return 'avg3s2';
  throw new Error(`layer '${layer}' is ${h}x${w}; it must be ${grid[0]}x${grid[1]} or pool to it with a 3x3/2 window`);
}

/** The base truncated to several outputs; shares the base's layers (never dispose it: that would free the base's weights). */
function featureModel(base: BaseNetwork, layers: readonly string[]): tf.LayersModel {
  const outputs = layers.map((name) => {
    try {
      return base.model.getLayer(name).output as tf.SymbolicTensor;
    } catch {
      throw new Error(`base ${base.source} has no layer '${name}'`);
    }
  });
  return tf.model({ inputs: base.model.inputs, outputs });
}

function predictAll(model: tf.LayersModel, input: tf.Tensor4D): tf.Tensor4D[] {
  const out = model.predict(input);
  return (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
}

/**
 * Pools each layer's map to the grid and concatenates along channels (the same ops as the scorer's
 * pooling layers). Does not dispose the inputs.
 * @param maps per layer [n, h_i, w_i, c_i]
 * @returns [n, gh, gw, sum c_i]
 */
function gridFeatures(maps: readonly tf.Tensor4D[], grid: readonly [number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const pooled = maps.map((m) => (poolingTo(m.shape, grid, 'feature') === 'none' ? m : tf.avgPool(m, 3, 2, 'valid')));
    return (pooled.length === 1 ? pooled[0].clone() : tf.concat(pooled, 3)) as tf.Tensor4D;
  });
}

/**
 * The scorer: base feature maps -> pooled to the grid -> concatenated -> whitened (1x1 conv).
 * Output z [n, gh, gw, D]: |z|^2 at a location is its squared Mahalanobis distance to normal.
 */
export function createOneClassScorer(layers: readonly string[], inputShapes: readonly [number, number, number][], grid: readonly [number, number]): tf.LayersModel {
  if (layers.length === 0 || layers.length !== inputShapes.length) throw new Error(`need one input shape per feature layer, got ${inputShapes.length} for ${layers.length}`);
  const inputs = inputShapes.map((shape, i) => tf.input({ shape: [...shape], name: `features_${i}_${layers[i].replace(/[^A-Za-z0-9_]/g, '_')}` }));
  const pooled = inputs.map((x, i) =>
    poolingTo(x.shape, grid, layers[i]) === 'none'
      ? x
      : (tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: `pool_${i}` }).apply(x) as tf.SymbolicTensor),
  );
  const joined = pooled.length === 1 ? pooled[0] : (tf.layers.concatenate({ axis: -1, name: 'concat' }).apply(pooled) as tf.SymbolicTensor);
  const channels = joined.shape[3] as number;
  const z = tf.layers.conv2d({ filters: channels, kernelSize: 1, name: WHITEN_LAYER, kernelInitializer: 'zeros' }).apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: z, name: 'crackcam_oneclass' });
}

/** Per-location squared distances from whitened features. @param z [n, h, w, D] @returns [n, h, w] */
function locationDistances(z: tf.Tensor4D): tf.Tensor3D {
  return tf.sum(tf.square(z), 3);
}

/**
 * Image scores from whitened features.
 * @param z [n, h, w, D]
 * @returns [n]
 */
function imageScores(z: tf.Tensor4D, method: OneClassMethod, topK: number): tf.Tensor1D {
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
function heatmapOf(d: tf.Tensor3D, range: readonly [number, number]): tf.Tensor3D {
  return tf.tidy(() => {
    const [lo, hi] = range.map(Math.log);
    return tf.clipByValue(tf.div(tf.sub(tf.log(tf.add(d, 1e-6)), lo), hi - lo), 0, 1) as tf.Tensor3D;
  });
}

// ---------------------------------------------------------------------------------------------
// The model

/** Tensors of one scoring pass (the caller disposes them). */
export interface OneClassTensors {
  /** [n] anomaly score: mean of the top-k squared Mahalanobis distances (patch-gaussian). */
  score: tf.Tensor1D;
  /** [n, h, w] where the surface is abnormal, in [0, 1] (0 = as normal captures, 1 = far from them). */
  heatmap: tf.Tensor3D;
}

/** Result of {@link OneClassModel.detect}. */
export interface AnomalyResult {
  score: number;
  threshold: number;
  /** score / threshold: above 1 is abnormal. */
  ratio: number;
  anomalous: boolean;
  /** 'anomaly' or 'normal' ({@link ONECLASS_LABELS}). */
  label: string;
  /** [h * w] row-major, in [0, 1]. */
  heatmap: Float32Array;
  heatmapHeight: number;
  heatmapWidth: number;
}

/** Options of {@link OneClassModel.detect}. */
export interface DetectOptions {
  cropFraction?: number;
  /** Overrides the stored threshold. */
  threshold?: number;
}

/** A model of normal surface: scores how abnormal a frame is and where. */
export interface OneClassModel {
  readonly metadata: ModelMetadata;
  readonly info: OneClassInfo;
  readonly inputSize: number;
  /** Image score above which a frame is abnormal (set on the normal captures at info.falseAlarmRate). */
  readonly threshold: number;
  /** [height, width] of the heatmap. */
  readonly grid: [number, number];
  readonly base: BaseNetwork;
  /** Feature maps of info.featureLayers -> whitened features [n, gh, gw, D]. */
  readonly scorer: tf.LayersModel;
  /** Crops, resizes and normalises an image: [1, s, s, 3]. The caller disposes it. */
  prepare(image: ImageInput, cropFraction?: number): tf.Tensor4D;
  /**
   * Scores a prepared batch from one (truncated) forward pass of the base. Does not dispose `input`.
   * @param input [n, s, s, 3] from {@link OneClassModel.prepare}
   */
  scoreBatch(input: tf.Tensor4D): OneClassTensors;
  /**
   * Scores base feature maps already computed by the caller (one per info.featureLayers, in order),
   * for a frame loop that shares one forward pass between models. Does not dispose them.
   */
  scoreFeatures(features: readonly tf.Tensor4D[]): OneClassTensors;
  /** Crops, scores and reads back one image (one readback). */
  detect(image: ImageInput, options?: DetectOptions): Promise<AnomalyResult>;
  dispose(): void;
}

class GaussianOneClassModel implements OneClassModel {
  readonly info: OneClassInfo;
  readonly inputSize: number;
  readonly threshold: number;
  readonly grid: [number, number];
  private readonly features: tf.LayersModel;

  constructor(
    readonly base: BaseNetwork,
    private readonly ownsBase: boolean,
    readonly scorer: tf.LayersModel,
    readonly metadata: ModelMetadata,
    private readonly cropFraction: number,
  ) {
    this.info = metadata.oneClass as OneClassInfo;
    this.inputSize = metadata.inputSize;
    this.threshold = this.info.threshold;
    this.grid = [...this.info.grid];
    this.features = featureModel(base, this.info.featureLayers);
  }

  prepare(image: ImageInput, cropFraction = this.cropFraction): tf.Tensor4D {
    return tf.tidy(() => {
      const pixels = image instanceof tf.Tensor ? (image as tf.Tensor3D | tf.Tensor4D) : tf.browser.fromPixels(image as tf.PixelData); // [h, w, 3] int32
      return cropAndNormalise(pixels, this.inputSize, this.metadata.preprocessing, cropFraction);
    });
  }

  scoreFeatures(features: readonly tf.Tensor4D[]): OneClassTensors {
    if (features.length !== this.info.featureLayers.length) {
      throw new Error(`scoreFeatures needs ${this.info.featureLayers.length} feature maps (${this.info.featureLayers.join(', ')}), got ${features.length}`);
    }
    return tf.tidy(() => {
      const z = this.scorer.predict(features.length === 1 ? features[0] : [...features]) as tf.Tensor4D; // [n, 13, 13, D]
      const score = imageScores(z, this.info.method, this.info.topK); // [n]
      const heatmap = heatmapOf(locationDistances(z), this.info.heatmapRange); // [n, 13, 13]
      return { score, heatmap };
    });
  }

  scoreBatch(input: tf.Tensor4D): OneClassTensors {
    return tf.tidy(() => {
      const { score, heatmap } = this.scoreFeatures(predictAll(this.features, input));
      return { score, heatmap };
    });
  }

  async detect(image: ImageInput, options: DetectOptions = {}): Promise<AnomalyResult> {
    const threshold = options.threshold ?? this.threshold;
    if (!(threshold > 0 && Number.isFinite(threshold))) throw new Error(`threshold must be a positive number, got ${threshold}`);
    const packed = tf.tidy(() => {
      const input = this.prepare(image, options.cropFraction);
      const r = this.scoreBatch(input);
      return tf.concat([r.score, tf.reshape(r.heatmap, [-1])]); // [1 + h*w], one readback
    });
    const data = (await packed.data()) as Float32Array;
    packed.dispose();
    const score = data[0];
    const anomalous = score > threshold;
    return {
      score,
      threshold,
      ratio: score / threshold,
      anomalous,
      label: ONECLASS_LABELS[anomalous ? 1 : 0],
      heatmap: data.slice(1),
      heatmapHeight: this.grid[0],
      heatmapWidth: this.grid[1],
    };
  }

  dispose(): void {
    // this.features shares the base's layers: it is not disposed (that would free the base's weights).
    this.scorer.dispose();
    if (this.ownsBase) this.base.dispose();
  }
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks the `oneClass` section of untrusted metadata; the error names the field and what is allowed. */
export function validateOneClassInfo(value: unknown): OneClassInfo {
  if (typeof value !== 'object' || value === null) throw new Error('metadata has no "oneClass" section (required for kind "oneclass")');
  const o = value as Record<string, unknown>;
  const fail = (field: string, want: string): never => {
    throw new Error(`metadata field "oneClass.${field}" is ${JSON.stringify(o[field])}; expected ${want}`);
  };
  if (!ONECLASS_METHODS.includes(o.method as OneClassMethod)) fail('method', `one of ${ONECLASS_METHODS.join(', ')}`);
  if (!Array.isArray(o.featureLayers) || o.featureLayers.length === 0 || !o.featureLayers.every((l) => typeof l === 'string' && l.length > 0)) {
    fail('featureLayers', 'a non-empty array of base layer names, e.g. ["fire5/concat", "fire7/concat"]');
  }
  const g = o.grid;
  if (!Array.isArray(g) || g.length !== 2 || !g.every((x) => Number.isInteger(x) && x > 0)) fail('grid', '[height, width], positive integers');
  const cells = (g as number[])[0] * (g as number[])[1];
  if (!Number.isInteger(o.topK) || (o.topK as number) < 1 || (o.topK as number) > cells) fail('topK', `an integer in 1..${cells}`);
  if (!isFiniteNumber(o.threshold) || o.threshold <= 0) fail('threshold', 'a positive number');
  if (!isFiniteNumber(o.falseAlarmRate) || o.falseAlarmRate <= 0 || o.falseAlarmRate >= 1) fail('falseAlarmRate', 'a number in (0, 1)');
  const r = o.heatmapRange;
  if (!Array.isArray(r) || r.length !== 2 || !r.every(isFiniteNumber) || !(r[0] > 0 && r[1] > r[0])) fail('heatmapRange', '[low, high] with 0 < low < high');
  if (!isFiniteNumber(o.shrinkage) || o.shrinkage < 0 || o.shrinkage > 1) fail('shrinkage', 'a number in [0, 1]');
  return o as unknown as OneClassInfo;
}

/** Checks that a scorer Layers model fits its metadata. */
function checkScorer(scorer: tf.LayersModel, info: OneClassInfo): void {
  if (scorer.inputs.length !== info.featureLayers.length) {
    throw new Error(`scorer has ${scorer.inputs.length} inputs but metadata lists ${info.featureLayers.length} feature layers (${info.featureLayers.join(', ')})`);
  }
  let whiten: tf.layers.Layer;
  try {
    whiten = scorer.getLayer(WHITEN_LAYER);
  } catch {
    throw new Error(`scorer has no '${WHITEN_LAYER}' layer`);
  }
  const out = scorer.outputs[0].shape;
  if (scorer.outputs.length !== 1 || out.length !== 4 || out[1] !== info.grid[0] || out[2] !== info.grid[1]) {
    throw new Error(`scorer output [${out.join(', ')}] does not match the ${info.grid[0]}x${info.grid[1]} grid in the metadata`);
  }
  const inChannels = (whiten.input as tf.SymbolicTensor).shape[3];
  if (inChannels !== out[3]) throw new Error(`'${WHITEN_LAYER}' maps ${inChannels} channels to ${out[3]}; it must be square`);
}

/** Checks that a base provides the scorer's inputs. */
function checkBase(base: BaseNetwork, scorer: tf.LayersModel, metadata: ModelMetadata, modelJson: string): void {
  const info = metadata.oneClass as OneClassInfo;
  const problems: string[] = [];
  if (base.weightCount !== metadata.base.weightCount) problems.push(`${base.weightCount} weights, model expects ${metadata.base.weightCount}`);
  if (base.inputSize !== metadata.inputSize) problems.push(`input ${base.inputSize}, model expects ${metadata.inputSize}`);
  info.featureLayers.forEach((name, i) => {
    let shape: (number | null)[];
    try {
      shape = (base.model.getLayer(name).output as tf.SymbolicTensor).shape;
    } catch {
      problems.push(`no layer '${name}'`);
      return;
    }
    const want = scorer.inputs[i].shape;
    if (JSON.stringify(shape.slice(1)) !== JSON.stringify(want.slice(1))) {
      problems.push(`layer '${name}' is [${shape.slice(1).join(', ')}], model expects [${want.slice(1).join(', ')}]`);
    }
  });
  if (problems.length > 0) {
    throw new ModelFileError(modelJson, `was trained on base '${metadata.base.name}' but the base at ${base.source} differs: ${problems.join('; ')}`);
  }
}

/** Configuration of {@link loadOneClassModel}. */
export interface OneClassModelConfig {
  reader: ModelReader;
  /** Reader path of the one-class model.json. */
  modelJson: string;
  /** A loaded base to share (not disposed by the model), or the path of the base model.json. */
  base: BaseNetwork | string;
  /** Default crop fraction, (0, 1]; 1 = the largest centred square. */
  cropFraction?: number;
  signal?: AbortSignal;
}

const LOAD_DEFAULTS = { cropFraction: 1 };

/**
 * Wraps a scorer and its metadata (from {@link trainOneClass} or a file) as a model on `base`.
 * Takes ownership of `scorer` (the model disposes it); the base is shared unless `ownsBase`.
 * If it throws (metadata, scorer or base do not fit), the caller still owns the scorer.
 */
export function createOneClassModel(options: { base: BaseNetwork; scorer: tf.LayersModel; metadata: ModelMetadata; cropFraction?: number; ownsBase?: boolean; file?: string }): OneClassModel {
  const file = options.file ?? 'one-class model';
  const cropFraction = options.cropFraction ?? LOAD_DEFAULTS.cropFraction;
  if (!(cropFraction > 0 && cropFraction <= 1)) throw new Error(`cropFraction must be in (0, 1], got ${cropFraction}`);
  try {
    validateMetadata(options.metadata);
    if (options.metadata.kind !== 'oneclass') throw new Error(`is a '${options.metadata.kind}' model; expected kind 'oneclass' (load classifiers with loadCrackClassifier)`);
    validateOneClassInfo(options.metadata.oneClass);
    checkScorer(options.scorer, options.metadata.oneClass as OneClassInfo);
  } catch (e) {
    throw e instanceof ModelFileError ? e : new ModelFileError(file, (e as Error).message);
  }
  checkBase(options.base, options.scorer, options.metadata, file);
  return new GaussianOneClassModel(options.base, options.ownsBase ?? false, options.scorer, options.metadata, cropFraction);
}

/**
 * Loads a one-class model (model.json + weights.bin with `crackcam` metadata of kind 'oneclass')
 * on the SqueezeNet base. Defaults are merged, configuration and files are validated, and nothing
 * is left allocated when it throws. A bad file gives a ModelFileError naming the file.
 */
export async function loadOneClassModel(config: OneClassModelConfig): Promise<OneClassModel> {
  const cfg = { ...LOAD_DEFAULTS, ...config };
  if (!(cfg.cropFraction > 0 && cfg.cropFraction <= 1)) throw new Error(`cropFraction must be in (0, 1], got ${cfg.cropFraction}`);
  const { artifacts } = await readLayersArtifacts(cfg.reader, cfg.modelJson);
  let metadata: ModelMetadata;
  try {
    metadata = validateMetadata((artifacts.userDefinedMetadata as Record<string, unknown> | undefined)?.[METADATA_KEY]);
    if (metadata.kind !== 'oneclass') throw new Error(`is a '${metadata.kind}' model; expected kind 'oneclass' (load classifiers with loadCrackClassifier)`);
    validateOneClassInfo(metadata.oneClass);
  } catch (e) {
    throw new ModelFileError(cfg.modelJson, (e as Error).message);
  }
  cfg.signal?.throwIfAborted();
  const scorer = await layersModelFromArtifacts(cfg.modelJson, artifacts);
  let base: BaseNetwork | undefined;
  const ownsBase = typeof cfg.base === 'string';
  try {
    checkScorer(scorer, metadata.oneClass as OneClassInfo);
  } catch (e) {
    scorer.dispose();
    throw new ModelFileError(cfg.modelJson, (e as Error).message);
  }
  try {
    cfg.signal?.throwIfAborted();
    base =
      typeof cfg.base === 'string'
        ? await loadBaseNetwork({ reader: cfg.reader, modelJson: cfg.base, inputSize: metadata.inputSize, featureLayer: metadata.base.featureLayer, signal: cfg.signal })
        : cfg.base;
    const model = createOneClassModel({ base, scorer, metadata, cropFraction: cfg.cropFraction, ownsBase, file: cfg.modelJson });
    if (cfg.signal?.aborted) {
      model.dispose();
      cfg.signal.throwIfAborted();
    }
    return model;
  } catch (e) {
    scorer.dispose();
    if (ownsBase) base?.dispose();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Training

/** One normal training image; `load` returns [h, w, 3] RGB 0..255 (the trainer disposes it). */
export interface OneClassSample {
  load(): Promise<tf.Tensor3D>;
  id?: string;
}

/** Progress of {@link trainOneClass}. */
export type OneClassProgress = { phase: 'features'; done: number; total: number } | { phase: 'fit'; fold: number; folds: number };

/** Options of {@link trainOneClass}. */
export interface OneClassTrainingConfig {
  base: BaseNetwork;
  preprocessing: PreprocessingMode;
  /** Photos of sound surface only. At least 3; a few dozen is the intended use. */
  train: readonly OneClassSample[];
  /** Default 'patch-gaussian'. */
  method?: OneClassMethod;
  /** Base layers, in network order; default fire5/concat + fire7/concat. */
  featureLayers?: readonly string[];
  /** Locations averaged into the image score; default 20 of 169. */
  topK?: number;
  /** Share of normal captures allowed above the threshold; default 0.05. */
  falseAlarmRate?: number;
  /** Cross-validation folds for the held-out scores that set the threshold; default 5 (at most one per image). */
  folds?: number;
  /** Views per image: 1 = as taken, 2 = + mirror image (default), more = + random augment draws. */
  views?: number;
  /** Augmentation of views beyond the first two. */
  augment?: AugmentConfig;
  /** 'ledoit-wolf' (default) or a fixed shrinkage in [0, 1]. */
  shrinkage?: number | 'ledoit-wolf';
  seed?: number;
  /** Images per base forward pass. */
  featureBatch?: number;
  signal?: AbortSignal;
  onProgress?: (p: OneClassProgress) => void | Promise<void>;
}

/** What {@link trainOneClass} produced. */
export interface OneClassTrainingResult {
  /** Feature maps -> whitened features (caller disposes, or hands it to createOneClassModel). */
  scorer: tf.LayersModel;
  info: OneClassInfo;
  /** Cross-validated scores of the training images (each from a model fitted without it), in `train` order. */
  heldOutScores: number[];
  /** Base layer the scorer needs the network up to, and its output shape (for the metadata). */
  deepestLayer: string;
  deepestShape: [number, number, number];
  featureSeconds: number;
  fitSeconds: number;
}

/** A fitted Gaussian in whitened form: z = x W + b. */
interface Whitening {
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
function fitGaussian(x: tf.Tensor2D, shrinkage: number | 'ledoit-wolf'): Whitening {
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
  return { kernel: tf.tensor2d(Float32Array.from(w), [d, d]), bias: tf.tensor1d(Float32Array.from(b)), shrinkage: shrink };
}

/** Sets the scorer's whitening layer. Does not dispose the arguments. */
function setWhitening(scorer: tf.LayersModel, w: Whitening): void {
  const [d] = w.kernel.shape;
  tf.tidy(() => scorer.getLayer(WHITEN_LAYER).setWeights([tf.reshape(w.kernel, [1, 1, d, d]), w.bias]));
}

/**
 * Learns a one-class model of normal surface from photos of it alone, and sets the threshold at
 * the requested false-alarm rate from cross-validated scores of the same photos (each scored by a
 * model fitted without it), so the threshold is not biased low by scoring images it was fitted on.
 */
export async function trainOneClass(config: OneClassTrainingConfig): Promise<OneClassTrainingResult> {
  const cfg = { ...ONECLASS_DEFAULTS, ...config };
  const t0 = performance.now();
  if (!ONECLASS_METHODS.includes(cfg.method)) throw new Error(`method '${String(cfg.method)}' is invalid; valid: ${ONECLASS_METHODS.join(', ')}`);
  if (cfg.train.length < 3) throw new Error(`need at least 3 normal images, got ${cfg.train.length}`);
  if (!(cfg.falseAlarmRate > 0 && cfg.falseAlarmRate < 1)) throw new Error(`falseAlarmRate must be in (0, 1), got ${cfg.falseAlarmRate}`);
  if (!(Number.isInteger(cfg.folds) && cfg.folds >= 2)) throw new Error(`folds must be an integer >= 2, got ${cfg.folds}`);
  if (!(Number.isInteger(cfg.views) && cfg.views >= 1)) throw new Error(`views must be an integer >= 1, got ${cfg.views}`);
  if (cfg.shrinkage !== 'ledoit-wolf' && !(cfg.shrinkage >= 0 && cfg.shrinkage <= 1)) throw new Error(`shrinkage must be 'ledoit-wolf' or in [0, 1], got ${cfg.shrinkage}`);
  if (cfg.featureLayers.length === 0) throw new Error('featureLayers is empty; e.g. fire5/concat, fire7/concat');
  const features = featureModel(cfg.base, cfg.featureLayers); // shares the base's layers: not disposed
  const shapes = features.outputs.map((o) => o.shape.slice(1) as [number, number, number]);
  const order = cfg.featureLayers.map((l) => cfg.base.model.layers.findIndex((x) => x.name === l));
  if (order.some((v, i) => i > 0 && v < order[i - 1])) throw new Error(`featureLayers must be in network order, got ${cfg.featureLayers.join(', ')}`);
  const deepest = shapes[shapes.length - 1];
  const grid: [number, number] = [Math.min(...shapes.map((s) => s[0])), Math.min(...shapes.map((s) => s[1]))];
  shapes.forEach((s, i) => poolingTo([null, ...s], grid, cfg.featureLayers[i]));
  const cells = grid[0] * grid[1];
  if (!(Number.isInteger(cfg.topK) && cfg.topK >= 1 && cfg.topK <= cells)) throw new Error(`topK must be an integer in 1..${cells}, got ${cfg.topK}`);

  // Grid features of every training image: [views, cells, D], view 0 as taken.
  const rng = createRng(cfg.seed);
  const perImage: tf.Tensor3D[] = [];
  const whitenings: Whitening[] = [];
  let scorer: tf.LayersModel | undefined;
  try {
    for (let start = 0; start < cfg.train.length; start += cfg.featureBatch) {
      cfg.signal?.throwIfAborted();
      const chunk = cfg.train.slice(start, start + cfg.featureBatch);
      const loaded = await Promise.all(chunk.map((s) => s.load()));
      const rgb = tf.tidy(() => tf.concat(loaded.map((img) => centreCrop(img, cfg.base.inputSize))) as tf.Tensor4D); // [b, s, s, 3] 0..255
      loaded.forEach((t) => t.dispose());
      const parts: tf.Tensor4D[] = [];
      try {
        for (let v = 0; v < cfg.views; v++) {
          const augmented = v >= 2 ? await augmentBatch(rgb, cfg.augment, rng) : undefined;
          parts.push(
            tf.tidy(() => {
              const view = augmented ?? (v === 0 ? rgb : (tf.reverse(rgb, 2) as tf.Tensor4D)); // view 1: mirror image
              const g = gridFeatures(predictAll(features, normalise(view, cfg.preprocessing)), grid); // [b, gh, gw, D]
              return tf.reshape(g, [g.shape[0], 1, cells, g.shape[3]]) as tf.Tensor4D;
            }),
          );
          augmented?.dispose();
        }
      } catch (e) {
        tf.dispose(parts);
        rgb.dispose();
        throw e;
      }
      const views = tf.concat(parts, 1) as tf.Tensor4D; // [b, views, cells, D]
      tf.dispose(parts);
      rgb.dispose();
      const split = tf.unstack(views) as tf.Tensor3D[];
      views.dispose();
      perImage.push(...split);
      await cfg.onProgress?.({ phase: 'features', done: Math.min(start + cfg.featureBatch, cfg.train.length), total: cfg.train.length });
      await yieldToEventLoop();
    }
    const featureSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const n = perImage.length;
    const dims = perImage[0].shape[2];
    // Rows the Gaussian is fitted to: every location of every view, or one pooled vector per view.
    const rowsOf = (idx: readonly number[]) =>
      tf.tidy(() => {
        const stacked = tf.stack(idx.map((i) => perImage[i])) as tf.Tensor4D; // [m, views, cells, D]
        return (cfg.method === 'pooled-gaussian' ? tf.reshape(tf.mean(stacked, 2), [-1, dims]) : tf.reshape(stacked, [-1, dims])) as tf.Tensor2D;
      });
    const fit = (idx: readonly number[]) => {
      const rows = rowsOf(idx);
      try {
        return fitGaussian(rows, cfg.shrinkage);
      } finally {
        rows.dispose();
      }
    };
    // Held-out scores and location distances of view 0 (the photo as taken).
    const scoreHeldOut = (w: Whitening, idx: readonly number[]) =>
      tf.tidy(() => {
        const x = tf.stack(idx.map((i) => tf.slice(perImage[i], [0, 0, 0], [1, -1, -1]))) as tf.Tensor4D; // [m, 1, cells, D]
        const z = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [-1, dims]), w.kernel), w.bias), [idx.length, grid[0], grid[1], dims]) as tf.Tensor4D;
        return { scores: imageScores(z, cfg.method, cfg.topK), distances: locationDistances(z) };
      });
    const folds = Math.min(cfg.folds, n);
    const shuffledIdx = shuffled(
      Array.from({ length: n }, (_, i) => i),
      createRng(cfg.seed + 1),
    );
    const heldOutScores = new Array<number>(n).fill(NaN);
    const heldOutDistances: number[] = [];
    for (let f = 0; f < folds; f++) {
      cfg.signal?.throwIfAborted();
      const test = shuffledIdx.filter((_, i) => i % folds === f);
      const trainIdx = shuffledIdx.filter((_, i) => i % folds !== f);
      const w = fit(trainIdx);
      const { scores, distances } = scoreHeldOut(w, test);
      try {
        const s = await scores.data();
        test.forEach((i, j) => (heldOutScores[i] = s[j]));
        heldOutDistances.push(...(await distances.data()));
      } finally {
        tf.dispose([scores, distances, w.kernel, w.bias]);
      }
      await cfg.onProgress?.({ phase: 'fit', fold: f + 1, folds: folds + 1 });
      await yieldToEventLoop();
    }
    cfg.signal?.throwIfAborted();
    const all = fit(Array.from({ length: n }, (_, i) => i));
    whitenings.push(all);
    await cfg.onProgress?.({ phase: 'fit', fold: folds + 1, folds: folds + 1 });
    scorer = createOneClassScorer(cfg.featureLayers, shapes, grid);
    setWhitening(scorer, all);
    const threshold = quantile(heldOutScores, 1 - cfg.falseAlarmRate);
    const low = quantile(heldOutDistances, HEAT_LOW_QUANTILE);
    const info: OneClassInfo = {
      method: cfg.method,
      featureLayers: [...cfg.featureLayers],
      grid,
      topK: cfg.topK,
      threshold,
      falseAlarmRate: cfg.falseAlarmRate,
      heatmapRange: [low, low * HEAT_SPAN],
      shrinkage: all.shrinkage,
    };
    const result: OneClassTrainingResult = {
      scorer,
      info,
      heldOutScores,
      deepestLayer: cfg.featureLayers[cfg.featureLayers.length - 1],
      deepestShape: deepest,
      featureSeconds,
      fitSeconds: (performance.now() - t1) / 1000,
    };
    scorer = undefined; // handed to the caller
    return result;
  } finally {
    tf.dispose(perImage);
    whitenings.forEach((w) => tf.dispose([w.kernel, w.bias]));
    scorer?.dispose();
  }
}

/** Metadata of a trained one-class model on the SqueezeNet base. */
export function oneClassMetadata(
  result: Pick<OneClassTrainingResult, 'info' | 'deepestLayer' | 'deepestShape'>,
  base: BaseNetwork,
  options: { name: string; preprocessing: PreprocessingMode; version?: number; training?: Record<string, unknown> },
): ModelMetadata {
  return {
    formatVersion: MODEL_FORMAT_VERSION,
    kind: 'oneclass',
    name: options.name,
    version: options.version ?? 1,
    labels: [...ONECLASS_LABELS],
    inputSize: base.inputSize,
    preprocessing: options.preprocessing,
    // featureLayer: the deepest layer the scorer reads, so loadBaseNetwork can cut the base there.
    base: { name: SQUEEZENET_BASE_NAME, weightCount: base.weightCount, featureLayer: result.deepestLayer, featureShape: result.deepestShape },
    createdAt: new Date().toISOString(),
    training: options.training,
    oneClass: result.info,
  };
}

/** Standard TF.js files (model.json + weights.bin) of a one-class model, readable by {@link loadOneClassModel}. */
export async function serializeOneClassModel(scorer: tf.LayersModel, metadata: ModelMetadata): Promise<ModelFiles> {
  validateOneClassInfo(metadata.oneClass);
  return serializeModel(scorer, metadata);
}
