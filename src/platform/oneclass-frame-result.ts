/**
 * What the one-class frame model (oneclass-frame-model.ts) reports about a frame, without TF.js: the
 * live view reads it from the inference worker's results too.
 */
import type { FrameResult } from './frame-loop';

/** Mode identifier (the frame model's `kind`) of the one-class frame model. */
export const ONECLASS_FRAME_KIND = 'oneclass';

/** What the one-class model reports about one frame: a {@link FrameResult} plus the raw score. */
export interface OneClassFrameResult extends FrameResult {
  /** Anomaly score of the frame (mean of the top-k squared Mahalanobis distances). */
  score: number;
  /** Score above which the frame is `anomaly` (set on the normal captures). */
  threshold: number;
  /** score / threshold: above 1 is `anomaly`. */
  ratio: number;
}

/** True when a frame result came from the one-class frame model. */
export function isOneClassFrameResult(result: FrameResult): result is OneClassFrameResult {
  return typeof (result as Partial<OneClassFrameResult>).ratio === 'number';
}
