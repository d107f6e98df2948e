/** Training a one-class model from photos of normal surface, and writing it as model files. */
import * as tf from '@tensorflow/tfjs';
import { augmentBatch, type AugmentConfig } from './augment';
import { SQUEEZENET_BASE_NAME, type BaseNetwork } from './base';
import { MODEL_FORMAT_VERSION, type ModelMetadata, type OneClassInfo } from './metadata';
import { serializeModel, type ModelFiles } from './model-writer';
import { validateOneClassInfo } from './oneclass-checks';
import { fitGaussian, setWhitening, type Whitening } from './oneclass-gaussian';
import { quantile } from './oneclass-linalg';
import {
  createOneClassScorer,
  DEFAULT_ONECLASS_LAYERS,
  featureModel,
  gridFeatures,
  imageScores,
  locationDistances,
  ONECLASS_LABELS,
  ONECLASS_METHODS,
  poolingTo,
  predictAll,
  type OneClassMethod,
} from './oneclass-scorer';
import { centreCrop, normalise, type PreprocessingMode } from './preprocess';
import { createRng, shuffled } from './random';
import { yieldToEventLoop } from './yield';

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

/** One normal training image; `load` returns [h, w, 3] RGB 0..255 (the trainer disposes it). */
export interface OneClassSample {
  load(): Promise<tf.Tensor3D>;
  id?: string;
}

/** Progress of {@link trainOneClass}. */
export type OneClassProgress =
  { phase: 'features'; done: number; total: number } | { phase: 'fit'; fold: number; folds: number };

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

/** The training configuration with defaults filled in. */
type Settings = ReturnType<typeof withDefaults>;

function withDefaults(config: OneClassTrainingConfig) {
  return { ...ONECLASS_DEFAULTS, ...config };
}

/** Throws on a setting out of range, naming it and what is allowed. */
function checkSettings(cfg: Settings): void {
  if (!ONECLASS_METHODS.includes(cfg.method))
    throw new Error(`method '${String(cfg.method)}' is invalid; valid: ${ONECLASS_METHODS.join(', ')}`);
  if (cfg.train.length < 3) throw new Error(`need at least 3 normal images, got ${cfg.train.length}`);
  if (!(cfg.falseAlarmRate > 0 && cfg.falseAlarmRate < 1))
    throw new Error(`falseAlarmRate must be in (0, 1), got ${cfg.falseAlarmRate}`);
  if (!(Number.isInteger(cfg.folds) && cfg.folds >= 2))
    throw new Error(`folds must be an integer >= 2, got ${cfg.folds}`);
  if (!(Number.isInteger(cfg.views) && cfg.views >= 1))
    throw new Error(`views must be an integer >= 1, got ${cfg.views}`);
  if (cfg.shrinkage !== 'ledoit-wolf' && !(cfg.shrinkage >= 0 && cfg.shrinkage <= 1))
    throw new Error(`shrinkage must be 'ledoit-wolf' or in [0, 1], got ${cfg.shrinkage}`);
  if (cfg.featureLayers.length === 0) throw new Error('featureLayers is empty; e.g. fire5/concat, fire7/concat');
}

/** Where features come from: the base cut at the feature layers, their shapes and the grid they pool to. */
interface FeatureLayout {
  /** Shares the base's layers: never disposed. */
  features: tf.LayersModel;
  /** Per layer [h, w, c]. */
  shapes: [number, number, number][];
  grid: [number, number];
}

/** The feature layout of the settings, after checking the layers (network order, poolable to one grid) and topK. */
function featureLayout(cfg: Settings): FeatureLayout {
  const features = featureModel(cfg.base, cfg.featureLayers);
  const shapes = features.outputs.map((o) => o.shape.slice(1) as [number, number, number]);
  const order = cfg.featureLayers.map((l) => cfg.base.model.layers.findIndex((x) => x.name === l));
  if (order.some((v, i) => i > 0 && v < order[i - 1]))
    throw new Error(`featureLayers must be in network order, got ${cfg.featureLayers.join(', ')}`);
  const grid: [number, number] = [Math.min(...shapes.map((s) => s[0])), Math.min(...shapes.map((s) => s[1]))];
  shapes.forEach((s, i) => poolingTo([null, ...s], grid, cfg.featureLayers[i]));
  const cells = grid[0] * grid[1];
  if (!(Number.isInteger(cfg.topK) && cfg.topK >= 1 && cfg.topK <= cells))
    throw new Error(`topK must be an integer in 1..${cells}, got ${cfg.topK}`);
  return { features, shapes, grid };
}

/**
 * Grid features of a batch of photos in every view: view 0 as taken, view 1 mirrored, further
 * views random augment draws. Does not dispose `rgb`.
 * @param rgb [b, s, s, 3] 0..255
 * @returns [b, views, cells, D]
 */
async function viewFeatures(
  rgb: tf.Tensor4D,
  layout: FeatureLayout,
  cfg: Settings,
  rng: () => number,
): Promise<tf.Tensor4D> {
  const cells = layout.grid[0] * layout.grid[1];
  const parts: tf.Tensor4D[] = [];
  try {
    for (let v = 0; v < cfg.views; v++) {
      const augmented = v >= 2 ? await augmentBatch(rgb, cfg.augment, rng) : undefined;
      try {
        parts.push(
          tf.tidy(() => {
            const view = augmented ?? (v === 0 ? rgb : (tf.reverse(rgb, 2) as tf.Tensor4D)); // view 1: mirror image
            const g = gridFeatures(predictAll(layout.features, normalise(view, cfg.preprocessing)), layout.grid); // [b, gh, gw, D]
            return tf.reshape(g, [g.shape[0], 1, cells, g.shape[3]]) as tf.Tensor4D;
          }),
        );
      } finally {
        augmented?.dispose();
      }
    }
    return tf.concat(parts, 1) as tf.Tensor4D;
  } finally {
    tf.dispose(parts);
  }
}

/** Grid features of every training photo, in `train` order: [views, cells, D] each (caller disposes). */
async function collectImageFeatures(cfg: Settings, layout: FeatureLayout): Promise<tf.Tensor3D[]> {
  const rng = createRng(cfg.seed);
  const perImage: tf.Tensor3D[] = [];
  try {
    for (let start = 0; start < cfg.train.length; start += cfg.featureBatch) {
      cfg.signal?.throwIfAborted();
      const chunk = cfg.train.slice(start, start + cfg.featureBatch);
      const loaded = await Promise.all(chunk.map((s) => s.load()));
      const rgb = tf.tidy(() => tf.concat(loaded.map((img) => centreCrop(img, cfg.base.inputSize))) as tf.Tensor4D); // [b, s, s, 3] 0..255
      loaded.forEach((t) => t.dispose());
      let views: tf.Tensor4D; // [b, views, cells, D]
      try {
        views = await viewFeatures(rgb, layout, cfg, rng);
      } finally {
        rgb.dispose();
      }
      perImage.push(...(tf.unstack(views) as tf.Tensor3D[]));
      views.dispose();
      await cfg.onProgress?.({
        phase: 'features',
        done: Math.min(start + cfg.featureBatch, cfg.train.length),
        total: cfg.train.length,
      });
      await yieldToEventLoop();
    }
    return perImage;
  } catch (e) {
    tf.dispose(perImage);
    throw e;
  }
}

/** The Gaussian of the photos `idx`: fitted to every location of every view, or to one pooled vector per view. */
function fitImages(perImage: readonly tf.Tensor3D[], idx: readonly number[], cfg: Settings): Whitening {
  const dims = perImage[0].shape[2];
  const rows = tf.tidy(() => {
    const stacked = tf.stack(idx.map((i) => perImage[i])) as tf.Tensor4D; // [m, views, cells, D]
    return (
      cfg.method === 'pooled-gaussian' ? tf.reshape(tf.mean(stacked, 2), [-1, dims]) : tf.reshape(stacked, [-1, dims])
    ) as tf.Tensor2D; // [rows, D]
  });
  try {
    return fitGaussian(rows, cfg.shrinkage);
  } finally {
    rows.dispose();
  }
}

/**
 * Scores of the photos `idx` as taken (view 0) under `w`.
 * @returns scores [m] and location distances [m, gh, gw] (caller disposes)
 */
function scoreImages(
  perImage: readonly tf.Tensor3D[],
  w: Whitening,
  idx: readonly number[],
  cfg: Settings,
  grid: readonly [number, number],
) {
  return tf.tidy(() => {
    const dims = perImage[0].shape[2];
    const x = tf.stack(idx.map((i) => tf.slice(perImage[i], [0, 0, 0], [1, -1, -1]))) as tf.Tensor4D; // [m, 1, cells, D]
    const z = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [-1, dims]), w.kernel), w.bias), [
      idx.length,
      grid[0],
      grid[1],
      dims,
    ]) as tf.Tensor4D;
    return { scores: imageScores(z, cfg.method, cfg.topK), distances: locationDistances(z) };
  });
}

/** Held-out scores of the training photos (each from a Gaussian fitted without it, `train` order) and their location distances. */
interface CrossValidation {
  heldOutScores: number[];
  heldOutDistances: number[];
  folds: number;
}

/** Scores every photo with a Gaussian fitted on the other folds. */
async function crossValidate(
  perImage: readonly tf.Tensor3D[],
  cfg: Settings,
  grid: readonly [number, number],
): Promise<CrossValidation> {
  const n = perImage.length;
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
    const w = fitImages(
      perImage,
      shuffledIdx.filter((_, i) => i % folds !== f),
      cfg,
    );
    const { scores, distances } = scoreImages(perImage, w, test, cfg, grid);
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
  return { heldOutScores, heldOutDistances, folds };
}

/** The metadata section of the trained model: threshold and heatmap range from the held-out figures. */
function trainedInfo(cfg: Settings, grid: [number, number], shrinkage: number, cv: CrossValidation): OneClassInfo {
  const low = quantile(cv.heldOutDistances, HEAT_LOW_QUANTILE);
  return {
    method: cfg.method,
    featureLayers: [...cfg.featureLayers],
    grid,
    topK: cfg.topK,
    threshold: quantile(cv.heldOutScores, 1 - cfg.falseAlarmRate),
    falseAlarmRate: cfg.falseAlarmRate,
    heatmapRange: [low, low * HEAT_SPAN],
    shrinkage,
  };
}

/**
 * Learns a one-class model of normal surface from photos of it alone, and sets the threshold at
 * the requested false-alarm rate from cross-validated scores of the same photos (each scored by a
 * model fitted without it), so the threshold is not biased low by scoring images it was fitted on.
 */
export async function trainOneClass(config: OneClassTrainingConfig): Promise<OneClassTrainingResult> {
  const cfg = withDefaults(config);
  const t0 = performance.now();
  checkSettings(cfg);
  const layout = featureLayout(cfg);
  const perImage = await collectImageFeatures(cfg, layout);
  let all: Whitening | undefined;
  let scorer: tf.LayersModel | undefined;
  try {
    const featureSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const cv = await crossValidate(perImage, cfg, layout.grid);
    cfg.signal?.throwIfAborted();
    all = fitImages(
      perImage,
      perImage.map((_, i) => i),
      cfg,
    );
    await cfg.onProgress?.({ phase: 'fit', fold: cv.folds + 1, folds: cv.folds + 1 });
    scorer = createOneClassScorer(cfg.featureLayers, layout.shapes, layout.grid);
    setWhitening(scorer, all);
    const result: OneClassTrainingResult = {
      scorer,
      info: trainedInfo(cfg, layout.grid, all.shrinkage, cv),
      heldOutScores: cv.heldOutScores,
      deepestLayer: cfg.featureLayers[cfg.featureLayers.length - 1],
      deepestShape: layout.shapes[layout.shapes.length - 1],
      featureSeconds,
      fitSeconds: (performance.now() - t1) / 1000,
    };
    scorer = undefined; // handed to the caller
    return result;
  } finally {
    tf.dispose(perImage);
    if (all) tf.dispose([all.kernel, all.bias]);
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
    base: {
      name: SQUEEZENET_BASE_NAME,
      weightCount: base.weightCount,
      featureLayer: result.deepestLayer,
      featureShape: result.deepestShape,
    },
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
