import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { headWeightTensors } from '../../src/core/head';
import { storedHead, storedHeadWeights, validateRoutingInfo, type RoutingInfo } from '../../src/core/routing-info';
import { expectNoLeak, useWasm } from '../helpers';

/** A routing entry with an old head of hidden [3, 2] and classifier [2, 2] (values exact in float16). */
async function entry(): Promise<RoutingInfo> {
  const layer = (k: number, c: number) => ({
    kernel: tf.tensor2d(
      Array.from({ length: k * c }, (_, i) => i / 4),
      [k, c],
    ),
    bias: tf.tensor1d(Array.from({ length: c }, (_, i) => -i / 2)),
  });
  const weights = { hidden: layer(3, 2), out: layer(2, 2) };
  const head = await storedHead(weights);
  tf.dispose(headWeightTensors(weights));
  return {
    parent: { name: 'crackcam-default', version: 2 },
    labels: ['crack', 'nocrack'],
    siteGroups: ['site/crack'],
    head,
  };
}

const context = { labels: ['crack', 'nocrack', 'salt'], noveltyGroups: ['concrete/crack', 'site/crack'] };

describe('routing entry', () => {
  beforeAll(useWasm);
  it('stores the old head in float16 and reads it back', async () => {
    const info = await entry();
    expect(validateRoutingInfo(info, context)).toBe(info);
    await expectNoLeak(async () => {
      const weights = storedHeadWeights(info.head);
      expect(weights.hidden?.kernel.shape).toEqual([3, 2]);
      expect([...(await weights.hidden!.kernel.data())]).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
      expect([...(await weights.out.bias.data())]).toEqual([-0, -0.5]);
      tf.dispose(headWeightTensors(weights));
    });
  });

  it('names what is wrong', async () => {
    const info = await entry();
    const check = (change: Partial<RoutingInfo>) => () => validateRoutingInfo({ ...info, ...change }, context);
    expect(check({ labels: ['crack', 'spalling'] })).toThrow(
      /labels must be at least 2 of the model's labels \(crack, nocrack, salt\)/,
    );
    expect(check({ siteGroups: ['brick/crack'] })).toThrow(/siteGroups must be some of the novelty groups/);
    expect(check({ siteGroups: [] })).toThrow(/siteGroups/);
    expect(check({ parent: undefined })).toThrow(/parent must be/);
    expect(check({ head: { ...info.head, out: { ...info.head.out, kernel: info.head.out.bias } } })).toThrow(
      /head.out.kernel must hold 4 float16 numbers/,
    );
    expect(
      check({
        head: {
          ...info.head,
          hidden: { ...info.head.hidden!, outputs: 1, kernel: info.head.out.kernel, bias: 'AAA=' },
        },
      }),
    ).toThrow(/head.hidden/);
    expect(check({ labels: ['crack', 'nocrack', 'salt'] })).toThrow(/head.out has 2 outputs for 3 labels/);
    // Another base map for the old head only where it brings its own fire copies to read it with.
    expect(check({ featureLayer: 'fire7/concat' })).toThrow(/featureLayer is for an old head with its own fire copies/);
    expect(check({ featureLayer: '' })).toThrow(/featureLayer must be a base layer's name/);
  });

  it('checks a site router against the novelty model it reads', async () => {
    const info = await entry();
    const router = { inputs: 2, outputs: 1, kernel: info.head.out.bias, bias: 'AAA=' }; // [2, 1] and [1]
    const withRouter = { ...info, router };
    expect(validateRoutingInfo(withRouter, { ...context, noveltyDims: 2 })).toBe(withRouter);
    const check = (change: Partial<RoutingInfo>) => () =>
      validateRoutingInfo({ ...info, ...change }, { ...context, noveltyDims: 2 });
    expect(check({ router: { ...info.head.out } })).toThrow(/router must have 1 output/); // [2, 2]
    expect(check({ router: { ...router, inputs: 1, kernel: 'AAA=' } })).toThrow(
      /router reads 1 features, the novelty model 2/,
    );
    expect(check({ router: { ...router, kernel: 'AAA=' } })).toThrow(/router.kernel must hold 2 float16 numbers/);
  });
});
