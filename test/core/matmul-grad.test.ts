import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { matMul } from '../../src/core/matmul-grad';
import { expectNoLeak, useWasm } from '../helpers';

beforeAll(useWasm);

/** Loss whose gradient reaches both operands unevenly: sum((a . b) * weights). */
const lossOf =
  (product: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D, weights: tf.Tensor2D) =>
  (...[a, b]: tf.Tensor[]) =>
    tf.sum(tf.mul(product(a as tf.Tensor2D, b as tf.Tensor2D), weights));

describe('matMul (fast gradient)', () => {
  it("gives tf.matMul's values and gradients for both operands, and leaks nothing", async () => {
    const a = tf.randomNormal([37, 11], 0, 1, 'float32', 1) as tf.Tensor2D; // [m, k]
    const b = tf.randomNormal([11, 5], 0, 1, 'float32', 2) as tf.Tensor2D; // [k, n]
    const weights = tf.randomNormal([37, 5], 0, 1, 'float32', 3) as tf.Tensor2D; // [m, n]
    await expectNoLeak(async () => {
      const [ours, theirs] = tf.tidy(() => [matMul(a, b), tf.matMul(a, b)]);
      expect(ours.shape).toEqual([37, 5]);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
      const [gA, gB] = tf.grads(lossOf(matMul, weights))([a, b]);
      const [wantA, wantB] = tf.grads(lossOf(tf.matMul, weights))([a, b]);
      expect(gA.shape).toEqual([37, 11]);
      expect(gB.shape).toEqual([11, 5]);
      const close = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]);
      expect(close(gA, wantA)).toBeLessThan(1e-4);
      expect(close(gB, wantB)).toBeLessThan(1e-4);
      // A wrong gradient (e.g. the operands' roles swapped) would be far off: the check can fail.
      expect(tf.tidy(() => close(gB, tf.zerosLike(gB)))).toBeGreaterThan(0.1);
      tf.dispose([ours, theirs, gA, gB, wantA, wantB]);
    });
    tf.dispose([a, b, weights]);
  });

  it('trains a variable through variableGrads as tf.matMul does', async () => {
    const x = tf.randomNormal([20, 4], 0, 1, 'float32', 4) as tf.Tensor2D;
    const target = tf.randomNormal([20, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
    await expectNoLeak(async () => {
      const init = tf.zeros([4, 3]);
      const w = tf.variable(init);
      const loss = () => tf.mean(tf.square(tf.sub(matMul(x, w as tf.Tensor2D), target))) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss, [w]);
      const want = tf.tidy(() => tf.mul(-2 / 60, tf.matMul(x, target, true, false))); // d/dw at w = 0
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(grads[w.name], want))).dataSync()[0])).toBeLessThan(1e-5);
      tf.dispose([value, want, w, init, ...Object.values(grads)]);
    });
    tf.dispose([x, target]);
  });
});
