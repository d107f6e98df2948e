import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  centreCrop,
  centreCropBox,
  centreCropPixels,
  cropAndNormalise,
  cropResizeRgba,
  normalise,
  type ResizeScratch,
} from '../../src/core/preprocess';
import { createRng } from '../../src/core/random';
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

describe('cropResizeRgba', () => {
  /** Random RGBA bytes, with smooth gradients mixed in so bilinear weights matter. */
  function image(width: number, height: number, seed: number): Uint8ClampedArray {
    const rng = createRng(seed);
    const out = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        out[i] = Math.floor(rng() * 256);
        out[i + 1] = (x * 7 + y * 3) % 256;
        out[i + 2] = rng() < 0.5 ? 0 : 255;
        out[i + 3] = Math.floor(rng() * 256);
      }
    }
    return out;
  }
  /** centreCrop (the tensor path the CLIs and training use) of the same bytes' RGB, as floats. */
  function viaTensor(
    rgba: Uint8ClampedArray,
    width: number,
    height: number,
    size: number,
    fraction: number,
  ): Float32Array {
    return tf.tidy(() => {
      const rgb = new Int32Array(width * height * 3);
      for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) rgb.set([rgba[i], rgba[i + 1], rgba[i + 2]], j);
      return centreCrop(tf.tensor3d(rgb, [height, width, 3], 'int32'), size, fraction).dataSync() as Float32Array;
    });
  }

  // Rounding to bytes costs up to 0.5; the rest is the WASM kernel's float32 sample positions
  // (an error of ~1e-5 px in 240/227 * 227 times a steep 0..255 edge gives ~0.004).
  const tolerance = 0.5 + 0.01;

  it.each([
    [640, 480, 227, 1], // the fake camera: 480 -> 2x2 blocks -> 240 -> bilinear 227
    [1280, 720, 227, 1], // 3x3 blocks
    [640, 480, 227, 0.5], // 240 -> bilinear only
    [300, 200, 64, 0.7], // 140 -> 2x2 blocks -> 70 -> 64
    [481, 500, 227, 1], // odd side: the last row and column fall outside the 2x2 blocks
    [100, 150, 227, 1], // upsampling
    [227, 300, 227, 1], // no resampling
  ])('equals centreCrop of a %ix%i image at %i (fraction %f) rounded to bytes', (width, height, size, fraction) => {
    const rgba = image(width, height, width + height);
    const got = cropResizeRgba(rgba, width, height, centreCropPixels(width, height, fraction), size);
    const want = viaTensor(rgba, width, height, size, fraction);
    let worst = 0;
    for (let i = 0, j = 0; j < want.length; i += 4, j += 3) {
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(got[i + c] - want[j + c]));
      expect(got[i + 3]).toBe(255);
    }
    expect(worst).toBeLessThanOrEqual(tolerance);
  });

  it('cuts an explicit crop anywhere in a larger buffer (as the aligned VideoFrame copy hands it over)', () => {
    const rgba = image(60, 40, 9);
    const crop = { x: 3, y: 5, side: 33 };
    const got = cropResizeRgba(rgba, 60, 40, crop, 16);
    // The same crop cut out first, then centreCrop of the whole square.
    const inner = new Uint8ClampedArray(33 * 33 * 4);
    for (let y = 0; y < 33; y++) inner.set(rgba.subarray(((y + 5) * 60 + 3) * 4, ((y + 5) * 60 + 36) * 4), y * 33 * 4);
    const want = viaTensor(inner, 33, 33, 16, 1);
    for (let i = 0, j = 0; j < want.length; i += 4, j += 3) {
      for (let c = 0; c < 3; c++) expect(Math.abs(got[i + c] - want[j + c])).toBeLessThanOrEqual(tolerance);
    }
  });

  it('reuses the output and scratch buffers and rejects bad sizes', () => {
    const out = new Uint8ClampedArray(8 * 8 * 4);
    const scratch: ResizeScratch = {};
    const rgba = image(20, 20, 1);
    expect(cropResizeRgba(rgba, 20, 20, { x: 0, y: 0, side: 20 }, 8, out, scratch)).toBe(out);
    const kept = scratch.rgb;
    expect(cropResizeRgba(rgba, 20, 20, { x: 2, y: 2, side: 16 }, 8, out, scratch)).toBe(out);
    expect(scratch.rgb).toBe(kept);
    expect(() => cropResizeRgba(new Uint8ClampedArray(10), 20, 20, { x: 0, y: 0, side: 20 }, 8)).toThrow(
      /1600 RGBA bytes/,
    );
    expect(() => cropResizeRgba(rgba, 20, 20, { x: 5, y: 0, side: 20 }, 8)).toThrow(/does not fit/);
    expect(() => cropResizeRgba(rgba, 20, 20, { x: 0, y: 0, side: 20 }, 8, new Uint8ClampedArray(4))).toThrow(/256/);
  });
});
