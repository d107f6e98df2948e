/**
 * What the result screen of a fine-tuning run shows besides the training report: the old and the new
 * model compared on the site's held-out captures and the rehearsal pack's old surfaces
 * (`model-comparison.ts`), and the captures the new model is least sure of, to check or relabel next.
 */
import type { CrackClassifier } from '../core/classifier';
import { leastSure } from '../core/uncertainty';
import type { CaptureRecord } from './capture-store';
import type { ClassifierTrainingOutcome } from './classifier-training';
import {
  compareModels,
  comparisonSets,
  loadTrainedClassifier,
  scoreSureness,
  type LabelledSample,
  type ModelComparison,
  type PhotoReading,
  type ScoredPhoto,
} from './model-comparison';
import { loadRehearsalPack, type RehearsalPack } from './rehearsal-pack';
import type * as tf from '@tensorflow/tfjs';

/** Uncertain captures the review lists at most. */
export const UNCERTAIN_LIST_LIMIT = 12;

/** What {@link reviewTrainedModel} found. */
export interface AdaptationReview {
  comparison: ModelComparison;
  /** Why the old surfaces could not be checked (the pack failed to load), if they could not. */
  packError?: string;
  /** Captures the new model is least sure of (top probability below the threshold, or unfamiliar), least sure first. */
  uncertain: ScoredPhoto[];
}

/** Options of {@link reviewTrainedModel}. */
export interface ReviewOptions {
  /** The model active before training (its base runs the new one too). Not disposed. */
  old: CrackClassifier;
  outcome: ClassifierTrainingOutcome;
  /** All captures the run saw (its validation captures among them). */
  captures: readonly CaptureRecord[];
  /** The rehearsal pack to check the old surfaces on (null: none). */
  pack: () => Promise<RehearsalPack | null>;
  decode: (crop: Blob) => Promise<tf.Tensor3D>;
  signal?: AbortSignal;
  /** Photos scored so far, of all the review scores. */
  onProgress?: (done: number, total: number) => void;
}

/** The old model's readings of the photos it was compared on, for the last old model (the next run from it skips them). */
let remembered: { model: string; readings: Map<string, PhotoReading> } | undefined;

/** The remembered readings of `old` (a fresh map for another model). */
function oldReadings(old: CrackClassifier): Map<string, PhotoReading> {
  const m = old.metadata;
  const model = `${m.name} v${m.version} ${m.createdAt} ${m.base.featureLayer}`;
  if (remembered?.model !== model) remembered = { model, readings: new Map() };
  return remembered.readings;
}

/** Captures as samples (their crops decoded on demand). */
function captureSamples(captures: readonly CaptureRecord[], decode: ReviewOptions['decode']): LabelledSample[] {
  return captures.map((c) => ({ id: c.id, label: c.label, load: () => decode(c.crop) }));
}

/**
 * Compares the old and new model (site and old surfaces) and ranks the captures by how sure the new
 * model is. A pack that fails to load leaves the old surfaces unchecked and says why; an abort
 * throws. Frees what it loads.
 */
export async function reviewTrainedModel(o: ReviewOptions): Promise<AdaptationReview> {
  const { outcome } = o;
  let pack: RehearsalPack | null = null;
  let packError: string | undefined;
  try {
    pack = await o.pack();
  } catch (e) {
    o.signal?.throwIfAborted();
    packError = (e as Error).message;
  }
  const heldOut = new Set(outcome.validationCaptures.map((c) => c.id));
  const trained = o.captures.filter((c) => !heldOut.has(c.id) && outcome.labels.includes(c.label));
  const sets = comparisonSets(captureSamples(outcome.validationCaptures, o.decode), pack, o.decode);
  const compared = sets.reduce((n, s) => n + s.samples.length, 0);
  const total = compared + trained.length;
  const next = await loadTrainedClassifier(outcome.result.head, outcome.metadata, o.old.base);
  try {
    const comparison = await compareModels({
      old: o.old,
      next,
      sets,
      signal: o.signal,
      onProgress: (done) => o.onProgress?.(done, total),
      oldReadings: oldReadings(o.old),
    });
    const rest = await scoreSureness(next, captureSamples(trained, o.decode), undefined, o.signal, (done) =>
      o.onProgress?.(compared + done, total),
    );
    const site = comparison.photos
      .filter((p) => heldOut.has(p.id))
      .map((p): ScoredPhoto => ({
        id: p.id,
        label: p.truth,
        predicted: p.newPredicted,
        probability: p.probability,
        unfamiliar: p.unfamiliar,
      }));
    const uncertain = leastSure([...site, ...rest], UNCERTAIN_LIST_LIMIT);
    return packError === undefined ? { comparison, uncertain } : { comparison, uncertain, packError };
  } finally {
    next.dispose();
  }
}

const packs = new Map<string, Promise<RehearsalPack | null>>();

/** The rehearsal pack next to `modelUrl`, fetched once per page (a failed fetch is tried again next time). */
export function cachedRehearsalPack(modelUrl: string, signal?: AbortSignal): Promise<RehearsalPack | null> {
  let p = packs.get(modelUrl);
  if (!p) {
    p = loadRehearsalPack(modelUrl, signal);
    packs.set(modelUrl, p);
    p.catch(() => packs.delete(modelUrl));
  }
  return p;
}
