/**
 * The fine-tuning recipe that `npm run finetune` runs when no training flag is given, and that the
 * app's Train screen starts from: one place, so that both train the same way. Flags that choose a
 * mode keep their own defaults (an expert's `--mode head` trains the head alone at head factor 10).
 * The measurements that chose it are in docs/results.md ("Fine-tuning on a new site").
 */
import { DEFAULT_AUGMENT, type AugmentConfig } from './augment';
import type { ModelSurfaces } from './metadata';
import type { TrainingMode } from './trainer-layers';
import type { TrainingStart } from './training-plan';

/**
 * The default recipe: from the current model, fire8 and fire9 fine-tuned with the head for 20 epochs
 * ({@link recipeMode}: the head alone when the run adds a class); a run that routes (the usual case)
 * rehearses nothing (a run that adds a class: the pack's surface nearest the site), one that cannot
 * route rehearses the pack's `train` photos.
 */
export const DEFAULT_RECIPE = {
  /**
   * Fire modules a deep run of the recipe fine-tunes: fire8 and fire9. Measured on brick, 30 photos per
   * class, seeds 1-3, routed (docs/results.md, "Deep fine-tuning, routed"): 87.2 / 87.2 / 95.0 % of the
   * unseen brick against 83.3 / 85.0 / 85.0 % for the head, concrete and asphalt unchanged, 59-72 s a run
   * on WASM here since the trainer's products got a fast gradient (src/core/matmul-grad.ts).
   */
  deepModules: 2,
  epochs: 20,
  /** The head's learning-rate factor: the MATLAB reference's 10 for a head trained on the frozen base. */
  headLearningRateFactor: 10,
  /**
   * Photos per optimiser step, in either mode: the same in the app and in `npm run finetune`. Measured with
   * 30 photos per class, seeds 1-3 (docs/results.md, "One batch size for the app and the CLI"): deep on
   * brick, 16 reached 87.8 / 89.4 / 94.4 % of the unseen brick against 87.8 / 87.2 / 91.7 % at 8; head
   * with salt damage as a new class, 100 (the MATLAB reference's, the app's earlier choice) raised salt
   * recall (91.8 / 94.9 / 89.0 % against 90.3 / 91.8 / 85.2 %) but sent a tenth of the sound concrete to
   * the new class (concrete 94.4 % against 98.9 %, seed 1). A deep step of 16 takes about a second on WASM here.
   */
  batchSize: 16,
  /**
   * Augmentation of the site's photos: the default's (x-reflection, +-30 px, mild zoom and colour)
   * plus the other rotations and mirror images (a site's cracks and sound surfaces keep their label
   * at any orientation; 30 photos show few of them). Measured with 30 photos per class
   * (docs/results.md, "Any orientation"): brick seeds 1-5 91.4 % on average against 91.2 % without,
   * confidently wrong 3.2 % against 5.4 % (lower on four seeds of five); salt damage as a new class,
   * seeds 1-3: recall 90.8 / 93.1 / 86.7 % against 91.1 / 91.1 / 87.8 %.
   */
  augment: { ...DEFAULT_AUGMENT, rotate: true } satisfies AugmentConfig,
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
  /**
   * A run that routes and adds a class rehearses the pack's photos of one surface: the one the site's
   * photos of the model's own classes lie nearest (src/core/rehearsal-surface.ts), e.g. concrete for a
   * salt-damage site whose crack and no-crack photos are concrete. Measured with salt damage as a third
   * class, seeds 1-3 (docs/results.md, "Rehearsing the surface the new class is seen on"): concrete
   * 99.22 / 99.37 / 99.44 % (rehearsing nothing: 98.91 / 98.69 / 98.59 %), salt-damage recall 91.1 /
   * 91.1 / 87.8 % (90.3 / 91.8 / 85.2 %), asphalt 90.4 % each; the whole pack had cost salt-damage
   * recall 13-22 points (from version 2).
   */
  rehearseNearestSurfaceForNewClass: true,
} as const;

/** What the recipe's mode depends on. */
export interface RecipeRun {
  /** The site's photos carry a label the starting model lacks (the head grows). */
  addsClasses: boolean;
  start: TrainingStart;
  /** Fire modules the starting model carries copies of (the shipped model: fire8 and fire9). */
  parentFires: readonly string[];
}

/**
 * The recipe's training mode for a run: deep for a site of the current model's own classes when that
 * model already carries fire module copies (so the deep run reads the same base map, and keeps its
 * unfamiliar-surface check and routing); the head alone when the run adds a class (a deep head's new
 * class took 29-39 % of the asphalt photos in the salt-damage study, where the head took 0.3-1.5 %:
 * docs/results.md, "Deep fine-tuning, routed"), starts from the base, or starts from a model without
 * fire copies (deep would read fire7 where it reads fire9: no check, no routing).
 */
export function recipeMode(run: RecipeRun): TrainingMode {
  return run.addsClasses || run.start === 'base' || run.parentFires.length === 0 ? 'head' : 'deep';
}

/** What a run rehearses of the pack: all of it, the surface nearest the site's photos, or nothing. */
export type RehearsalChoice = 'all' | 'nearest-surface' | 'none';

/**
 * What a run rehearses by default: everything when its model will not route (or when the recipe
 * rehearses anyway); when it routes, the surface nearest the site for a run that adds a class, else nothing.
 */
export function defaultRehearsal(run: { willRoute: boolean; addsClasses: boolean }): RehearsalChoice {
  if (!run.willRoute || DEFAULT_RECIPE.rehearseWhenRouting) return 'all';
  return run.addsClasses && DEFAULT_RECIPE.rehearseNearestSurfaceForNewClass ? 'nearest-surface' : 'none';
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
