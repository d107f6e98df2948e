import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch, DEFAULT_AUGMENT, MATLAB_REFERENCE_AUGMENT } from '../../src/core/augment';
import { createRng } from '../../src/core/random';
import { expectNoLeak, useWasm } from '../helpers';

beforeAll(useWasm);

const NONE = { flipX: false, translate: 0, scale: 0, brightness: 0, contrast: 0 };

describe('augmentBatch', () => {
  it('is the identity when every range is zero', async () => {
    const img = tf.randomUniform([2, 31, 31, 3], 0, 255) as tf.Tensor4D;
    const out = await augmentBatch(img, NONE, createRng(1));
    expect(tf.max(tf.abs(tf.sub(out, img))).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([img, out]);
  });
  it('mirrors left-right when flipping', async () => {
    const img = tf.randomUniform([1, 8, 8, 3], 0, 255) as tf.Tensor4D;
    // A draw below 0.5 flips; find a seed whose first draw flips.
    let seed = 0;
    while (createRng(seed)() >= 0.5) seed++;
    const out = await augmentBatch(img, { ...NONE, flipX: true }, createRng(seed));
    expect(tf.max(tf.abs(tf.sub(out, tf.reverse(img, 2)))).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([img, out]);
  });
  it('rotate gives each of the eight rotations and mirror images of a square image, and nothing else', async () => {
    const side = 9;
    const img = tf.randomUniform([1, side, side, 3], 0, 255) as tf.Tensor4D;
    const transposed = tf.transpose(img, [0, 2, 1, 3]);
    const dihedral = [img, transposed].flatMap((t) => [t, tf.reverse(t, 1), tf.reverse(t, 2), tf.reverse(t, [1, 2])]);
    const seen = new Set<number>();
    for (let seed = 0; seed < 64; seed++) {
      const out = await augmentBatch(img, { ...NONE, flipX: true, rotate: true }, createRng(seed));
      const match = dihedral.findIndex((t) => tf.max(tf.abs(tf.sub(out, t))).dataSync()[0] < 1e-3);
      expect(match).toBeGreaterThanOrEqual(0);
      seen.add(match);
      out.dispose();
    }
    expect(seen.size).toBe(8);
    tf.dispose([img, transposed, ...dihedral]);
  });
  it('rotate refuses an image that is not square', async () => {
    const img = tf.zeros([1, 8, 9, 3]) as tf.Tensor4D;
    await expect(augmentBatch(img, { ...NONE, rotate: true }, createRng(1))).rejects.toThrow(/square/);
    img.dispose();
  });
  it('shifts content by the drawn translation', async () => {
    // A vertical bright line at x = 10 moves to x = 10 + tx for a pure shift.
    const buf = tf.buffer([1, 21, 31, 3]);
    for (let y = 0; y < 21; y++) for (let k = 0; k < 3; k++) buf.set(255, 0, y, 10, k);
    const img = buf.toTensor() as tf.Tensor4D;
    // Draw order per image: zoom (scale 0 here), then tx. Pick a seed with a clear shift.
    const txOf = (seed: number) => {
      const probe = createRng(seed);
      probe();
      return (probe() * 2 - 1) * 5;
    };
    let seed = 0;
    while (Math.abs(txOf(seed)) < 2) seed++;
    const tx = txOf(seed);
    const rng = createRng(seed);
    const out = await augmentBatch(img, { ...NONE, translate: 5 }, rng);
    const row = Array.from(await out.slice([0, 10, 0, 0], [1, 1, 31, 1]).data());
    const peak = row.indexOf(Math.max(...row));
    expect(Math.abs(tx)).toBeGreaterThan(0.5);
    expect(Math.abs(peak - (10 + tx))).toBeLessThanOrEqual(1);
    tf.dispose([img, out]);
  });
  it('zooms by a factor drawn log-uniformly in zoomRange', async () => {
    // A bright centred square 11 px wide in a 41 px image: its width scales with the zoom.
    const side = 41;
    const buf = tf.buffer([1, side, side, 3]);
    for (let y = 15; y <= 25; y++) for (let x = 15; x <= 25; x++) for (let k = 0; k < 3; k++) buf.set(255, 0, y, x, k);
    const img = buf.toTensor() as tf.Tensor4D;
    const widthAt = async (range: readonly [number, number], seed: number) => {
      const out = await augmentBatch(img, { ...NONE, zoomRange: range }, createRng(seed));
      const row = await out.slice([0, 20, 0, 0], [1, 1, side, 1]).data();
      out.dispose();
      // The run of bright pixels through the centre (zooming out also shows reflected copies at the borders).
      let left = 20;
      let right = 20;
      while (left > 0 && row[left - 1] > 127) left--;
      while (right < side - 1 && row[right + 1] > 127) right++;
      return right - left + 1;
    };
    expect(await widthAt([2, 2], 1)).toBeGreaterThanOrEqual(21);
    expect(await widthAt([2, 2], 1)).toBeLessThanOrEqual(23);
    expect(await widthAt([0.5, 0.5], 1)).toBeGreaterThanOrEqual(5);
    expect(await widthAt([0.5, 0.5], 1)).toBeLessThanOrEqual(7);
    // The first draw of the seed sets the zoom: min * (max / min) ** u.
    const u = createRng(5)();
    const zoom = 0.5 * Math.pow(4, u);
    expect(Math.abs((await widthAt([0.5, 2], 5)) - 11 * zoom)).toBeLessThanOrEqual(1.5);
    // With zoomShare, the first draw says whether the range applies: share 1 always, share 0 never.
    const zoomedAt = async (share: number) => {
      const out = await augmentBatch(img, { ...NONE, zoomRange: [2, 2], zoomShare: share }, createRng(1));
      const row = await out.slice([0, 20, 0, 0], [1, 1, side, 1]).data();
      out.dispose();
      return row.filter((v) => v > 127).length;
    };
    expect(await zoomedAt(1)).toBeGreaterThanOrEqual(21);
    expect(await zoomedAt(0)).toBe(11);
    img.dispose();
  });
  it('gives the same result on the WASM and CPU backends', async () => {
    const img = tf.randomUniform([3, 40, 40, 3], 0, 255, 'float32', 7) as tf.Tensor4D;
    const wasm = await (await augmentBatch(img, MATLAB_REFERENCE_AUGMENT, createRng(3))).data();
    await tf.setBackend('cpu');
    const imgCpu = tf.tensor(await img.data(), img.shape) as tf.Tensor4D;
    const cpu = await (await augmentBatch(imgCpu, MATLAB_REFERENCE_AUGMENT, createRng(3))).data();
    await tf.setBackend('wasm');
    let maxDiff = 0;
    for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - wasm[i]));
    expect(maxDiff).toBeLessThan(1e-2);
    img.dispose();
  });
  it('keeps shape and range and leaks nothing', async () => {
    const img = tf.randomUniform([4, 64, 64, 3], 0, 255) as tf.Tensor4D;
    await expectNoLeak(async () => tf.dispose(await augmentBatch(img, DEFAULT_AUGMENT, createRng(2))));
    await expectNoLeak(async () =>
      tf.dispose(await augmentBatch(img, { ...DEFAULT_AUGMENT, rotate: true }, createRng(2))),
    );
    const out = await augmentBatch(img, DEFAULT_AUGMENT, createRng(2));
    expect(out.shape).toEqual([4, 64, 64, 3]);
    expect(tf.min(out).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(out).dataSync()[0]).toBeLessThanOrEqual(255);
    expect(img.isDisposed).toBe(false);
    tf.dispose([img, out]);
  });
});
