/**
 * A normal-only ("one-class") training run on the device: the core {@link trainOneClass} on the
 * captures of one label (photos of sound surface), then an evaluation on the captures of every other
 * label (e.g. `crack`) against the held-out scores of the normal captures. The result is a usable
 * model plus the metadata and summary that `npm run oneclass` writes, so saving it gives the same
 * files as the CLI.
 */
import * as tf from '@tensorflow/tfjs';
import type { BaseNetwork } from '../core/base';
import type { ModelMetadata } from '../core/metadata';
import { anomalyReport, type AnomalyReport } from '../core/metrics';
import {
  createOneClassModel,
  ONECLASS_DEFAULTS,
  oneClassMetadata,
  trainOneClass,
  type OneClassModel,
  type OneClassProgress,
  type OneClassSample,
} from '../core/oneclass';
import type { PreprocessingMode } from '../core/preprocess';
import { scoreSamples } from './capture-samples';

/** Captures of sound surface a normal-only training needs at the least (fewer give an unstable threshold). */
export const MIN_NORMAL_CAPTURES = 10;

/** A capture of another label, scored after training to evaluate the model. */
export interface LabelledOneClassSample extends OneClassSample {
  label: string;
}

/** Progress of {@link trainNormalOnly}: the core trainer's phases, then scoring the other captures. */
export type NormalOnlyProgress = OneClassProgress | { phase: 'scoring'; done: number; total: number };

/** Options of {@link trainNormalOnly}. */
export interface NormalOnlyConfig {
  /** The app's shared base (not disposed). */
  base: BaseNetwork;
  preprocessing: PreprocessingMode;
  /** Captures of sound surface. */
  normal: readonly OneClassSample[];
  /** Their label (recorded in the metadata, as the CLI's `--train-label`). */
  normalLabel: string;
  /** Captures of other labels, for the evaluation; may be empty. */
  others?: readonly LabelledOneClassSample[];
  /** Share of normal captures allowed above the threshold; default 0.05. */
  falseAlarmRate?: number;
  /** Model name and version in the library. */
  name: string;
  version?: number;
  seed?: number;
  /** Images per base forward pass; small keeps each blocking step short in a page. */
  featureBatch?: number;
  signal?: AbortSignal;
  onProgress?: (p: NormalOnlyProgress) => void;
}

/** Evaluation of a normal-only model on the captures: held-out normal scores vs the other labels. */
export interface NormalOnlyEvaluation extends AnomalyReport {
  /** Per other label: captures and how many score above the threshold. */
  perLabel: Record<string, { n: number; flagged: number }>;
}

/** What {@link trainNormalOnly} produced. */
export interface NormalOnlyOutcome {
  /** The trained model on the shared base; the caller disposes it (the base is not disposed). */
  model: OneClassModel;
  /** Metadata to save the model with (its training summary includes the evaluation). */
  metadata: ModelMetadata;
  /** Cross-validated scores of the normal captures, in input order. */
  heldOutScores: number[];
  /** Scores of the other captures, in input order. */
  otherScores: number[];
  evaluation: NormalOnlyEvaluation;
  seconds: number;
}

/**
 * Trains a one-class model of normal surface on `normal` with the core trainer (threshold at the
 * false-alarm rate from cross-validated scores), wraps it as a model on the shared base, and scores
 * `others` with it. Throws on abort (nothing is left allocated); never touches a model store, so an
 * interrupted run cannot change the active model.
 */
export async function trainNormalOnly(config: NormalOnlyConfig): Promise<NormalOnlyOutcome> {
  const started = performance.now();
  const seed = config.seed ?? ONECLASS_DEFAULTS.seed;
  const falseAlarmRate = config.falseAlarmRate ?? ONECLASS_DEFAULTS.falseAlarmRate;
  const result = await trainOneClass({
    base: config.base,
    preprocessing: config.preprocessing,
    train: config.normal,
    falseAlarmRate,
    seed,
    featureBatch: config.featureBatch ?? ONECLASS_DEFAULTS.featureBatch,
    signal: config.signal,
    onProgress: config.onProgress,
  });
  const training: Record<string, unknown> = {
    tool: 'crackcam app',
    n: config.normal.length,
    data: 'captures',
    label: config.normalLabel,
    seed,
    views: ONECLASS_DEFAULTS.views,
    folds: ONECLASS_DEFAULTS.folds,
    heldOutScores: { min: Math.min(...result.heldOutScores), max: Math.max(...result.heldOutScores) },
    featureSeconds: result.featureSeconds,
    fitSeconds: result.fitSeconds,
    backend: tf.getBackend(),
  };
  const metadata = oneClassMetadata(result, config.base, {
    name: config.name,
    version: config.version,
    preprocessing: config.preprocessing,
    training,
  });
  let model: OneClassModel;
  try {
    model = createOneClassModel({ base: config.base, scorer: result.scorer, metadata });
  } catch (e) {
    result.scorer.dispose();
    throw e;
  }
  try {
    const others = config.others ?? [];
    const otherScores = await scoreSamples(model, others, 8, config.signal, (done, total) =>
      config.onProgress?.({ phase: 'scoring', done, total }),
    );
    // A cancel after the last step still counts: the caller asked for no result.
    config.signal?.throwIfAborted();
    const threshold = model.threshold;
    const perLabel: NormalOnlyEvaluation['perLabel'] = {};
    others.forEach((o, i) => {
      const row = (perLabel[o.label] ??= { n: 0, flagged: 0 });
      row.n++;
      if (otherScores[i] > threshold) row.flagged++;
    });
    const evaluation: NormalOnlyEvaluation = {
      ...anomalyReport(result.heldOutScores, otherScores, threshold),
      perLabel,
    };
    const seconds = (performance.now() - started) / 1000;
    return {
      model,
      metadata: { ...metadata, training: { ...training, seconds, evaluation } },
      heldOutScores: result.heldOutScores,
      otherScores,
      evaluation,
      seconds,
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
