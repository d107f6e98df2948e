import * as tf from '@tensorflow/tfjs';

/** Name of the 1x1 convolution that maps feature channels to class logits. */
export const CLASSIFIER_LAYER = 'crackcam_classifier';
/** Name of the optional hidden 1x1 convolution (+ ReLU) between the base features and the classifier. */
export const HIDDEN_LAYER = 'crackcam_hidden';

/** Options of {@link createHead}. */
export interface HeadOptions {
  /**
   * Channels of a hidden 1x1 convolution with ReLU before the classifier; 0 for a purely linear head.
   * The hidden layer lets each location of the 13x13 map report crack evidence on its own, so a small
   * crack is not averaged away by the pooling, and the map Grad-CAM explains becomes that evidence.
   */
  hidden?: number;
}

/**
 * The new classifier in SqueezeNet's own style (its conv10 + global average pool): an optional
 * hidden 1x1 convolution + ReLU, then a 1x1 convolution to C class logits, then global average
 * pooling. Everything after the last ReLU is linear, so Grad-CAM on that activation (the last
 * convolutional activation before pooling) has a closed form (gradcam.ts).
 * @param featureShape [h, w, K] of the base features
 * @returns model: features [n, h, w, K] -> logits [n, C]
 */
export function createHead(featureShape: [number, number, number], numClasses: number, options: HeadOptions = {}): tf.LayersModel {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`numClasses must be an integer >= 2, got ${numClasses}`);
  const hidden = options.hidden ?? 0;
  if (!Number.isInteger(hidden) || hidden < 0) throw new Error(`hidden must be an integer >= 0, got ${hidden}`);
  const input = tf.input({ shape: featureShape, name: 'features' });
  let x = input;
  if (hidden > 0) {
    x = tf.layers.conv2d({ filters: hidden, kernelSize: 1, activation: 'relu', name: HIDDEN_LAYER }).apply(x) as tf.SymbolicTensor;
  }
  const conv = tf.layers
    .conv2d({ filters: numClasses, kernelSize: 1, name: CLASSIFIER_LAYER, kernelInitializer: 'glorotUniform' })
    .apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.globalAveragePooling2d({ name: 'logits' }).apply(conv) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'crackcam_head' });
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
  const layer = head.getLayer(layerName);
  const [kernel, bias] = layer.getWeights(); // [1, 1, K, C], [C]
  const [, , k, c] = kernel.shape;
  return { kernel: tf.reshape(kernel, [k, c]) as tf.Tensor2D, bias: bias.clone() as tf.Tensor1D };
}

/** Sets the weights of a 1x1 conv layer of a head from matrix form. Does not dispose the arguments. */
export function setLinearHead(head: tf.LayersModel, kernel: tf.Tensor2D, bias: tf.Tensor1D, layerName = CLASSIFIER_LAYER): void {
  const [k, c] = kernel.shape;
  tf.tidy(() => head.getLayer(layerName).setWeights([tf.reshape(kernel, [1, 1, k, c]), bias]));
}

/** The hidden layer's weights in matrix form, or undefined for a linear head (caller disposes). */
export function hiddenLayerOf(head: tf.LayersModel): LinearHead | undefined {
  return head.layers.some((l) => l.name === HIDDEN_LAYER) ? linearHeadOf(head, HIDDEN_LAYER) : undefined;
}

/**
 * The activation Grad-CAM explains: relu(F . W1 + b1) for a head with a hidden layer, else F itself
 * (returned as a new tensor either way). A 1x1 convolution written as a matMul, which every backend
 * can differentiate (WASM has no Conv2DBackpropFilter).
 * @param features [n, h, w, K]
 * @returns [n, h, w, H] (H = K for a linear head)
 */
export function camActivation(features: tf.Tensor4D, hidden: LinearHead | undefined): tf.Tensor4D {
  return tf.tidy(() => {
    if (!hidden) return features.clone();
    const [n, h, w, k] = features.shape;
    const flat = tf.reshape(features, [n * h * w, k]); // [n*h*w, K]
    const act = tf.relu(tf.add(tf.matMul(flat, hidden.kernel), hidden.bias)); // [n*h*w, H]
    return tf.reshape(act, [n, h, w, hidden.kernel.shape[1]]) as tf.Tensor4D;
  });
}
