/**
 * The one-class ("normal-only") model as a {@link FrameModel}, so the live view's frame loop runs it
 * exactly like the crack classifier: one tf.tidy, one packed tensor, one async readback per frame,
 * and the 13x13 anomaly heatmap painted by the same jet painter as Grad-CAM.
 */
import * as tf from '@tensorflow/tfjs';
import { ONECLASS_LABELS, type OneClassModel } from '../core/oneclass';
import { frameInput } from './frame-input';
import type { FrameModel } from './frame-model';
import { ONECLASS_FRAME_KIND, type OneClassFrameResult } from './oneclass-frame-result';

export { isOneClassFrameResult, ONECLASS_FRAME_KIND, type OneClassFrameResult } from './oneclass-frame-result';

/** Options of {@link oneClassFrameModel}. */
export interface OneClassFrameOptions {
  /** Normalise staged CPU pixels in JavaScript on WASM/CPU (default true); false: always the tensor path. */
  stagedPixels?: boolean;
  /** Overrides the model's threshold (e.g. a stricter site setting). */
  threshold?: number;
}

/**
 * A one-class model as a {@link FrameModel}: packed as [score, h * w anomaly heatmap]. The verdict
 * is `anomaly` when score > threshold, else `normal`. Does not own the model.
 *
 * A one-class model has no class probabilities. So that everything reading
 * {@link FrameResult.probability} (verdict, captures) gets a number with the usual meaning of
 * "0.5 is the decision boundary", the `anomaly` entry of `scores` is ratio / (1 + ratio), a
 * monotone squash of score / threshold; it is not a calibrated probability. The live view shows
 * the ratio itself.
 */
export function oneClassFrameModel(model: OneClassModel, options: OneClassFrameOptions = {}): FrameModel {
  const threshold = options.threshold ?? model.threshold;
  if (!(threshold > 0 && Number.isFinite(threshold)))
    throw new Error(`threshold must be a positive number, got ${threshold}`);
  const [mapHeight, mapWidth] = model.grid;
  const map = new Float32Array(mapHeight * mapWidth);
  const [normalLabel, anomalyLabel] = ONECLASS_LABELS;
  const scores = [
    { label: normalLabel, probability: 0 },
    { label: anomalyLabel, probability: 0 },
  ];
  const result: OneClassFrameResult = {
    label: normalLabel,
    probability: 0,
    scores,
    map,
    mapWidth,
    mapHeight,
    score: 0,
    threshold,
    ratio: 0,
  };
  const size = model.inputSize;
  const toInput = frameInput(
    size,
    model.metadata.preprocessing,
    (frame) => model.prepare(frame, 1),
    options.stagedPixels !== false,
  );
  return {
    kind: ONECLASS_FRAME_KIND,
    inputSize: size,
    infer(frame) {
      const input = toInput(frame); // [1, 227, 227, 3]
      const r = model.scoreBatch(input);
      return tf.concat([r.score, tf.reshape(r.heatmap, [-1])]) as tf.Tensor1D; // [1 + h*w]
    },
    decode(packed) {
      const score = packed[0];
      const ratio = score / threshold;
      const anomalous = score > threshold;
      const pAnomaly = ratio / (1 + ratio);
      scores[0].probability = 1 - pAnomaly;
      scores[1].probability = pAnomaly;
      result.label = anomalous ? anomalyLabel : normalLabel;
      result.probability = anomalous ? pAnomaly : 1 - pAnomaly;
      result.score = score;
      result.ratio = ratio;
      map.set(packed.subarray(1, 1 + map.length));
      return result;
    },
  };
}
