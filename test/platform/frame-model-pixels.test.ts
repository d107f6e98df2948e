/**
 * The frame model's CPU fast path (staged RGBA pixels normalised in JavaScript, no fromPixels /
 * reverse / sub kernels) gives what the tensor path gives, for every preprocessing mode, without leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrackClassifier } from '../../src/core/classifier';
import { normalise, normaliseRgba, PREPROCESSING_MODES } from '../../src/core/preprocess';
import { createRng } from '../../src/core/random';
import { classifierFrameModel } from '../../src/platform/frame-model';
import { expectNoLeak, HAVE_SHARED, randomClassifierAndPhotos, useWasm } from '../helpers';

/** RGBA bytes of an [h, w, 3] int32 image (alpha 255). */
function rgbaOf(image: tf.Tensor3D): Uint8ClampedArray {
  const [h, w] = image.shape;
  const rgb = image.dataSync();
  const out = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    out.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 255], i * 4);
  }
  return out;
}

describe('normaliseRgba', () => {
  beforeAll(useWasm);

  it.each(PREPROCESSING_MODES)('matches normalise() in mode %s', (mode) => {
    const rng = createRng(3);
    const [w, h] = [7, 5];
    const rgba = new Uint8ClampedArray(w * h * 4).map(() => Math.floor(rng() * 256));
    const got = normaliseRgba(rgba, w, h, mode);
    const want = tf.tidy(() => {
      const rgb = tf.tensor4d(
        Array.from({ length: w * h * 3 }, (_, j) => rgba[Math.floor(j / 3) * 4 + (j % 3)]),
        [1, h, w, 3],
      );
      return normalise(rgb, mode).dataSync();
    });
    expect(got).toHaveLength(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });

  it('reuses the output buffer and rejects wrong sizes', () => {
    const out = new Float32Array(2 * 2 * 3);
    expect(normaliseRgba(new Uint8Array(16), 2, 2, 'unit', out)).toBe(out);
    expect(() => normaliseRgba(new Uint8Array(15), 2, 2, 'unit')).toThrow(/16 RGBA bytes/);
    expect(() => normaliseRgba(new Uint8Array(16), 2, 2, 'unit', new Float32Array(3))).toThrow(/12/);
  });
});

describe.skipIf(!HAVE_SHARED)('classifierFrameModel on staged pixels (WASM)', () => {
  let classifier: CrackClassifier;
  let images: tf.Tensor3D[];

  beforeAll(async () => {
    ({ classifier, images } = await randomClassifierAndPhotos(1, 1));
    for (const im of images) expect(im.shape.slice(0, 2)).toEqual([227, 227]);
  });

  afterAll(() => {
    tf.dispose(images);
    classifier?.dispose();
  });

  it('gives the tensor path probabilities and map, frame after frame, without leaking', async () => {
    const model = classifierFrameModel(classifier);
    for (const image of images) {
      const viaTensor = tf.tidy(() => model.infer(image));
      const want = model.decode((await viaTensor.data()) as Float32Array);
      const wantProbs = want.scores.map((s) => s.probability);
      const wantMap = want.map.slice();
      viaTensor.dispose();
      await expectNoLeak(async () => {
        const viaPixels = tf.tidy(() =>
          model.infer({ data: rgbaOf(image) as unknown as Uint8Array, width: 227, height: 227 }),
        );
        const got = model.decode((await viaPixels.data()) as Float32Array);
        viaPixels.dispose();
        expect(got.label).toBe(want.label);
        got.scores.forEach((s, i) => expect(s.probability).toBeCloseTo(wantProbs[i], 4));
        for (let i = 0; i < wantMap.length; i++) expect(got.map[i]).toBeCloseTo(wantMap[i], 3);
      });
    }
  });
});
