/**
 * The head while it trains: its weights as variables (from a starting head, else fresh, with fire
 * module copies from the base), its forward pass on cached features, and the Layers model it
 * becomes at the end.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from './base';
import {
  camActivation,
  createHead,
  FINE_LAYER,
  fireFromBase,
  HIDDEN_LAYER,
  pooledLogits,
  setLinearHead,
  trunkExpandLayer,
  trunkSqueezeLayer,
  type HeadWeights,
  type LinearHead,
  type Trunk,
} from './head';
import type { TrainingLayers } from './trainer-layers';
import { matMul } from './matmul-grad';

/** The head being trained. */
export interface HeadUnderTraining {
  /** Its weights; every tensor is a variable. */
  params: HeadWeights;
  /** Variables of the new layers (hidden, classifier), and of the fire module copies. */
  headVars: tf.Variable[];
  trunkVars: tf.Variable[];
  /**
   * The starting head's hidden and classifier kernels, copied before training ([K, H], [H, C]): what
   * the anchor penalty pulls towards (L2-SP). Absent for a fresh head.
   */
  anchor?: { hidden?: tf.Tensor2D; out: tf.Tensor2D };
  /** The weights that apply to the cached inputs: `params`, less the trunk when it was applied as they were cached. */
  onCached: HeadWeights;
  /** x: [b, K] pooled or [b, h*w, K] maps -> logits [b, C]. */
  forward(x: tf.Tensor): tf.Tensor2D;
}

/** What {@link createHeadUnderTraining} builds from. */
export interface HeadShape {
  base: BaseNetwork;
  layers: TrainingLayers;
  /** The starting head's weights, if any (their tensors are in `owned`). */
  initial?: HeadWeights;
  /** Hidden channels (0: linear head). */
  hidden: number;
  /** [h, w, K] of the cached maps. */
  featureShape: [number, number, number];
  /** True when the cached maps already went through the (frozen) fire module copies. */
  trunkApplied?: boolean;
  numClasses: number;
  /** True when the head trains on whole maps, false on pooled vectors. */
  useMaps: boolean;
  seed: number;
}

/**
 * Variables for the head: from the starting head, else fresh (He init for the ReLU layer) and,
 * for fire module copies, the base's modules. A variable shares its initial value's data; every
 * tensor made here goes into `owned` (the caller frees them).
 */
export function createHeadUnderTraining(shape: HeadShape, owned: tf.Tensor[]): HeadUnderTraining {
  const { initial, hidden, numClasses, layers } = shape;
  const make = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const trunkVars: tf.Variable[] = [];
  const headVars: tf.Variable[] = [];
  const variables = (w: LinearHead, trainable: boolean, list: tf.Variable[]): LinearHead => {
    const [kernel, bias] = [make(tf.variable(w.kernel, trainable)), make(tf.variable(w.bias, trainable))];
    list.push(kernel, bias);
    return { kernel, bias };
  };
  const trunk = trunkCopies(shape, owned)?.map((m) => ({
    fire: m.fire,
    squeeze: variables(m.squeeze, layers.trainTrunk, trunkVars),
    expand: variables(m.expand, layers.trainTrunk, trunkVars),
  }));
  const inChannels = trunk ? trunk[trunk.length - 1].expand.kernel.shape[1] : shape.featureShape[2];
  const hiddenInit =
    initial?.hidden ??
    (hidden > 0
      ? {
          kernel: make(
            tf.randomNormal([inChannels, hidden], 0, Math.sqrt(2 / inChannels), 'float32', shape.seed) as tf.Tensor2D,
          ),
          bias: make(tf.zeros([hidden]) as tf.Tensor1D),
        } // [K, H], [H]
      : undefined);
  const outInit = initial?.out ?? {
    kernel: make(
      tf.randomNormal([hidden || inChannels, numClasses], 0, 0.01, 'float32', shape.seed + 1) as tf.Tensor2D,
    ),
    bias: make(tf.zeros([numClasses]) as tf.Tensor1D),
  }; // [H|K, C], [C]
  const params: HeadWeights = {
    trunk,
    hidden: hiddenInit && variables(hiddenInit, true, headVars),
    out: variables(outInit, true, headVars),
  };
  const onCached = shape.trunkApplied ? { ...params, trunk: undefined } : params;
  // The variables share the initial tensors' data, so the anchor needs copies.
  const anchor = initial && {
    hidden: initial.hidden && make(tf.clone(initial.hidden.kernel)),
    out: make(tf.clone(initial.out.kernel)),
  };
  const forward = headForwardOn(onCached, shape.featureShape, shape.useMaps);
  return { params, onCached, anchor, headVars, trunkVars, forward };
}

/** The fire module copies to start from: the starting head's (already owned), else the base's modules (new tensors, owned here). */
function trunkCopies(shape: HeadShape, owned: tf.Tensor[]): Trunk | undefined {
  const { fires } = shape.layers;
  if (fires.length === 0) return undefined;
  const baseLayer = (name: string) => shape.base.model.layers.find((l) => l.name === name);
  return fires.map((fire) => {
    const own = shape.initial?.trunk?.find((m) => m.fire === fire);
    if (own) return own;
    const copy = fireFromBase(fire, baseLayer);
    owned.push(copy.squeeze.kernel, copy.squeeze.bias, copy.expand.kernel, copy.expand.bias);
    return copy;
  });
}

/** The forward pass on cached inputs: maps through the fire copies, hidden layer and pooling, or pooled vectors through the classifier. */
function headForwardOn(
  params: HeadWeights,
  [h, w, k]: [number, number, number],
  useMaps: boolean,
): (x: tf.Tensor) => tf.Tensor2D {
  /** The activation before pooling, [b, h, w, H], from cached maps [b, h*w, K]. */
  const activation = (x: tf.Tensor): tf.Tensor4D =>
    tf.tidy(() => camActivation(tf.reshape(x, [x.shape[0], h, w, k]) as tf.Tensor4D, params.hidden, params.trunk));
  return (x) =>
    tf.tidy(() =>
      useMaps
        ? pooledLogits(activation(x), params.out)
        : (tf.add(matMul(x as tf.Tensor2D, params.out.kernel), params.out.bias) as tf.Tensor2D),
    );
}

/**
 * The trained head as a Layers model (caller disposes): the trained weights copied into a fresh
 * head of the same shape, with `fine` as its fine head on a layer of `fineShape`.
 */
export function assembleHead(
  trained: HeadUnderTraining,
  featureShape: [number, number, number],
  numClasses: number,
  fine?: { head: LinearHead; shape: [number, number, number] },
): tf.LayersModel {
  const { params } = trained;
  const hidden = params.hidden?.kernel.shape[1] ?? 0;
  const head = createHead(featureShape, numClasses, {
    hidden,
    trunk: params.trunk?.map((m) => ({
      fire: m.fire,
      squeeze: m.squeeze.kernel.shape[1],
      expand: m.expand.kernel.shape[1],
    })),
    fine: fine?.shape,
  });
  if (fine) setLinearHead(head, fine.head.kernel, fine.head.bias, FINE_LAYER);
  for (const m of params.trunk ?? []) {
    setLinearHead(head, m.squeeze.kernel, m.squeeze.bias, trunkSqueezeLayer(m.fire));
    setLinearHead(head, m.expand.kernel, m.expand.bias, trunkExpandLayer(m.fire));
  }
  if (params.hidden) setLinearHead(head, params.hidden.kernel, params.hidden.bias, HIDDEN_LAYER);
  setLinearHead(head, params.out.kernel, params.out.bias);
  return head;
}
