import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainFineHead } from '../../src/core/fine-head';
import { expectNoLeak, useWasm } from '../helpers';

beforeAll(useWasm);

/** Two classes told apart by channel 1 only, with channels on very different scales (as fire3's). */
function data(n: number, seed: number) {
  const x: number[][] = [];
  const labels: number[] = [];
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    labels.push(c);
    x.push([1000 + 500 * rand(), (c ? 0.5 : -0.5) + 0.2 * rand(), 0.001 * rand()]);
  }
  return { x: tf.tensor2d(x), labels };
}

describe('trainFineHead', () => {
  it('learns separable classes, folds the standardisation into raw-feature weights, and leaks nothing', async () => {
    const { x, labels } = data(200, 3);
    await expectNoLeak(async () => {
      const head = await trainFineHead(x, labels, 2, { steps: 300 });
      expect(head.kernel.shape).toEqual([3, 2]);
      // On raw features: every training row right, and the deciding channel is channel 1.
      const predicted = tf.tidy(() =>
        Array.from(tf.argMax(tf.add(tf.matMul(x, head.kernel), head.bias), 1).dataSync()),
      );
      expect(predicted).toEqual(labels);
      const k = head.kernel.arraySync();
      expect(Math.abs(k[1][1] - k[1][0])).toBeGreaterThan(Math.abs(k[0][1] - k[0][0]) * 100);
      tf.dispose([head.kernel, head.bias]);
    });
    x.dispose();
  });

  it('continues from initial weights without changing them when given no steps', async () => {
    const { x, labels } = data(40, 5);
    const initial = {
      kernel: tf.tensor2d([
        [0.001, -0.001],
        [2, -2],
        [0, 0],
      ]),
      bias: tf.tensor1d([0.1, -0.1]),
    };
    const head = await trainFineHead(x, labels, 2, { steps: 0, initial });
    const diff = tf.tidy(() =>
      Math.max(
        tf.max(tf.abs(tf.sub(head.kernel, initial.kernel))).dataSync()[0],
        tf.max(tf.abs(tf.sub(head.bias, initial.bias))).dataSync()[0],
      ),
    );
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([x, initial.kernel, initial.bias, head.kernel, head.bias]);
  });

  it('stops on abort and rejects mismatched labels', async () => {
    const { x, labels } = data(20, 7);
    const before = tf.memory().numTensors;
    await expect(trainFineHead(x, labels, 2, { signal: AbortSignal.abort() })).rejects.toThrow();
    await expect(trainFineHead(x, labels.slice(1), 2)).rejects.toThrow(/19 labels for 20 feature rows/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
