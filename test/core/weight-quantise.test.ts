import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { quantiseWeights, type WeightBytes } from '../../src/core/weight-quantise';

/** Two float32 tensors and an int32 one, as a model's manifest and bytes. */
function sampleWeights(): { weights: WeightBytes; kernel: Float32Array; bias: Float32Array; steps: Int32Array } {
  const kernel = Float32Array.from({ length: 3 * 3 * 4 * 8 }, (_, i) => Math.sin(i * 0.7) * 0.3);
  const bias = Float32Array.from({ length: 8 }, (_, i) => i - 4.25);
  const steps = Int32Array.from([7, -3]);
  const data = new Uint8Array(kernel.byteLength + bias.byteLength + steps.byteLength);
  data.set(new Uint8Array(kernel.buffer), 0);
  data.set(new Uint8Array(bias.buffer), kernel.byteLength);
  data.set(new Uint8Array(steps.buffer), kernel.byteLength + bias.byteLength);
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: 'conv/kernel', shape: [3, 3, 4, 8], dtype: 'float32' },
    { name: 'conv/bias', shape: [8], dtype: 'float32' },
    { name: 'steps', shape: [2], dtype: 'int32' },
  ];
  return { weights: { specs, data }, kernel, bias, steps };
}

/** The tensors TF.js decodes from `w`, as plain arrays (no tensors left behind). */
function decoded(w: WeightBytes): Record<string, Float32Array | Int32Array> {
  const map = tf.io.decodeWeights(w.data.slice().buffer, w.specs);
  const out = Object.fromEntries(Object.entries(map).map(([k, t]) => [k, t.dataSync() as Float32Array | Int32Array]));
  tf.dispose(Object.values(map));
  return out;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('quantiseWeights', () => {
  it('float16 halves the float32 bytes and TF.js decodes them within half precision', () => {
    const { weights, kernel, bias, steps } = sampleWeights();
    const q = quantiseWeights(weights, 'float16');
    expect(q.data.byteLength).toBe((kernel.length + bias.length) * 2 + steps.byteLength);
    expect(q.specs.map((s) => s.quantization?.dtype)).toEqual(['float16', 'float16', undefined]);
    const got = decoded(q);
    expect(maxDiff(got['conv/kernel'], kernel)).toBeLessThan(0.3 * 2 ** -10);
    expect(maxDiff(got['conv/bias'], bias)).toBeLessThan(4.25 * 2 ** -10);
    expect(Array.from(got.steps)).toEqual([7, -3]);
  });

  it('uint8 stores a quarter and decodes within half a step', () => {
    const { weights, kernel } = sampleWeights();
    const q = quantiseWeights(weights, 'uint8');
    const spec = q.specs[0].quantization;
    expect(spec?.dtype).toBe('uint8');
    expect(maxDiff(decoded(q)['conv/kernel'], kernel)).toBeLessThanOrEqual((spec?.scale ?? 0) / 2 + 1e-7);
    expect(q.data.byteLength).toBe(kernel.length + 8 + 8);
  });

  it('leaves weights that are already quantised as they are', () => {
    const { weights } = sampleWeights();
    const once = quantiseWeights(weights, 'float16');
    const twice = quantiseWeights(once, 'uint8');
    expect(twice.specs).toEqual(once.specs);
    expect(Array.from(twice.data)).toEqual(Array.from(once.data));
  });

  it('refuses bytes that do not match the manifest, naming both sizes', () => {
    const { weights } = sampleWeights();
    expect(() => quantiseWeights({ ...weights, data: weights.data.slice(0, 100) }, 'float16')).toThrow(
      /more than the 100 bytes given \(at 'conv\/kernel'\)/,
    );
    const longer = new Uint8Array(weights.data.byteLength + 4);
    longer.set(weights.data);
    expect(() => quantiseWeights({ ...weights, data: longer }, 'float16')).toThrow(
      /describes 1192 bytes, the data holds 1196/,
    );
  });
});
