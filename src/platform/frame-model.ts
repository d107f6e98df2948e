/**
 * Frame models that run on this thread's TF.js: the crack classifier ({@link classifierFrameModel};
 * the one-class model is in oneclass-frame-model.ts) and {@link localLoopModel}, which runs one in
 * the frame loop: all work of a frame in one tf.tidy and one async readback (no GPU stall on
 * WebGL/WebGPU), buffers reused. The page uses them where frames run on the main thread; the
 * inference worker uses them for every frame.
 */
import * as tf from '@tensorflow/tfjs';
import type { CrackClassifier } from '../core/classifier';
import { frameInput, type FrameImage } from './frame-input';
import type { FrameResult, FrameSource, LoopModel } from './frame-loop';

/**
 * A model that runs on this thread's TF.js. Kept small so another kind (e.g. the one-class model) can plug in:
 * build everything the frame needs into one tensor, then unpack the read-back values.
 */
export interface FrameModel {
  /** Mode identifier, e.g. `classifier`. */
  readonly kind: string;
  /** Side of the square the model looks at; the source stages crops at this size. */
  readonly inputSize: number;
  /**
   * Runs on one frame, inside one tf.tidy.
   * @returns [n] float32, everything {@link decode} needs
   */
  infer(frame: FrameImage): tf.Tensor1D;
  /** Unpacks the read-back values of {@link infer}. */
  decode(packed: Float32Array): FrameResult;
}

/** Options of {@link classifierFrameModel}. */
export interface ClassifierFrameOptions {
  /** Class whose Grad-CAM is shown; default `crack` when the model has it, else the predicted class. */
  camClass?: number | string | 'predicted';
  /** Normalise staged CPU pixels in JavaScript on WASM/CPU (default true); false: always the tensor path. */
  stagedPixels?: boolean;
  /**
   * Which map to report: `fine` (default when the model has a fine head: 56x56, see fineMap in
   * head.ts) or `gradcam` (the MATLAB reference's 13x13 Grad-CAM; a few ms less per frame on WASM).
   */
  map?: 'fine' | 'gradcam';
}

/**
 * The crack classifier as a {@link FrameModel}: probabilities and the map of `camClass` packed as
 * [C probabilities, h * w map, novelty score (models with a novelty model), 1 when a routed model's
 * site head answered]. The map is the fine map
 * (56x56) when the model has a fine head, else the Grad-CAM (13x13). Does not own the classifier.
 *
 * Frames are taken as already cropped (the source stages the crop box at `inputSize`); see
 * frameInput (frame-input.ts) for how they become the network's input.
 */
export function classifierFrameModel(classifier: CrackClassifier, options: ClassifierFrameOptions = {}): FrameModel {
  const camClass = options.camClass ?? (classifier.labels.includes('crack') ? 'crack' : 'predicted');
  const labels = classifier.labels;
  const c = labels.length;
  const fine = options.map !== 'gradcam' && classifier.metadata.base.fineShape !== undefined;
  const [mapHeight, mapWidth] = fine
    ? (classifier.metadata.base.fineShape as [number, number, number])
    : classifier.metadata.base.featureShape;
  const map = new Float32Array(mapHeight * mapWidth);
  const scores = labels.map((label) => ({ label, probability: 0 }));
  const threshold = classifier.metadata.novelty?.threshold;
  const result: FrameResult = {
    label: labels[0],
    probability: 0,
    scores,
    map,
    mapWidth,
    mapHeight,
    ...(threshold === undefined ? {} : { unfamiliar: false }),
    ...(classifier.metadata.routing ? { siteHead: false } : {}),
  };
  const size = classifier.inputSize;
  const toInput = frameInput(
    size,
    classifier.metadata.preprocessing,
    (frame) => classifier.prepare(frame, 1),
    options.stagedPixels !== false,
  );
  return {
    kind: 'classifier',
    inputSize: size,
    infer(frame) {
      const input = toInput(frame); // [1, 227, 227, 3]
      const r = classifier.classifyBatch(input, { camClass, fineMap: fine });
      const parts = [tf.reshape(r.probabilities, [-1]), tf.reshape(r.fineCam ?? r.cam, [-1])];
      if (r.novelty) parts.push(r.novelty);
      if (r.ownHead) parts.push(tf.cast(r.ownHead, 'float32'));
      return tf.concat(parts) as tf.Tensor1D; // [C + h*w (+ 1 novelty) (+ 1 head)]
    },
    decode(packed) {
      let best = 0;
      for (let i = 0; i < c; i++) {
        scores[i].probability = packed[i];
        if (packed[i] > packed[best]) best = i;
      }
      result.label = labels[best];
      result.probability = packed[best];
      map.set(packed.subarray(c, c + map.length));
      if (threshold !== undefined) result.unfamiliar = packed[c + map.length] > threshold;
      if (result.siteHead !== undefined) result.siteHead = packed[c + map.length + 1] === 1;
      return result;
    },
  };
}

/**
 * Runs `model` in the frame loop on this thread: staged pixels -> one tidy -> one async readback ->
 * decoded. Does not own the model.
 */
export function localLoopModel(model: FrameModel): LoopModel {
  return {
    kind: model.kind,
    inputSize: model.inputSize,
    async run(source: FrameSource): Promise<FrameResult> {
      let packed: tf.Tensor1D | undefined;
      try {
        const frame = source.stagePixels ? await source.stagePixels() : source.pixels();
        packed = tf.tidy(() => model.infer(frame));
        // Async readback: on WebGL/WebGPU this waits for the GPU without blocking the main thread.
        const data = (await packed.data()) as Float32Array;
        return model.decode(data);
      } finally {
        packed?.dispose();
      }
    },
  };
}
