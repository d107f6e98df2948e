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
export function classificationReport(labels: readonly string[], truth: readonly string[], predicted: readonly string[]): ClassificationReport {
  if (truth.length !== predicted.length) throw new Error(`truth has ${truth.length} items, predictions ${predicted.length}`);
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
