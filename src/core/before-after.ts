/**
 * Before / after arithmetic of a fine-tuning run: accuracy of the old and the new model on the same
 * labelled photos, per set (the site's held-out captures, and each old surface of the rehearsal
 * pack), and which old surfaces got worse by more than the allowed drop.
 */

/** Name of the set of held-out captures of the site the model was fine-tuned for. */
export const SITE_SET = 'site';

/** Accuracy an old surface may lose (0.01: one point) before making the new model active needs a confirmation. */
export const MAX_OLD_SURFACE_DROP = 0.01;

/** One photo as both models saw it. */
export interface ScoredPair {
  /** The set it belongs to: {@link SITE_SET} or a surface name. */
  set: string;
  /** Its true label, and what the old and the new model predicted. */
  truth: string;
  oldPredicted: string;
  newPredicted: string;
}

/** Accuracy of the old and new model on one set. */
export interface ComparisonRow {
  set: string;
  /** Photos in the set. */
  n: number;
  oldCorrect: number;
  newCorrect: number;
  /** oldCorrect / n and newCorrect / n. */
  oldAccuracy: number;
  newAccuracy: number;
}

/** An old surface the new model is worse on by more than the allowed drop. */
export interface SurfaceDrop {
  set: string;
  /** Accuracy lost, as a fraction (0.05: five points). */
  drop: number;
}

/**
 * Rows per set in `setOrder` (sets without photos are left out; sets not in `setOrder` follow in the
 * order they first appear).
 */
export function comparisonRows(pairs: readonly ScoredPair[], setOrder: readonly string[] = []): ComparisonRow[] {
  const tally = new Map<string, { n: number; oldCorrect: number; newCorrect: number }>();
  for (const p of pairs) {
    const t = tally.get(p.set) ?? { n: 0, oldCorrect: 0, newCorrect: 0 };
    t.n++;
    if (p.oldPredicted === p.truth) t.oldCorrect++;
    if (p.newPredicted === p.truth) t.newCorrect++;
    tally.set(p.set, t);
  }
  const sets = [...setOrder.filter((s) => tally.has(s)), ...[...tally.keys()].filter((s) => !setOrder.includes(s))];
  return sets.map((set) => {
    const t = tally.get(set)!;
    return { set, ...t, oldAccuracy: t.oldCorrect / t.n, newAccuracy: t.newCorrect / t.n };
  });
}

/**
 * The old surfaces (every row but {@link SITE_SET}) whose accuracy fell by more than `maxDrop`,
 * worst first.
 */
export function worseSurfaces(rows: readonly ComparisonRow[], maxDrop = MAX_OLD_SURFACE_DROP): SurfaceDrop[] {
  if (!(maxDrop >= 0 && maxDrop < 1)) throw new Error(`maxDrop must be in [0, 1), got ${maxDrop}`);
  return rows
    .filter((r) => r.set !== SITE_SET)
    .map((r) => ({ set: r.set, drop: (r.oldCorrect - r.newCorrect) / r.n }))
    .filter((d) => d.drop > maxDrop + 1e-9)
    .sort((a, b) => b.drop - a.drop);
}
