/**
 * The fine-tuning recipe that `npm run finetune` runs when no training flag is given, and that the
 * app's Train screen starts from: one place, so that both train the same way. Flags that choose a
 * mode keep their own defaults (an expert's `--mode deep` still fine-tunes fire8 and fire9 at head
 * factor 10). The measurements that chose it are in docs/results.md ("Fine-tuning on a new site").
 */
import type { ModelSurfaces } from './metadata';
import type { TrainingMode } from './trainer-layers';

/**
 * The default recipe: the head on the frozen base, 20 epochs; a run that routes (the usual case)
 * rehearses nothing, one that cannot route rehearses the pack's `train` photos. Only head mode is sure
 * to fit the time target (60 captures, WASM, 2 cores, < 2 min); deep mode stays a choice for experts
 * (docs/results.md, "Deep fine-tuning, routed": 2-10 more brick points in 4-6 minutes here).
 */
export const DEFAULT_RECIPE = {
  mode: 'head' as TrainingMode,
  /** Fire modules when an expert picks deep mode from the recipe (fire9 alone: half the cost of fire8 + fire9). */
  deepModules: 1,
  epochs: 20,
  /** The head's learning-rate factor: the MATLAB reference's 10 for a head trained on the frozen base. */
  headLearningRateFactor: 10,
  /** Rehearsal photos per surface and label from the starting model's pack (`train` items; the shipped pack has 40). */
  rehearsalPerGroup: 40,
  /**
   * Rehearse when the new model routes (keeps the old head for frames off the site, src/core/routing.ts)?
   * No: routing already keeps the old surfaces' answers, and rehearsal costs the site. Measured with
   * routing, seeds 1-3 (docs/results.md, "How much to rehearse when the model routes"): brick 77.8-81.1 %
   * with the pack's 40 per group, 83.3-85.0 % without, concrete and asphalt unchanged either way; salt
   * damage recall 69.9-72.4 % with, 83.9-91.6 % without, for 0.3-0.8 points of concrete (the site's own
   * concrete photos send 9-12 % of concrete frames to the new head). Runs that cannot route rehearse.
   */
  rehearseWhenRouting: false,
} as const;

/** Whether a run rehearses by default: when its model will not route (or when the recipe rehearses anyway). */
export function rehearsesByDefault(willRoute: boolean): boolean {
  return !willRoute || DEFAULT_RECIPE.rehearseWhenRouting;
}

/**
 * The surfaces of a model trained from `previous` on the photos of `trained` (a site, e.g. `brick`,
 * or `captures`), rehearsing `rehearsed`: the previous model's surfaces carry over (it started from
 * them), lists sorted and without repeats.
 */
export function trainedSurfaces(
  previous: ModelSurfaces | undefined,
  trained: readonly string[],
  rehearsed: readonly string[],
): ModelSurfaces {
  const trainedAll = [...new Set([...(previous?.trained ?? []), ...trained])].sort();
  const rehearsedAll = [...new Set([...(previous?.rehearsed ?? []), ...rehearsed])].sort();
  return { trained: trainedAll, rehearsed: rehearsedAll };
}
