import * as tf from '@tensorflow/tfjs';

/** Name of the 1x1 convolution that maps feature channels to class logits. */
export const CLASSIFIER_LAYER = 'crackcam_classifier';

/**
 * The new classifier in SqueezeNet's own style (its conv10 + global average pool): a 1x1
 * convolution from the K feature channels to C class logits, then global average pooling.
 * Because the head is linear after the feature map, Grad-CAM has a closed form (see gradcam.ts)
 * and equals CAM (Zhou et al. 2016) up to the softmax factor.
 * @param featureShape [h, w, K]
 * @returns model: features [n, h, w, K] -> logits [n, C]
 */
export function createHead(featureShape: [number, number, number], numClasses: number): tf.LayersModel {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`numClasses must be an integer >= 2, got ${numClasses}`);
  const input = tf.input({ shape: featureShape, name: 'features' });
  const conv = tf.layers
    .conv2d({ filters: numClasses, kernelSize: 1, name: CLASSIFIER_LAYER, kernelInitializer: 'glorotUniform' })
    .apply(input) as tf.SymbolicTensor;
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
export function linearHeadOf(head: tf.LayersModel): LinearHead {
  const layer = head.getLayer(CLASSIFIER_LAYER);
  const [kernel, bias] = layer.getWeights(); // [1, 1, K, C], [C]
  const [, , k, c] = kernel.shape;
  return { kernel: tf.reshape(kernel, [k, c]) as tf.Tensor2D, bias: bias.clone() as tf.Tensor1D };
}

/** Sets the classifier weights of a head from matrix form. Does not dispose the arguments. */
export function setLinearHead(head: tf.LayersModel, kernel: tf.Tensor2D, bias: tf.Tensor1D): void {
  const [k, c] = kernel.shape;
  tf.tidy(() => head.getLayer(CLASSIFIER_LAYER).setWeights([tf.reshape(kernel, [1, 1, k, c]), bias]));
}
