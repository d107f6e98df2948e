import { auroc } from './oneclass-linalg';

/** Per-class scores of a classification run. */
export interface ClassScores {
  n: number;
  recall: number;
  precision: number;
}

/** Accuracy, per-class recall/precision and the confusion matrix (true label -> predicted -> count). */
export interface ClassificationReport {
  accuracy: number;
  n: number;
  perClass: Record<string, ClassScores>;
  confusion: Record<string, Record<string, number>>;
}

/** Scores predictions against truths; `labels` fixes the order of the matrix. */
export function classificationReport(
  labels: readonly string[],
  truth: readonly string[],
  predicted: readonly string[],
): ClassificationReport {
  if (truth.length !== predicted.length)
    throw new Error(`truth has ${truth.length} items, predictions ${predicted.length}`);
  const confusion: Record<string, Record<string, number>> = {};
  for (const t of labels) confusion[t] = Object.fromEntries(labels.map((p) => [p, 0]));
  let correct = 0;
  truth.forEach((t, i) => {
    const p = predicted[i];
    confusion[t] ??= Object.fromEntries(labels.map((l) => [l, 0]));
    confusion[t][p] = (confusion[t][p] ?? 0) + 1;
    if (t === p) correct++;
  });
  const perClass: Record<string, ClassScores> = {};
  for (const l of labels) {
    const n = truth.filter((t) => t === l).length;
    const tp = confusion[l]?.[l] ?? 0;
    const predictedAsL = Object.values(confusion).reduce((a, row) => a + (row[l] ?? 0), 0);
    perClass[l] = { n, recall: n ? tp / n : 0, precision: predictedAsL ? tp / predictedAsL : 0 };
  }
  return { accuracy: truth.length ? correct / truth.length : 0, n: truth.length, perClass, confusion };
}

/** How well an anomaly score separates normal images from abnormal ones, at a threshold. */
export interface AnomalyReport {
  /** Area under the ROC curve (abnormal ranked above normal); undefined without both kinds. */
  auroc?: number;
  threshold: number;
  nNormal: number;
  nAbnormal: number;
  /** Share of normal images scored above the threshold. */
  falseAlarmRate: number;
  /** Share of abnormal images scored above the threshold. */
  detectionRate: number;
  /** Share of all images on the right side of the threshold. */
  accuracy: number;
}

/**
 * Scores an anomaly detector at `threshold`: above it is "abnormal". For a one-class model trained
 * on normal captures, pass the held-out (cross-validated) scores of those captures as `normal`, so
 * the false-alarm rate is not flattered by images the model was fitted on.
 */
export function anomalyReport(
  normal: readonly number[],
  abnormal: readonly number[],
  threshold: number,
): AnomalyReport {
  const above = (xs: readonly number[]) => xs.filter((s) => s > threshold).length;
  const falseAlarms = above(normal);
  const detected = above(abnormal);
  const n = normal.length + abnormal.length;
  return {
    auroc:
      normal.length > 0 && abnormal.length > 0
        ? auroc([...normal, ...abnormal], [...normal.map(() => false), ...abnormal.map(() => true)])
        : undefined,
    threshold,
    nNormal: normal.length,
    nAbnormal: abnormal.length,
    falseAlarmRate: normal.length ? falseAlarms / normal.length : 0,
    detectionRate: abnormal.length ? detected / abnormal.length : 0,
    accuracy: n ? (normal.length - falseAlarms + detected) / n : 0,
  };
}
