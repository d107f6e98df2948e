import { validateNoveltyInfo, type NoveltyInfo } from './novelty';
import { validateRoutingInfo, type RoutingInfo } from './routing-info';
import { PREPROCESSING_MODES, type PreprocessingMode } from './preprocess';

/** Version of the CrackCam model-file format written into every model.json. */
export const MODEL_FORMAT_VERSION = 1;

/** Key under `userDefinedMetadata` in model.json that holds {@link ModelMetadata}. */
export const METADATA_KEY = 'crackcam';

/** Which base network a model was trained on top of, and where its head attaches. */
export interface BaseReference {
  /** Identifier of the base weights, e.g. `squeezenet1_1-imagenet`. */
  name: string;
  /** Number of weights in the base; checked at load time so a head never runs on another base. */
  weightCount: number;
  /** Base layer whose output is the Grad-CAM feature map and the head's input. */
  featureLayer: string;
  /** Feature map shape at `inputSize`: [height, width, channels]. */
  featureShape: [number, number, number];
  /** Early base layer of the optional fine head (its second input), e.g. `fire3/concat`. */
  fineLayer?: string;
  /** Shape of `fineLayer`'s output at `inputSize`, e.g. [56, 56, 128]. */
  fineShape?: [number, number, number];
}

/** Everything besides weights that a CrackCam model carries. */
export interface ModelMetadata {
  formatVersion: number;
  /** What the head computes: class scores, or a one-class "normal surface" density. */
  kind: 'classifier' | 'oneclass';
  name: string;
  /** Increases by one each time a model is re-trained from its predecessor. */
  version: number;
  labels: string[];
  inputSize: number;
  preprocessing: PreprocessingMode;
  base: BaseReference;
  createdAt: string;
  /** Free-form record of how it was trained (data, protocol, scores). */
  training?: Record<string, unknown>;
  /** Parameters of a `kind: 'oneclass'` model (checked by src/core/oneclass.ts when it loads). */
  oneClass?: OneClassInfo;
  /** A classifier's probability calibration (already applied to its weights). */
  calibration?: CalibrationInfo;
  /** A classifier's novelty model of the photos it was trained on ("unfamiliar surface"). */
  novelty?: NoveltyInfo;
  /** A site-adapted classifier's old head, and which frames it answers (src/core/routing-info.ts). */
  routing?: RoutingInfo;
  /** The surfaces a model was trained on (its own photos) and rehearsed (a rehearsal pack's photos); absent on older models. */
  surfaces?: ModelSurfaces;
}

/** Which surfaces a model learnt: `trained` from its training photos, `rehearsed` from a rehearsal pack, e.g. concrete. */
export interface ModelSurfaces {
  trained: string[];
  rehearsed: string[];
}

/**
 * Temperature scaling of a classifier: its output layer's kernel and bias were divided by
 * `temperature`, fitted on validation photos, so the softmax (and the Grad-CAM closed form) are
 * calibrated without any work at run time.
 */
export interface CalibrationInfo {
  method: 'temperature';
  temperature: number;
  /** Expected calibration error (15 bins) on the validation photos, before and after. */
  ece: { before: number; after: number };
  /** Validation photos it was fitted on. */
  n: number;
}

/**
 * How a one-class ("normal surface only") model scores a frame. Its weights hold the Gaussian of
 * normal features in whitened form; everything else it needs is here.
 */
export interface OneClassInfo {
  /** 'patch-gaussian': one Gaussian of all local feature vectors, image score = mean of the top-k
   * location distances; 'pooled-gaussian': Gaussian of globally pooled features (the baseline). */
  method: 'patch-gaussian' | 'pooled-gaussian';
  /** Base layers whose outputs (pooled to the grid, concatenated) are the features, in network order. */
  featureLayers: string[];
  /** [height, width] of the anomaly grid (13 x 13 for SqueezeNet at 227). */
  grid: [number, number];
  /** Locations averaged into the image score (patch-gaussian). */
  topK: number;
  /** Image score above which a frame is reported abnormal. */
  threshold: number;
  /** False-alarm rate on normal captures the threshold was set for, e.g. 0.05. */
  falseAlarmRate: number;
  /** Squared distances mapped to heatmap 0 and 1 (log scale between them). */
  heatmapRange: [number, number];
  /** Covariance shrinkage used (Ledoit-Wolf estimate or fixed). */
  shrinkage: number;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Checks an untrusted metadata object and returns it typed; the error says which field is wrong and
 * what is allowed.
 */
export function validateMetadata(value: unknown): ModelMetadata {
  if (typeof value !== 'object' || value === null) throw new Error(`missing "userDefinedMetadata.${METADATA_KEY}"`);
  const m = value as Record<string, unknown>;
  const fail = (field: string, want: string): never => {
    throw new Error(`metadata field "${field}" is ${JSON.stringify(m[field])}; expected ${want}`);
  };
  if (m.formatVersion !== MODEL_FORMAT_VERSION) fail('formatVersion', String(MODEL_FORMAT_VERSION));
  if (m.kind !== 'classifier' && m.kind !== 'oneclass') fail('kind', '"classifier" or "oneclass"');
  if (typeof m.name !== 'string') fail('name', 'a string');
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1)
    fail('version', 'an integer >= 1');
  if (!isStringArray(m.labels) || m.labels.length < (m.kind === 'classifier' ? 2 : 1)) {
    fail('labels', 'an array of at least 2 class names');
  }
  if (new Set(m.labels as string[]).size !== (m.labels as string[]).length) fail('labels', 'unique class names');
  if (typeof m.inputSize !== 'number' || m.inputSize < 32) fail('inputSize', 'a number >= 32 (227 for SqueezeNet)');
  if (!PREPROCESSING_MODES.includes(m.preprocessing as PreprocessingMode)) {
    fail('preprocessing', `one of ${PREPROCESSING_MODES.join(', ')}`);
  }
  const b = m.base as Record<string, unknown> | undefined;
  if (
    typeof b !== 'object' ||
    b === null ||
    typeof b.name !== 'string' ||
    typeof b.weightCount !== 'number' ||
    typeof b.featureLayer !== 'string' ||
    !Array.isArray(b.featureShape) ||
    b.featureShape.length !== 3
  ) {
    fail('base', '{name, weightCount, featureLayer, featureShape: [h, w, c]}');
  }
  const { fineLayer, fineShape } = b as Record<string, unknown>;
  if (
    (fineLayer === undefined) !== (fineShape === undefined) ||
    (fineLayer !== undefined && (typeof fineLayer !== 'string' || !Array.isArray(fineShape) || fineShape.length !== 3))
  ) {
    fail('base', 'both fineLayer (a layer name) and fineShape ([h, w, c]), or neither');
  }
  if (typeof m.createdAt !== 'string') fail('createdAt', 'an ISO date string');
  const c = m.calibration as Partial<CalibrationInfo> | undefined;
  if (
    c !== undefined &&
    (c?.method !== 'temperature' ||
      typeof c.temperature !== 'number' ||
      !(c.temperature > 0) ||
      !Number.isFinite(c.temperature))
  ) {
    fail('calibration', "{method: 'temperature', temperature: a finite number > 0, ece, n}");
  }
  const surfaces = m.surfaces as Partial<ModelSurfaces> | undefined;
  if (surfaces !== undefined && !(isStringArray(surfaces?.trained) && isStringArray(surfaces?.rehearsed)))
    fail('surfaces', '{trained: string[], rehearsed: string[]} (surface names, e.g. "concrete")');
  if (m.novelty !== undefined) {
    try {
      // A check on another layer than the head's map gets its channels checked against the base at load.
      const layer = (m.novelty as { layer?: unknown }).layer;
      const headsMap = layer === undefined || layer === b?.featureLayer;
      validateNoveltyInfo(m.novelty, headsMap ? (b as { featureShape: number[] }).featureShape[2] : undefined);
    } catch (e) {
      throw new Error(`metadata field "novelty" is invalid: ${(e as Error).message}`, { cause: e });
    }
  }
  if (m.routing !== undefined) {
    const groups = (m.novelty as NoveltyInfo | undefined)?.groups;
    if (!groups) fail('routing', 'a novelty model beside it (routing follows the novelty groups)');
    validateRoutingInfo(m.routing, {
      labels: m.labels as string[],
      noveltyGroups: groups as string[],
      noveltyDims: (m.novelty as { dims?: number } | undefined)?.dims,
    });
  }
  return m as unknown as ModelMetadata;
}
