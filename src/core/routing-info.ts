/**
 * A site-adapted model that keeps the head it started from (metadata `routing`): the adapted head
 * answers for frames of the site (by its site router, site-router.ts, where the run kept one; else
 * where the nearest novelty group is one of the site's), or when it names a class the old head does
 * not have; every other frame gets the old head's answer, so what the model knew
 * before adapting is not forgotten (measured in docs/results.md, "Routing, measured").
 *
 * The old head travels in the metadata (JSON, like the novelty model), as matrices in float16 base64:
 * the layers after the fire module copies, which head-mode adaptation never changes and both heads
 * share, and after deep fine-tuning (which retrains the copies) the old copies too (about 1.3 MB of
 * JSON for fire8 and fire9). The shipped model's weights are float16 already, so storing it loses nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { decodeFloat16, encodeFloat16 } from './float16';
import type { HeadWeights, LinearHead } from './head';

/** One 1x1 convolution of the old head in matrix form, float16 base64. */
export interface StoredLinear {
  /** Input channels K. */
  inputs: number;
  /** Output channels C. */
  outputs: number;
  /** [K, C] row-major. */
  kernel: string;
  /** [C] */
  bias: string;
}

/** One of the old head's fire module copies: squeeze [K, S] and expand [9 * S, E] (see `FireCopy` in head.ts). */
export interface StoredFire {
  fire: string;
  squeeze: StoredLinear;
  expand: StoredLinear;
}

/**
 * The old head: hidden layer (if any), classifier and fine head (if any). `trunk`, its fire module
 * copies, only when the new model retrained its own (deep mode); absent, the heads share the new
 * model's trunk.
 */
export interface StoredHead {
  trunk?: StoredFire[];
  hidden?: StoredLinear;
  out: StoredLinear;
  fine?: StoredLinear;
}

/** Metadata `routing` of an adapted classifier. */
export interface RoutingInfo {
  /** The model whose head answers off the site (the first model of the lineage that was not routed). */
  parent: { name: string; version: number };
  /** The old head's classes, in its output order; each is one of the model's labels. */
  labels: string[];
  /** The model's novelty groups (`metadata.novelty.groups`) that are the site's own. */
  siteGroups: string[];
  head: StoredHead;
  /**
   * The base layer the old head reads, when it is not the model's `base.featureLayer`: a model that
   * fine-tuned fire7 too reads fire6/concat, while an old head with fire8 and fire9 copies reads
   * fire7/concat (the base's own fire7). Absent: the model's map.
   */
  featureLayer?: string;
  /**
   * The site router (site-router.ts): [D, 1] on the pooled base map, the site's head where its logit
   * is above 0. Absent: the nearest novelty group decides.
   */
  router?: StoredLinear;
}

/** The base layer a routed model's old head reads: `routing.featureLayer`, else the model's map. */
export function oldHeadLayerOf(metadata: {
  base: { featureLayer: string };
  routing?: Pick<RoutingInfo, 'featureLayer'>;
}): string {
  return metadata.routing?.featureLayer ?? metadata.base.featureLayer;
}

/** Stores a matrix-form layer (reads the tensors; does not dispose them). */
async function storedLinear(layer: LinearHead): Promise<StoredLinear> {
  const [inputs, outputs] = layer.kernel.shape;
  return {
    inputs,
    outputs,
    kernel: encodeFloat16(await layer.kernel.data()),
    bias: encodeFloat16(await layer.bias.data()),
  };
}

/**
 * A head's layers for {@link RoutingInfo.head}, its trunk only with `withTrunk` (does not dispose `weights`).
 */
export async function storedHead(weights: HeadWeights, withTrunk = false): Promise<StoredHead> {
  const trunk: StoredFire[] = [];
  for (const m of withTrunk ? (weights.trunk ?? []) : [])
    trunk.push({ fire: m.fire, squeeze: await storedLinear(m.squeeze), expand: await storedLinear(m.expand) });
  const out = await storedLinear(weights.out);
  const hidden = weights.hidden ? { hidden: await storedLinear(weights.hidden) } : {};
  const fine = weights.fine ? { fine: await storedLinear(weights.fine) } : {};
  return { ...(trunk.length ? { trunk } : {}), ...hidden, out, ...fine };
}

/** The stored layer as tensors (the caller owns them). */
export function linearOf(stored: StoredLinear): LinearHead {
  return {
    kernel: tf.tensor2d(decodeFloat16(stored.kernel), [stored.inputs, stored.outputs]),
    bias: tf.tensor1d(decodeFloat16(stored.bias)),
  };
}

/** The old head as weights, with its own trunk if it has one (the caller owns the tensors; see `headWeightTensors`). */
export function storedHeadWeights(head: StoredHead): HeadWeights {
  const trunk = head.trunk?.map((m) => ({ fire: m.fire, squeeze: linearOf(m.squeeze), expand: linearOf(m.expand) }));
  return {
    ...(trunk ? { trunk } : {}),
    out: linearOf(head.out),
    ...(head.hidden ? { hidden: linearOf(head.hidden) } : {}),
    ...(head.fine ? { fine: linearOf(head.fine) } : {}),
  };
}

/** What a routing entry is checked against: the model's labels and novelty groups, and its head's sizes. */
export interface RoutingContext {
  labels: readonly string[];
  noveltyGroups: readonly string[];
  /** The novelty model's feature count (the pooled map's channels), which a router reads. */
  noveltyDims?: number;
}

function checkLinear(value: unknown, name: string, fail: (what: string) => never): StoredLinear {
  const v = value as Partial<StoredLinear> | null;
  if (typeof v !== 'object' || v === null) return fail(`${name} is not an object`);
  if (
    !Number.isInteger(v.inputs) ||
    !Number.isInteger(v.outputs) ||
    (v.inputs as number) < 1 ||
    (v.outputs as number) < 1
  )
    fail(`${name} needs positive integer inputs and outputs`);
  const sizes = { kernel: (v.inputs as number) * (v.outputs as number), bias: v.outputs as number };
  for (const key of ['kernel', 'bias'] as const) {
    let values: Float32Array;
    try {
      values = decodeFloat16(String(v[key]));
    } catch (e) {
      return fail(`${name}.${key}: ${(e as Error).message}`);
    }
    if (typeof v[key] !== 'string' || values.length !== sizes[key])
      fail(`${name}.${key} must hold ${sizes[key]} float16 numbers (base64)`);
    if (!values.every(Number.isFinite)) fail(`${name}.${key} must be finite`);
  }
  return v as StoredLinear;
}

/**
 * Checks a metadata `routing` entry: the old head's classes are the model's, its site groups are
 * novelty groups, and its layers chain (hidden outputs = classifier inputs, C = its classes).
 * @throws naming what is wrong
 */
export function validateRoutingInfo(value: unknown, context: RoutingContext): RoutingInfo {
  const v = value as Partial<RoutingInfo> | null;
  const fail = (what: string): never => {
    throw new Error(`metadata routing: ${what}`);
  };
  if (typeof v !== 'object' || v === null) return fail('is not an object');
  if (typeof v.parent?.name !== 'string' || !Number.isInteger(v.parent.version))
    fail('parent must be {name, version} of the model whose head it keeps');
  const labels = v.labels;
  if (!Array.isArray(labels) || labels.length < 2 || labels.some((l) => !context.labels.includes(l)))
    fail(`labels must be at least 2 of the model's labels (${context.labels.join(', ')})`);
  const site = v.siteGroups;
  if (!Array.isArray(site) || site.length === 0 || site.some((g) => !context.noveltyGroups.includes(g)))
    fail(`siteGroups must be some of the novelty groups (${context.noveltyGroups.join(', ')})`);
  if (v.featureLayer !== undefined && (typeof v.featureLayer !== 'string' || v.featureLayer === ''))
    fail(`featureLayer must be a base layer's name, got ${JSON.stringify(v.featureLayer)}`);
  if (v.featureLayer !== undefined && v.head?.trunk === undefined)
    fail('featureLayer is for an old head with its own fire copies (head.trunk)');
  const head = v.head as Partial<StoredHead> | undefined;
  if (typeof head !== 'object' || head === null) return fail('head is missing');
  let channels: number | undefined; // what the trunk gives the layers after it
  if (head.trunk !== undefined) {
    if (!Array.isArray(head.trunk) || head.trunk.length === 0)
      fail('head.trunk must be a non-empty list of fire copies');
    head.trunk.forEach((m, i) => {
      if (typeof m?.fire !== 'string') fail(`head.trunk[${i}].fire must be a module name`);
      const squeeze = checkLinear(m.squeeze, `head.trunk[${i}].squeeze`, fail);
      const expand = checkLinear(m.expand, `head.trunk[${i}].expand`, fail);
      if (channels !== undefined && squeeze.inputs !== channels)
        fail(`head.trunk[${i}] reads ${squeeze.inputs} channels, gets ${channels}`);
      if (expand.inputs !== 9 * squeeze.outputs)
        fail(`head.trunk[${i}].expand must read 9 x ${squeeze.outputs} inputs`);
      channels = expand.outputs;
    });
  }
  const out = checkLinear(head.out, 'head.out', fail);
  if (out.outputs !== (labels as string[]).length)
    fail(`head.out has ${out.outputs} outputs for ${labels?.length} labels`);
  if (head.hidden !== undefined && checkLinear(head.hidden, 'head.hidden', fail).outputs !== out.inputs)
    fail(`head.hidden's outputs do not match head.out's ${out.inputs} inputs`);
  const first = (head.hidden ?? out).inputs;
  if (channels !== undefined && first !== channels)
    fail(`head.trunk gives ${channels} channels, the layers after it read ${first}`);
  if (head.fine !== undefined && checkLinear(head.fine, 'head.fine', fail).outputs !== out.outputs)
    fail(`head.fine has not ${out.outputs} outputs`);
  if (v.router !== undefined) {
    const router = checkLinear(v.router, 'router', fail);
    if (router.outputs !== 1) fail('router must have 1 output (the site logit)');
    if (context.noveltyDims !== undefined && router.inputs !== context.noveltyDims)
      fail(`router reads ${router.inputs} features, the novelty model ${context.noveltyDims}`);
  }
  return v as RoutingInfo;
}
