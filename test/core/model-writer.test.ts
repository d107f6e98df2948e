import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelArtifacts } from '../../src/core/model-writer';
import { expectNoLeak, useWasm } from '../helpers';

function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 3] });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: conv });
}

describe('modelArtifacts', () => {
  beforeAll(useWasm);

  it('gives artifacts that survive structured cloning and load back with the same weights, without leaking', async () => {
    const model = smallModel();
    let artifacts: tf.io.ModelArtifacts | undefined;
    await expectNoLeak(async () => {
      artifacts = await modelArtifacts(model);
    });
    const copy = structuredClone(artifacts!); // what postMessage does to them
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(copy));
    const [a, b] = [model.getWeights(), loaded.getWeights()];
    expect(b.map((w) => w.shape)).toEqual(a.map((w) => w.shape));
    for (let i = 0; i < a.length; i++) expect(Array.from(await b[i].data())).toEqual(Array.from(await a[i].data()));
    model.dispose();
    loaded.dispose();
  });
});
