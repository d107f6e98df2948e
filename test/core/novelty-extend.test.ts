import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createNoveltyModel,
  fitNovelty,
  validateNoveltyInfo,
  type GroupedFeatures,
  type NoveltyInfo,
} from '../../src/core/novelty';
import { extendNovelty } from '../../src/core/novelty-extend';
import { createRng, type Rng } from '../../src/core/random';
import { gaussian, useWasm } from '../helpers';

const D = 10;

/** n rows of noise (standard deviation `spread`) around `centre` (a value on dimension `axis`). */
function rows(n: number, rng: Rng, axis: number, centre: number, spread = 1): number[][] {
  return Array.from({ length: n }, () =>
    Array.from({ length: D }, (_, j) => spread * gaussian(rng) + (j === axis ? centre : 0)),
  );
}

/** Features of several groups: rows of each, with their group index. */
function grouped(...parts: number[][][]): GroupedFeatures {
  return { features: tf.tensor2d(parts.flat()), groups: parts.flatMap((p, g) => p.map(() => g)) };
}

/** Share of `rows` the model of `info` calls unfamiliar. */
function rejected(info: NoveltyInfo, x: number[][]): number {
  const model = createNoveltyModel(info);
  const scores = tf.tidy(() => model.score(tf.tensor2d(x)).dataSync());
  model.dispose();
  return Array.from(scores).filter((s) => s > info.threshold).length / x.length;
}

let parent: NoveltyInfo;

beforeAll(async () => {
  await useWasm();
  const rng = createRng(3);
  const train = grouped(rows(300, rng, 0, 0), rows(300, rng, 0, 4));
  const validation = grouped(rows(100, rng, 0, 0), rows(100, rng, 0, 4));
  parent = fitNovelty(train, validation, { groups: ['concrete/crack', 'concrete/nocrack'] });
  tf.dispose([train.features, validation.features]);
});

describe('extendNovelty', () => {
  it('makes the adapted surface familiar, keeps the old groups and threshold, and still flags what is far from all', () => {
    const rng = createRng(5);
    const site = rows(40, rng, 1, 9); // a new surface, far from the parent's groups
    const siteHeldOut = rows(40, rng, 1, 9);
    const elsewhere = rows(40, rng, 2, -9);
    const oldSurface = rows(40, rng, 0, 4);
    expect(rejected(parent, siteHeldOut)).toBeGreaterThan(0.9); // unfamiliar before

    const before = tf.memory().numTensors;
    const train = grouped(site.slice(0, 20), site.slice(20));
    const validation = grouped(siteHeldOut.slice(0, 20), siteHeldOut.slice(20));
    const extended = extendNovelty(parent, { groups: ['brick/crack', 'brick/nocrack'], train, validation });
    tf.dispose([train.features, validation.features]);
    expect(tf.memory().numTensors).toBe(before);

    expect(extended.groups).toEqual(['concrete/crack', 'concrete/nocrack', 'brick/crack', 'brick/nocrack']);
    expect(extended.threshold).toBe(parent.threshold);
    expect(extended.whitening).toBe(parent.whitening);
    expect(rejected(extended, siteHeldOut)).toBeLessThan(0.1);
    expect(rejected(extended, oldSurface)).toBeLessThan(0.1);
    expect(rejected(extended, elsewhere)).toBeGreaterThan(0.9);
    expect(extended.validationRejection['brick/crack']).toBeLessThan(0.2);
    expect(extended.validationRejection['concrete/crack']).toBe(parent.validationRejection['concrete/crack']);
  });

  it('replaces a group of the same name instead of adding it twice', () => {
    const rng = createRng(6);
    const first = grouped(rows(30, rng, 1, 9));
    const once = extendNovelty(parent, { groups: ['captures/crack'], train: first });
    const moved = grouped(rows(30, rng, 2, 9));
    const twice = extendNovelty(once, { groups: ['captures/crack'], train: moved });
    tf.dispose([first.features, moved.features]);
    expect(twice.groups).toEqual(['concrete/crack', 'concrete/nocrack', 'captures/crack']);
    expect(rejected(twice, rows(40, rng, 2, 9))).toBeLessThan(0.1);
    expect(rejected(twice, rows(40, rng, 1, 9))).toBeGreaterThan(0.9); // the old mean is gone
  });

  it('names what is wrong: other dimensions, a group without photos', () => {
    const narrow = { features: tf.zeros([4, D - 1]) as tf.Tensor2D, groups: [0, 0, 0, 0] };
    expect(() => extendNovelty(parent, { groups: ['a'], train: narrow })).toThrow(
      'novelty: the features have 9 channels, the novelty model 10',
    );
    const one = { features: tf.zeros([4, D]) as tf.Tensor2D, groups: [0, 0, 0, 0] };
    expect(() => extendNovelty(parent, { groups: ['a', 'b'], train: one })).toThrow('novelty: no training photos of b');
    tf.dispose([narrow.features, one.features]);
  });

  it('gives a surface that spreads wider its own threshold, and still flags what is far from every group', () => {
    const rng = createRng(7);
    const wide = (n: number) => rows(n, rng, 1, 30, 3); // three times the parent's spread
    const train = grouped(wide(40));
    const validation = grouped(wide(10));
    const extended = extendNovelty(parent, { groups: ['brick/nocrack'], train, validation });
    tf.dispose([train.features, validation.features]);
    expect(extended.groupThresholds).toHaveLength(3);
    expect(extended.groupThresholds!.slice(0, 2)).toEqual([parent.threshold, parent.threshold]);
    expect(extended.groupThresholds![2]).toBeGreaterThan(4 * parent.threshold);
    expect(rejected(extended, wide(200))).toBeLessThan(0.1);
    expect(rejected(extended, rows(40, rng, 0, 4))).toBeLessThan(0.1); // the old surface is unchanged
    expect(rejected(extended, rows(40, rng, 2, -30))).toBeGreaterThan(0.9);
    // Without its own threshold most of the wide surface would be flagged.
    expect(rejected({ ...extended, groupThresholds: undefined }, wide(200))).toBeGreaterThan(0.5);
    expect(validateNoveltyInfo(extended, D).groupThresholds).toEqual(extended.groupThresholds);
    expect(() => validateNoveltyInfo({ ...extended, groupThresholds: [1, 2] }, D)).toThrow(
      'groupThresholds must be 3 positive numbers, one per group',
    );
  });
});
