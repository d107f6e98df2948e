/**
 * The novelty model of a model adapted to a site (src/core/novelty-extend.ts): one forward pass of the
 * base per photo (no augmentation) pools the map the head reads, and each group of photos (the site's
 * `<site>/<label>`, and each rehearsed surface the parent's detector does not know, e.g. `walls/nocrack`)
 * gets its mean. Groups the parent already has from its own training (e.g. `concrete/crack`) keep the
 * parent's mean, fit on many more photos; a routed parent's site groups get new means from this run.
 * The check keeps reading the parent's base map (`novelty.layer`): a model that fine-tuned fire7 as well
 * as its parent's fire8 and fire9 still has its photos checked on the base's fire7 output. Undefined
 * when the parent has no novelty model.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';
import type { ModelMetadata } from './metadata';
import { noveltyLayerOf, type NoveltyInfo } from './novelty';
import { extendNovelty } from './novelty-extend';
import type { GroupedSample } from './reliability-fit';
import { pooledFeatures } from './trainer-features';

export interface AdaptedNoveltyConfig {
  base: BaseNetwork;
  /** The model the run started from. */
  parent: Pick<ModelMetadata, 'novelty' | 'preprocessing' | 'base' | 'routing'>;
  /** The base layer the new model's head reads. */
  featureLayer: string;
  /** Photos the new model was trained on, with their groups (site photos and rehearsed photos). */
  train: readonly GroupedSample[];
  /** Held-out photos (e.g. the site's validation photos): each group's rejection is recorded. */
  validation: readonly GroupedSample[];
  /** Photos per base forward pass (default 16). */
  batch?: number;
  signal?: AbortSignal;
}

/** Pooled maps [N, D] of `samples` at `layer` (one view, no augmentation) with group indices into `names`. */
async function pooled(
  config: AdaptedNoveltyConfig,
  samples: readonly GroupedSample[],
  names: readonly string[],
  layer: tf.LayersModel,
) {
  const options = { views: 1, augment: null, batch: config.batch, signal: config.signal };
  const views = await pooledFeatures(config.base, config.parent.preprocessing, samples, options, layer); // [1, N, D]
  const features = tf.tidy(() => tf.squeeze(views, [0]) as tf.Tensor2D);
  views.dispose();
  return { features, groups: samples.map((s) => names.indexOf(s.group)) };
}

/** The adapted model's novelty model, or undefined when its parent's cannot be carried over (see above). */
export async function adaptedNovelty(config: AdaptedNoveltyConfig): Promise<NoveltyInfo | undefined> {
  const parentNovelty = config.parent.novelty;
  if (!parentNovelty) return undefined;
  const layerName = noveltyLayerOf(config.parent);
  // Named where the new head reads another map (the parent's groups were fit on this one).
  const novelty = layerName === config.featureLayer ? parentNovelty : { ...parentNovelty, layer: layerName };
  // A routed parent's site groups (e.g. `captures/crack`) are fit again on this run's photos of them:
  // they decide which frames the new head answers, and the site's photos may have grown since.
  const refit = new Set(config.parent.routing?.siteGroups ?? []);
  const known = new Set(novelty.groups.filter((g) => !refit.has(g)));
  const train = config.train.filter((s) => !known.has(s.group));
  if (train.length === 0) return novelty;
  const names = [...new Set(train.map((s) => s.group))].sort();
  const validation = config.validation.filter((s) => names.includes(s.group));
  const layer = config.base.cut(layerName);
  const trainRows = await pooled(config, train, names, layer);
  try {
    const validationRows = validation.length ? await pooled(config, validation, names, layer) : undefined;
    try {
      return extendNovelty(novelty, { groups: names, train: trainRows, validation: validationRows });
    } finally {
      validationRows?.features.dispose();
    }
  } finally {
    trainRows.features.dispose();
  }
}
