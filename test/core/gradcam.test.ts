import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  autodiffGradCam,
  closedFormCamWeights,
  rescaleCam,
  weightedFeatureSum,
  type CamScore,
} from '../../src/core/gradcam';
import { existsSync } from 'node:fs';
import { loadHead } from '../../src/core/classifier';
import {
  camActivation,
  CLASSIFIER_LAYER,
  createHead,
  HIDDEN_LAYER,
  hiddenLayerOf,
  linearHeadOf,
  setLinearHead,
} from '../../src/core/head';
import { cropAndNormalise } from '../../src/core/preprocess';
import { decodeImageFile, DEFAULT_MODEL, fsReader, listImages } from '../../src/cli/node-io';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, sharedBase, useWasm } from '../helpers';

beforeAll(useWasm);

/**
 * Closed-form and autodiff maps (raw and rescaled) for one feature map. `features` is the activation
 * Grad-CAM explains; `tail` maps it to logits through the head's own layers (default: the whole head).
 */
function bothMaps(
  features: tf.Tensor4D,
  head: tf.LayersModel,
  classIndex: number,
  score: CamScore,
  tail = (f: tf.Tensor4D) => head.apply(f) as tf.Tensor2D,
) {
  return tf.tidy(() => {
    const { kernel, bias } = linearHeadOf(head);
    const logits = tf.add(tf.matMul(tf.mean(features, [1, 2]) as tf.Tensor2D, kernel), bias);
    const probs = tf.softmax(logits) as tf.Tensor2D;
    const w = closedFormCamWeights(kernel, probs, tf.tensor1d([classIndex], 'int32'), score);
    const closed = weightedFeatureSum(features, w);
    const auto = autodiffGradCam(features, tail, classIndex, score);
    return {
      rawDiff: tf.max(tf.abs(tf.sub(closed, auto))).dataSync()[0],
      rawScale: tf.max(tf.abs(auto)).dataSync()[0],
      diff: tf.max(tf.abs(tf.sub(rescaleCam(closed), rescaleCam(auto)))).dataSync()[0],
    };
  });
}

// tf.grad evaluates the gradient of every input of a node, so differentiating through the head's
// conv layer needs Conv2DBackpropFilter, which the WASM backend lacks: the reference runs on CPU.
describe('closed-form Grad-CAM equals tf.grad Grad-CAM', () => {
  beforeEach(() => tf.setBackend('cpu'));
  afterEach(() => tf.setBackend('wasm'));
  for (const score of ['softmax', 'logit'] as const) {
    for (const numClasses of [2, 4]) {
      it(`on random feature maps (${score}, ${numClasses} classes)`, () => {
        const head = createHead([13, 13, 256], numClasses);
        for (let trial = 0; trial < 3; trial++) {
          const features = tf.relu(tf.randomNormal([1, 13, 13, 256], 0, 2, 'float32', trial)) as tf.Tensor4D;
          for (let c = 0; c < numClasses; c++) {
            const { rawDiff, rawScale, diff } = bothMaps(features, head, c, score);
            expect(diff).toBeLessThan(1e-4);
            expect(rawDiff).toBeLessThan(1e-4 * Math.max(1, rawScale));
          }
          features.dispose();
        }
        head.dispose();
      });
    }
  }

  it('for a head with a hidden layer, on its ReLU activation (the last before pooling)', () => {
    const head = createHead([13, 13, 256], 3, { hidden: 16 });
    const hidden = hiddenLayerOf(head);
    const tail = (a: tf.Tensor4D) =>
      head.getLayer('logits').apply(head.getLayer(CLASSIFIER_LAYER).apply(a)) as tf.Tensor2D;
    for (let trial = 0; trial < 2; trial++) {
      const f = tf.relu(tf.randomNormal([1, 13, 13, 256], 0, 1, 'float32', 10 + trial)) as tf.Tensor4D;
      const a = camActivation(f, hidden);
      // The activation is the head's own hidden layer output.
      const viaLayer = head.getLayer(HIDDEN_LAYER).apply(f) as tf.Tensor4D;
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, viaLayer))).dataSync()[0])).toBeLessThan(1e-4);
      for (const score of ['softmax', 'logit'] as const) {
        for (let c = 0; c < 3; c++) {
          const { rawDiff, rawScale, diff } = bothMaps(a, head, c, score, tail);
          expect(diff, `${score} class ${c}`).toBeLessThan(1e-4);
          expect(rawDiff).toBeLessThan(1e-4 * Math.max(1, rawScale));
        }
      }
      tf.dispose([f, a, viaLayer]);
    }
    tf.dispose([hidden!.kernel, hidden!.bias]);
    head.dispose();
  });

  it.skipIf(!HAVE_SHARED)('on real photos through the real base (softmax and logit)', async () => {
    const features = await realPhotoFeatures();
    // Kernel scaled down so the softmax is not saturated: float32 tf.grad forms p_c - p_c^2 and
    // loses all digits when p_c rounds to 1 (see the float64 test below for confident models).
    const head = createHead([13, 13, 256], 2);
    const { kernel, bias } = linearHeadOf(head);
    tf.tidy(() => setLinearHead(head, tf.mul(kernel, 0.05) as tf.Tensor2D, bias));
    tf.dispose([kernel, bias]);
    for (const [file, f] of features) {
      for (const score of ['softmax', 'logit'] as const) {
        for (const c of [0, 1]) {
          const { rawDiff, rawScale, diff } = bothMaps(f, head, c, score);
          expect(diff, `${file} ${score} class ${c}`).toBeLessThan(1e-4);
          expect(rawDiff).toBeLessThan(1e-4 * Math.max(1, rawScale));
        }
      }
    }
    tf.dispose(features.map(([, f]) => f));
    head.dispose();
  });
});

/** Feature maps of a few real photos: [file, [1, 13, 13, 256]] on the CPU backend. */
async function realPhotoFeatures(): Promise<[string, tf.Tensor4D][]> {
  const base = await sharedBase();
  const files = [
    ...(await listImages(path.join(DATA_DIR, 'concrete/crack'))).slice(0, 2),
    ...(await listImages(path.join(DATA_DIR, 'concrete/nocrack'))).slice(0, 1),
    ...(await listImages(path.join(DATA_DIR, 'masks/images'))).slice(0, 2),
  ];
  const out: [string, tf.Tensor4D][] = [];
  for (const file of files) {
    await tf.setBackend('wasm');
    const img = await decodeImageFile(file);
    const computed = tf.tidy(() => base.model.predict(cropAndNormalise(img, 227, 'caffe-bgr')) as tf.Tensor4D); // [1, 13, 13, 256]
    const data = await computed.data();
    tf.dispose([img, computed]);
    await tf.setBackend('cpu');
    out.push([path.basename(file), tf.tensor4d(data, [1, 13, 13, 256])]);
  }
  return out;
}

/**
 * Grad-CAM in float64 by central finite differences, independent of both implementations under test:
 * the spatial sum of d score / dF[y,x,k] equals d score / d pooled[k], differentiated numerically.
 */
function finiteDifferenceCam(
  f: Float32Array,
  hw: number,
  k: number,
  kernel: Float32Array,
  bias: Float32Array,
  c: number,
  score: CamScore,
): number[] {
  const numClasses = bias.length;
  const pooled = new Float64Array(k);
  for (let i = 0; i < hw; i++) for (let j = 0; j < k; j++) pooled[j] += f[i * k + j] / hw;
  const logitsAt = (p: Float64Array) =>
    Array.from({ length: numClasses }, (_, cc) => {
      let z = bias[cc];
      for (let j = 0; j < k; j++) z += p[j] * kernel[j * numClasses + cc];
      return z;
    });
  // p_c = 1 / (1 + S) with S = sum_{j != c} exp(z_j - z_c): S keeps full relative precision even when
  // p_c rounds to 1, so differentiate S numerically and apply dp_c = -dS / (1 + S)^2 analytically.
  const sAt = (p: Float64Array) => {
    const z = logitsAt(p);
    return z.reduce((acc, zj, j) => (j === c ? acc : acc + Math.exp(zj - z[c])), 0);
  };
  const s0 = sAt(pooled);
  const weights = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const h = 1e-3 * Math.max(1, Math.abs(pooled[j]));
    const up = pooled.slice();
    const down = pooled.slice();
    up[j] += h;
    down[j] -= h;
    weights[j] =
      score === 'logit'
        ? (logitsAt(up)[c] - logitsAt(down)[c]) / (2 * h)
        : -((sAt(up) - sAt(down)) / (2 * h)) / ((1 + s0) * (1 + s0));
  }
  const map = Array.from({ length: hw }, (_, i) => {
    let s = 0;
    for (let j = 0; j < k; j++) s += weights[j] * f[i * k + j];
    return Math.max(0, s);
  });
  const lo = Math.min(...map);
  const range = Math.max(...map) - lo;
  return map.map((v) => (range > 0 ? (v - lo) / range : 0));
}

describe.skipIf(!HAVE_SHARED || !existsSync(DEFAULT_MODEL))(
  'closed-form Grad-CAM of the default model on real photos',
  () => {
    it('matches a float64 finite-difference Grad-CAM (softmax and logit)', async () => {
      const features = await realPhotoFeatures();
      const { head } = await loadHead(fsReader, DEFAULT_MODEL);
      const { kernel, bias } = linearHeadOf(head);
      const hidden = hiddenLayerOf(head);
      const channels = kernel.shape[0];
      const kData = kernel.dataSync() as Float32Array;
      const bData = bias.dataSync() as Float32Array;
      for (const [file, base] of features) {
        const f = camActivation(base, hidden); // [1, 13, 13, H] the activation Grad-CAM explains
        const fData = f.dataSync() as Float32Array;
        for (const score of ['softmax', 'logit'] as const) {
          for (const c of [0, 1]) {
            const closed = tf.tidy(() => {
              const probs = tf.softmax(
                tf.add(tf.matMul(tf.mean(f, [1, 2]) as tf.Tensor2D, kernel), bias),
              ) as tf.Tensor2D;
              return Array.from(
                rescaleCam(
                  weightedFeatureSum(f, closedFormCamWeights(kernel, probs, tf.tensor1d([c], 'int32'), score)),
                ).dataSync(),
              );
            });
            const exact = finiteDifferenceCam(fData, 169, channels, kData, bData, c, score);
            const diff = Math.max(...closed.map((v, i) => Math.abs(v - exact[i])));
            expect(diff, `${file} ${score} class ${c}`).toBeLessThan(1e-4);
          }
        }
        f.dispose();
      }
      tf.dispose([kernel, bias, ...(hidden ? [hidden.kernel, hidden.bias] : []), ...features.map(([, f]) => f)]);
      head.dispose();
    });
  },
);

describe('rescaleCam', () => {
  it('maps to [0, 1] with min 0 and max 1, and a constant map to zeros', async () => {
    const raw = tf.tensor3d([
      [
        [-2, 1],
        [3, 5],
      ],
      [
        [4, 4],
        [4, 4],
      ],
    ]);
    const out = Array.from(await rescaleCam(raw).data());
    [0, 0.2, 0.6, 1, 0, 0, 0, 0].forEach((want, i) => expect(out[i]).toBeCloseTo(want, 6));
    const noRelu = (await rescaleCam(raw, false).array()) as number[][][];
    expect(noRelu[0][0][0]).toBe(0);
    expect(noRelu[0][0][1]).toBeCloseTo(3 / 7, 6);
    raw.dispose();
  });
});

describe('tensor leaks', () => {
  it('every Grad-CAM function frees its intermediates and keeps its inputs', async () => {
    const head = createHead([13, 13, 256], 2);
    const { kernel, bias } = linearHeadOf(head);
    const features = tf.randomUniform([2, 13, 13, 256]) as tf.Tensor4D;
    const probs = tf.softmax(tf.randomNormal([2, 2])) as tf.Tensor2D;
    const cls = tf.tensor1d([0, 1], 'int32');
    await expectNoLeak(() => tf.dispose(closedFormCamWeights(kernel, probs, cls, 'softmax')));
    await expectNoLeak(() => {
      const w = tf.ones([2, 256]) as tf.Tensor2D;
      tf.dispose([weightedFeatureSum(features, w), w]);
    });
    await expectNoLeak(() => {
      const raw = tf.randomNormal([1, 3, 3]) as tf.Tensor3D;
      tf.dispose([rescaleCam(raw), raw]);
    });
    await expectNoLeak(() => {
      const one = tf.slice(features, [0, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
      const linear = (f: tf.Tensor4D) =>
        tf.add(tf.matMul(tf.mean(f, [1, 2]) as tf.Tensor2D, kernel), bias) as tf.Tensor2D;
      tf.dispose([autodiffGradCam(one, linear, 1, 'softmax'), one]);
    });
    for (const t of [features, probs, cls, kernel, bias]) expect(t.isDisposed).toBe(false);
    tf.dispose([features, probs, cls, kernel, bias]);
    head.dispose();
  });
});
