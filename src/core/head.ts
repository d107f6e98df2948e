import * as tf from '@tensorflow/tfjs';
import { closedFormCamWeights, rescaleCam, weightedFeatureSum, type CamScore } from './gradcam';
import { matMul } from './matmul-grad';

/** Name of the 1x1 convolution that maps feature channels to class logits. */
export const CLASSIFIER_LAYER = 'crackcam_classifier';
/** Name of the optional hidden 1x1 convolution (+ ReLU) between the base features and the classifier. */
export const HIDDEN_LAYER = 'crackcam_hidden';

/**
 * Name of the optional fine head: a 1x1 convolution to C classes on an early base layer (fire3,
 * 56x56), pooled like the classifier. It does not vote; its Grad-CAM is the fine evidence of the
 * fine map ({@link fineMap}).
 */
export const FINE_LAYER = 'crackcam_fine';
/** Default base layer of the fine head: fire3's output, [56, 56, 128] at 227 px (cells 4 px apart). */
export const DEFAULT_FINE_LAYER = 'fire3/concat';

/** Name of a head's copy of a base fire module's squeeze 1x1 conv (deep mode fine-tunes it), e.g. `crackcam_fire9_squeeze1x1`. */
export const trunkSqueezeLayer = (fire: string): string => `crackcam_${fire}_squeeze1x1`;
/** Name of a head's copy of a fire module's expand convs, as one 3x3 conv (see {@link fireFromBase}). */
export const trunkExpandLayer = (fire: string): string => `crackcam_${fire}_expand3x3`;
/** Fire modules deep mode can fine-tune, in network order: the last ones, all at 13x13 (fire6 starts after the pool). */
export const TRUNK_FIRES = ['fire7', 'fire8', 'fire9'] as const;
/** How many of the last fire modules deep mode can fine-tune: 1, 2 or 3. */
export const DEEP_MODULE_COUNTS: readonly number[] = TRUNK_FIRES.map((_, i) => i + 1);
/** Fire modules deep mode fine-tunes by default: fire8 and fire9 (the brick study in docs/trainer.md). */
export const DEFAULT_DEEP_MODULES = 2;

/** The base layer feeding a fire module: the previous module's output (fire8 -> `fire7/concat`). */
export function trunkInputLayer(fire: string): string {
  const n = Number(/^fire(\d+)$/.exec(fire)?.[1]);
  if (!(n >= 3)) throw new Error(`'${fire}' is not a fire module after fire2`);
  return `fire${n - 1}/concat`;
}

/** The last `modules` fire modules (1: fire9; 2: fire8, fire9; 3: fire7 to fire9). */
export function lastFires(modules: number): string[] {
  if (!DEEP_MODULE_COUNTS.includes(modules)) {
    throw new Error(
      `deep mode fine-tunes the last 1 to ${TRUNK_FIRES.length} fire modules, got ${modules}; valid: ${DEEP_MODULE_COUNTS.join(', ')}`,
    );
  }
  return TRUNK_FIRES.slice(TRUNK_FIRES.length - modules);
}

/** Options of {@link createHead}. */
export interface HeadOptions {
  /**
   * Include fine-tunable copies of the base's last fire modules, in order (each a 1x1 squeeze + ReLU
   * and its expand as one 3x3 conv + ReLU), with these channel counts; the head then takes the
   * output of the module before the first one (fire7's for fire8 and fire9).
   */
  trunk?: { fire: string; squeeze: number; expand: number }[];
  /**
   * Channels of a hidden 1x1 convolution with ReLU before the classifier; 0 for a purely linear head.
   * The hidden layer lets each location of the 13x13 map report crack evidence on its own, so a small
   * crack is not averaged away by the pooling, and the map Grad-CAM explains becomes that evidence.
   */
  hidden?: number;
  /**
   * [h, w, K] of the early base features a fine head reads (e.g. fire3's [56, 56, 128]). The model
   * then takes [features, fine features] and outputs [logits, fine logits].
   */
  fine?: [number, number, number];
}

/**
 * The new classifier in SqueezeNet's own style (its conv10 + global average pool): an optional
 * hidden 1x1 convolution + ReLU, then a 1x1 convolution to C class logits, then global average
 * pooling. Everything after the last ReLU is linear, so Grad-CAM on that activation (the last
 * convolutional activation before pooling) has a closed form (gradcam.ts).
 * @param featureShape [h, w, K] of the base features
 * @returns model: features [n, h, w, K] -> logits [n, C]
 */
export function createHead(
  featureShape: [number, number, number],
  numClasses: number,
  options: HeadOptions = {},
): tf.LayersModel {
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new Error(`numClasses must be an integer >= 2, got ${numClasses}`);
  const hidden = options.hidden ?? 0;
  if (!Number.isInteger(hidden) || hidden < 0) throw new Error(`hidden must be an integer >= 0, got ${hidden}`);
  const input = tf.input({ shape: featureShape, name: 'features' });
  let x = input;
  for (const { fire, squeeze, expand } of options.trunk ?? []) {
    x = tf.layers
      .conv2d({ filters: squeeze, kernelSize: 1, activation: 'relu', name: trunkSqueezeLayer(fire) })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .conv2d({ filters: expand, kernelSize: 3, padding: 'same', activation: 'relu', name: trunkExpandLayer(fire) })
      .apply(x) as tf.SymbolicTensor;
  }
  if (hidden > 0) {
    x = tf.layers
      .conv2d({ filters: hidden, kernelSize: 1, activation: 'relu', name: HIDDEN_LAYER })
      .apply(x) as tf.SymbolicTensor;
  }
  const conv = tf.layers
    .conv2d({ filters: numClasses, kernelSize: 1, name: CLASSIFIER_LAYER, kernelInitializer: 'glorotUniform' })
    .apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.globalAveragePooling2d({ name: 'logits' }).apply(conv) as tf.SymbolicTensor;
  if (!options.fine) return tf.model({ inputs: input, outputs: logits, name: 'crackcam_head' });
  const fineInput = tf.input({ shape: options.fine, name: 'fine_features' });
  const fineConv = tf.layers
    .conv2d({ filters: numClasses, kernelSize: 1, name: FINE_LAYER })
    .apply(fineInput) as tf.SymbolicTensor;
  const fineLogits = tf.layers.globalAveragePooling2d({ name: 'fine_logits' }).apply(fineConv) as tf.SymbolicTensor;
  return tf.model({ inputs: [input, fineInput], outputs: [logits, fineLogits], name: 'crackcam_head' });
}

/**
 * The classifier path of a head as a Layers model, features [n, h, w, K] -> logits [n, C]: the head
 * itself, or for a head with a fine head (two inputs) its first input and output (weights shared).
 */
export function classifierPath(head: tf.LayersModel): tf.LayersModel {
  return head.inputs.length === 1 ? head : tf.model({ inputs: head.inputs[0], outputs: head.outputs[0] });
}

/** The head's classifier weights in matrix form. */
export interface LinearHead {
  /** [K, C] */
  kernel: tf.Tensor2D;
  /** [C] */
  bias: tf.Tensor1D;
}

/**
 * Reads the classifier weights of a head created by {@link createHead} (new tensors, the caller
 * owns them).
 */
export function linearHeadOf(head: tf.LayersModel, layerName = CLASSIFIER_LAYER): LinearHead {
  return convAsMatrix(head.getLayer(layerName));
}

/**
 * A conv layer's weights as a matrix (new tensors): kernel [kh, kw, K, C] -> [kh*kw*K, C], bias [C].
 * Works for the head's layers and for the base's (e.g. fire9 when deep mode starts from the base).
 */
export function convAsMatrix(layer: tf.layers.Layer): LinearHead {
  const [kernel, bias] = layer.getWeights(); // [kh, kw, K, C], [C]
  const [kh, kw, k, c] = kernel.shape;
  return { kernel: tf.reshape(kernel, [kh * kw * k, c]) as tf.Tensor2D, bias: bias.clone() as tf.Tensor1D };
}

/**
 * A head's copy of one fire module in matrix form: squeeze kernel [K, S], expand kernel [9*S, E]
 * (rows in (dy, dx, s) order, the layout of a [3, 3, S, E] conv kernel).
 */
export interface FireCopy {
  fire: string;
  squeeze: LinearHead;
  expand: LinearHead;
}

/** A deep-mode head's copies of the last fire modules, in network order (e.g. fire8, fire9). */
export type Trunk = FireCopy[];

/** The fire modules a head has copies of, in order ([] for a head without a trunk). */
export function trunkFires(head: tf.LayersModel): string[] {
  return head.layers.flatMap((l) => /^crackcam_(fire\d+)_squeeze1x1$/.exec(l.name)?.[1] ?? []);
}

/** Reads a head's trunk (new tensors, the caller owns them), or undefined if it has none. */
export function trunkOf(head: tf.LayersModel): Trunk | undefined {
  const fires = trunkFires(head);
  if (fires.length === 0) return undefined;
  return fires.map((fire) => ({
    fire,
    squeeze: linearHeadOf(head, trunkSqueezeLayer(fire)),
    expand: linearHeadOf(head, trunkExpandLayer(fire)),
  }));
}

/**
 * A base fire module in the trunk's form (new tensors): its squeeze, and its expand convs as one
 * 3x3 conv. SqueezeNet's expand is a 1x1 and a 3x3 conv whose outputs are concatenated (1x1 first);
 * the 1x1 kernel becomes the centre tap of a 3x3 kernel with zeros around it, so the merged conv
 * computes exactly the module's output (the shared base's fire9 has its 3x3 expand only).
 * @param layer the base's layer of that name, or undefined when the base has none
 */
export function fireFromBase(fire: string, layer: (name: string) => tf.layers.Layer | undefined): FireCopy {
  const squeezeLayer = layer(`${fire}/squeeze1x1`);
  const expand3 = layer(`${fire}/expand3x3`);
  if (!squeezeLayer || !expand3) throw new Error(`the base has no ${fire} (squeeze1x1 and expand3x3) to fine-tune`);
  const squeeze = convAsMatrix(squeezeLayer);
  const expand1 = layer(`${fire}/expand1x1`);
  if (!expand1) return { fire, squeeze, expand: convAsMatrix(expand3) };
  const e3 = convAsMatrix(expand3);
  const e1 = convAsMatrix(expand1);
  const expand = tf.tidy(() => {
    const s = e1.kernel.shape[0];
    const centre = tf.pad(e1.kernel, [
      [4 * s, 4 * s],
      [0, 0],
    ]); // [9*S, E1]: the 1x1 kernel at tap (1, 1)
    return {
      kernel: tf.concat([centre, e3.kernel], 1) as tf.Tensor2D,
      bias: tf.concat([e1.bias, e3.bias]) as tf.Tensor1D,
    }; // [9*S, E1+E3], [E1+E3]
  });
  tf.dispose([e1.kernel, e1.bias, e3.kernel, e3.bias]);
  return { fire, squeeze, expand };
}

/** Sets the weights of a 1x1 conv layer of a head from matrix form. Does not dispose the arguments. */
export function setLinearHead(
  head: tf.LayersModel,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  layerName = CLASSIFIER_LAYER,
): void {
  const layer = head.getLayer(layerName);
  const shape = layer.getWeights()[0].shape; // [kh, kw, K, C]
  tf.tidy(() => layer.setWeights([tf.reshape(kernel, shape), bias]));
}

/** Whether a head has a layer of that name (e.g. {@link HIDDEN_LAYER}, {@link FINE_LAYER}). */
export function hasLayer(head: tf.LayersModel, name: string): boolean {
  return head.layers.some((l) => l.name === name);
}

/** The hidden layer's weights in matrix form, or undefined for a linear head (caller disposes). */
export function hiddenLayerOf(head: tf.LayersModel): LinearHead | undefined {
  return hasLayer(head, HIDDEN_LAYER) ? linearHeadOf(head, HIDDEN_LAYER) : undefined;
}

/** relu(x . W + b) over the channels of [n, h, w, K]: a 1x1 conv + ReLU as a matMul. */
function conv1x1Relu(x: tf.Tensor4D, layer: LinearHead): tf.Tensor4D {
  const [n, h, w, k] = x.shape;
  const act = tf.relu(tf.add(matMul(tf.reshape(x, [n * h * w, k]), layer.kernel), layer.bias)); // [n*h*w, C]
  return tf.reshape(act, [n, h, w, layer.kernel.shape[1]]) as tf.Tensor4D;
}

/**
 * The columns of a 3x3 'same' convolution (im2col): the input padded by one pixel and its 9 shifted
 * copies side by side, so that the convolution is one matrix product with a [9*S, E] kernel.
 * @param x [n, h, w, S]
 * @returns [n*h*w, 9S] in (dy, dx, s) order
 */
export function im2col3x3(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, s] = x.shape;
  return tf.tidy(() => {
    const padded = tf.pad(x, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]); // [n, h+2, w+2, S]
    const taps: tf.Tensor4D[] = [];
    for (let dy = 0; dy < 3; dy++)
      for (let dx = 0; dx < 3; dx++) taps.push(tf.slice(padded, [0, dy, dx, 0], [n, h, w, s]));
    return tf.reshape(tf.concat(taps, 3), [n * h * w, 9 * s]) as tf.Tensor2D;
  });
}

/** A 3x3 'same' conv + ReLU as im2col + matMul. */
function conv3x3Relu(x: tf.Tensor4D, layer: LinearHead): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const act = tf.relu(tf.add(matMul(im2col3x3(x), layer.kernel), layer.bias)); // [n*h*w, E]
  return tf.reshape(act, [n, h, w, layer.kernel.shape[1]]) as tf.Tensor4D;
}

/**
 * The activation Grad-CAM explains: the input features, through the trunk (fire module copies) if the head
 * has one, then relu(F . W1 + b1) if it has a hidden layer (a new tensor in every case). The
 * convolutions are written as matMuls, which every backend can differentiate (WASM has no
 * Conv2DBackpropFilter), so the trainer uses the same function.
 * @param features [n, h, w, K] base features (fire9's output, or for a head with a trunk the output of the module before it)
 * @returns [n, h, w, H] (H = the trunk's or the input's channels for a linear head)
 */
export function camActivation(features: tf.Tensor4D, hidden: LinearHead | undefined, trunk?: Trunk): tf.Tensor4D {
  return tf.tidy(() => {
    let x = features;
    for (const m of trunk ?? []) x = conv3x3Relu(conv1x1Relu(x, m.squeeze), m.expand); // [n, h, w, E]
    if (hidden) x = conv1x1Relu(x, hidden); // [n, h, w, H]
    return x === features ? features.clone() : x;
  });
}

/** All of a head's weights in matrix form: the trunk (deep mode), hidden layer and fine head if it has them. */
export interface HeadWeights {
  trunk?: Trunk;
  hidden?: LinearHead;
  out: LinearHead;
  /** [K_fine, C] fine head ({@link FINE_LAYER}). */
  fine?: LinearHead;
}

/** Reads every weight of a head (new tensors; free them with `tf.dispose(headWeightTensors(w))`). */
export function headWeightsOf(head: tf.LayersModel): HeadWeights {
  const fine = hasLayer(head, FINE_LAYER) ? linearHeadOf(head, FINE_LAYER) : undefined;
  return { trunk: trunkOf(head), hidden: hiddenLayerOf(head), out: linearHeadOf(head), fine };
}

/** The tensors of {@link HeadWeights}, e.g. to dispose them. */
export function headWeightTensors(w: HeadWeights): tf.Tensor[] {
  const trunk = (w.trunk ?? []).flatMap((m) => [m.squeeze, m.expand]);
  const layers = [...trunk, w.hidden, w.out, w.fine].filter((l): l is LinearHead => l !== undefined);
  return layers.flatMap((l) => [l.kernel, l.bias]);
}

/**
 * Logits from the activation before pooling: global average pooling, then the classifier.
 * @param activation [n, h, w, H] (see {@link camActivation})
 * @returns [n, C]
 */
export function pooledLogits(activation: tf.Tensor4D, out: LinearHead): tf.Tensor2D {
  return tf.tidy(() => tf.add(matMul(tf.mean(activation, [1, 2]) as tf.Tensor2D, out.kernel), out.bias) as tf.Tensor2D);
}

/**
 * One forward pass of a head on base features: class probabilities and the closed-form Grad-CAM of
 * `camClass` (the predicted class per sample, or a fixed one) on the activation before pooling.
 * With `fineClassMaps` (the early features times the fine head's kernel, see {@link fineMap}) and a
 * head with a fine head, also the fine map of the same class.
 * @param features [n, h, w, K] base features
 * @returns probabilities [n, C], camClass [n] int32, cam [n, h, w] rescaled to [0, 1], fineCam [n, h_f, w_f]
 */
export function headForward(
  features: tf.Tensor4D,
  weights: HeadWeights,
  camClass: number | 'predicted',
  score: CamScore,
  relu = true,
  fineClassMaps?: tf.Tensor4D,
): { probabilities: tf.Tensor2D; camClass: tf.Tensor1D; cam: tf.Tensor3D; fineCam?: tf.Tensor3D } {
  return tf.tidy(() => {
    const activation = camActivation(features, weights.hidden, weights.trunk); // [n, h, w, H] last activation before pooling
    const probabilities = tf.softmax(pooledLogits(activation, weights.out)) as tf.Tensor2D; // [n, C]
    const cls = (
      camClass === 'predicted' ? tf.argMax(probabilities, 1) : tf.fill([features.shape[0]], camClass, 'int32')
    ) as tf.Tensor1D; // [n]
    const channelWeights = closedFormCamWeights(weights.out.kernel, probabilities, cls, score); // [n, H]
    const cam = rescaleCam(weightedFeatureSum(activation, channelWeights), relu); // [n, h, w]
    if (!fineClassMaps || !weights.fine) return { probabilities, camClass: cls, cam };
    return { probabilities, camClass: cls, cam, fineCam: fineMap(fineClassMaps, weights.fine.bias, cls, cam) };
  });
}

/**
 * Global average pooling of [n, h, w, K] maps to [n, K] as a matMul with a 1/(h*w) row: on WASM,
 * tf.mean over fire3's 56x56x128 costs ~0.9 ms, this ~0.2 ms.
 */
export function spatialMean(maps: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, h, w, k] = maps.shape;
    const row = tf.fill([n, 1, h * w], 1 / (h * w)) as tf.Tensor3D; // [n, 1, h*w]
    return tf.reshape(tf.matMul(row, tf.reshape(maps, [n, h * w, k]) as tf.Tensor3D), [n, k]) as tf.Tensor2D; // [n, K]
  });
}

/**
 * The fine map: the fine head's Grad-CAM of `camClass` on the early layer (its softmax score, as
 * in the MATLAB reference), rectified and rescaled, times the classifier's Grad-CAM `cam` upsampled to the fine
 * grid, rescaled to [0, 1]. The idea of Guided Grad-CAM (Selvaraju et al. 2017): fine-grained
 * evidence (there, guided backpropagation; here, the 4 px cells of fire3) masked by the
 * class-discriminative coarse map. The fine evidence finds thin dark lines (cracks, but also
 * joints and scratches); the coarse map keeps the ones the classifier calls a crack.
 *
 * Computed from the per-class maps M_j = F . W_fine[:, j] (the fine head's 1x1 convolution without
 * its bias, run inside the base's forward pass so the 128-channel early map is never kept): the
 * fine logits are mean(M_j) + b_j, and the closed-form Grad-CAM of p_c (as in
 * {@link closedFormCamWeights}) is sum_k w_k F_k = p_c sum_{j != c} p_j (M_c - M_j).
 * @param fineClassMaps [n, h, w, C] batch, y, x, class (fire3: [n, 56, 56, 2])
 * @param fineBias [C] the fine head's bias, or [n, C] one per sample
 * @param camClass [n] int32 class per sample
 * @param cam [n, h', w'] the classifier's Grad-CAM in [0, 1] (13x13)
 * @returns [n, h, w] in [0, 1]
 */
export function fineMap(
  fineClassMaps: tf.Tensor4D,
  fineBias: tf.Tensor1D | tf.Tensor2D,
  camClass: tf.Tensor1D,
  cam: tf.Tensor3D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [, h, w, c] = fineClassMaps.shape;
    const probs = tf.softmax(tf.add(spatialMean(fineClassMaps), fineBias)) as tf.Tensor2D; // [n, C] the fine head's own scores
    // The class maps are the "features" here and their kernel is the identity, so the closed form
    // gives the coefficients of each class map: p_c * sum_{j != c} p_j at c, -p_c * p_j elsewhere.
    const coef = closedFormCamWeights(tf.eye(c) as tf.Tensor2D, probs, camClass, 'softmax'); // [n, C]
    const evidence = rescaleCam(weightedFeatureSum(fineClassMaps, coef), true); // [n, h, w]
    const gate = tf.squeeze(
      tf.image.resizeBilinear(tf.expandDims(cam, -1) as tf.Tensor4D, [h, w], false, true),
      [3],
    ) as tf.Tensor3D; // [n, h, w]
    return rescaleCam(tf.mul(evidence, gate) as tf.Tensor3D, false);
  });
}

/** The number of classes a head outputs. */
export function headClassCount(head: tf.LayersModel): number {
  return head.outputs[0].shape[1] as number; // logits [n, C]
}

/**
 * How far below the mean of the old logits a grown class starts ({@link growHead}): its probability
 * starts under e^-4 (1.8 %) of the top class's, so no prediction changes until it trains.
 */
export const GROWN_CLASS_MARGIN = 4;

/** A classifier layer with `extra` more outputs, each the mean of the old columns with its bias `margin` lower. */
function grownLinear(layer: LinearHead, extra: number, margin: number): LinearHead {
  return tf.tidy(() => {
    const column = tf.mean(layer.kernel, 1, true); // [K, 1]
    const bias = tf.sub(tf.mean(layer.bias), margin).reshape([1]); // [1]
    return {
      kernel: tf.concat([layer.kernel, tf.tile(column, [1, extra])], 1) as tf.Tensor2D, // [K, C + extra]
      bias: tf.concat([layer.bias, tf.tile(bias, [extra])]) as tf.Tensor1D, // [C + extra]
    };
  });
}

/**
 * A copy of `head` with `extra` new classes after its own (a new model; `head` is not disposed):
 * every layer keeps its weights, and each new output of the classifier (and of the fine head) is the
 * mean of the old outputs lowered by {@link GROWN_CLASS_MARGIN}. Its logit is then the old logits'
 * mean minus the margin, below their maximum for every input, so every prediction stays what it was
 * and the new class trains from there (its gradient is not zero).
 */
export function growHead(head: tf.LayersModel, extra: number): tf.LayersModel {
  if (!Number.isInteger(extra) || extra < 1) throw new Error(`extra classes must be an integer >= 1, got ${extra}`);
  const weights = headWeightsOf(head);
  try {
    const featureShape = head.inputs[0].shape.slice(1) as [number, number, number];
    const fineShape = head.inputs[1]?.shape.slice(1) as [number, number, number] | undefined;
    const grown = createHead(featureShape, weights.out.kernel.shape[1] + extra, {
      trunk: weights.trunk?.map((m) => ({
        fire: m.fire,
        squeeze: m.squeeze.kernel.shape[1],
        expand: m.expand.kernel.shape[1],
      })),
      hidden: weights.hidden?.kernel.shape[1] ?? 0,
      fine: fineShape,
    });
    for (const m of weights.trunk ?? []) {
      setLinearHead(grown, m.squeeze.kernel, m.squeeze.bias, trunkSqueezeLayer(m.fire));
      setLinearHead(grown, m.expand.kernel, m.expand.bias, trunkExpandLayer(m.fire));
    }
    if (weights.hidden) setLinearHead(grown, weights.hidden.kernel, weights.hidden.bias, HIDDEN_LAYER);
    const out = grownLinear(weights.out, extra, GROWN_CLASS_MARGIN);
    setLinearHead(grown, out.kernel, out.bias);
    const fine = weights.fine ? grownLinear(weights.fine, extra, GROWN_CLASS_MARGIN) : undefined;
    if (fine) setLinearHead(grown, fine.kernel, fine.bias, FINE_LAYER);
    tf.dispose([out.kernel, out.bias, ...(fine ? [fine.kernel, fine.bias] : [])]);
    return grown;
  } finally {
    tf.dispose(headWeightTensors(weights));
  }
}
