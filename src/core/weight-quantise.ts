/**
 * Smaller model files: float32 weights stored as float16, or as uint8 (affine per tensor), in TF.js's
 * own quantised-weights manifest format. tf.io.decodeWeights turns them back into float32 when the
 * model loads, so the network computes as before; only the download and the cache shrink (float16:
 * half; uint8: a quarter). A model that carries fine-tuned fire modules ships its weights as float16.
 */
import type * as tf from '@tensorflow/tfjs';
import { toFloat16Bits } from './float16';
import { concatBuffers, expectedWeightBytes, type LoadedArtifacts } from './model-io';
import { WEIGHTS_FILE } from './model-writer';

/** Storage types {@link quantiseWeights} writes. */
export const WEIGHT_STORAGE_DTYPES = ['float16', 'uint8'] as const;
export type WeightStorageDtype = (typeof WEIGHT_STORAGE_DTYPES)[number];

/** A weights manifest's entries with the bytes they describe, in order. */
export interface WeightBytes {
  specs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
}

/** Float16 bit patterns of `w`. */
function toFloat16(w: Float32Array): ArrayBuffer {
  const h = new Uint16Array(w.length);
  for (let i = 0; i < w.length; i++) h[i] = toFloat16Bits(w[i]);
  return h.buffer;
}

/** `w` as uint8 steps of (max - min) / 255 above min (a constant tensor: all zeros, scale 1). */
function toUint8(w: Float32Array): { bytes: ArrayBuffer; scale: number; min: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of w) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (w.length === 0) min = max = 0;
  const scale = max > min ? (max - min) / 255 : 1;
  const bytes = new Uint8Array(w.length);
  for (let i = 0; i < w.length; i++) bytes[i] = Math.round((w[i] - min) / scale);
  return { bytes: bytes.buffer, scale, min };
}

/**
 * The weights with every plain float32 tensor stored as `dtype` (other tensors, and ones already
 * quantised, are copied as they are).
 * @throws when `data` is shorter or longer than the manifest says, naming both sizes
 */
export function quantiseWeights(weights: WeightBytes, dtype: WeightStorageDtype): WeightBytes {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: ArrayBuffer[] = [];
  let offset = 0;
  for (const spec of weights.specs) {
    const bytes = expectedWeightBytes([spec]);
    if (offset + bytes > weights.data.byteLength)
      throw new Error(
        `weights: the manifest needs more than the ${weights.data.byteLength} bytes given (at '${spec.name}')`,
      );
    const raw = weights.data.slice(offset, offset + bytes);
    offset += bytes;
    if (spec.dtype !== 'float32' || spec.quantization) {
      specs.push(spec);
      parts.push(raw.buffer);
    } else if (dtype === 'float16') {
      specs.push({ ...spec, quantization: { dtype: 'float16' } });
      parts.push(toFloat16(new Float32Array(raw.buffer)));
    } else {
      const q = toUint8(new Float32Array(raw.buffer));
      specs.push({ ...spec, quantization: { dtype: 'uint8', scale: q.scale, min: q.min } });
      parts.push(q.bytes);
    }
  }
  if (offset !== weights.data.byteLength)
    throw new Error(`weights: the manifest describes ${offset} bytes, the data holds ${weights.data.byteLength}`);
  return { specs, data: new Uint8Array(concatBuffers(parts)) };
}

/**
 * A model read by readLayersArtifacts with its weights quantised: the model.json (one shard,
 * {@link WEIGHTS_FILE}) and the shard's bytes.
 */
export function quantiseModel(
  { json, artifacts }: LoadedArtifacts,
  dtype: WeightStorageDtype,
): { json: tf.io.ModelJSON; weights: WeightBytes } {
  const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
  const weights = quantiseWeights({ specs: artifacts.weightSpecs ?? [], data }, dtype);
  return { json: { ...json, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: weights.specs }] }, weights };
}
