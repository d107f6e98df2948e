/**
 * Novelty ("is this a surface the model knows?"): the class-conditional Mahalanobis detector of Lee et
 * al. (2018) on the average-pooled feature map the classifier reads. Each training group (a surface and
 * label, e.g. `concrete/crack`) has its own mean; the groups share one covariance, shrunk towards a
 * multiple of the identity (Ledoit-Wolf). A photo's score is its squared Mahalanobis distance to the
 * nearest group mean; above the threshold, the photo is unfamiliar. The threshold is set on validation
 * photos so that every group keeps at least `quantile` of its own (about 1 % rejected in the group that
 * rejects most).
 *
 * With `match: 'verdict'` the score is the distance to the nearest group of the label the classifier
 * gives, not of any label: a photo is familiar only where it looks like the training photos of what the
 * classifier says it is (sound brick called a crack sits near sound walls, far from every crack group).
 *
 * The fitted model travels in the classifier's metadata (`novelty`, JSON): the whitening matrix and the
 * whitened group means as base64 float16, so a 256-channel map costs about 90 KB of model.json.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeFloat16, encodeFloat16 } from './float16';
import { fitGaussian } from './oneclass-gaussian';
import { quantile } from './oneclass-linalg';

/** The novelty model as stored in a classifier's metadata. */
export interface NoveltyInfo {
  method: 'pooled-mahalanobis';
  /** Channels of the pooled map (the map of {@link NoveltyInfo.layer}). */
  dims: number;
  /**
   * The base layer whose average-pooled map the check reads. Absent: the map the classifier head reads
   * (`base.featureLayer`). A model fine-tuned deeper than its parent (fire7 too) keeps its parent's layer,
   * fire7/concat, so the parent's groups stay valid (see {@link noveltyLayerOf}).
   */
  layer?: string;
  /** Training groups, e.g. `concrete/crack`; one mean each. */
  groups: string[];
  /** Upper-triangular whitening W (|x W - m|^2 is the distance), row-major, upper triangle only, float16 base64. */
  whitening: string;
  /** Whitened group means m_g = mu_g W, [groups, dims] row-major, float16 base64. */
  means: string;
  /** Squared distance above which a photo is unfamiliar. */
  threshold: number;
  /**
   * Per group (in `groups` order), the squared distance to that group's mean above which a photo is not
   * of it, where a group spreads wider than the threshold allows (a surface added by adaptation, see
   * novelty-extend.ts). Absent: `threshold` for every group. Scores are scaled so that `threshold` still
   * decides: a distance d2 to group g scores d2 * threshold / groupThresholds[g].
   */
  groupThresholds?: number[];
  /**
   * Which groups a photo is scored against: every group ('nearest', also when absent), or only those
   * whose label (the part after the last `/` of the group's name) is the classifier's verdict
   * ('verdict'; see {@link NoveltyModel.score}).
   */
  match?: NoveltyMatch;
  /** Share of each group's validation photos the threshold keeps, at least. */
  quantile: number;
  /** Ledoit-Wolf shrinkage of the shared covariance. */
  shrinkage: number;
  /** Share of each group's validation photos above the threshold, measured at fit time. */
  validationRejection: Record<string, number>;
}

/** Pooled features with the group of each row. */
export interface GroupedFeatures {
  /** [N, D] average-pooled feature maps. */
  features: tf.Tensor2D;
  /** Group index of each row, into {@link NoveltyFitOptions.groups}. */
  groups: ArrayLike<number>;
  /** The classifier's verdict (class index) on each row; needed for `match: 'verdict'`. */
  verdicts?: ArrayLike<number>;
}

/** Options of {@link fitNovelty}. */
export interface NoveltyFitOptions {
  groups: readonly string[];
  /** Share of every group's validation photos kept (default 0.99). */
  quantile?: number;
  /**
   * 'shared' (default): one threshold, the largest group's quantile, so a tight group (concrete)
   * accepts as far out as the widest (textured walls). 'per-group': each group with validation rows
   * gets its own quantile of its rows' distances to its own mean (`groupThresholds`).
   */
  thresholds?: NoveltyThresholds;
  /** Which groups score a photo (default 'nearest'); 'verdict' needs `labels` and per-group thresholds. */
  match?: NoveltyMatch;
  /** The classifier's labels, in class order (for `match: 'verdict'`). */
  labels?: readonly string[];
}

/** Which groups score a photo: all of them, or those of the classifier's verdict. */
export type NoveltyMatch = 'nearest' | 'verdict';
/** Valid values of {@link NoveltyInfo.match}. */
export const NOVELTY_MATCHES: readonly NoveltyMatch[] = ['nearest', 'verdict'];

/** How {@link fitNovelty} sets the thresholds: one for all groups, or one per group. */
export type NoveltyThresholds = 'shared' | 'per-group';
/** Valid values of {@link NoveltyFitOptions.thresholds}. */
export const NOVELTY_THRESHOLDS: readonly NoveltyThresholds[] = ['shared', 'per-group'];

/** A loaded novelty model. */
export interface NoveltyModel {
  readonly info: NoveltyInfo;
  /**
   * Squared distance to the nearest group mean (per-group thresholds applied). pooled: [N, D] -> [N].
   * With `match: 'verdict'`, `verdicts` ([N] class indices) limits each row to the groups of its verdict
   * (all groups where the verdict has none); without `verdicts` every group counts. `allowed` ([N, G], 1
   * where a group may score the row) limits the rows further, e.g. to the groups of the head that answered
   * a routed frame: the verdict's groups among the allowed, else the allowed, else all.
   */
  score(pooled: tf.Tensor2D, verdicts?: tf.Tensor1D, allowed?: tf.Tensor2D): tf.Tensor1D;
  /**
   * Index into `info.groups` of the nearest group, the choice of head of a routed model. pooled: [N, D]
   * -> [N] int32. A group's distances are scaled by threshold / its threshold where that is below 1 (a
   * group wider than the threshold, e.g. a site added by adaptation), never above: a trained group
   * tighter than the threshold (per-group thresholds) is measured like the threshold.
   */
  nearest(pooled: tf.Tensor2D): tf.Tensor1D;
  /**
   * The squared distances [N, G] of pooled [N, D] to every group mean, for {@link scoreOf} and
   * {@link nearestOf}: a routed frame's score depends on the head its nearest group chose, and the
   * distances are measured once for both.
   */
  distances(pooled: tf.Tensor2D): tf.Tensor2D;
  /** {@link score} from {@link distances}. */
  scoreOf(distances: tf.Tensor2D, verdicts?: tf.Tensor1D, allowed?: tf.Tensor2D): tf.Tensor1D;
  /** {@link nearest} from {@link distances}. */
  nearestOf(distances: tf.Tensor2D): tf.Tensor1D;
  dispose(): void;
}

/** Average-pools feature maps: [N, H, W, C] -> [N, C]. */
export function poolFeatures(maps: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(maps, [1, 2]) as tf.Tensor2D;
}

/**
 * Fits the detector on the training rows and sets its threshold on the validation rows (neither is
 * disposed). Every group needs training rows; a group without validation rows does not set the threshold.
 * @throws naming the group, when a group has no training rows or a group index is out of range
 */
export function fitNovelty(
  train: GroupedFeatures,
  validation: GroupedFeatures,
  options: NoveltyFitOptions,
): NoveltyInfo {
  const q = options.quantile ?? 0.99;
  if (!(q > 0 && q < 1)) throw new Error(`novelty quantile must be in (0, 1), got ${q}`);
  const thresholds = options.thresholds ?? 'shared';
  if (!NOVELTY_THRESHOLDS.includes(thresholds)) {
    throw new Error(`novelty thresholds must be one of ${NOVELTY_THRESHOLDS.join(', ')}, got ${String(thresholds)}`);
  }
  const match = options.match ?? 'nearest';
  if (!NOVELTY_MATCHES.includes(match)) {
    throw new Error(`novelty match must be one of ${NOVELTY_MATCHES.join(', ')}, got ${String(match)}`);
  }
  if (match === 'verdict' && thresholds !== 'per-group') {
    throw new Error(`novelty match 'verdict' needs thresholds 'per-group' (got '${thresholds}')`);
  }
  if (match === 'verdict' && (!options.labels || !validation.verdicts)) {
    throw new Error("novelty match 'verdict' needs the classifier's labels and its verdicts on the validation rows");
  }
  const names = options.groups;
  const [, d] = train.features.shape;
  checkGroups(train, names, 'training');
  checkGroups(validation, names, 'validation');
  const groupIds = tf.tensor1d(Int32Array.from(train.groups), 'int32');
  const { whitening, shrinkage, means } = tf.tidy(() => {
    const oneHot = tf.oneHot(groupIds, names.length).toFloat(); // [N, G]
    const counts = tf.sum(oneHot, 0); // [G]
    const mu = tf.div(tf.matMul(oneHot, train.features, true, false), tf.expandDims(counts, 1)) as tf.Tensor2D; // [G, D]
    const centred = tf.sub(train.features, tf.matMul(oneHot, mu)) as tf.Tensor2D; // [N, D]
    const w = fitGaussian(centred, 'ledoit-wolf'); // bias ~ 0: the rows are centred
    const means = tf.matMul(mu, w.kernel); // [G, D]
    tf.keep(w.kernel);
    return { whitening: w.kernel, shrinkage: w.shrinkage, means };
  });
  groupIds.dispose();
  const info: NoveltyInfo = {
    method: 'pooled-mahalanobis',
    dims: d,
    groups: [...names],
    whitening: encodeFloat16(upperTriangle(whitening.dataSync(), d)),
    means: encodeFloat16(means.dataSync()),
    threshold: 0,
    ...(match === 'verdict' ? { match } : {}),
    quantile: q,
    shrinkage,
    validationRejection: {},
  };
  tf.dispose([whitening, means]);
  if (thresholds === 'per-group') setGroupThresholds(info, validation);
  // One scoring pass: without per-group thresholds the scores do not depend on the threshold.
  const scores = scoresByGroup(info, validation, options.labels);
  if (thresholds === 'shared') setThreshold(info, scores);
  recordValidationRejection(info, scores);
  return info;
}

/**
 * Per group, the squared distances of the rows of `sets` to their own group's whitened mean (`means`,
 * [groupCount * D], whitened by `info`'s matrix). Rows of a group outside 0..groupCount-1 are skipped.
 */
export function ownGroupDistances(
  info: NoveltyInfo,
  means: Float32Array,
  groupCount: number,
  sets: readonly GroupedFeatures[],
): number[][] {
  const d = info.dims;
  const byGroup = Array.from({ length: groupCount }, () => [] as number[]);
  const w = whiteningOf(info); // [D, D]
  try {
    for (const set of sets) {
      const z = tf.tidy(() => tf.matMul(set.features, w).dataSync()); // [N, D] whitened rows
      Array.from(set.groups).forEach((g, i) => {
        if (g < 0 || g >= groupCount) return;
        let d2 = 0;
        for (let j = 0; j < d; j++) d2 += (z[i * d + j] - means[g * d + j]) ** 2;
        byGroup[g].push(d2);
      });
    }
  } finally {
    w.dispose();
  }
  return byGroup;
}

/**
 * Sets each group's threshold to the quantile of its validation rows' squared distances to its own
 * mean (a group without validation rows takes the largest), and `threshold` to the largest of them.
 */
function setGroupThresholds(info: NoveltyInfo, validation: GroupedFeatures): void {
  const distances = ownGroupDistances(info, decodeFloat16(info.means), info.groups.length, [validation]);
  const own = distances.map((values) => (values.length > 0 ? quantile(values, info.quantile) : NaN));
  const present = own.filter((t) => !Number.isNaN(t));
  if (present.length === 0) throw new Error('novelty: no validation photos to set the thresholds on');
  info.threshold = Math.max(...present);
  info.groupThresholds = own.map((t) => (Number.isNaN(t) ? info.threshold : t));
}

/** Validation scores of `info` (as it stands), by group. */
function scoresByGroup(info: NoveltyInfo, validation: GroupedFeatures, labels?: readonly string[]): number[][] {
  const model = createNoveltyModel(info, labels);
  const verdicts = validation.verdicts ? tf.tensor1d(Int32Array.from(validation.verdicts), 'int32') : undefined; // [N]
  const scored = model.score(validation.features, verdicts); // [N]
  const scores = scored.dataSync();
  tf.dispose([scored, ...(verdicts ? [verdicts] : [])]);
  model.dispose();
  const byGroup = info.groups.map(() => [] as number[]);
  for (let i = 0; i < scores.length; i++) byGroup[validation.groups[i]].push(scores[i]);
  return byGroup;
}

/** Sets `info.threshold` to the largest per-group q-quantile of the validation scores (by group). */
function setThreshold(info: NoveltyInfo, scores: readonly number[][]): void {
  const present = scores.filter((s) => s.length > 0);
  if (present.length === 0) throw new Error('novelty: no validation photos to set the threshold on');
  info.threshold = Math.max(...present.map((s) => quantile(s, info.quantile)));
}

/** Records each group's share of validation rows scored above the threshold (scores by group). */
function recordValidationRejection(info: NoveltyInfo, scores: readonly number[][]): void {
  scores.forEach((group, i) => {
    if (group.length > 0)
      info.validationRejection[info.groups[i]] = group.filter((s) => s > info.threshold).length / group.length;
  });
}

function checkGroups(set: GroupedFeatures, names: readonly string[], what: string): void {
  const n = set.features.shape[0];
  if (set.groups.length !== n) throw new Error(`novelty: ${n} ${what} rows but ${set.groups.length} group indices`);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const g = set.groups[i];
    if (!Number.isInteger(g) || g < 0 || g >= names.length) {
      throw new Error(`novelty: ${what} row ${i} has group ${g}; valid: 0..${names.length - 1} (${names.join(', ')})`);
    }
    seen.add(g);
  }
  if (what === 'training') {
    const missing = names.filter((_, i) => !seen.has(i));
    if (missing.length > 0) throw new Error(`novelty: no training photos of ${missing.join(', ')}`);
  }
}

/** The upper triangle (j >= i) of an n x n row-major matrix, row by row. */
function upperTriangle(m: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array((n * (n + 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) out[k++] = m[i * n + j];
  return out;
}

/** The n x n matrix whose upper triangle {@link upperTriangle} returned. */
function fromUpperTriangle(t: Float32Array, n: number): Float32Array {
  const m = new Float32Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) m[i * n + j] = t[k++];
  return m;
}

/** The base layer whose pooled map a model's novelty check reads: its `novelty.layer`, else the head's map. */
export function noveltyLayerOf(metadata: {
  base: { featureLayer: string };
  novelty?: Pick<NoveltyInfo, 'layer'>;
}): string {
  return metadata.novelty?.layer ?? metadata.base.featureLayer;
}

/**
 * Checks a metadata `novelty` entry (shape, sizes, finite numbers) without creating tensors.
 * @throws naming the field and what was expected
 */
export function validateNoveltyInfo(value: unknown, expectedDims?: number): NoveltyInfo {
  const v = value as Partial<NoveltyInfo> | null;
  const fail = (what: string): never => {
    throw new Error(`metadata novelty: ${what}`);
  };
  if (typeof v !== 'object' || v === null) return fail('is not an object');
  if (v.method !== 'pooled-mahalanobis') fail(`method must be 'pooled-mahalanobis', got ${JSON.stringify(v.method)}`);
  if (!Number.isInteger(v.dims) || (v.dims as number) <= 0)
    fail(`dims must be a positive integer, got ${JSON.stringify(v.dims)}`);
  const d = v.dims as number;
  if (v.layer !== undefined && (typeof v.layer !== 'string' || v.layer === ''))
    fail(`layer must be a base layer's name, got ${JSON.stringify(v.layer)}`);
  if (expectedDims !== undefined && d !== expectedDims)
    fail(`dims ${d} do not match the ${expectedDims} channels of the map it reads`);
  if (!Array.isArray(v.groups) || v.groups.length === 0 || v.groups.some((g) => typeof g !== 'string'))
    fail('groups must be a non-empty list of names');
  for (const key of ['threshold', 'quantile', 'shrinkage'] as const) {
    if (typeof v[key] !== 'number' || !Number.isFinite(v[key]))
      fail(`${key} must be a finite number, got ${JSON.stringify(v[key])}`);
  }
  const groups = v.groups as string[];
  if (
    v.groupThresholds !== undefined &&
    (!Array.isArray(v.groupThresholds) ||
      v.groupThresholds.length !== groups.length ||
      v.groupThresholds.some((t) => typeof t !== 'number' || !Number.isFinite(t) || t <= 0))
  )
    fail(`groupThresholds must be ${groups.length} positive numbers, one per group`);
  if (v.match !== undefined && !NOVELTY_MATCHES.includes(v.match))
    fail(`match must be one of ${NOVELTY_MATCHES.join(', ')}, got ${JSON.stringify(v.match)}`);
  const whitening = decodeField(v.whitening, (d * (d + 1)) / 2, 'whitening', fail);
  const means = decodeField(v.means, groups.length * d, 'means', fail);
  if (!whitening.every(Number.isFinite) || !means.every(Number.isFinite)) fail('whitening and means must be finite');
  return { ...(v as NoveltyInfo), validationRejection: v.validationRejection ?? {} };
}

function decodeField(value: unknown, length: number, name: string, fail: (what: string) => never): Float32Array {
  if (typeof value !== 'string') return fail(`${name} must be a base64 string`);
  let values: Float32Array;
  try {
    values = decodeFloat16(value);
  } catch (e) {
    return fail(`${name}: ${(e as Error).message}`);
  }
  if (values.length !== length) fail(`${name} holds ${values.length} numbers, expected ${length}`);
  return values;
}

/** The whitening matrix W of `info` (|x W - m|^2 is the distance): [D, D], owned by the caller. */
export function whiteningOf(info: NoveltyInfo): tf.Tensor2D {
  const d = info.dims;
  return tf.tensor2d(fromUpperTriangle(decodeFloat16(info.whitening), d), [d, d]);
}

/** The score of each row from its scaled squared distances to every group: [N, G] -> [N]. */
function scoreOf(distances: tf.Tensor2D): tf.Tensor1D {
  return tf.relu(tf.min(distances, 1)) as tf.Tensor1D; // relu: rounding can make an exact match slightly negative
}

/**
 * The score of each row against the groups of its mask only: distances and mask [N, G] -> [N]. A row
 * with no group in its mask scores against all.
 */
function maskedScoreOf(distances: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const inMask = tf.cast(mask, 'bool');
  // No Infinity (half-float GPU textures): groups outside the mask are pushed just past the row's largest.
  const others = tf.add(tf.max(distances, 1, true), 1); // [N, 1]
  const own = tf.min(tf.where(inMask, distances, tf.broadcastTo(others, distances.shape)), 1); // [N]
  return tf.relu(tf.where(tf.any(inMask, 1), own, tf.min(distances, 1))) as tf.Tensor1D;
}

/** [N, G] true where group g's label (groupLabels [G], class indices) is row n's verdict (verdicts [N]). */
function verdictMask(verdicts: tf.Tensor1D, groupLabels: tf.Tensor1D): tf.Tensor2D {
  return tf.equal(tf.expandDims(tf.cast(verdicts, 'int32'), 1), tf.expandDims(groupLabels, 0)) as tf.Tensor2D;
}

/** The verdict's groups among the allowed ([N, G] each), or where a row has none of them, its allowed groups. */
function allowedOfVerdict(ofVerdict: tf.Tensor2D, allowed: tf.Tensor2D): tf.Tensor2D {
  const permitted = tf.cast(allowed, 'bool');
  const both = tf.logicalAnd(ofVerdict, permitted);
  const none = tf.expandDims(tf.logicalNot(tf.any(both, 1)), 1); // [N, 1]
  // Logical ops, not tf.where: the WASM backend's select on bool values writes out of bounds.
  return tf.logicalOr(both, tf.logicalAnd(none, permitted)) as tf.Tensor2D;
}

/** The class index of each group's label (the part of its name after the last `/`), -1 where it is none. */
function groupLabelsOf(groups: readonly string[], labels: readonly string[]): Int32Array {
  return Int32Array.from(groups, (g) => labels.indexOf(g.slice(g.lastIndexOf('/') + 1)));
}

/**
 * A novelty model over `info` (validated). Owns its tensors until {@link NoveltyModel.dispose}.
 * @param labels the classifier's labels in class order; needed to score with verdicts where `info.match` is 'verdict'
 */
export function createNoveltyModel(info: NoveltyInfo, labels?: readonly string[]): NoveltyModel {
  const d = info.dims;
  const w = whiteningOf(info); // [D, D]
  const means = tf.tensor2d(decodeFloat16(info.means), [info.groups.length, d]); // [G, D]
  const meanNorms = tf.tidy(() => tf.sum(tf.square(means), 1)); // [G]
  // [G] threshold / groupThresholds[g]: the scale of each group's distances (1 without per-group thresholds).
  const perGroup = info.groupThresholds;
  const scales = tf.tensor1d(info.groups.map((_, g) => (perGroup ? info.threshold / perGroup[g] : 1)));
  // [G] the scales the nearest group is chosen with (routing): a group is never measured as tighter than
  // the threshold, so per-group thresholds of the trained groups leave the choice of head as it was.
  const nearestScales = tf.tensor1d(
    info.groups.map((_, g) => (perGroup ? Math.min(1, info.threshold / perGroup[g]) : 1)),
  );
  // [G] class index of each group, for scores against the verdict's groups only.
  const groupLabels =
    info.match === 'verdict' && labels ? tf.tensor1d(groupLabelsOf(info.groups, labels), 'int32') : undefined;
  const scoreRows = (d2: tf.Tensor2D, verdicts?: tf.Tensor1D, allowed?: tf.Tensor2D): tf.Tensor1D => {
    if (!verdicts || info.match !== 'verdict') return allowed ? maskedScoreOf(d2, allowed) : scoreOf(d2);
    if (!groupLabels)
      throw new Error("novelty: match 'verdict' needs the classifier's labels to know each group's class");
    const ofVerdict = verdictMask(verdicts, groupLabels); // [N, G]
    return maskedScoreOf(d2, allowed ? allowedOfVerdict(ofVerdict, allowed) : ofVerdict);
  };
  // Squared distance to every group, unscaled: [N, D] -> [N, G].
  const distances = (pooled: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const z = tf.matMul(pooled, w); // [N, D]
      // |z - m|^2 = |z|^2 - 2 z.m + |m|^2, for every group: [N, G]
      return tf.add(tf.sub(tf.sum(tf.square(z), 1, true), tf.mul(2, tf.matMul(z, means, false, true))), meanNorms);
    });
  const scored = (d2: tf.Tensor2D, verdicts?: tf.Tensor1D, allowed?: tf.Tensor2D) =>
    scoreRows(tf.mul(d2, scales) as tf.Tensor2D, verdicts, allowed);
  const nearestOf = (d2: tf.Tensor2D) => tf.argMin(tf.mul(d2, nearestScales), 1) as tf.Tensor1D;
  return {
    info,
    score(pooled: tf.Tensor2D, verdicts?: tf.Tensor1D, allowed?: tf.Tensor2D): tf.Tensor1D {
      return tf.tidy(() => scored(distances(pooled), verdicts, allowed));
    },
    nearest(pooled: tf.Tensor2D): tf.Tensor1D {
      return tf.tidy(() => nearestOf(distances(pooled)));
    },
    distances,
    scoreOf(d2: tf.Tensor2D, verdicts?: tf.Tensor1D, allowed?: tf.Tensor2D): tf.Tensor1D {
      return tf.tidy(() => scored(d2, verdicts, allowed));
    },
    nearestOf(d2: tf.Tensor2D): tf.Tensor1D {
      return tf.tidy(() => nearestOf(d2));
    },
    dispose(): void {
      tf.dispose([w, means, meanNorms, scales, nearestScales, ...(groupLabels ? [groupLabels] : [])]);
    },
  };
}
