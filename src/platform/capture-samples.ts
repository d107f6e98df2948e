/**
 * Captures as training samples for the shared core trainer: `load()` decodes the stored crop Blob
 * with createImageBitmap and reads its pixels with tf.browser.fromPixels.
 */
import * as tf from '@tensorflow/tfjs';
import type { CrackClassifier } from '../core/classifier';
import type { OneClassModel, OneClassSample } from '../core/oneclass';
import type { TrainingSample } from '../core/trainer';
import type { CaptureRecord } from './capture-store';
import type { WireSample } from './training-protocol';

/** Decodes an image Blob to [h, w, 3] int32 RGB 0..255 (caller disposes). */
export async function blobToTensor(blob: Blob): Promise<tf.Tensor3D> {
  const bitmap = await createImageBitmap(blob);
  try {
    return tf.browser.fromPixels(bitmap); // [h, w, 3] int32
  } finally {
    bitmap.close();
  }
}

/** A capture (or a rehearsal photo) as the training worker's sample: id, label index in `labels`, and its crop Blob. */
export function wireSample(
  capture: Pick<CaptureRecord, 'id' | 'label' | 'crop'>,
  labels: readonly string[],
): WireSample {
  const label = labels.indexOf(capture.label);
  if (label < 0) throw new Error(`capture ${capture.id} has label '${capture.label}', not one of ${labels.join(', ')}`);
  return { id: capture.id, label, crop: capture.crop };
}

/** A capture as a {@link TrainingSample} (`id` = capture id). */
export function captureSample(capture: CaptureRecord, labels: readonly string[]): TrainingSample {
  const { id, label, crop } = wireSample(capture, labels);
  return { id, label, load: () => blobToTensor(crop) };
}

/**
 * Runs `fn` on samples in batches and reads each batch's [b] result back once; yields to the event
 * loop between batches so the page stays responsive. Loaded images are disposed here.
 */
async function mapBatches(
  samples: readonly { load(): Promise<tf.Tensor3D> }[],
  batch: number,
  signal: AbortSignal | undefined,
  fn: (images: tf.Tensor3D[]) => tf.Tensor1D,
  onBatch?: (done: number, total: number) => void,
): Promise<number[]> {
  const out: number[] = [];
  for (let s = 0; s < samples.length; s += batch) {
    signal?.throwIfAborted();
    const loaded = await Promise.all(samples.slice(s, s + batch).map((x) => x.load()));
    let values: tf.Tensor1D;
    try {
      values = tf.tidy(() => fn(loaded));
    } finally {
      loaded.forEach((t) => t.dispose());
    }
    const data = await values.data();
    values.dispose();
    out.push(...data);
    onBatch?.(out.length, samples.length);
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}

/**
 * Predicted labels of `classifier` for `samples` (in batches; one readback per batch). Used to score
 * the old model on the new validation set.
 */
export async function predictSamples(
  classifier: CrackClassifier,
  samples: readonly TrainingSample[],
  batch = 16,
  signal?: AbortSignal,
): Promise<string[]> {
  const idx = await mapBatches(samples, batch, signal, (images) => {
    const input = tf.concat(images.map((t) => classifier.prepare(t))) as tf.Tensor4D; // [b, 227, 227, 3]
    return tf.argMax(classifier.classifyBatch(input).probabilities, 1) as tf.Tensor1D;
  });
  return idx.map((i) => classifier.labels[i]);
}

/**
 * Anomaly scores of a one-class model for `samples`, in order (in batches; one readback per batch),
 * e.g. of the captures of other labels after a normal-only training, to evaluate it.
 * @param onBatch called after each batch with the number scored so far
 */
export async function scoreSamples(
  model: OneClassModel,
  samples: readonly OneClassSample[],
  batch = 8,
  signal?: AbortSignal,
  onBatch?: (done: number, total: number) => void,
): Promise<number[]> {
  return mapBatches(
    samples,
    batch,
    signal,
    (images) => {
      const input = tf.concat(images.map((t) => model.prepare(t))) as tf.Tensor4D; // [b, 227, 227, 3]
      return model.scoreBatch(input).score;
    },
    onBatch,
  );
}
