/**
 * Which photos a classifier is unsure of, so the inspector labels those next: the top probability
 * below a threshold, or a photo its novelty model flags as unfamiliar.
 */

/** Top-class probability below which a frame or capture counts as uncertain. */
export const UNCERTAIN_BELOW = 0.75;

/** A photo as the model saw it. */
export interface Sureness {
  /** Probability of the predicted (top) class. */
  probability: number;
  /** The model's novelty flag, for a model with a novelty model. */
  unfamiliar?: boolean;
}

/** True when the model's top probability is below `threshold` or it finds the photo unfamiliar. */
export function isUncertain(s: Sureness, threshold = UNCERTAIN_BELOW): boolean {
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`threshold must be in (0, 1], got ${threshold}`);
  return s.unfamiliar === true || s.probability < threshold;
}

/**
 * The uncertain items (see {@link isUncertain}), least sure first: unfamiliar ones first, then by
 * rising top probability; at most `limit`.
 */
export function leastSure<T extends Sureness>(items: readonly T[], limit: number, threshold = UNCERTAIN_BELOW): T[] {
  if (!(Number.isInteger(limit) && limit >= 0)) throw new Error(`limit must be an integer >= 0, got ${limit}`);
  return items
    .filter((i) => isUncertain(i, threshold))
    .sort((a, b) => Number(b.unfamiliar === true) - Number(a.unfamiliar === true) || a.probability - b.probability)
    .slice(0, limit);
}
