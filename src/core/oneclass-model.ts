/** A loaded one-class model: scoring frames (tensors or one read-back result) and loading it from files. */
import * as tf from '@tensorflow/tfjs';
import { baseForModel, type BaseNetwork } from './base';
import { METADATA_KEY, validateMetadata, type ModelMetadata, type OneClassInfo } from './metadata';
import { layersModelFromArtifacts, ModelFileError, readLayersArtifacts, type ModelReader } from './model-io';
import { checkBase, checkScorer, validateOneClassInfo } from './oneclass-checks';
import {
  featureModel,
  heatmapOf,
  imageScores,
  locationDistances,
  ONECLASS_LABELS,
  predictAll,
} from './oneclass-scorer';
import { cropAndNormalise, imageTensor, type ImageInput } from './preprocess';

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
      const pixels = imageTensor(image); // [h, w, 3] or [n, h, w, 3] RGB 0..255
      return cropAndNormalise(pixels, this.inputSize, this.metadata.preprocessing, cropFraction);
    });
  }

  scoreFeatures(features: readonly tf.Tensor4D[]): OneClassTensors {
    if (features.length !== this.info.featureLayers.length) {
      throw new Error(
        `scoreFeatures needs ${this.info.featureLayers.length} feature maps (${this.info.featureLayers.join(', ')}), got ${features.length}`,
      );
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
    if (!(threshold > 0 && Number.isFinite(threshold)))
      throw new Error(`threshold must be a positive number, got ${threshold}`);
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
export function createOneClassModel(options: {
  base: BaseNetwork;
  scorer: tf.LayersModel;
  metadata: ModelMetadata;
  cropFraction?: number;
  ownsBase?: boolean;
  file?: string;
}): OneClassModel {
  const file = options.file ?? 'one-class model';
  const cropFraction = options.cropFraction ?? LOAD_DEFAULTS.cropFraction;
  if (!(cropFraction > 0 && cropFraction <= 1)) throw new Error(`cropFraction must be in (0, 1], got ${cropFraction}`);
  try {
    validateMetadata(options.metadata);
    if (options.metadata.kind !== 'oneclass')
      throw new Error(
        `is a '${options.metadata.kind}' model; expected kind 'oneclass' (load classifiers with loadCrackClassifier)`,
      );
    validateOneClassInfo(options.metadata.oneClass);
    checkScorer(options.scorer, options.metadata.oneClass as OneClassInfo);
  } catch (e) {
    throw e instanceof ModelFileError ? e : new ModelFileError(file, (e as Error).message);
  }
  checkBase(options.base, options.scorer, options.metadata, file);
  return new GaussianOneClassModel(
    options.base,
    options.ownsBase ?? false,
    options.scorer,
    options.metadata,
    cropFraction,
  );
}

/**
 * Loads a one-class model (model.json + weights.bin with `crackcam` metadata of kind 'oneclass')
 * on the SqueezeNet base. Defaults are merged, configuration and files are validated, and nothing
 * is left allocated when it throws. A bad file gives a ModelFileError naming the file.
 */
export async function loadOneClassModel(config: OneClassModelConfig): Promise<OneClassModel> {
  const cfg = { ...LOAD_DEFAULTS, ...config };
  if (!(cfg.cropFraction > 0 && cfg.cropFraction <= 1))
    throw new Error(`cropFraction must be in (0, 1], got ${cfg.cropFraction}`);
  const { artifacts } = await readLayersArtifacts(cfg.reader, cfg.modelJson);
  let metadata: ModelMetadata;
  try {
    metadata = validateMetadata((artifacts.userDefinedMetadata as Record<string, unknown> | undefined)?.[METADATA_KEY]);
    if (metadata.kind !== 'oneclass')
      throw new Error(
        `is a '${metadata.kind}' model; expected kind 'oneclass' (load classifiers with loadCrackClassifier)`,
      );
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
    base = await baseForModel(cfg.base, cfg.reader, metadata, cfg.signal);
    const model = createOneClassModel({
      base,
      scorer,
      metadata,
      cropFraction: cfg.cropFraction,
      ownsBase,
      file: cfg.modelJson,
    });
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
