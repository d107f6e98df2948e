/**
 * Before / after a fine-tuning run, honestly: the old model (active before training) and the new one
 * run on the same photos, in batches, one readback per batch: the site's held-out validation
 * captures (never trained on) and the rehearsal pack's `eval` photos of every old surface. Also how
 * sure the new model is of every capture, so the inspector can check the least sure ones.
 */
import * as tf from '@tensorflow/tfjs';
import { comparisonRows, SITE_SET, worseSurfaces, type ComparisonRow, type SurfaceDrop } from '../core/before-after';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { camActivation, headWeightsOf, headWeightTensors, pooledLogits, type HeadWeights } from '../core/head';
import type { ModelMetadata } from '../core/metadata';
import { serializeModel } from '../core/model-writer';
import type { Sureness } from '../core/uncertainty';
import { filesReader } from './model-store';
import type { RehearsalPack } from './rehearsal-pack';

/** Photos per batch: each batch runs both models and is read back once. */
export const COMPARISON_BATCH = 8;

/** A labelled photo to score (`load` gives [h, w, 3] RGB 0..255; the caller's decoder). */
export interface LabelledSample {
  id: string;
  label: string;
  load(): Promise<tf.Tensor3D>;
}

/** A named set of photos: {@link SITE_SET} or an old surface. */
export interface ComparisonSet {
  name: string;
  samples: readonly LabelledSample[];
}

/** One photo of a comparison: its truth, both models' predictions and how sure the new model is. */
export interface ComparedPhoto extends Sureness {
  id: string;
  set: string;
  truth: string;
  oldPredicted: string;
  newPredicted: string;
}

/** What {@link compareModels} found. */
export interface ModelComparison {
  /** Accuracy old -> new per set, in the order of the sets given. */
  rows: ComparisonRow[];
  /** Old surfaces that lost more than a point (see `worseSurfaces`), worst first. */
  worse: SurfaceDrop[];
  photos: ComparedPhoto[];
}

/** A photo as one model saw it. */
export interface ScoredPhoto extends Sureness {
  id: string;
  label: string;
  predicted: string;
}

/** Options of {@link compareModels}. */
export interface CompareOptions {
  /** The model active before training, and the trained one (neither is disposed). */
  old: CrackClassifier;
  next: CrackClassifier;
  sets: readonly ComparisonSet[];
  batch?: number;
  signal?: AbortSignal;
  /** Photos scored so far, of all sets. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The old model's readings by photo id from earlier comparisons (only the new model runs on those
   * photos); the readings of this one are added. Keep one per old model, for photos that do not change.
   */
  oldReadings?: Map<string, PhotoReading>;
}

/** One model's reading of a photo: its prediction, top probability and novelty flag. */
export type PhotoReading = Omit<ScoredPhoto, 'id' | 'label'>;

/** Per photo of a batch: [predicted class index, top probability, unfamiliar (1 / 0, -1: no novelty model)]. */
const OUTPUTS_PER_MODEL = 3;

/** [b, 3] per photo: predicted index, top probability, novelty flag (see {@link OUTPUTS_PER_MODEL}). */
function batchOutputs(model: CrackClassifier, images: readonly tf.Tensor3D[]): tf.Tensor2D {
  return tf.tidy(() => {
    const input = tf.concat(images.map((t) => model.prepare(t))) as tf.Tensor4D; // [b, s, s, 3]
    const r = model.classifyBatch(input, { fineMap: false });
    const predicted = tf.cast(tf.argMax(r.probabilities, 1), 'float32'); // [b]
    const top = tf.max(r.probabilities, 1); // [b]
    const threshold = model.metadata.novelty?.threshold;
    const flag =
      r.novelty && threshold !== undefined
        ? tf.cast(tf.greater(r.novelty, threshold), 'float32') // [b]
        : tf.fill([images.length], -1); // [b]
    return tf.stack([predicted, top, flag], 1) as tf.Tensor2D; // [b, 3]
  });
}

/** Both models' heads when they read the same base layer and the new one has no novelty model: one base pass serves both. */
interface SharedPass {
  layer: string;
  heads: [HeadWeights, HeadWeights];
}

/** The {@link SharedPass} of `old` and `next`, or undefined when each needs its own pass (the caller frees the weights). */
function sharedPass(old: CrackClassifier, next: CrackClassifier): SharedPass | undefined {
  const layer = old.metadata.base.featureLayer;
  if (layer !== next.metadata.base.featureLayer || next.metadata.novelty) return undefined;
  return { layer, heads: [headWeightsOf(old.head), headWeightsOf(next.head)] };
}

/** [b, 6]: {@link batchOutputs}' columns for the old then the new model, from one base pass (novelty flags -1: not scored). */
function sharedOutputs(pass: SharedPass, model: CrackClassifier, images: readonly tf.Tensor3D[]): tf.Tensor2D {
  return tf.tidy(() => {
    const input = tf.concat(images.map((t) => model.prepare(t))) as tf.Tensor4D; // [b, s, s, 3]
    const features = model.base.cut(pass.layer).predict(input) as tf.Tensor4D; // [b, h, w, K]
    const columns = pass.heads.flatMap((w) => {
      const probabilities = tf.softmax(pooledLogits(camActivation(features, w.hidden, w.trunk), w.out)); // [b, C]
      const predicted = tf.cast(tf.argMax(probabilities, 1), 'float32'); // [b]
      return [predicted, tf.max(probabilities, 1), tf.fill([images.length], -1)]; // 3 x [b]
    });
    return tf.stack(columns, 1) as tf.Tensor2D; // [b, 6]
  });
}

/** One model's reading of a photo from the packed outputs. */
function readOutputs(model: CrackClassifier, row: Float32Array, offset: number): Omit<ScoredPhoto, 'id' | 'label'> {
  const flag = row[offset + 2];
  const predicted = model.labels[row[offset]];
  const probability = row[offset + 1];
  return flag < 0 ? { predicted, probability } : { predicted, probability, unfamiliar: flag > 0 };
}

/**
 * Runs every model on every sample, `batch` photos at a time (each photo decoded once, all models
 * read back together; with `shared`, the two models from one base pass), yielding to the event loop
 * between batches. Frees all it allocates, also on abort or error.
 */
async function scoreAll(
  models: readonly CrackClassifier[],
  samples: readonly LabelledSample[],
  batch: number,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
  shared?: SharedPass,
): Promise<Omit<ScoredPhoto, 'id' | 'label'>[][]> {
  if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`batch must be an integer >= 1, got ${batch}`);
  const out: Omit<ScoredPhoto, 'id' | 'label'>[][] = [];
  const width = models.length * OUTPUTS_PER_MODEL;
  for (let s = 0; s < samples.length; s += batch) {
    signal?.throwIfAborted();
    const images = await Promise.all(samples.slice(s, s + batch).map((x) => x.load()));
    let packed: tf.Tensor2D;
    try {
      packed = shared
        ? sharedOutputs(shared, models[0], images) // [b, 6]
        : tf.tidy(
            () =>
              tf.concat(
                models.map((m) => batchOutputs(m, images)),
                1,
              ) as tf.Tensor2D,
          ); // [b, 3 * models]
    } finally {
      images.forEach((t) => t.dispose());
    }
    const data = (await packed.data()) as Float32Array;
    packed.dispose();
    for (let i = 0; i < images.length; i++) {
      const row = data.subarray(i * width, (i + 1) * width);
      out.push(models.map((m, k) => readOutputs(m, row, k * OUTPUTS_PER_MODEL)));
    }
    onProgress?.(out.length, samples.length);
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}

/**
 * Runs the old and the new model on the same photos of every set and reports accuracy old -> new
 * per set, the old surfaces that got worse by more than a point, and every photo's predictions.
 * When both read the same base layer (a head-mode run) one base pass per photo serves both heads;
 * photos in `oldReadings` run through the new model only.
 * Throws on abort with nothing left allocated.
 */
export async function compareModels(options: CompareOptions): Promise<ModelComparison> {
  const { old, next, sets } = options;
  const known = options.oldReadings ?? new Map<string, PhotoReading>();
  const samples = sets.flatMap((set) => set.samples.map((sample) => ({ set: set.name, sample })));
  const fresh = samples.map((s) => s.sample).filter((s) => !known.has(s.id));
  const remembered = samples.map((s) => s.sample).filter((s) => known.has(s.id));
  const batch = options.batch ?? COMPARISON_BATCH;
  const progress = (offset: number) => (done: number) => options.onProgress?.(offset + done, samples.length);
  const shared = sharedPass(old, next);
  const both = await scoreAll([old, next], fresh, batch, options.signal, progress(0), shared).finally(() =>
    shared?.heads.forEach((w) => tf.dispose(headWeightTensors(w))),
  );
  const onlyNew = await scoreAll([next], remembered, batch, options.signal, progress(fresh.length));
  const readings = new Map<string, [PhotoReading, PhotoReading]>();
  fresh.forEach((s, i) => {
    known.set(s.id, both[i][0]);
    readings.set(s.id, [both[i][0], both[i][1]]);
  });
  remembered.forEach((s, i) => readings.set(s.id, [known.get(s.id)!, onlyNew[i][0]]));
  const photos = samples.map(({ set, sample }): ComparedPhoto => {
    const [before, after] = readings.get(sample.id)!;
    const photo: ComparedPhoto = {
      id: sample.id,
      set,
      truth: sample.label,
      oldPredicted: before.predicted,
      newPredicted: after.predicted,
      probability: after.probability,
    };
    return after.unfamiliar === undefined ? photo : { ...photo, unfamiliar: after.unfamiliar };
  });
  const rows = comparisonRows(
    photos.map((p) => ({ set: p.set, truth: p.truth, oldPredicted: p.oldPredicted, newPredicted: p.newPredicted })),
    sets.map((s) => s.name),
  );
  return { rows, worse: worseSurfaces(rows), photos };
}

/** How sure `model` is of each sample (in batches; frees all it allocates). */
export async function scoreSureness(
  model: CrackClassifier,
  samples: readonly LabelledSample[],
  batch = COMPARISON_BATCH,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<ScoredPhoto[]> {
  const scored = await scoreAll([model], samples, batch, signal, onProgress);
  return samples.map((s, i) => ({ id: s.id, label: s.label, ...scored[i][0] }));
}

/** The site's held-out captures as the {@link SITE_SET}, then the pack's `eval` photos per surface (none without a pack). */
export function comparisonSets(
  site: readonly LabelledSample[],
  pack: Pick<RehearsalPack, 'items' | 'surfaces'> | null,
  decode: (crop: Blob) => Promise<tf.Tensor3D>,
): ComparisonSet[] {
  const evalItems = pack?.items.filter((i) => i.use === 'eval') ?? [];
  const surfaces = (pack?.surfaces ?? []).map((surface) => ({
    name: surface,
    samples: evalItems
      .filter((i) => i.surface === surface)
      .map((i) => ({ id: i.id, label: i.label, load: () => decode(i.crop) })),
  }));
  return [{ name: SITE_SET, samples: site }, ...surfaces.filter((s) => s.samples.length > 0)];
}

/** A trained head as a classifier on `base`, loaded from the files it will be saved as (the caller disposes it). */
export async function loadTrainedClassifier(
  head: tf.LayersModel,
  metadata: ModelMetadata,
  base: CrackClassifier['base'],
): Promise<CrackClassifier> {
  const files = await serializeModel(head, metadata);
  return loadCrackClassifier({ reader: filesReader(files), modelJson: 'model:model.json', base });
}
