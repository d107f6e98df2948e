/**
 * The rehearsal pack's surface a run that adds a class rehearses by default (DEFAULT_RECIPE): the one
 * the site's photos of the model's own classes look like. A new class (salt damage) must be learnt
 * apart from sound and cracked photos of the surface it will be seen on; the site's few photos of
 * those classes do not teach the new head that, and the pack's other surfaces (sound walls, which salt
 * damage resembles) teach it the opposite. "Look like" is the starting model's own measure: the
 * nearest group of its unfamiliar-surface check (src/core/novelty.ts), `<surface>/<label>`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';
import type { ModelMetadata } from './metadata';
import { decodeFloat16, encodeFloat16 } from './float16';
import { createNoveltyModel, noveltyLayerOf, type NoveltyInfo } from './novelty';
import type { TrainingSample } from './trainer';
import { pooledFeatures } from './trainer-features';

/** The surface of a novelty group `<surface>/<label>` (everything before the last `/`). */
export function surfaceOfGroup(group: string): string {
  return group.slice(0, Math.max(0, group.lastIndexOf('/')));
}

/**
 * The pack surface that most of `nearestGroups` belong to, or undefined when none belongs to a pack
 * surface (e.g. every photo lies nearest an earlier site's group). Ties go to the pack's order.
 */
export function mostCommonSurface(
  nearestGroups: readonly string[],
  packSurfaces: readonly string[],
): string | undefined {
  const counts = packSurfaces.map((s) => nearestGroups.filter((g) => surfaceOfGroup(g) === s).length);
  const most = Math.max(0, ...counts);
  return most === 0 ? undefined : packSurfaces[counts.indexOf(most)];
}

/** What {@link nearestGroups} needs. */
export interface NearestGroupsConfig {
  base: BaseNetwork;
  /** The model the run starts from: its check, preprocessing and the base map its head reads. */
  parent: Pick<ModelMetadata, 'novelty' | 'preprocessing' | 'base'>;
  samples: readonly TrainingSample[];
  /**
   * Only groups of these surfaces are candidates (the pack's; an earlier site's groups, which the
   * site's photos lie nearest once a model was adapted to it, are passed over). Undefined: every group.
   */
  surfaces?: readonly string[];
  /** Photos per base forward pass (default 16). */
  batch?: number;
  signal?: AbortSignal;
}

/**
 * The name of the parent's nearest novelty group for each sample (one view, no augmentation); empty
 * when the parent has no check or there are no samples.
 */
export async function nearestGroups(config: NearestGroupsConfig): Promise<string[]> {
  const { surfaces } = config;
  const all = config.parent.novelty;
  const novelty = all && surfaces ? groupsOnly(all, (g) => surfaces.includes(surfaceOfGroup(g))) : all;
  if (!novelty || novelty.groups.length === 0 || config.samples.length === 0) return [];
  const layer = config.base.cut(noveltyLayerOf(config.parent));
  const options = { views: 1, augment: null, batch: config.batch, signal: config.signal };
  const views = await pooledFeatures(config.base, config.parent.preprocessing, config.samples, options, layer); // [1, N, D]
  const model = createNoveltyModel(novelty);
  try {
    const nearest = tf.tidy(() => model.nearest(tf.squeeze(views, [0]) as tf.Tensor2D)); // [N] int32
    const indices = await nearest.data();
    nearest.dispose();
    return Array.from(indices, (i) => novelty.groups[i]);
  } finally {
    model.dispose();
    views.dispose();
  }
}

/** The pack surface a run rehearses, and how many of the site's photos lie nearest it. */
export interface NearestSurface {
  /** Undefined when no photo lies nearest a pack surface. */
  surface?: string;
  near: number;
  photos: number;
}

/**
 * The pack surface most of `config.samples` (the site's photos of the model's own classes) lie nearest:
 * {@link nearestGroups} among `packSurfaces`, then {@link mostCommonSurface}.
 */
export async function nearestPackSurface(
  config: Omit<NearestGroupsConfig, 'surfaces'>,
  packSurfaces: readonly string[],
): Promise<NearestSurface> {
  const groups = await nearestGroups({ ...config, surfaces: packSurfaces });
  const surface = mostCommonSurface(groups, packSurfaces);
  return { surface, near: groups.filter((g) => surfaceOfGroup(g) === surface).length, photos: groups.length };
}

/** `info` with only the groups `keep` accepts (their means and thresholds; the whitening is shared). */
export function groupsOnly(info: NoveltyInfo, keep: (group: string) => boolean): NoveltyInfo {
  const kept = info.groups.flatMap((g, i) => (keep(g) ? [i] : []));
  const means = decodeFloat16(info.means); // [G * D]
  const rows = kept.flatMap((i) => Array.from(means.subarray(i * info.dims, (i + 1) * info.dims)));
  const thresholds = info.groupThresholds;
  return {
    ...info,
    groups: kept.map((i) => info.groups[i]),
    means: encodeFloat16(rows),
    ...(thresholds ? { groupThresholds: kept.map((i) => thresholds[i]) } : {}),
  };
}
