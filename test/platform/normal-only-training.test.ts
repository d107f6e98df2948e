import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BaseNetwork } from '../../src/core/base';
import { anomalyReport } from '../../src/core/metrics';
import { loadOneClassModel, serializeOneClassModel, type OneClassSample } from '../../src/core/oneclass';
import { decodeImageFile, listImages } from '../../src/cli/node-io';
import { scoreSamples } from '../../src/platform/capture-samples';
import { filesReader } from '../../src/platform/model-store';
import {
  trainNormalOnly,
  type LabelledOneClassSample,
  type NormalOnlyOutcome,
  type NormalOnlyProgress,
} from '../../src/platform/normal-only-training';
import { DATA_DIR, expectNoLeak, HAVE_SHARED, sharedBase, useWasm } from '../helpers';

const sample = (file: string): OneClassSample => ({ id: path.basename(file), load: () => decodeImageFile(file) });

describe.skipIf(!HAVE_SHARED)('normal-only training on captures (Node, WASM, real base)', () => {
  let base: BaseNetwork;
  let normal: string[];
  let cracks: string[];
  let outcome: NormalOnlyOutcome;
  const progress: NormalOnlyProgress[] = [];

  beforeAll(async () => {
    await useWasm();
    base = await sharedBase();
    normal = (await listImages(path.join(DATA_DIR, 'concrete/nocrack'))).slice(0, 10);
    cracks = (await listImages(path.join(DATA_DIR, 'concrete/crack'))).slice(0, 3);
    const others: LabelledOneClassSample[] = [
      ...cracks.map((f) => ({ ...sample(f), label: 'crack' })),
      { ...sample(normal[0]), label: 'stain' },
    ];
    outcome = await trainNormalOnly({
      base,
      preprocessing: 'caffe-bgr',
      normal: normal.map(sample),
      normalLabel: 'nocrack',
      others,
      name: 'site',
      version: 3,
      falseAlarmRate: 0.1,
      seed: 1,
      onProgress: (p) => void progress.push(p),
    });
  });

  it('reports features, fitting and scoring progress in order', () => {
    const phases = progress.map((p) => p.phase);
    expect(phases[0]).toBe('features');
    expect(phases.indexOf('fit')).toBeGreaterThan(phases.lastIndexOf('features'));
    expect(phases.at(-1)).toBe('scoring');
    expect(progress.at(-1)).toEqual({ phase: 'scoring', done: 4, total: 4 });
  });

  it('writes the metadata the CLI writes, plus the evaluation in the training summary', () => {
    const m = outcome.metadata;
    expect(m).toMatchObject({
      kind: 'oneclass',
      name: 'site',
      version: 3,
      labels: ['normal', 'anomaly'],
      preprocessing: 'caffe-bgr',
    });
    expect(m.oneClass?.falseAlarmRate).toBe(0.1);
    expect(m.oneClass?.threshold).toBe(outcome.model.threshold);
    expect(m.training).toMatchObject({ tool: 'crackcam app', n: 10, label: 'nocrack', data: 'captures', seed: 1 });
    expect((m.training?.evaluation as { nAbnormal: number }).nAbnormal).toBe(4);
  });

  it('evaluates the other captures against the held-out normal scores, per label', async () => {
    const e = outcome.evaluation;
    expect(outcome.heldOutScores).toHaveLength(10);
    expect(outcome.otherScores).toHaveLength(4);
    expect(e).toMatchObject(anomalyReport(outcome.heldOutScores, outcome.otherScores, outcome.model.threshold));
    expect(e.perLabel.crack.n).toBe(3);
    expect(e.perLabel.stain).toEqual({ n: 1, flagged: outcome.otherScores[3] > outcome.model.threshold ? 1 : 0 });
    // Concrete cracks are far from sound concrete, even for a 10-photo model.
    expect(e.perLabel.crack.flagged).toBe(3);
    expect(e.auroc).toBeGreaterThan(0.8);
  });

  it('scoreSamples gives the scores detect() gives, in order, with no tensor left behind', async () => {
    let scores: number[] = [];
    await expectNoLeak(async () => {
      scores = await scoreSamples(outcome.model, cracks.map(sample), 2);
    });
    for (let i = 0; i < cracks.length; i++) {
      const img = await decodeImageFile(cracks[i]);
      const r = await outcome.model.detect(img);
      img.dispose();
      expect(scores[i]).toBeCloseTo(r.score, 2);
    }
    expect(scores).toEqual(outcome.otherScores.slice(0, 3));
  });

  it('saves to files that load back with the same threshold and scores', async () => {
    const files = await serializeOneClassModel(outcome.model.scorer, outcome.metadata);
    const loaded = await loadOneClassModel({ reader: filesReader(files), modelJson: 'model:model.json', base });
    expect(loaded.threshold).toBe(outcome.model.threshold);
    expect(loaded.metadata.training?.evaluation).toBeDefined();
    const scores = await scoreSamples(loaded, cracks.map(sample));
    scores.forEach((s, i) => expect(s).toBeCloseTo(outcome.otherScores[i], 2));
    loaded.dispose();
  });

  it('frees everything when the model is disposed, and on an abort at any point', async () => {
    await expectNoLeak(async () => {
      const r = await trainNormalOnly({
        base,
        preprocessing: 'caffe-bgr',
        normal: normal.slice(0, 4).map(sample),
        normalLabel: 'nocrack',
        others: [{ ...sample(cracks[0]), label: 'crack' }],
        name: 'x',
      });
      r.model.dispose();
    });
    for (const stopAt of ['features', 'fit', 'scoring'] as const) {
      const abort = new AbortController();
      await expectNoLeak(async () => {
        const run = trainNormalOnly({
          base,
          preprocessing: 'caffe-bgr',
          normal: normal.slice(0, 4).map(sample),
          normalLabel: 'nocrack',
          others: cracks.map((f) => ({ ...sample(f), label: 'crack' })),
          name: 'x',
          featureBatch: 2,
          signal: abort.signal,
          onProgress: (p) => {
            if (p.phase === stopAt) abort.abort();
          },
        });
        await expect(run).rejects.toThrow();
      });
    }
    expect(tf.getBackend()).toBe('wasm');
  });

  it('names the problem with too few normal captures', async () => {
    await expect(
      trainNormalOnly({
        base,
        preprocessing: 'caffe-bgr',
        normal: normal.slice(0, 2).map(sample),
        normalLabel: 'nocrack',
        name: 'x',
      }),
    ).rejects.toThrow(/at least 3 normal images, got 2/);
  });
});
