/**
 * The benchmark's reference pipeline: a frame path written the way public TF.js Grad-CAM examples
 * write it (tfjs-examples' `visualize-convnet` gradClassActivationMap), with the same model and the
 * same camera frames as the app, so the app's loop can be compared against it:
 *
 * 1. `tf.browser.fromPixels` of the whole video frame, centre square sliced, `resizeBilinear` to 227;
 * 2. `predict` through base + Layers head, softmax, `dataSync` to pick the class;
 * 3. a second pass for the map: the base again on the same input, then `tf.grad` of the class score
 *    through the head w.r.t. the feature map (channel weights = summed gradients), ReLU, divide by
 *    the max, `resizeBilinear` of the map to 227x227;
 * 4. `dataSync` of the map and jet colouring on the CPU, `putImageData` + scaled `drawImage`.
 *
 * The gradient pass differentiates the head written as ops every backend can differentiate (1x1
 * convolutions as matMul, {@link camActivation}); WASM has no Conv2DBackpropFilter, which tf.grad
 * through a Layers conv needs. On WebGL/WebGPU the Layers head itself is differentiated when it works.
 */
import * as tf from '@tensorflow/tfjs';
import type { CrackClassifier } from '../core/classifier';
import { JET_LUT } from '../core/colormap';
import { autodiffGradCam } from '../core/gradcam';
import {
  camActivation,
  classifierPath,
  headWeightsOf,
  headWeightTensors,
  pooledLogits,
  type HeadWeights,
} from '../core/head';
import { normalise } from '../core/preprocess';

/** Which head the reference differentiates. */
export type ReferenceHeadForm = 'layers' | 'matmul';

/** One reference frame's outcome. */
export interface ReferenceResult {
  classIndex: number;
  probability: number;
}

/** The reference pipeline over one classifier (owns copies of the head weights; call dispose). */
export class ReferencePipeline {
  private readonly weights: HeadWeights;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly small: HTMLCanvasElement;
  private readonly smallCtx: CanvasRenderingContext2D;
  private readonly image: ImageData;
  /** Head form used by the gradient pass. */
  headForm: ReferenceHeadForm;
  /** The classifier's head as a Layers model (without a fine head). */
  private readonly layersHead: tf.LayersModel;

  constructor(
    private readonly classifier: CrackClassifier,
    readonly overlay: HTMLCanvasElement,
    headForm: ReferenceHeadForm,
  ) {
    this.headForm = headForm;
    this.weights = headWeightsOf(classifier.head);
    this.layersHead = classifierPath(classifier.head);
    const size = classifier.inputSize;
    this.small = document.createElement('canvas');
    this.small.width = size;
    this.small.height = size;
    const ctx = overlay.getContext('2d');
    const smallCtx = this.small.getContext('2d');
    if (!ctx || !smallCtx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
    this.smallCtx = smallCtx;
    this.image = smallCtx.createImageData(size, size);
  }

  /** features [1, h, w, K] -> logits [1, C] */
  private headLogits(f: tf.Tensor4D): tf.Tensor2D {
    if (this.headForm === 'layers') return this.layersHead.apply(f) as tf.Tensor2D;
    return pooledLogits(camActivation(f, this.weights.hidden, this.weights.trunk), this.weights.out); // via [1, h, w, H]
  }

  /** Runs the whole reference path on the current frame of `video`. */
  run(video: HTMLVideoElement): ReferenceResult {
    const size = this.classifier.inputSize;
    const base = this.classifier.features;
    // [1, 13, 13, 256] the classifier's features (not the fine head's), the base run again for the map, as the examples do
    const features = (input: tf.Tensor4D): tf.Tensor4D => {
      const out = base.predict(input) as tf.Tensor4D | tf.Tensor4D[];
      return Array.isArray(out) ? out[0] : out;
    };
    const x = tf.tidy(() => {
      const frame = tf.browser.fromPixels(video); // [H, W, 3] int32, the whole frame
      const [h, w] = frame.shape;
      const side = Math.min(h, w);
      const square = tf.slice(frame, [Math.floor((h - side) / 2), Math.floor((w - side) / 2), 0], [side, side, 3]);
      const resized = tf.image.resizeBilinear(tf.expandDims(tf.cast(square, 'float32'), 0) as tf.Tensor4D, [
        size,
        size,
      ]); // [1, 227, 227, 3]
      return normalise(resized, this.classifier.metadata.preprocessing);
    });
    try {
      const probs = tf.tidy(() => tf.softmax(this.layersHead.predict(features(x)) as tf.Tensor2D)); // [1, C]
      const p = probs.dataSync();
      probs.dispose();
      let classIndex = 0;
      for (let i = 1; i < p.length; i++) if (p[i] > p[classIndex]) classIndex = i;
      const map = tf.tidy(() => {
        const raw = tf.relu(autodiffGradCam(features(x), (f) => this.headLogits(f), classIndex, 'softmax')); // [1, 13, 13]
        const scaled = tf.div(raw, tf.add(tf.max(raw), 1e-30));
        return tf.image.resizeBilinear(tf.expandDims(scaled, -1) as tf.Tensor4D, [size, size]); // [1, 227, 227, 1]
      });
      const values = map.dataSync();
      map.dispose();
      const out = this.image.data;
      const last = JET_LUT.length / 3 - 1;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        const j = Math.round((v > 0 ? (v < 1 ? v : 1) : 0) * last) * 3;
        out[i * 4] = JET_LUT[j];
        out[i * 4 + 1] = JET_LUT[j + 1];
        out[i * 4 + 2] = JET_LUT[j + 2];
        out[i * 4 + 3] = 255;
      }
      this.smallCtx.putImageData(this.image, 0, 0);
      this.ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
      this.ctx.globalAlpha = 0.5;
      this.ctx.drawImage(this.small, 0, 0, this.overlay.width, this.overlay.height);
      this.ctx.globalAlpha = 1;
      return { classIndex, probability: p[classIndex] };
    } finally {
      x.dispose();
    }
  }

  dispose(): void {
    tf.dispose(headWeightTensors(this.weights));
  }
}
