/**
 * Novelty for a model adapted on the frozen base: the photos it was adapted to (a new site's
 * surface) must stop counting as unfamiliar, and the surfaces it knew before keep their detector. The
 * parent's novelty model (src/core/novelty.ts) was fit on many photos; its whitening (the shared
 * covariance) and threshold are kept, and the new groups' means are added (a group already there, e.g.
 * the captures of an earlier adaptation, gets its new mean). A new surface may spread wider than the
 * parent's groups (brick's joints and textures against concrete's): each new group gets its own
 * threshold, the `quantile` of its photos' distances to its mean (training and held-out photos
 * together, as there are few), never below the parent's. Only valid while the model reads the same
 * base map as its parent: the caller checks that (same feature layer, base not fine-tuned).
 */
import * as tf from '@tensorflow/tfjs';
import { decodeFloat16, encodeFloat16 } from './float16';
import { createNoveltyModel, ownGroupDistances, whiteningOf, type GroupedFeatures, type NoveltyInfo } from './novelty';
import { quantile } from './oneclass-linalg';

/** Pooled features of the photos a model was adapted to, grouped (e.g. `brick/crack`). */
export interface AddedGroups {
  /** Group names; `train.groups` and `validation.groups` index into them. */
  groups: readonly string[];
  /** [N, D] pooled maps of the training photos; every group needs at least one. */
  train: GroupedFeatures;
  /** [M, D] pooled maps of held-out photos: each group's share above the threshold is recorded. */
  validation?: GroupedFeatures;
}

/** Whitened means m_g = mu_g W [G * D] of the training rows of each added group, through the whitening of `info`. */
function whitenedMeans(info: NoveltyInfo, added: AddedGroups): Float32Array {
  const groupIds = tf.tensor1d(Int32Array.from(added.train.groups), 'int32');
  const w = whiteningOf(info); // [D, D]
  try {
    return tf.tidy(() => {
      const g = added.groups.length;
      // oneHot needs a depth of 2 or more: one group gets an empty second column, sliced off below.
      const oneHot = tf.oneHot(groupIds, Math.max(2, g)).toFloat().slice([0, 0], [-1, g]); // [N, G]
      const counts = tf.sum(oneHot, 0); // [G]
      const mu = tf.div(tf.matMul(oneHot, added.train.features, true, false), tf.expandDims(counts, 1)); // [G, D]
      return tf.matMul(mu as tf.Tensor2D, w).dataSync() as Float32Array; // [G, D]
    });
  } finally {
    tf.dispose([groupIds, w]);
  }
}

/**
 * `info` with the groups of `added` (new means; replacing a group of the same name). Throws naming the
 * problem when the features do not match the model's dimensions or a group has no training photo.
 */
export function extendNovelty(info: NoveltyInfo, added: AddedGroups): NoveltyInfo {
  const [n, d] = added.train.features.shape;
  if (d !== info.dims) throw new Error(`novelty: the features have ${d} channels, the novelty model ${info.dims}`);
  if (added.train.groups.length !== n)
    throw new Error(`novelty: ${n} rows but ${added.train.groups.length} group indices`);
  const missing = added.groups.filter((_, g) => !Array.from(added.train.groups).includes(g));
  if (missing.length > 0) throw new Error(`novelty: no training photos of ${missing.join(', ')}`);
  const newMeans = whitenedMeans(info, added);
  const spread = groupSpreads(info, added, newMeans);
  const oldMeans = decodeFloat16(info.means);
  const kept = info.groups.map((g, i) => [g, i] as const).filter(([g]) => !added.groups.includes(g));
  const means = new Float32Array((kept.length + added.groups.length) * d);
  kept.forEach(([, i], k) => means.set(oldMeans.subarray(i * d, (i + 1) * d), k * d));
  means.set(newMeans, kept.length * d);
  const extended: NoveltyInfo = {
    ...info,
    groups: [...kept.map(([g]) => g), ...added.groups],
    means: encodeFloat16(means),
    groupThresholds: [
      ...kept.map(([, i]) => info.groupThresholds?.[i] ?? info.threshold),
      ...spread.map((t) => Math.max(info.threshold, t)),
    ],
    validationRejection: Object.fromEntries(
      Object.entries(info.validationRejection).filter(([g]) => !added.groups.includes(g)),
    ),
  };
  if (added.validation) recordRejection(extended, added.groups, added.validation);
  return extended;
}

/** Per added group, the `info.quantile` of its rows' squared distances to its own whitened mean (training and validation rows). */
function groupSpreads(info: NoveltyInfo, added: AddedGroups, means: Float32Array): number[] {
  const sets = [added.train, ...(added.validation ? [added.validation] : [])];
  return ownGroupDistances(info, means, added.groups.length, sets).map((values) => quantile(values, info.quantile));
}

/**
 * Records, per group of `names` with validation rows, the share scored above the threshold (against
 * every group: the rows carry no verdicts, so a 'verdict' model is measured as 'nearest' here).
 */
function recordRejection(info: NoveltyInfo, names: readonly string[], validation: GroupedFeatures): void {
  const model = createNoveltyModel(info);
  const scored = model.score(validation.features); // [M]
  const scores = scored.dataSync();
  tf.dispose(scored);
  model.dispose();
  names.forEach((name, g) => {
    const mine = Array.from(validation.groups).flatMap((group, i) => (group === g ? [scores[i]] : []));
    if (mine.length > 0) info.validationRejection[name] = mine.filter((s) => s > info.threshold).length / mine.length;
  });
}
