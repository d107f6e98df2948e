import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { camMaskScores, dilateMask } from '../../src/core/cam-metrics';
import { expectNoLeak, useWasm } from '../helpers';

beforeAll(useWasm);

describe('dilateMask', () => {
  it('grows a pixel into a (2r+1) square', async () => {
    const buf = tf.buffer([1, 9, 9]);
    buf.set(1, 0, 4, 4);
    const m = buf.toTensor() as tf.Tensor3D;
    const d = dilateMask(m, 2);
    expect((await d.sum().data())[0]).toBe(25);
    expect(await d.slice([0, 2, 2], [1, 5, 5]).min().data()).toEqual(new Float32Array([1]));
    tf.dispose([m, d]);
  });
});

describe('camMaskScores', () => {
  it('hits when the map peak lies in the mask, with energy = mass inside / total', async () => {
    // 2x2 map upsampled to 4x4; the mask covers the top-left quadrant, where the map is hottest.
    const cam = tf.tensor3d([[[1, 0], [0, 0]]]);
    const mask = tf.tensor3d([[[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]);
    const [hit, energy, area] = await camMaskScores(cam, mask, 0).data();
    expect(hit).toBe(1);
    expect(area).toBe(0.25);
    expect(energy).toBeGreaterThan(0.5);
    expect(energy).toBeLessThan(1);
    const miss = await camMaskScores(tf.tensor3d([[[0, 0], [0, 1]]]), mask, 0).data();
    expect(miss[0]).toBe(0);
    expect(miss[1]).toBeLessThan(energy);
    await expectNoLeak(() => tf.dispose(camMaskScores(cam, mask, 1)));
    tf.dispose([cam, mask]);
  });
  it('an all-zero map has zero energy', async () => {
    const cam = tf.zeros([1, 2, 2]) as tf.Tensor3D;
    const mask = tf.ones([1, 4, 4]) as tf.Tensor3D;
    expect((await camMaskScores(cam, mask, 0).data())[1]).toBe(0);
    tf.dispose([cam, mask]);
  });
});
