import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITE_SET } from '../../src/core/before-after';
import type { CrackClassifier } from '../../src/core/classifier';
import type { ModelMetadata } from '../../src/core/metadata';
import { reviewTrainedModel } from '../../src/platform/adaptation-review';
import { predictSamples } from '../../src/platform/capture-samples';
import type { CaptureRecord } from '../../src/platform/capture-store';
import type { ClassifierTrainingOutcome } from '../../src/platform/classifier-training';
import { compareModels, comparisonSets, scoreSureness, type LabelledSample } from '../../src/platform/model-comparison';
import type { RehearsalPack } from '../../src/platform/rehearsal-pack';
import { expectNoLeak, HAVE_SHARED, randomClassifierAndPhotos, useWasm } from '../helpers';

/**
 * A tiny classifier on 2x2 grey photos: P(crack) = sigmoid((mean - centre) / 10); with `novelty`, a
 * novelty score of mean / 10 against `novelty` as threshold.
 */
function greyClassifier(centre: number, novelty?: number): CrackClassifier {
  const metadata = {
    labels: ['crack', 'nocrack'],
    base: { featureLayer: `grey-${centre}` }, // no base layer in common: each model runs on its own
    ...(novelty ? { novelty: { threshold: novelty } } : {}),
  };
  return {
    labels: ['crack', 'nocrack'],
    metadata: metadata as unknown as ModelMetadata,
    prepare: (image: tf.Tensor3D) => tf.tidy(() => tf.expandDims(tf.cast(image, 'float32'), 0) as tf.Tensor4D), // [1, 2, 2, 3]
    classifyBatch: (input: tf.Tensor4D) =>
      tf.tidy(() => {
        const mean = tf.mean(input, [1, 2, 3]); // [b]
        const crack = tf.sigmoid(tf.div(tf.sub(mean, centre), 10)); // [b]
        const probabilities = tf.stack([crack, tf.sub(1, crack)], 1) as tf.Tensor2D; // [b, 2]
        const out = {
          probabilities,
          camClass: tf.zeros([input.shape[0]]) as tf.Tensor1D,
          cam: tf.zeros([1, 1, 1]) as tf.Tensor3D,
        };
        return novelty ? { ...out, novelty: tf.div(mean, 10) as tf.Tensor1D } : out;
      }),
  } as unknown as CrackClassifier;
}

/** A 2x2 photo of grey `value` labelled `label`. */
function grey(id: string, value: number, label: string): LabelledSample {
  return { id, label, load: async () => tf.fill([2, 2, 3], value, 'int32') as tf.Tensor3D };
}

describe('compareModels on a tiny model', () => {
  // Old: crack above 127.5; new: crack above 90, unfamiliar above 210.
  const old = greyClassifier(127.5);
  const next = greyClassifier(90, 21);
  const sets = [
    { name: SITE_SET, samples: [grey('s1', 200, 'crack'), grey('s2', 50, 'nocrack'), grey('s3', 100, 'crack')] },
    { name: 'walls', samples: [grey('w1', 95, 'nocrack'), grey('w2', 40, 'nocrack')] },
    { name: 'asphalt', samples: [grey('a1', 220, 'nocrack')] },
  ];

  beforeAll(useWasm);

  it('scores both models on every set and names the surface that got worse', async () => {
    const progress: number[] = [];
    const c = await compareModels({ old, next, sets, batch: 4, onProgress: (done) => void progress.push(done) });
    expect(c.rows).toEqual([
      // s3 (100): old says nocrack, new says crack
      { set: SITE_SET, n: 3, oldCorrect: 2, newCorrect: 3, oldAccuracy: 2 / 3, newAccuracy: 1 },
      // w1 (95): old nocrack, new crack
      { set: 'walls', n: 2, oldCorrect: 2, newCorrect: 1, oldAccuracy: 1, newAccuracy: 0.5 },
      // a1 (220): both say crack
      { set: 'asphalt', n: 1, oldCorrect: 0, newCorrect: 0, oldAccuracy: 0, newAccuracy: 0 },
    ]);
    expect(c.worse).toEqual([{ set: 'walls', drop: 0.5 }]);
    expect(progress).toEqual([4, 6]);
    const s3 = c.photos.find((p) => p.id === 's3')!;
    expect(s3).toMatchObject({ set: SITE_SET, truth: 'crack', oldPredicted: 'nocrack', newPredicted: 'crack' });
    expect(s3.probability).toBeCloseTo(1 / (1 + Math.exp(-1)), 5);
    expect(c.photos.find((p) => p.id === 'a1')?.unfamiliar).toBe(true);
    expect(c.photos.find((p) => p.id === 's1')?.unfamiliar).toBe(false);
  });

  it('leaves no tensor behind, also when aborted', async () => {
    await expectNoLeak(() => compareModels({ old, next, sets, batch: 2 }));
    const abort = new AbortController();
    await expectNoLeak(async () => {
      const run = compareModels({ old, next, sets, batch: 2, signal: abort.signal, onProgress: () => abort.abort() });
      await expect(run).rejects.toThrow(/abort/i);
    });
  });

  it('runs only the new model on photos whose old readings it remembers', async () => {
    const oldReadings = new Map();
    const first = await compareModels({ old, next, sets, oldReadings });
    expect([...oldReadings.keys()].sort()).toEqual(['a1', 's1', 's2', 's3', 'w1', 'w2']);
    // An "old" model that calls everything crack would change the old column if it ran: it does not.
    const progress: [number, number][] = [];
    const again = await compareModels({
      old: greyClassifier(-1000),
      next,
      sets,
      oldReadings,
      onProgress: (done, total) => void progress.push([done, total]),
    });
    expect(again.rows).toEqual(first.rows);
    expect(progress.at(-1)).toEqual([6, 6]);
    await expectNoLeak(() => compareModels({ old, next, sets, oldReadings }));
  });

  it('reports no unfamiliar flag for a model without a novelty model', async () => {
    const [photo] = await scoreSureness(old, [grey('x', 10, 'nocrack')]);
    expect(photo).toEqual({ id: 'x', label: 'nocrack', predicted: 'nocrack', probability: expect.any(Number) });
    expect(photo.probability).toBeCloseTo(1 - 1 / (1 + Math.exp(11.75)), 5);
  });

  it('rejects a bad batch size', async () => {
    await expect(compareModels({ old, next, sets, batch: 0 })).rejects.toThrow(/batch must be an integer >= 1, got 0/);
  });
});

describe('comparisonSets', () => {
  it('puts the site first, then the pack’s eval photos per surface (never its training photos)', () => {
    const crop = new Blob([]);
    const pack: RehearsalPack = {
      surfaces: ['concrete', 'walls'],
      items: [
        { id: 'r/c1', label: 'crack', surface: 'concrete', use: 'eval', crop },
        { id: 'r/c2', label: 'crack', surface: 'concrete', use: 'train', crop },
        { id: 'r/w1', label: 'nocrack', surface: 'walls', use: 'train', crop },
      ],
    };
    const sets = comparisonSets([grey('s', 1, 'crack')], pack, async () => tf.zeros([2, 2, 3]));
    expect(sets.map((s) => [s.name, s.samples.map((x) => x.id)])).toEqual([
      [SITE_SET, ['s']],
      ['concrete', ['r/c1']],
    ]);
    expect(comparisonSets([], null, async () => tf.zeros([2, 2, 3])).map((s) => s.name)).toEqual([SITE_SET]);
  });
});

describe.skipIf(!HAVE_SHARED)('reviewTrainedModel on the real base (Node, WASM)', () => {
  let classifier: CrackClassifier;
  let images: tf.Tensor3D[];
  const crops = new Map<Blob, tf.Tensor3D>();
  const decode = async (crop: Blob) => tf.clone(crops.get(crop)!);
  let captures: CaptureRecord[];

  beforeAll(async () => {
    await useWasm();
    ({ classifier, images } = await randomClassifierAndPhotos(3, 3));
    captures = images.map((image, i) => {
      const crop = new Blob([String(i)]);
      crops.set(crop, image);
      return { id: `c${i}`, label: i < 3 ? 'crack' : 'nocrack', takenAt: i, source: 'import', crop };
    });
  });

  afterAll(() => {
    images.forEach((t) => t.dispose());
    classifier.dispose();
  });

  /** An outcome whose "trained" head is the old model's own (so old and new must agree). */
  const outcome = (): ClassifierTrainingOutcome =>
    ({
      result: { head: classifier.head },
      metadata: classifier.metadata,
      labels: [...classifier.labels],
      validationCaptures: [captures[0], captures[3]],
    }) as unknown as ClassifierTrainingOutcome;
  const pack = (): Promise<RehearsalPack> =>
    Promise.resolve({
      surfaces: ['concrete'],
      items: captures
        .slice(1, 3)
        .map((c) => ({ id: `r/${c.id}`, label: c.label, surface: 'concrete', use: 'eval', crop: c.crop })),
    });

  it('compares on the held-out captures and the pack, agrees with predictSamples, and leaks nothing', async () => {
    let review: Awaited<ReturnType<typeof reviewTrainedModel>> | undefined;
    const progress: [number, number][] = [];
    await expectNoLeak(async () => {
      review = await reviewTrainedModel({
        old: classifier,
        outcome: outcome(),
        captures,
        pack,
        decode,
        onProgress: (done, total) => void progress.push([done, total]),
      });
    });
    const { comparison, uncertain, packError } = review!;
    expect(packError).toBeUndefined();
    expect(comparison.rows.map((r) => [r.set, r.n])).toEqual([
      [SITE_SET, 2],
      ['concrete', 2],
    ]);
    // Same weights: the same answers. One base pass served both heads; the answers are those of
    // predictSamples (the app's scoring) and the probabilities those of the model's own classifyBatch.
    expect(comparison.rows.every((r) => r.oldCorrect === r.newCorrect)).toBe(true);
    expect(comparison.worse).toEqual([]);
    const held = [captures[0], captures[3]].map((c) => ({ id: c.id, label: 0, load: () => decode(c.crop) }));
    expect(comparison.photos.slice(0, 2).map((p) => p.oldPredicted)).toEqual(await predictSamples(classifier, held));
    const own = await scoreSureness(
      classifier,
      [captures[0], captures[3]].map((c) => ({ ...c, load: () => decode(c.crop) })),
    );
    own.forEach((o, i) => expect(comparison.photos[i].probability).toBeCloseTo(o.probability, 4));
    // 4 compared, then the 4 captures that were not held out
    expect(progress.at(-1)).toEqual([8, 8]);
    const ids = new Set(uncertain.map((u) => u.id));
    expect([...ids].every((id) => captures.some((c) => c.id === id))).toBe(true);
    expect(uncertain.every((u) => u.probability < 0.75 || u.unfamiliar)).toBe(true);
  });

  it('says why the old surfaces were not checked when the pack fails, and still compares the site', async () => {
    const review = await reviewTrainedModel({
      old: classifier,
      outcome: outcome(),
      captures,
      pack: () => Promise.reject(new Error('rehearsal pack: HTTP 500')),
      decode,
    });
    expect(review.packError).toBe('rehearsal pack: HTTP 500');
    expect(review.comparison.rows.map((r) => r.set)).toEqual([SITE_SET]);
  });
});
