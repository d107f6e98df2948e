import { createRng, shuffled } from './random';

/** Fractions of each class assigned to train / validation / test. */
export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

/** Items of a stratified split. */
export interface Split<T> {
  train: T[];
  validation: T[];
  test: T[];
}

/**
 * Seeded stratified split (each label split with the same fractions, as MATLAB's
 * splitEachLabel with 'randomized'). Fractions may sum to less than 1: the rest is unused.
 */
export function stratifiedSplit<T extends { label: string }>(
  items: readonly T[],
  fractions: SplitFractions,
  seed: number,
): Split<T> {
  const { train, validation, test } = fractions;
  if ([train, validation, test].some((f) => f < 0) || train + validation + test > 1 + 1e-9) {
    throw new Error(`split fractions must be >= 0 and sum to <= 1, got ${train}/${validation}/${test}`);
  }
  const rng = createRng(seed);
  const out: Split<T> = { train: [], validation: [], test: [] };
  const labels = [...new Set(items.map((i) => i.label))].sort();
  for (const label of labels) {
    const group = shuffled(
      items.filter((i) => i.label === label),
      rng,
    );
    const nTrain = Math.round(group.length * train);
    const nVal = Math.round(group.length * validation);
    const nTest = Math.round(group.length * test);
    out.train.push(...group.slice(0, nTrain));
    out.validation.push(...group.slice(nTrain, nTrain + nVal));
    out.test.push(...group.slice(nTrain + nVal, nTrain + nVal + nTest));
  }
  return out;
}

/** At most `perClass` items of each label, seeded choice. */
export function takePerClass<T extends { label: string }>(items: readonly T[], perClass: number, seed: number): T[] {
  const rng = createRng(seed);
  const labels = [...new Set(items.map((i) => i.label))].sort();
  return labels.flatMap((l) =>
    shuffled(
      items.filter((i) => i.label === l),
      rng,
    ).slice(0, perClass),
  );
}
