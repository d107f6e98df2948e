import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { camMaskScores, camToPixels, dilateMask, SQUEEZENET_CELLS, squeezenetCells } from '../../src/core/cam-metrics';
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

describe('squeezenetCells', () => {
  it('centres each grid of SqueezeNet v1.1 at 227 px on its receptive field', () => {
    expect(squeezenetCells(113)).toEqual({ first: 1, stride: 2 });
    expect(squeezenetCells(56)).toEqual({ first: 3, stride: 4 });
    expect(squeezenetCells(27)).toEqual({ first: 7, stride: 8 });
    expect(squeezenetCells(13)).toEqual({ first: 15, stride: 16 });
    expect(SQUEEZENET_CELLS).toEqual(squeezenetCells(13));
    // The last cell of each grid stays inside the crop.
    for (const g of [113, 56, 27, 13]) {
      const { first, stride } = squeezenetCells(g);
      expect(first + (g - 1) * stride).toBeLessThan(227);
    }
  });

  it('names the valid grid sizes for any other', () => {
    expect(() => squeezenetCells(14)).toThrow(
      /no SqueezeNet map is 14 cells wide at 227 px input; valid: 113, 56, 27, 13, 6, 2/,
    );
  });
});

describe('camMaskScores', () => {
  it('hits when the map peak lies in the mask, with energy = mass inside / total', async () => {
    // 2x2 map upsampled to 4x4; the mask covers the top-left quadrant, where the map is hottest.
    const cam = tf.tensor3d([
      [
        [1, 0],
        [0, 0],
      ],
    ]);
    const mask = tf.tensor3d([
      [
        [1, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    ]);
    const [hit, energy, area] = await camMaskScores(cam, mask, 0).data();
    expect(hit).toBe(1);
    expect(area).toBe(0.25);
    expect(energy).toBeGreaterThan(0.5);
    expect(energy).toBeLessThan(1);
    const miss = await camMaskScores(
      tf.tensor3d([
        [
          [0, 0],
          [0, 1],
        ],
      ]),
      mask,
      0,
    ).data();
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

describe('camToPixels (cells at their receptive-field centres)', () => {
  it('puts SqueezeNet cell k on pixel 16k + 15, interpolates linearly between centres and holds the edge cells', async () => {
    // One hot cell at (row 2, column 9): its centre pixel (47, 159) takes the full value.
    const buf = tf.buffer([1, 13, 13]);
    buf.set(1, 0, 2, 9);
    const cam = buf.toTensor() as tf.Tensor3D;
    const up = camToPixels(cam, 227);
    expect(up.shape).toEqual([1, 227, 227]);
    const px = (await up.array())[0];
    expect(px[47][159]).toBeCloseTo(1, 6);
    expect(px[47][151]).toBeCloseTo(0.5, 6); // half-way to the next centre (143)
    expect(px[47][143]).toBeCloseTo(0, 6);
    const peak = px.flat().indexOf(Math.max(...px.flat()));
    expect([Math.floor(peak / 227), peak % 227]).toEqual([47, 159]);
    // Pixels outside the outer centres (0..15 and 207..226) take the edge cell's value.
    const edge = camToPixels(tf.ones([1, 13, 13]) as tf.Tensor3D, 227);
    expect(await edge.min().data()).toEqual(new Float32Array([1]));
    expect(await edge.max().data()).toEqual(new Float32Array([1]));
    await expectNoLeak(() => tf.dispose(camToPixels(cam, 227, SQUEEZENET_CELLS)));
    tf.dispose([cam, up, edge]);
  });

  it('camMaskScores with the geometry scores a map that is hot on the mask as a hit', async () => {
    const buf = tf.buffer([1, 13, 13]);
    buf.set(1, 0, 1, 1);
    const cam = buf.toTensor() as tf.Tensor3D;
    // A 3x3 mask around pixel (31, 31), the cell's centre; a plain resize puts the peak near (26, 26).
    const m = tf.buffer([1, 227, 227]);
    for (let y = 30; y <= 32; y++) for (let x = 30; x <= 32; x++) m.set(1, 0, y, x);
    const mask = m.toTensor() as tf.Tensor3D;
    expect((await camMaskScores(cam, mask, 0, SQUEEZENET_CELLS).data())[0]).toBe(1);
    expect((await camMaskScores(cam, mask, 0).data())[0]).toBe(0);
    expect(() => camMaskScores(cam, tf.zeros([1, 227, 200]) as tf.Tensor3D, 0, SQUEEZENET_CELLS)).toThrow(
      /square mask/,
    );
    tf.dispose([cam, mask]);
  });
});
