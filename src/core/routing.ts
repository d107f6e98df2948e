/**
 * Routing between an adapted head and the head it started from (see routing-info.ts): building the
 * metadata entry after a site adaptation, and the forward pass that answers each frame with one head.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamScore } from './gradcam';
import {
  camActivation,
  FINE_LAYER,
  fineMap,
  hasLayer,
  headForward,
  headWeightsOf,
  headWeightTensors,
  trunkOf,
  type HeadWeights,
  type LinearHead,
} from './head';
import type { ModelMetadata } from './metadata';
import { noveltyLayerOf, type NoveltyInfo } from './novelty';
import {
  linearOf,
  oldHeadLayerOf,
  storedHead,
  storedHeadWeights,
  type RoutingInfo,
  type StoredHead,
} from './routing-info';

/** The model an adaptation started from. */
export interface RoutingParent {
  metadata: Pick<ModelMetadata, 'name' | 'version' | 'labels' | 'base' | 'novelty' | 'routing'>;
  head: tf.LayersModel;
}

/** The adapted model: its head, classes, the base map it reads and its novelty model. */
export interface RoutingChild {
  head: tf.LayersModel;
  labels: readonly string[];
  featureLayer: string;
  novelty?: NoveltyInfo;
}

/**
 * Whether a run from `parent` will route (before training; {@link routingFor} decides after): it
 * continues the parent's head, the parent has a novelty check, and routing is not turned off.
 */
export function willRoute(parent: Pick<ModelMetadata, 'novelty'>, start: 'current' | 'base', route = true): boolean {
  return route && start === 'current' && parent.novelty !== undefined;
}

/**
 * The site groups of an adapted `parent` that a run from it has no photos of (`runGroups`: the groups of
 * its site's photos, e.g. `brick2/crack`). The run's head will answer frames nearest those groups too
 * (a model keeps one site head, {@link routingFor}), without having trained on them.
 */
export function uncoveredSiteGroups(parent: Pick<ModelMetadata, 'routing'>, runGroups: readonly string[]): string[] {
  return parent.routing?.siteGroups.filter((g) => !runGroups.includes(g)) ?? [];
}

/** True when both heads have no trunk or the same trunk, value for value. */
async function sameTrunk(a: tf.LayersModel, b: tf.LayersModel): Promise<boolean> {
  const [ta, tb] = [trunkOf(a) ?? [], trunkOf(b) ?? []];
  try {
    if (ta.length !== tb.length || ta.some((m, i) => m.fire !== tb[i].fire)) return false;
    const pairs = ta.flatMap((m, i) => [
      [m.squeeze.kernel, tb[i].squeeze.kernel],
      [m.squeeze.bias, tb[i].squeeze.bias],
      [m.expand.kernel, tb[i].expand.kernel],
      [m.expand.bias, tb[i].expand.bias],
    ]);
    for (const [x, y] of pairs) {
      if (x.shape.join() !== y.shape.join()) return false;
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))));
      const largest = (await diff.data())[0];
      diff.dispose();
      if (largest > 1e-6) return false;
    }
    return true;
  } finally {
    tf.dispose([...ta, ...tb].flatMap((m) => [m.squeeze.kernel, m.squeeze.bias, m.expand.kernel, m.expand.bias]));
  }
}

/**
 * The `routing` entry of a model adapted from `parent`, or undefined when the adapted head must answer
 * for everything: it has no novelty groups of its own, its check reads another base map than the
 * parent's, it lacks one of the old classes, or differs from the old head in having a fine head. When
 * the new model retrained the fire module copies (deep mode), the old copies are stored too, and when it
 * fine-tuned more of them than the parent had (fire7 too), the base map under the old copies is named.
 * A parent that is routed itself passes on its own old head: the head before any adaptation.
 */
export async function routingFor(parent: RoutingParent, child: RoutingChild): Promise<RoutingInfo | undefined> {
  const meta = parent.metadata;
  if (!child.novelty || !meta.novelty) return undefined;
  if (noveltyLayerOf({ base: { featureLayer: child.featureLayer }, novelty: child.novelty }) !== noveltyLayerOf(meta))
    return undefined;
  const inherited = meta.routing;
  const oldGroups = meta.novelty.groups.filter((g) => !inherited?.siteGroups.includes(g));
  const siteGroups = child.novelty.groups.filter((g) => !oldGroups.includes(g));
  const labels = inherited?.labels ?? [...meta.labels];
  if (siteGroups.length === 0 || labels.some((l) => !child.labels.includes(l))) return undefined;
  const head = await oldHead(parent, child);
  if ((head.fine !== undefined) !== hasLayer(child.head, FINE_LAYER)) return undefined;
  const oldLayer = oldHeadLayerOf(meta);
  if (oldLayer !== child.featureLayer && !head.trunk) return undefined;
  const parentId = inherited?.parent ?? { name: meta.name, version: meta.version };
  const layer = oldLayer !== child.featureLayer ? { featureLayer: oldLayer } : {};
  return { parent: parentId, labels, siteGroups, head, ...layer };
}

/**
 * The first old head of the lineage, with its fire copies when they are not the child's: a routed
 * parent's own entry (given the parent's copies when the child retrained them), else the parent's head.
 */
async function oldHead(parent: RoutingParent, child: RoutingChild): Promise<StoredHead> {
  const inherited = parent.metadata.routing?.head;
  if (inherited?.trunk) return inherited;
  const shared = await sameTrunk(parent.head, child.head);
  if (inherited && shared) return inherited;
  const weights = headWeightsOf(parent.head);
  try {
    if (!inherited) return await storedHead(weights, !shared);
    const { trunk } = await storedHead(weights, true);
    return { ...inherited, ...(trunk ? { trunk } : {}) };
  } finally {
    tf.dispose(headWeightTensors(weights));
  }
}

/** A loaded routing entry: the old head's tensors and the lookup tables of the choice. */
export interface RoutedHead extends RouteTables {
  readonly info: RoutingInfo;
  /** The model's classes. */
  readonly labels: readonly string[];
  /** The old head: its own fire copies if it has them, else it shares the model's. */
  readonly weights: HeadWeights;
  dispose(): void;
}

/** Loads a validated routing entry for a model with `labels` and novelty `groups`. */
export function createRoutedHead(info: RoutingInfo, labels: readonly string[], groups: readonly string[]): RoutedHead {
  const weights = storedHeadWeights(info.head);
  const ints = (values: number[]) => tf.tensor1d(values, 'int32');
  const tables = {
    toModelClasses: tf.tidy(() =>
      tf.oneHot(ints(info.labels.map((l) => labels.indexOf(l))), labels.length).toFloat(),
    ) as tf.Tensor2D, // [C_old, C]
    modelIndex: ints(info.labels.map((l) => labels.indexOf(l))), // [C_old]
    newClass: ints(labels.map((l) => (info.labels.includes(l) ? 0 : 1))), // [C]
    siteGroup: ints(groups.map((g) => (info.siteGroups.includes(g) ? 1 : 0))), // [G]
  };
  const router = info.router ? linearOf(info.router) : undefined; // [D, 1], [1]
  return {
    info,
    labels,
    weights,
    ...tables,
    ...(router ? { router } : {}),
    dispose(): void {
      tf.dispose([
        ...headWeightTensors(weights),
        ...Object.values(tables),
        ...(router ? [router.kernel, router.bias] : []),
      ]);
    },
  };
}

/** Lookup tables between the model's classes and the old head's, and of the site's groups. */
export interface RouteTables {
  /** [C_old, C] one-hot: old probabilities times it are probabilities over the model's classes. */
  toModelClasses: tf.Tensor2D;
  /** [C_old] the model's index of each old class. */
  modelIndex: tf.Tensor1D;
  /** [C] 1 for a class only the adapted head has. */
  newClass: tf.Tensor1D;
  /** [G] 1 for a novelty group of the site. */
  siteGroup: tf.Tensor1D;
  /** The site router ([D, 1] kernel, [1] bias), when the model has one: it decides instead of `siteGroup`. */
  router?: LinearHead;
}

/** Inputs of {@link routedForward}. */
export interface RoutedInputs {
  /** [n, h, w, K] the base map the adapted head reads (both heads, unless `oldFeatures` is given). */
  features: tf.Tensor4D;
  /** [n, h, w, K_old] the base map the old head reads when it is another (`routing.featureLayer`). */
  oldFeatures?: tf.Tensor4D;
  /** [n] int32 nearest novelty group of each frame. */
  nearest: tf.Tensor1D;
  /** [n, D] the pooled base map the novelty model reads; the site router reads it too. */
  pooled?: tf.Tensor2D;
  /** [n, h_f, w_f, C] and [n, h_f, w_f, C_old]: the fine class maps of each head, when both have fine heads. */
  fineMaps?: { own: tf.Tensor4D; old: tf.Tensor4D };
}

/**
 * One forward pass of both heads (on the shared trunk, or each on its own after deep fine-tuning).
 * Each frame keeps one head's probabilities (over the model's classes; 0 for a class the old head
 * lacks), map and fine map.
 * @param camClass a model class index or 'predicted'
 * @returns as headForward, plus `ownHead` [n] int32: 1 where the adapted head answered
 */
export function routedForward(
  inputs: RoutedInputs,
  own: HeadWeights,
  routed: RoutedHead,
  camClass: number | 'predicted',
  score: CamScore,
  relu: boolean,
) {
  return tf.tidy(() => {
    const trunked = camActivation(inputs.features, undefined, own.trunk); // [n, h, w, E]
    const { trunk: _shared, ...ownAfterTrunk } = own;
    const mine = headForward(trunked, ownAfterTrunk, camClass, score, relu);
    const oldClass = camClass === 'predicted' ? 'predicted' : oldIndexOf(routed, camClass);
    const { trunk: oldTrunk, ...oldAfterTrunk } = routed.weights;
    const oldTrunked = oldTrunk ? camActivation(inputs.oldFeatures ?? inputs.features, undefined, oldTrunk) : trunked; // [n, h, w, E]
    const old = headForward(oldTrunked, oldAfterTrunk, oldClass, score, relu);
    const site = siteOf(inputs, routed); // [n] int32
    const named = tf.gather(routed.newClass, tf.argMax(mine.probabilities, 1)); // [n]
    const ownHead = tf.cast(tf.greater(tf.add(site, named), 0), 'int32') as tf.Tensor1D; // [n]
    const useOwn = tf.cast(ownHead, 'bool') as tf.Tensor1D;
    const pick = <T extends tf.Tensor>(a: T, b: T): T => {
      const mask = tf.reshape(useOwn, [-1, ...a.shape.slice(1).map(() => 1)]); // [n, 1, ...]: tf.where broadcasts it
      return tf.where(mask, a, b) as T;
    };
    const oldProbabilities = tf.matMul(old.probabilities, routed.toModelClasses) as tf.Tensor2D; // [n, C]
    const result = {
      probabilities: pick(mine.probabilities, oldProbabilities),
      camClass: tf.where(useOwn, mine.camClass, tf.gather(routed.modelIndex, old.camClass)) as tf.Tensor1D,
      cam: pick(mine.cam, old.cam),
      ownHead,
    };
    const fine = inputs.fineMaps;
    if (!fine || !own.fine || !routed.weights.fine) return result;
    // The fine map once, on each frame's own head's class maps and bias: the old head's in the model's
    // classes, a class it lacks getting an empty map and a bias far below (its fine probability 0).
    const [n, h, w, cOld] = fine.old.shape;
    const toModel = routed.toModelClasses; // [C_old, C]
    const oldMaps = tf.reshape(tf.matMul(tf.reshape(fine.old, [n * h * w, cOld]), toModel), [
      n,
      h,
      w,
      -1,
    ]) as tf.Tensor4D;
    const lacking = tf.mul(tf.sub(1, tf.sum(toModel, 0)), -1e4); // [C]: 0, or -1e4 for a class the old head lacks
    const oldBias = tf.add(tf.matMul(tf.expandDims(routed.weights.fine.bias, 0), toModel), lacking); // [1, C]
    const maps = pick(fine.own, oldMaps); // [n, h_f, w_f, C]
    const bias = pick(tf.expandDims(own.fine.bias, 0), oldBias) as tf.Tensor2D; // [1, C] each, picked per frame: [n, C]
    return { ...result, fineCam: fineMap(maps, bias, result.camClass, result.cam) };
  });
}

/** 1 where a frame is the site's: by the site router when the model has one, else by its nearest novelty group. */
function siteOf(inputs: RoutedInputs, routed: RoutedHead): tf.Tensor1D {
  if (!routed.router || !inputs.pooled) return tf.gather(routed.siteGroup, inputs.nearest);
  const logit = tf.add(tf.matMul(inputs.pooled, routed.router.kernel), routed.router.bias); // [n, 1]
  return tf.cast(tf.greater(tf.reshape(logit, [-1]), 0), 'int32') as tf.Tensor1D;
}

/** The old head's index of a model class, or 'predicted' when the old head lacks it. */
function oldIndexOf(routed: RoutedHead, camClass: number): number | 'predicted' {
  const index = routed.info.labels.indexOf(routed.labels[camClass]);
  return index < 0 ? 'predicted' : index;
}
