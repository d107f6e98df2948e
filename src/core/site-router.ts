/**
 * The site router of an adapted model (metadata `routing.router`): a logistic regression on the pooled
 * base map that tells the site's photos from the old surfaces' (the rehearsal pack's), fitted after a
 * site adaptation. Where the nearest novelty group decides (routing.ts), a site photo that lies within
 * an old surface's group goes to the old head: on brick the default model's concrete and wall groups
 * hold 2-14 % of the site's photos, and the old head gets about half of them wrong. A discriminative
 * boundary between the two sets of photos keeps those at the site.
 *
 * The router is kept only when, on photos it was not fitted on, it routes no worse than the nearest
 * group: the pack's `eval` photos (held out of every training) for the old head, the site's
 * validation photos for the new one ({@link siteRouterFor}). Where the site's surface is one of the pack's (a new class seen on
 * concrete), the two cannot be told apart and the nearest group decides, as before.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';
import { encodeFloat16 } from './float16';
import { createNoveltyModel, noveltyLayerOf, type NoveltyInfo } from './novelty';
import type { PreprocessingMode } from './preprocess';
import type { StoredLinear } from './routing-info';
import type { TrainingSample } from './trainer';
import { pooledFeatures } from './trainer-features';
import { yieldToEventLoop } from './yield';

/** Settings of {@link fitSiteRouter}. */
export interface SiteRouterFitOptions {
  /** L2 penalty on the standardised weights (default 0.01). */
  l2?: number;
  /** Full-batch gradient steps (default 2000). */
  steps?: number;
  /** Step size (default 0.1). */
  rate?: number;
  /** Awaited every 100 steps (e.g. `yieldToEventLoop` in the page: 2000 steps on 250 photos take about a second). */
  yieldBetween?: () => Promise<void>;
}

/** A fitted router: logit = pooled . kernel + bias; above 0 the site's head answers. */
export interface SiteRouterWeights {
  /** [D] */
  kernel: Float32Array;
  bias: number;
}

/** Column means and standard deviations of rows [n][D]. */
function moments(rows: readonly Float32Array[], d: number): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) sd[j] += (r[j] - mean[j]) ** 2 / rows.length;
  // A feature that barely varies (a channel the ReLU leaves at 0, or rounding of a constant) gets no weight.
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) > 1e-6 * (1 + Math.abs(mean[j])) ? Math.sqrt(sd[j]) : 0;
  return { mean, sd };
}

/**
 * Fits the router on the pooled features of site photos (label 1) and old-surface photos (label 0),
 * each side weighted to half the loss, on standardised features with an L2 penalty; deterministic
 * (starts at zero, full-batch steps). The standardisation is folded into the returned weights.
 * @param site [n_s][D] pooled features
 * @param old [n_o][D] pooled features
 */
export async function fitSiteRouter(
  site: readonly Float32Array[],
  old: readonly Float32Array[],
  options: SiteRouterFitOptions = {},
): Promise<SiteRouterWeights> {
  if (site.length === 0 || old.length === 0)
    throw new Error('site router: needs photos of the site and of the old surfaces');
  const { l2 = 0.01, steps = 2000, rate = 0.1 } = options;
  const rows = [...site, ...old];
  const d = rows[0].length;
  const { mean, sd } = moments(rows, d);
  const z = rows.map((r) => Float64Array.from(r, (v, j) => (sd[j] > 0 ? (v - mean[j]) / sd[j] : 0)));
  const target = rows.map((_, i) => (i < site.length ? 1 : 0));
  const weight = rows.map((_, i) => 0.5 / (i < site.length ? site.length : old.length)); // sums to 1
  const w = new Float64Array(d);
  let b = 0;
  const grad = new Float64Array(d);
  for (let step = 0; step < steps; step++) {
    if (step % 100 === 99) await options.yieldBetween?.();
    grad.fill(0);
    let gb = 0;
    z.forEach((x, i) => {
      let logit = b;
      for (let j = 0; j < d; j++) logit += w[j] * x[j];
      const g = (1 / (1 + Math.exp(-logit)) - target[i]) * weight[i];
      for (let j = 0; j < d; j++) grad[j] += g * x[j];
      gb += g;
    });
    for (let j = 0; j < d; j++) w[j] -= rate * (grad[j] + l2 * w[j]);
    b -= rate * gb;
  }
  const kernel = Float32Array.from(w, (v, j) => (sd[j] > 0 ? v / sd[j] : 0));
  const bias = b - w.reduce((s, v, j) => s + (sd[j] > 0 ? (v * mean[j]) / sd[j] : 0), 0);
  return { kernel, bias };
}

/** Shares of each set the router sends to the site's head. */
export interface SiteRouterCheck {
  /** Share of the site's held-out photos routed to the site's head. */
  site: number;
  /** Share of the old surfaces' held-out photos routed to the site's head. */
  old: number;
}

/** The router's logit of each row: [n][D] -> [n]. */
export function siteRouterLogits(router: SiteRouterWeights, rows: readonly Float32Array[]): number[] {
  return rows.map((r) => r.reduce((s, v, j) => s + v * router.kernel[j], router.bias));
}

/** How the router routes held-out photos of the site and of the old surfaces. */
export function checkSiteRouter(
  router: SiteRouterWeights,
  site: readonly Float32Array[],
  old: readonly Float32Array[],
): SiteRouterCheck {
  const share = (rows: readonly Float32Array[]) =>
    rows.length ? siteRouterLogits(router, rows).filter((l) => l > 0).length / rows.length : NaN;
  return { site: share(site), old: share(old) };
}

/** The share of the old surfaces' held-out photos a kept router may always send to the site's head (more only where the nearest group sends more). */
export const MAX_OLD_TO_SITE = 0.01;

/** The router as a stored [D, 1] layer of metadata `routing.router`. */
export function storedRouter(router: SiteRouterWeights): StoredLinear {
  return {
    inputs: router.kernel.length,
    outputs: 1,
    kernel: encodeFloat16(router.kernel),
    bias: encodeFloat16(Float32Array.of(router.bias)),
  };
}

/** Photos of the run for {@link siteRouterFor}: fitted on `train`, checked on `heldOut`. */
export interface SiteRouterPhotos {
  train: readonly TrainingSample[];
  heldOut: readonly TrainingSample[];
}

/** What {@link siteRouterFor} decided, and why. */
export interface SiteRouterOutcome {
  router?: StoredLinear;
  check?: SiteRouterCheck;
  /** The same shares under the nearest-group rule. */
  nearest?: SiteRouterCheck;
  /** Why no router is kept (absent when one is). */
  reason?: string;
}

/** Pooled features [n][D] of `samples` at `layer` (one view, no augmentation). */
async function pooledRows(
  base: BaseNetwork,
  preprocessing: PreprocessingMode,
  samples: readonly TrainingSample[],
  layer: tf.LayersModel,
  options: { batch?: number; signal?: AbortSignal },
): Promise<Float32Array[]> {
  const views = await pooledFeatures(base, preprocessing, samples, { ...options, views: 1, augment: null }, layer); // [1, n, D]
  const [, n, d] = views.shape;
  const values = await views.data();
  views.dispose();
  return Array.from({ length: n }, (_, i) => Float32Array.from(values.subarray(i * d, (i + 1) * d)));
}

/**
 * Share of each set of rows [n][D] whose nearest novelty group is one of `siteGroups` (the rule
 * without a router), from one novelty model; NaN for an empty set.
 */
async function nearestRuleShares(
  novelty: NoveltyInfo,
  siteGroups: readonly string[],
  sets: { site: readonly Float32Array[]; old: readonly Float32Array[] },
): Promise<SiteRouterCheck> {
  const model = createNoveltyModel(novelty);
  const share = async (rows: readonly Float32Array[]) => {
    if (rows.length === 0) return NaN;
    const nearest = tf.tidy(() => model.nearest(tf.tensor2d(concatRows(rows), [rows.length, novelty.dims]))); // [n]
    const groups = await nearest.data();
    nearest.dispose();
    return Array.from(groups).filter((g) => siteGroups.includes(novelty.groups[g])).length / rows.length;
  };
  try {
    return { site: await share(sets.site), old: await share(sets.old) };
  } finally {
    model.dispose();
  }
}

/** Rows [n][D] as one row-major array [n * D]. */
function concatRows(rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(rows.length * rows[0].length);
  rows.forEach((r, i) => out.set(r, i * r.length));
  return out;
}

/**
 * Fits the router of a site adaptation and keeps it when it routes held-out photos no worse than the
 * nearest novelty group does (`novelty`, `routing`: the adapted model's): no more of the old
 * surfaces' to the site's head (or at most {@link MAX_OLD_TO_SITE}), and no fewer of the site's.
 */
export async function siteRouterFor(run: {
  base: BaseNetwork;
  /** The model the run started from: how its photos are preprocessed. */
  parent: { preprocessing: PreprocessingMode };
  featureLayer: string;
  novelty: NoveltyInfo;
  /** The run's routing entry: which novelty groups are the site's. */
  routing: { siteGroups: readonly string[] };
  site: SiteRouterPhotos;
  old: SiteRouterPhotos;
  /** Photos per base forward pass (default as `pooledFeatures`). */
  batch?: number;
  signal?: AbortSignal;
}): Promise<SiteRouterOutcome> {
  if (run.site.train.length === 0 || run.old.train.length === 0 || run.old.heldOut.length === 0)
    return { reason: 'no rehearsal pack photos to tell the site from' };
  // The router reads the pooled map the novelty check reads (which may lie under the head's own map).
  const layer = run.base.cut(noveltyLayerOf({ base: { featureLayer: run.featureLayer }, novelty: run.novelty }));
  const rows = (samples: readonly TrainingSample[]) =>
    pooledRows(run.base, run.parent.preprocessing, samples, layer, { batch: run.batch, signal: run.signal });
  const router = await fitSiteRouter(await rows(run.site.train), await rows(run.old.train), {
    yieldBetween: async () => {
      await yieldToEventLoop();
      run.signal?.throwIfAborted();
    },
  });
  const siteHeldOut = await rows(run.site.heldOut);
  const oldHeldOut = await rows(run.old.heldOut);
  const check = checkSiteRouter(router, siteHeldOut, oldHeldOut);
  const nearest = await nearestRuleShares(run.novelty, run.routing.siteGroups, { site: siteHeldOut, old: oldHeldOut });
  if (check.old > Math.max(MAX_OLD_TO_SITE, nearest.old))
    return {
      check,
      nearest,
      reason: `it sent ${pct(check.old)} of the old surfaces' held-out photos to the site's head, the nearest group ${pct(nearest.old)}`,
    };
  if (check.site < nearest.site)
    return {
      check,
      nearest,
      reason: `it kept ${pct(check.site)} of the site's held-out photos at the site, the nearest group ${pct(nearest.site)}`,
    };
  return { router: storedRouter(router), check, nearest };
}

/** A share as a percentage with one decimal, e.g. `2.0 %`; `none` for NaN (an empty set). */
export function pct(share: number): string {
  return Number.isNaN(share) ? 'none' : `${(share * 100).toFixed(1)} %`;
}
