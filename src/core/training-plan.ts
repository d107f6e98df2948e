import { stratifiedSplit } from './split';

/** Where a fine-tuning run starts. */
export type TrainingStart = 'current' | 'base';

/** Share of every class {@link planTraining} holds out for validation unless told otherwise (the app's, and `npm run finetune`'s default). */
export const DEFAULT_VALIDATION_SHARE = 0.2;

/** Options of {@link planTraining}. */
export interface TrainingPlanOptions {
  start: TrainingStart;
  /** Labels of the current model (its head's outputs, in order). */
  modelLabels: readonly string[];
  /** Fraction of each class held out for validation (default {@link DEFAULT_VALIDATION_SHARE}). */
  validation?: number;
  seed?: number;
  /** Order of classes when starting from the base (e.g. the capture store's class order). */
  classOrder?: readonly string[];
}

/** What a run trains on. */
export interface TrainingPlan<T> {
  labels: string[];
  /** Labels the current model does not have, added after its own (the trainer grows its head): empty from the base. */
  added: string[];
  train: T[];
  validation: T[];
}

/** Why the captures cannot train yet: there are none; from the base, fewer than 2 classes; or classes with fewer than 2. */
export type TrainingShortfall =
  { kind: 'none' } | { kind: 'classes'; have: string[] } | { kind: 'few'; labels: string[] };

/**
 * What keeps captures (counted per label) from a run of {@link planTraining} starting at `start`, or
 * undefined when they can train: every class with captures needs 2 (one each side of the split), and
 * a run from the base needs 2 classes. Labels in `order` first, then the others sorted.
 */
export function trainingShortfall(
  counts: ReadonlyMap<string, number>,
  start: TrainingStart,
  order: readonly string[] = [],
): TrainingShortfall | undefined {
  const labels = ordered(new Map([...counts].filter(([, n]) => n > 0)), order);
  if (labels.length === 0) return { kind: 'none' };
  if (start === 'base' && labels.length < 2) return { kind: 'classes', have: labels };
  const few = labels.filter((l) => (counts.get(l) ?? 0) < 2);
  return few.length ? { kind: 'few', labels: few } : undefined;
}

/** The error {@link planTraining} throws for a shortfall (the CLIs print it; the app says it in its own words). */
export function shortfallMessage(s: TrainingShortfall): string {
  if (s.kind === 'none') return 'no captures to train on';
  if (s.kind === 'classes') return `need captures of at least 2 classes, have ${s.have.join(', ')}`;
  return `need at least 2 captures of every class to train and validate; too few of ${s.labels.join(', ')}`;
}

/** The labels of `counts` in `order` first, then the others sorted. */
function ordered(counts: ReadonlyMap<string, number>, order: readonly string[]): string[] {
  return [...order.filter((l) => counts.has(l)), ...[...counts.keys()].filter((l) => !order.includes(l)).sort()];
}

/**
 * Chooses labels and a seeded stratified train/validation split for fine-tuning on labelled items.
 * From the current model the labels are the model's (its head keeps its outputs), then the labels of
 * items it does not have (`added`: the trainer grows the head for them); from the base the labels are
 * the classes that have items (at least 2). Every class with items needs 2 so that both sides of the
 * split have it. Errors say what to do.
 */
export function planTraining<T extends { label: string }>(
  items: readonly T[],
  options: TrainingPlanOptions,
): TrainingPlan<T> {
  const fraction = options.validation ?? DEFAULT_VALIDATION_SHARE;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`validation fraction must be in (0, 1), got ${fraction}`);
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.label, (counts.get(i.label) ?? 0) + 1);
  const shortfall = trainingShortfall(counts, options.start, options.classOrder);
  if (shortfall) throw new Error(shortfallMessage(shortfall));
  let labels: string[];
  let added: string[] = [];
  if (options.start === 'current') {
    const unknown = new Map([...counts].filter(([l]) => !options.modelLabels.includes(l)));
    added = ordered(unknown, options.classOrder ?? []);
    labels = [...options.modelLabels, ...added];
  } else {
    labels = ordered(counts, options.classOrder ?? []);
  }
  const split = stratifiedSplit(items, { train: 1 - fraction, validation: fraction, test: 0 }, options.seed ?? 0);
  // Tiny classes: round() may leave a side empty; move one item so both sides have the class.
  for (const l of labels) {
    const inVal = split.validation.filter((i) => i.label === l).length;
    const inTrain = split.train.filter((i) => i.label === l).length;
    if (inVal === 0 && inTrain >= 2)
      split.validation.push(
        ...split.train.splice(
          split.train.findIndex((i) => i.label === l),
          1,
        ),
      );
    if (inTrain === 0 && inVal >= 2)
      split.train.push(
        ...split.validation.splice(
          split.validation.findIndex((i) => i.label === l),
          1,
        ),
      );
  }
  return { labels, added, train: split.train, validation: split.validation };
}

/**
 * About how many of `count` captures {@link planTraining} trains and validates on (it splits each
 * class on its own, so the exact counts vary by one or two): for estimates before a run.
 */
export function estimateSplit(
  count: number,
  validation = DEFAULT_VALIDATION_SHARE,
): { train: number; validation: number } {
  const held = Math.round(count * validation);
  return { train: count - held, validation: held };
}

/**
 * Augmented views to cache per training image so that feature extraction stays within `budget`
 * base forward passes (the dominant cost of head training): many views for a few captures, one
 * view for hundreds. Between 1 and min(epochs, 8).
 */
export function suggestViews(trainCount: number, epochs: number, budget = 300): number {
  const most = Math.max(1, Math.min(epochs, 8));
  return Math.max(1, Math.min(most, Math.floor(budget / Math.max(1, trainCount))));
}

/**
 * Bytes of cached feature maps a training run in the browser may hold (about 150 MB): deep mode
 * caches fire8's 13x13x512 floats, 346 KB per capture and augmented view, which a phone tab does
 * not survive by the thousand.
 */
export const FEATURE_CACHE_BUDGET = 150e6;

/** What {@link capViewsToMemory} allows. */
export interface FeatureCachePlan {
  /** Augmented views per training sample, between 1 and the requested number. */
  views: number;
  /** Bytes the cached maps will take. */
  bytes: number;
  /** True when even one view exceeds the budget (too many samples for this mode). */
  overBudget: boolean;
}

/**
 * Caps the augmented views per training sample so that the cached feature maps (training samples
 * once per view, validation and watched samples once) stay within `budget` bytes; never below one
 * view, in which case `overBudget` says that the samples alone do not fit.
 * @param counts samples cached per view (`train`) and once (`other`)
 * @param mapBytes bytes of one cached feature map, e.g. 13 * 13 * 512 * 4 for fire8
 */
export function capViewsToMemory(
  views: number,
  counts: { train: number; other: number },
  mapBytes: number,
  budget = FEATURE_CACHE_BUDGET,
): FeatureCachePlan {
  if (!(Number.isInteger(views) && views >= 1)) throw new Error(`views must be an integer >= 1, got ${views}`);
  if (!(mapBytes > 0)) throw new Error(`mapBytes must be > 0, got ${mapBytes}`);
  const fit = counts.train > 0 ? Math.floor((budget / mapBytes - counts.other) / counts.train) : views;
  const capped = Math.max(1, Math.min(views, fit));
  const bytes = (counts.train * capped + counts.other) * mapBytes;
  return { views: capped, bytes, overBudget: bytes > budget };
}
