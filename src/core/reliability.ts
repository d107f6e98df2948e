/**
 * How far a classifier's verdicts can be trusted: calibration (ECE) and what the novelty check holds
 * back. `accuracy` elsewhere keeps its meaning (every photo's verdict, flagged or not); these figures
 * add what an inspector sees when unfamiliar photos are flagged instead of classified.
 */
import { expectedCalibrationError } from './calibration';

/** Probability at or above which a wrong verdict counts as confidently wrong. */
export const CONFIDENT = 0.9;

/** One photo's outcome. */
export interface VerdictOutcome {
  truth: string;
  predicted: string;
  /** Probability of the predicted label. */
  probability: number;
  /** Whether the novelty check flagged the photo as unfamiliar (false when the model has none). */
  unfamiliar: boolean;
}

/** Reliability of a set of verdicts. */
export interface ReliabilityScores {
  n: number;
  /** Share of photos flagged unfamiliar. */
  abstained: number;
  /** Accuracy on the photos not flagged (undefined when all were flagged). */
  accuracyAccepted?: number;
  /** Share of ALL photos that are not flagged, wrong, and shown at probability >= {@link CONFIDENT}. */
  confidentlyWrong: number;
}

/** Reliability of a run, with the same figures per true class, and the run's ECE (15 bins). */
export interface ReliabilityReport extends ReliabilityScores {
  ece: number;
  perClass: Record<string, ReliabilityScores>;
}

function scores(outcomes: readonly VerdictOutcome[]): ReliabilityScores {
  const accepted = outcomes.filter((o) => !o.unfamiliar);
  const right = accepted.filter((o) => o.predicted === o.truth).length;
  const confidentlyWrong = accepted.filter((o) => o.predicted !== o.truth && o.probability >= CONFIDENT).length;
  const n = outcomes.length;
  return {
    n,
    abstained: n ? (n - accepted.length) / n : 0,
    accuracyAccepted: accepted.length ? right / accepted.length : undefined,
    confidentlyWrong: n ? confidentlyWrong / n : 0,
  };
}

/** Scores `outcomes` as a whole and per true label (`labels` fixes the order; every label gets an entry). */
export function reliabilityReport(labels: readonly string[], outcomes: readonly VerdictOutcome[]): ReliabilityReport {
  const perClass: Record<string, ReliabilityScores> = {};
  for (const l of labels) perClass[l] = scores(outcomes.filter((o) => o.truth === l));
  const ece = expectedCalibrationError(
    outcomes.map((o) => o.probability),
    outcomes.map((o) => o.predicted === o.truth),
  );
  return { ...scores(outcomes), ece, perClass };
}
