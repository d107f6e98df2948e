import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  camActivation,
  convAsMatrix,
  createHead,
  headForward,
  headWeightsOf,
  headWeightTensors,
  HIDDEN_LAYER,
  im2col3x3,
  hiddenLayerOf,
  pooledLogits,
  fireFromBase,
  growHead,
  GROWN_CLASS_MARGIN,
  headClassCount,
  lastFires,
  setLinearHead,
  trunkExpandLayer,
  trunkInputLayer,
  trunkOf,
  trunkSqueezeLayer,
} from '../../src/core/head';
import { expectNoLeak, HAVE_SHARED, sharedBase, useWasm } from '../helpers';

beforeAll(useWasm);

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

const FIRE9 = [{ fire: 'fire9', squeeze: 6, expand: 10 }];

describe('head with a trunk of fire module copies (deep mode)', () => {
  it('camActivation (matMul/im2col form) equals the Layers model up to the hidden ReLU, through two modules', () => {
    const head = createHead([13, 13, 24], 3, {
      hidden: 5,
      trunk: [{ fire: 'fire8', squeeze: 7, expand: 12 }, ...FIRE9],
    });
    // Non-zero biases so the 'same' padding and the bias placement are both exercised.
    const trunkLayers = ['fire8', 'fire9'].flatMap((f) => [trunkSqueezeLayer(f), trunkExpandLayer(f)]);
    for (const name of [...trunkLayers, HIDDEN_LAYER]) {
      const layer = head.getLayer(name);
      const [k, b] = layer.getWeights();
      tf.tidy(() => layer.setWeights([k, tf.randomNormal(b.shape, 0, 0.5, 'float32', 3)]));
    }
    const upToHidden = tf.model({
      inputs: head.inputs,
      outputs: head.getLayer(HIDDEN_LAYER).output as tf.SymbolicTensor,
    });
    const x = tf.randomUniform([2, 13, 13, 24], -1, 2, 'float32', 7) as tf.Tensor4D;
    const trunk = trunkOf(head)!;
    const hidden = hiddenLayerOf(head)!;
    expect(trunk.map((m) => m.fire)).toEqual(['fire8', 'fire9']);
    expect(trunk[0].squeeze.kernel.shape).toEqual([24, 7]);
    expect(trunk[1].expand.kernel.shape).toEqual([9 * 6, 10]);
    const want = upToHidden.predict(x) as tf.Tensor;
    const before = tf.memory().numTensors;
    tf.dispose(camActivation(x, hidden, trunk));
    expect(tf.memory().numTensors).toBe(before);
    const got = camActivation(x, hidden, trunk);
    expect(got.shape).toEqual([2, 13, 13, 5]);
    expect(maxDiff(got, want)).toBeLessThan(1e-4);
    tf.dispose([
      x,
      want,
      got,
      ...trunk.flatMap((m) => [m.squeeze.kernel, m.squeeze.bias, m.expand.kernel, m.expand.bias]),
      hidden.kernel,
      hidden.bias,
    ]);
    head.dispose();
  });

  it('convAsMatrix and setLinearHead round-trip a 3x3 kernel', () => {
    const head = createHead([5, 5, 4], 2, { trunk: [{ fire: 'fire9', squeeze: 3, expand: 2 }] });
    const expandLayer = trunkExpandLayer('fire9');
    const m = convAsMatrix(head.getLayer(expandLayer));
    expect(m.kernel.shape).toEqual([27, 2]);
    const changed = tf.tidy(() => tf.add(m.kernel, 1)) as tf.Tensor2D;
    setLinearHead(head, changed, m.bias, expandLayer);
    const back = convAsMatrix(head.getLayer(expandLayer));
    expect(maxDiff(back.kernel, changed)).toBe(0);
    expect(head.getLayer(expandLayer).getWeights()[0].shape).toEqual([3, 3, 3, 2]);
    tf.dispose([m.kernel, m.bias, changed, back.kernel, back.bias]);
    head.dispose();
  });

  it('a head without a trunk has none, and camActivation of a linear head copies its input', () => {
    const head = createHead([13, 13, 8], 2);
    expect(trunkOf(head)).toBeUndefined();
    const x = tf.ones([1, 13, 13, 8]) as tf.Tensor4D;
    const y = camActivation(x, undefined);
    expect(y).not.toBe(x);
    expect(maxDiff(x, y)).toBe(0);
    tf.dispose([x, y]);
    head.dispose();
  });
});

describe('im2col3x3', () => {
  it('lays each pixel’s 3x3 neighbourhood (zero-padded) out as one row, in (dy, dx, channel) order, and leaks nothing', async () => {
    // [1, 2, 3, 2]: channel 0 counts 1..6 row by row, channel 1 is its negative.
    const x = tf.tensor4d([1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6], [1, 2, 3, 2]);
    await expectNoLeak(async () => {
      const cols = im2col3x3(x);
      expect(cols.shape).toEqual([6, 18]);
      const rows = (await cols.array()) as number[][];
      // Pixel (0, 0): its neighbours above and to the left are padding.
      expect(rows[0]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, -1, 2, -2, 0, 0, 4, -4, 5, -5]);
      // Pixel (1, 1): the centre tap (dy = dx = 1) is the pixel itself.
      expect(rows[4].slice(8, 10)).toEqual([5, -5]);
      expect(rows[4]).toEqual([1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 0, 0, 0, 0, 0, 0]);
      cols.dispose();
    });
    x.dispose();
  });
});

describe('the last fire modules', () => {
  it('lastFires names them and rejects other counts naming the valid ones; trunkInputLayer is the module before', () => {
    expect(lastFires(1)).toEqual(['fire9']);
    expect(lastFires(2)).toEqual(['fire8', 'fire9']);
    expect(lastFires(3)).toEqual(['fire7', 'fire8', 'fire9']);
    expect(() => lastFires(0)).toThrow(/got 0; valid: 1, 2, 3/);
    expect(() => lastFires(4)).toThrow(/got 4; valid: 1, 2, 3/);
    expect(trunkInputLayer('fire8')).toBe('fire7/concat');
    expect(trunkInputLayer('fire9')).toBe('fire8/concat');
  });

  it.skipIf(!HAVE_SHARED)(
    'fireFromBase merges a module’s 1x1 and 3x3 expand into one 3x3 conv that computes the module exactly (fire8), or copies it (fire9)',
    async () => {
      const base = await sharedBase();
      const layer = (name: string) => base.model.layers.find((l) => l.name === name);
      const x = tf.randomUniform([1, 227, 227, 3], -120, 130, 'float32', 5) as tf.Tensor4D;
      const [fire7, fire8, fire9] = base
        .cutMany(['fire7/concat', 'fire8/concat', 'fire9/relu_expand3x3'])
        .predict(x) as tf.Tensor4D[];
      const before = tf.memory().numTensors;
      const m8 = fireFromBase('fire8', layer);
      const m9 = fireFromBase('fire9', layer);
      expect(m8.expand.kernel.shape).toEqual([9 * 64, 512]);
      expect(m9.expand.kernel.shape).toEqual([9 * 64, 256]);
      const viaCopies = camActivation(fire7, undefined, [m8]); // [1, 13, 13, 512]
      const both = camActivation(fire7, undefined, [m8, m9]); // [1, 13, 13, 256]
      const scale = tf.tidy(() => tf.max(fire8).dataSync()[0]);
      expect(maxDiff(viaCopies, fire8) / scale).toBeLessThan(1e-5);
      expect(maxDiff(both, fire9) / tf.tidy(() => tf.max(fire9).dataSync()[0])).toBeLessThan(1e-5);
      const parts = [m8, m9].flatMap((m) => [m.squeeze.kernel, m.squeeze.bias, m.expand.kernel, m.expand.bias]);
      tf.dispose([viaCopies, both, ...parts]);
      expect(tf.memory().numTensors).toBe(before);
      expect(() => fireFromBase('fire10', layer)).toThrow(/the base has no fire10/);
      tf.dispose([x, fire7, fire8, fire9]);
    },
  );
});

describe('headWeightsOf / pooledLogits / headForward', () => {
  it('read every weight, match the Layers head, explain the predicted or a fixed class, and leak nothing', () => {
    const head = createHead([13, 13, 24], 3, { hidden: 5, trunk: FIRE9 });
    const x = tf.randomUniform([2, 13, 13, 24], -1, 2, 'float32', 11) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const w = headWeightsOf(head);
    expect(headWeightTensors(w)).toHaveLength(8);
    const logits = tf.tidy(() => pooledLogits(camActivation(x, w.hidden, w.trunk), w.out));
    const want = head.predict(x) as tf.Tensor;
    expect(maxDiff(logits, want)).toBeLessThan(1e-4);
    const predicted = headForward(x, w, 'predicted', 'softmax');
    expect(tf.tidy(() => maxDiff(predicted.probabilities, tf.softmax(want)))).toBeLessThan(1e-5);
    expect(Array.from(predicted.camClass.dataSync())).toEqual(tf.tidy(() => Array.from(tf.argMax(want, 1).dataSync())));
    const fixed = headForward(x, w, 2, 'logit');
    expect(Array.from(fixed.camClass.dataSync())).toEqual([2, 2]);
    expect(fixed.cam.shape).toEqual([2, 13, 13]);
    tf.dispose([
      logits,
      want,
      predicted.probabilities,
      predicted.camClass,
      predicted.cam,
      fixed.probabilities,
      fixed.camClass,
      fixed.cam,
      ...headWeightTensors(w),
    ]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    head.dispose();
  });
});

describe('growHead (new classes on a trained head)', () => {
  const randomize = (head: tf.LayersModel) =>
    head.layers.forEach((l, i) =>
      l.setWeights(l.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 * i + j))),
    );

  it('keeps every weight and every prediction, adds a trainable class, and leaks nothing', () => {
    const head = createHead([5, 5, 8], 2, { trunk: FIRE9, hidden: 4, fine: [7, 7, 3] });
    randomize(head);
    const before = tf.memory().numTensors;
    const grown = growHead(head, 1);
    expect(headClassCount(head)).toBe(2);
    expect(headClassCount(grown)).toBe(3);
    tf.tidy(() => {
      const x = [tf.randomNormal([6, 5, 5, 8], 0, 1, 'float32', 1), tf.randomNormal([6, 7, 7, 3], 0, 1, 'float32', 2)];
      const [oldLogits] = head.predict(x) as tf.Tensor[]; // [6, 2]
      const [newLogits, newFine] = grown.predict(x) as tf.Tensor[]; // [6, 3], [6, 3]
      // old outputs unchanged, and the new class starts the margin below the top class
      expect(maxDiff(oldLogits, tf.slice(newLogits, [0, 0], [6, 2]))).toBeLessThan(1e-5);
      expect(tf.argMax(newLogits, 1).arraySync()).toEqual(tf.argMax(oldLogits, 1).arraySync());
      const gap = tf.sub(tf.max(oldLogits, 1), tf.squeeze(tf.slice(newLogits, [0, 2], [6, 1]), [1])); // [6]
      expect(tf.min(gap).dataSync()[0]).toBeGreaterThan(GROWN_CLASS_MARGIN - 1e-4);
      expect(newFine.shape).toEqual([6, 3]);
      for (const name of [trunkSqueezeLayer('fire9'), trunkExpandLayer('fire9'), HIDDEN_LAYER]) {
        const [a, b] = [head.getLayer(name).getWeights(), grown.getLayer(name).getWeights()];
        a.forEach((w, i) => expect(maxDiff(w, b[i])).toBe(0));
      }
      // the new class's logit has a gradient in its kernel column: it can be trained
      const w = headWeightsOf(grown);
      const activation = camActivation(x[0] as tf.Tensor4D, w.hidden, w.trunk);
      const grad = tf.grad((k: tf.Tensor) =>
        tf.sum(tf.slice(pooledLogits(activation, { kernel: k as tf.Tensor2D, bias: w.out.bias }), [0, 2], [6, 1])),
      )(w.out.kernel); // [4, 3]
      expect(tf.sum(tf.abs(tf.slice(grad, [0, 2], [4, 1]))).dataSync()[0]).toBeGreaterThan(0);
    });
    grown.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => growHead(head, 0)).toThrow(/extra classes must be an integer >= 1, got 0/);
    head.dispose();
  });
});
