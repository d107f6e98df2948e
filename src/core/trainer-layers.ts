/**
 * The one place that decides which fire modules a training run carries copies of (and trains),
 * and so which base layer's maps it caches: used by the trainer, and by the app's memory estimate.
 */
import { SQUEEZENET_FEATURE_LAYER } from './base';
import type * as tf from '@tensorflow/tfjs';
import { DEFAULT_DEEP_MODULES, lastFires, TRUNK_FIRES, trunkExpandLayer, trunkInputLayer } from './head';

/** Training modes: `head` trains the new layers on a frozen base; `deep` also fine-tunes the last fire modules. */
export const TRAINING_MODES = ['head', 'deep'] as const;
export type TrainingMode = (typeof TRAINING_MODES)[number];

/** What {@link trainingLayers} decides from. */
export interface TrainingLayerChoice {
  mode: TrainingMode;
  /** Fire modules the starting head already carries copies of (none for a fresh head). */
  initialFires: readonly string[];
  /** Fire modules deep mode fine-tunes (default {@link DEFAULT_DEEP_MODULES}). */
  deepModules?: number;
  /** The layer asked for (a model's `base.featureLayer`); default fire9's output. */
  featureLayer?: string;
}

/** Which fire module copies a run's head has, whether it trains them, and the base layer it caches. */
export interface TrainingLayers {
  /** Fire modules the trained head carries copies of, in network order (empty: none). */
  fires: string[];
  /** True in deep mode: the copies are fine-tuned; else they stay frozen. */
  trainTrunk: boolean;
  /** Base layer whose maps the run caches: under the first fire copy (fire7 for fire8), else the asked layer. */
  featureLayer: string;
}

/**
 * The fire modules a deep run fine-tunes: the last `deepModules` (default {@link DEFAULT_DEEP_MODULES}),
 * or all of the starting head's copies if it has more (a copy is never dropped, so the run reads the
 * same base map as its parent and keeps its unfamiliar check and routing).
 */
export function deepFires(deepModules: number | undefined, initialFires: readonly string[]): string[] {
  return lastFires(Math.max(deepModules ?? DEFAULT_DEEP_MODULES, initialFires.length));
}

/**
 * Deep mode takes {@link deepFires}; head mode keeps the starting head's copies (frozen). A layer under the fire copies
 * asked for a head without them (a fresh head from a deep model's metadata) means fire9.
 * @throws when deep mode is asked of a head that reads another layer than fire9, or `deepModules` is not 1 to 3
 */
export function trainingLayers(choice: TrainingLayerChoice): TrainingLayers {
  const trainTrunk = choice.mode === 'deep';
  const fires = trainTrunk ? deepFires(choice.deepModules, choice.initialFires) : [...choice.initialFires];
  const trunkInputs = TRUNK_FIRES.map(trunkInputLayer);
  const asked =
    choice.featureLayer && trunkInputs.includes(choice.featureLayer)
      ? SQUEEZENET_FEATURE_LAYER
      : (choice.featureLayer ?? SQUEEZENET_FEATURE_LAYER);
  if (fires.length > 0 && asked !== SQUEEZENET_FEATURE_LAYER) {
    throw new Error(
      `deep mode fine-tunes the last fire modules and needs a head on fire9, but this head reads '${asked}'; train it in head mode`,
    );
  }
  return { fires, trainTrunk, featureLayer: fires.length > 0 ? trunkInputLayer(fires[0]) : asked };
}

/**
 * [h, w, K] of the maps a run caches: those of the layer it reads (`readShape`), or, when the starting
 * head's fire copies stay frozen (head mode applies them once, as it caches), the last copy's output.
 */
export function cachedMapShape(
  layers: TrainingLayers,
  readShape: [number, number, number],
  initialHead: tf.LayersModel | undefined,
): [number, number, number] {
  const last = layers.fires.at(-1);
  if (!last || layers.trainTrunk || !initialHead) return readShape;
  const [, h, w, k] = initialHead.getLayer(trunkExpandLayer(last)).outputShape as number[];
  return [h, w, k];
}
