/**
 * Captures as training samples for the shared core trainer: `load()` decodes the stored crop Blob
 * with createImageBitmap and reads its pixels with tf.browser.fromPixels.
 */
import * as tf from '@tensorflow/tfjs';
import type { CrackClassifier } from '../core/classifier';
import type { TrainingSample } from '../core/trainer';
import type { CaptureRecord } from './capture-store';

/** Decodes an image Blob to [h, w, 3] int32 RGB 0..255 (caller disposes). */
export async function blobToTensor(blob: Blob): Promise<tf.Tensor3D> {
  const bitmap = await createImageBitmap(blob);
  try {
    return tf.browser.fromPixels(bitmap); // [h, w, 3] int32
  } finally {
    bitmap.close();
  }
}

/** A capture as a {@link TrainingSample} (`id` = capture id). */
export function captureSample(capture: CaptureRecord, labels: readonly string[]): TrainingSample {
  const label = labels.indexOf(capture.label);
  if (label < 0) throw new Error(`capture ${capture.id} has label '${capture.label}', not one of ${labels.join(', ')}`);
  return { id: capture.id, label, load: () => blobToTensor(capture.crop) };
}

/**
 * Predicted labels of `classifier` for `samples` (in batches; one readback per batch). Used to score
 * the old model on the new validation set.
 */
export async function predictSamples(classifier: CrackClassifier, samples: readonly TrainingSample[], batch = 16, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (let s = 0; s < samples.length; s += batch) {
    signal?.throwIfAborted();
    const loaded = await Promise.all(samples.slice(s, s + batch).map((x) => x.load()));
    const predicted = tf.tidy(() => {
      const input = tf.concat(loaded.map((t) => classifier.prepare(t))) as tf.Tensor4D; // [b, 227, 227, 3]
      const r = classifier.classifyBatch(input);
      return tf.argMax(r.probabilities, 1);
    });
    loaded.forEach((t) => t.dispose());
    const idx = await predicted.data();
    predicted.dispose();
    for (const i of idx) out.push(classifier.labels[i]);
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}
