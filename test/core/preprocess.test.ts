import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { centreCrop, centreCropBox, cropAndNormalise, normalise } from '../../src/core/preprocess';
import { expectNoLeak, useWasm } from '../helpers';

beforeAll(useWasm);

describe('centreCropBox', () => {
  it('takes the largest centred square of landscape and portrait frames', () => {
    expect(centreCropBox(640, 480)).toEqual({ x: 80, y: 0, size: 480 });
    expect(centreCropBox(480, 640)).toEqual({ x: 0, y: 80, size: 480 });
    expect(centreCropBox(227, 227)).toEqual({ x: 0, y: 0, size: 227 });
  });
  it('scales the square by cropFraction, still centred', () => {
    expect(centreCropBox(640, 480, 0.5)).toEqual({ x: 200, y: 120, size: 240 });
  });
  it('rejects bad sizes and fractions with the valid range', () => {
    expect(() => centreCropBox(0, 10)).toThrow(/positive/);
    expect(() => centreCropBox(10, 10, 0)).toThrow(/\(0, 1\]/);
    expect(() => centreCropBox(10, 10, 1.5)).toThrow(/\(0, 1\]/);
  });
});

describe('centreCrop', () => {
  it('keeps only the centre square of a wide frame', async () => {
    // 100 wide, 50 high: columns 25..74 are the centre square (value 200), the sides are 0.
    const img = tf.tidy(() => {
      const cols = tf.range(0, 100).reshape([1, 100, 1]);
      const inside = tf.logicalAnd(tf.greaterEqual(cols, 25), tf.less(cols, 75));
      return tf.tile(tf.where(inside, tf.fill([1, 100, 1], 200), tf.zeros([1, 100, 1])), [50, 1, 3]) as tf.Tensor3D;
    });
    const out = centreCrop(img, 20);
    expect(out.shape).toEqual([1, 20, 20, 3]);
    const v = await out.data();
    expect(Math.min(...v)).toBeCloseTo(200, 3);
    tf.dispose([img, out]);
  });
  it('maps a known pixel position through the crop (nearest)', async () => {
    // A single hot pixel at the centre of a 9x5 image lands at the centre of a 5x5 crop.
    const buf = tf.buffer([5, 9, 1]);
    buf.set(255, 2, 4, 0);
    const img = buf.toTensor() as tf.Tensor3D;
    const out = centreCrop(img, 5, 1, 'nearest');
    const v = await out.reshape([5, 5]).array();
    expect((v as number[][])[2][2]).toBe(255);
    expect((v as number[][]).flat().filter((x) => x > 0)).toHaveLength(1);
    tf.dispose([img, out]);
  });
  it('crops every image of a batch and does not leak or dispose its input', async () => {
    const img = tf.randomUniform([3, 60, 80, 3], 0, 255) as tf.Tensor4D;
    await expectNoLeak(() => tf.dispose(cropAndNormalise(img, 32, 'caffe-bgr')));
    expect(cropAndNormalise(img, 32, 'caffe-bgr').shape).toEqual([3, 32, 32, 3]);
    expect(img.isDisposed).toBe(false);
    img.dispose();
  });
});

describe('normalise', () => {
  it('caffe-bgr reverses channels and subtracts the BGR means', async () => {
    const rgb = tf.tensor4d([10, 20, 30], [1, 1, 1, 3]);
    const out = await normalise(rgb, 'caffe-bgr').data();
    expect(out[0]).toBeCloseTo(30 - 103.939, 4);
    expect(out[1]).toBeCloseTo(20 - 116.779, 4);
    expect(out[2]).toBeCloseTo(10 - 123.68, 4);
    rgb.dispose();
  });
  it('unit and symmetric scale to [0,1] and [-1,1]', async () => {
    const rgb = tf.tensor4d([0, 127.5, 255], [1, 1, 1, 3]);
    expect(Array.from(await normalise(rgb, 'unit').data())).toEqual([0, 0.5, 1]);
    expect(Array.from(await normalise(rgb, 'symmetric').data())).toEqual([-1, 0, 1]);
    rgb.dispose();
  });
  it('names the valid modes for an unknown one', () => {
    const rgb = tf.zeros([1, 1, 1, 3]) as tf.Tensor4D;
    expect(() => normalise(rgb, 'bgr' as never)).toThrow(/caffe-bgr, caffe-rgb, unit, symmetric/);
    rgb.dispose();
  });
});
