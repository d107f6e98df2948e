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
  hiddenLayerOf,
  pooledLogits,
  setLinearHead,
  TRUNK_EXPAND_LAYER,
  TRUNK_SQUEEZE_LAYER,
  trunkOf,
} from '../../src/core/head';
import { useWasm } from '../helpers';

beforeAll(useWasm);

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('head with a fire9 trunk (deep mode)', () => {
  it('camActivation (matMul/im2col form) equals the Layers model up to the hidden ReLU', () => {
    const head = createHead([13, 13, 24], 3, { hidden: 5, trunk: { squeeze: 6, expand: 10 } });
    // Non-zero biases so the 'same' padding and the bias placement are both exercised.
    for (const name of [TRUNK_SQUEEZE_LAYER, TRUNK_EXPAND_LAYER, HIDDEN_LAYER]) {
      const layer = head.getLayer(name);
      const [k, b] = layer.getWeights();
      tf.tidy(() => layer.setWeights([k, tf.randomNormal(b.shape, 0, 0.5, 'float32', 3)]));
    }
    const upToHidden = tf.model({ inputs: head.inputs, outputs: head.getLayer(HIDDEN_LAYER).output as tf.SymbolicTensor });
    const x = tf.randomUniform([2, 13, 13, 24], -1, 2, 'float32', 7) as tf.Tensor4D;
    const trunk = trunkOf(head)!;
    const hidden = hiddenLayerOf(head)!;
    expect(trunk.expand.kernel.shape).toEqual([9 * 6, 10]);
    const want = upToHidden.predict(x) as tf.Tensor;
    const before = tf.memory().numTensors;
    tf.dispose(camActivation(x, hidden, trunk));
    expect(tf.memory().numTensors).toBe(before);
    const got = camActivation(x, hidden, trunk);
    expect(got.shape).toEqual([2, 13, 13, 5]);
    expect(maxDiff(got, want)).toBeLessThan(1e-4);
    tf.dispose([x, want, got, trunk.squeeze.kernel, trunk.squeeze.bias, trunk.expand.kernel, trunk.expand.bias, hidden.kernel, hidden.bias]);
    head.dispose();
  });

  it('convAsMatrix and setLinearHead round-trip a 3x3 kernel', () => {
    const head = createHead([5, 5, 4], 2, { trunk: { squeeze: 3, expand: 2 } });
    const m = convAsMatrix(head.getLayer(TRUNK_EXPAND_LAYER));
    expect(m.kernel.shape).toEqual([27, 2]);
    const changed = tf.tidy(() => tf.add(m.kernel, 1)) as tf.Tensor2D;
    setLinearHead(head, changed, m.bias, TRUNK_EXPAND_LAYER);
    const back = convAsMatrix(head.getLayer(TRUNK_EXPAND_LAYER));
    expect(maxDiff(back.kernel, changed)).toBe(0);
    expect(head.getLayer(TRUNK_EXPAND_LAYER).getWeights()[0].shape).toEqual([3, 3, 3, 2]);
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

describe('headWeightsOf / pooledLogits / headForward', () => {
  it('read every weight, match the Layers head, explain the predicted or a fixed class, and leak nothing', () => {
    const head = createHead([13, 13, 24], 3, { hidden: 5, trunk: { squeeze: 6, expand: 10 } });
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
    tf.dispose([logits, want, predicted.probabilities, predicted.camClass, predicted.cam, fixed.probabilities, fixed.camClass, fixed.cam, ...headWeightTensors(w)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    head.dispose();
  });
});
