/**
 * The fine-tuning recipe that `npm run finetune` runs when no training flag is given, and that the
 * app's Train screen starts from: one place, so that both train the same way. Flags that choose a
 * mode keep their own defaults (an expert's `--mode deep` still fine-tunes fire8 and fire9 at head
 * factor 10). The measurements that chose it are in docs/results.md ("Fine-tuning on a new site").
 */
import type { ModelSurfaces } from './metadata';
import type { TrainingMode } from './trainer-layers';

/** The default recipe. */
export const DEFAULT_RECIPE = {
  /**
   * Deep mode, fine-tuning fire9 only (on cached fire8 maps): a new surface's joints and textures
   * need more than the head, and fire9 alone costs about half of fire8 + fire9 per step.
   */
  mode: 'deep' as TrainingMode,
  deepModules: 1,
  /** Few epochs: a step through fire9 is what the time target (60 captures, WASM, 2 cores, < 2 min) pays for. */
  epochs: 12,
  /** The head's learning-rate factor: 1, as for deep fine-tuning of a trained head (docs/results.md). */
  headLearningRateFactor: 1,
  /** Rehearsal photos per surface and label taken from the starting model's pack (`train` items). */
  rehearsalPerGroup: 20,
} as const;

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
