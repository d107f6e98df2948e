import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createNoveltyModel,
  fitNovelty,
  poolFeatures,
  validateNoveltyInfo,
  type GroupedFeatures,
  type NoveltyModel,
} from '../../src/core/novelty';
import { createRng, type Rng } from '../../src/core/random';
import { gaussian, useWasm } from '../helpers';

const D = 12;

/** n rows per group around well-separated group means, with correlated noise; plus the group of each row. */
function groupedRows(n: number, groups: number, rng: Rng, shift = 0): { rows: number[][]; groups: number[] } {
  const rows: number[][] = [];
  const ids: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < n; i++) {
      const e = Array.from({ length: D }, () => gaussian(rng));
      rows.push(e.map((v, j) => 6 * g * (j === g ? 1 : 0) + v + 0.5 * e[(j + 1) % D] + shift));
      ids.push(g);
    }
  }
  return { rows, groups: ids };
}

function asFeatures({ rows, groups }: { rows: number[][]; groups: number[] }): GroupedFeatures {
  return { features: tf.tensor2d(rows), groups };
}

/** Squared Mahalanobis distance to the nearest group mean, in float64, with the shrinkage the fit chose. */
function referenceScores(
  train: { rows: number[][]; groups: number[] },
  rows: number[][],
  shrinkage: number,
  groups: number,
): number[] {
  const mu = Array.from({ length: groups }, (_, g) => {
    const members = train.rows.filter((_, i) => train.groups[i] === g);
    return Array.from({ length: D }, (_, j) => members.reduce((s, r) => s + r[j], 0) / members.length);
  });
  const centred = train.rows.map((r, i) => r.map((v, j) => v - mu[train.groups[i]][j]));
  const cov = Array.from({ length: D }, (_, a) =>
    Array.from({ length: D }, (_, b) => centred.reduce((s, r) => s + r[a] * r[b], 0) / centred.length),
  );
  const trace = cov.reduce((s, row, i) => s + row[i], 0) / D;
  const shrunk = cov.map((row, a) => row.map((v, b) => (1 - shrinkage) * v + (a === b ? shrinkage * trace : 0)));
  // solve by Gauss-Jordan inversion (D is small)
  const inv = invert(shrunk);
  return rows.map((x) =>
    Math.min(
      ...mu.map((m) => {
        const d = x.map((v, j) => v - m[j]);
        return d.reduce((s, di, a) => s + di * inv[a].reduce((t, w, b) => t + w * d[b], 0), 0);
      }),
    ),
  );
}

function scoresOf(model: NoveltyModel, rows: number[][]): Float32Array {
  const scores = tf.tidy(() => model.score(tf.tensor2d(rows)));
  const values = scores.dataSync() as Float32Array;
  scores.dispose();
  return values;
}

function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const p = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= p;
    for (let r = 0; r < n; r++)
      if (r !== c) {
        const f = a[r][c];
        for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
      }
  }
  return a.map((row) => row.slice(n));
}

describe('novelty (pooled class-conditional Mahalanobis)', () => {
  beforeAll(async () => {
    await useWasm();
  });

  for (const seed of [1, 2, 3]) {
    it(`scores squared Mahalanobis distances to the nearest group, keeps >= 99 % of each group, flags a shifted surface (seed ${seed})`, () => {
      const rng = createRng(seed);
      const trainRows = groupedRows(300, 3, rng);
      const validationRows = groupedRows(200, 3, rng);
      const train = asFeatures(trainRows);
      const validation = asFeatures(validationRows);
      const before = tf.memory().numTensors;
      const info = fitNovelty(train, validation, { groups: ['a/crack', 'a/nocrack', 'b/nocrack'] });
      expect(tf.memory().numTensors, 'fit leaks no tensors').toBe(before);
      expect(info.groups).toEqual(['a/crack', 'a/nocrack', 'b/nocrack']);
      for (const g of info.groups) expect(info.validationRejection[g]).toBeLessThanOrEqual(0.01 + 1e-9);
      expect(Math.max(...Object.values(info.validationRejection))).toBeGreaterThan(0);

      const model = createNoveltyModel(validateNoveltyInfo(JSON.parse(JSON.stringify(info)), D));
      const probe = groupedRows(50, 3, rng);
      const far = groupedRows(50, 3, rng, 4); // every channel shifted by 4 standard deviations
      const scores = scoresOf(model, probe.rows);
      const reference = referenceScores(trainRows, probe.rows, info.shrinkage, 3);
      for (let i = 0; i < scores.length; i++)
        expect(Math.abs(scores[i] - reference[i])).toBeLessThan(0.02 * reference[i] + 0.05);
      const nearest = tf.tidy(() => model.nearest(tf.tensor2d(probe.rows)));
      const hits = Array.from(nearest.dataSync()).filter((g, i) => g === probe.groups[i]).length;
      expect(hits / probe.rows.length, 'nearest group').toBeGreaterThan(0.95);
      const kept = tf.memory().numTensors;
      const rows = tf.tensor2d(probe.rows);
      // The same score and nearest group from distances measured once; no tidy around them: their own must hold.
      const d2 = model.distances(rows);
      const [fromDistances, nearestFromDistances] = [model.scoreOf(d2), model.nearestOf(d2)];
      expect(Array.from(fromDistances.dataSync())).toEqual(Array.from(scores));
      expect(Array.from(nearestFromDistances.dataSync())).toEqual(Array.from(nearest.dataSync()));
      tf.dispose([model.score(rows), model.nearest(rows), d2, fromDistances, nearestFromDistances, rows]);
      expect(tf.memory().numTensors, 'distances, score and nearest leak no tensors').toBe(kept);
      nearest.dispose();
      const farScores = scoresOf(model, far.rows);
      expect(farScores.filter((s) => s > info.threshold).length / farScores.length).toBeGreaterThan(0.95);
      model.dispose();
      tf.dispose([train.features, validation.features]);
      expect(tf.memory().numTensors, 'model and scoring leak no tensors').toBe(before - 2);
    });
  }

  /** n rows around 0 (noise 1) and n around 30 e0 (noise 3): a tight surface and a wide one. */
  function tightAndWide(n: number, rng: Rng, offset = 0): { rows: number[][]; groups: number[] } {
    const rows: number[][] = [];
    const groups: number[] = [];
    for (const [g, centre, noise] of [
      [0, 0, 1],
      [1, 30, 3],
    ] as const) {
      for (let i = 0; i < n; i++) {
        rows.push(Array.from({ length: D }, (_, j) => (j === 0 ? centre : 0) + noise * gaussian(rng) + offset));
        groups.push(g);
      }
    }
    return { rows, groups };
  }

  for (const seed of [1, 2, 3]) {
    it(`per-group thresholds keep >= 99 % of each group and flag what sits just outside a tight group (seed ${seed})`, () => {
      const rng = createRng(seed);
      const train = asFeatures(tightAndWide(400, rng));
      const validation = asFeatures(tightAndWide(300, rng));
      const groups = ['concrete/nocrack', 'walls/nocrack'];
      const before = tf.memory().numTensors;
      const shared = fitNovelty(train, validation, { groups });
      const perGroup = fitNovelty(train, validation, { groups, thresholds: 'per-group' });
      expect(tf.memory().numTensors, 'fits leak no tensors').toBe(before);
      expect(shared.groupThresholds).toBeUndefined();
      expect(perGroup.groupThresholds).toHaveLength(2);
      const [tight, wide] = perGroup.groupThresholds ?? [];
      expect(tight).toBeLessThan(wide / 4);
      expect(perGroup.threshold).toBeCloseTo(wide, 3);
      for (const g of groups) expect(perGroup.validationRejection[g]).toBeLessThanOrEqual(0.01 + 1e-9);
      // Rows 1.5 noise units off the tight group in every channel: inside the shared threshold, outside the tight one.
      const nearTight = tightAndWide(100, rng, 1.5).rows.slice(0, 100);
      const flagged = (info: typeof shared) => {
        const model = createNoveltyModel(validateNoveltyInfo(JSON.parse(JSON.stringify(info)), D));
        const scores = scoresOf(model, nearTight);
        model.dispose();
        return scores.filter((s) => s > info.threshold).length / scores.length;
      };
      expect(flagged(shared)).toBeLessThan(0.2);
      expect(flagged(perGroup)).toBeGreaterThan(0.8);
      // The nearest group (a routed model's choice of head) is still the tight one: per-group thresholds
      // flag these rows but do not move them to the wide group.
      const nearestTo = (info: typeof shared) => {
        const model = createNoveltyModel(info);
        const nearest = tf.tidy(() => model.nearest(tf.tensor2d(nearTight)));
        const groupsOf = Array.from(nearest.dataSync());
        tf.dispose(nearest);
        model.dispose();
        return groupsOf.filter((g) => g === 0).length / groupsOf.length;
      };
      expect(nearestTo(shared)).toBeGreaterThan(0.95);
      expect(nearestTo(perGroup)).toBe(nearestTo(shared));
      expect(() => fitNovelty(train, validation, { groups, thresholds: 'each' as 'shared' })).toThrow(
        /thresholds must be one of shared, per-group, got each/,
      );
      tf.dispose([train.features, validation.features]);
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`verdict matching flags a photo far from every group of the label it is given (seed ${seed})`, () => {
      const rng = createRng(seed);
      const trainRows = tightAndWide(400, rng);
      const validationRows = tightAndWide(300, rng);
      const train = asFeatures(trainRows);
      // The validation rows' verdicts: the label of their group (crack for the tight group, nocrack for the wide one).
      const validation = { ...asFeatures(validationRows), verdicts: validationRows.groups };
      const groups = ['concrete/crack', 'walls/nocrack'];
      const labels = ['crack', 'nocrack'];
      const before = tf.memory().numTensors;
      const info = fitNovelty(train, validation, { groups, thresholds: 'per-group', match: 'verdict', labels });
      expect(tf.memory().numTensors, 'fit leaks no tensors').toBe(before);
      expect(info.match).toBe('verdict');
      for (const g of groups) expect(info.validationRejection[g]).toBeLessThanOrEqual(0.01 + 1e-9);
      const model = createNoveltyModel(validateNoveltyInfo(JSON.parse(JSON.stringify(info)), D), labels);
      const wide = tightAndWide(100, rng).rows.slice(100); // rows of the wide (nocrack) group
      const flagged = (verdict: number | undefined) => {
        const scored = tf.tidy(() => {
          const verdicts = verdict === undefined ? undefined : tf.fill([wide.length], verdict, 'int32');
          return model.score(tf.tensor2d(wide), verdicts as tf.Tensor1D | undefined);
        });
        const scores = Array.from(scored.dataSync());
        scored.dispose();
        return scores.filter((x) => x > info.threshold).length / scores.length;
      };
      const kept = tf.memory().numTensors;
      expect(flagged(1), 'called nocrack: near the nocrack group').toBeLessThan(0.05);
      expect(flagged(0), 'called crack: far from every crack group').toBeGreaterThan(0.95);
      expect(flagged(undefined), 'no verdicts: every group counts').toBeLessThan(0.05);
      expect(flagged(2), 'a verdict without groups: every group counts').toBeLessThan(0.05);
      // Groups allowed per row (e.g. those of the head that answered a routed frame): [rows, groups].
      const flaggedAllowing = (allowedGroups: number[], verdict?: number) => {
        const scored = tf.tidy(() => {
          const allowed = tf.tensor2d(wide.map(() => groups.map((_, g) => (allowedGroups.includes(g) ? 1 : 0))));
          const verdicts =
            verdict === undefined ? undefined : (tf.fill([wide.length], verdict, 'int32') as tf.Tensor1D);
          return model.score(tf.tensor2d(wide), verdicts, tf.cast(allowed, 'bool') as tf.Tensor2D);
        });
        const scores = Array.from(scored.dataSync());
        scored.dispose();
        return scores.filter((x) => x > info.threshold).length / scores.length;
      };
      expect(flaggedAllowing([1], 1), 'called nocrack, its own group allowed').toBeLessThan(0.05);
      expect(flaggedAllowing([0], 1), 'called nocrack, only the crack group allowed: judged by it').toBeGreaterThan(
        0.95,
      );
      expect(flaggedAllowing([0]), 'no verdicts, only the far group allowed').toBeGreaterThan(0.95);
      expect(flaggedAllowing([], 1), 'no group allowed: every group counts').toBeLessThan(0.05);
      expect(tf.memory().numTensors, 'scoring leaks no tensors').toBe(kept);
      model.dispose();
      const withoutLabels = createNoveltyModel(info);
      expect(() =>
        tf.tidy(() => withoutLabels.score(tf.tensor2d(wide), tf.fill([wide.length], 0, 'int32') as tf.Tensor1D)),
      ).toThrow(/match 'verdict' needs the classifier's labels/);
      withoutLabels.dispose();
      expect(() => fitNovelty(train, validation, { groups, match: 'verdict', labels })).toThrow(
        /match 'verdict' needs thresholds 'per-group'/,
      );
      expect(() => fitNovelty(train, validation, { groups, thresholds: 'per-group', match: 'verdict' })).toThrow(
        /needs the classifier's labels and its verdicts/,
      );
      expect(() => validateNoveltyInfo({ ...info, match: 'closest' })).toThrow(
        /match must be one of nearest, verdict, got "closest"/,
      );
      tf.dispose([train.features, validation.features]);
    });
  }

  it('pools [N, H, W, C] maps to [N, C] means', () => {
    const maps = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
    expect(Array.from(tf.tidy(() => poolFeatures(maps)).dataSync())).toEqual([4, 5]);
    maps.dispose();
  });

  it('names bad groups and bad metadata', () => {
    const rng = createRng(4);
    const train = asFeatures(groupedRows(20, 2, rng));
    const validation = asFeatures(groupedRows(10, 2, rng));
    expect(() => fitNovelty(train, validation, { groups: ['x', 'y', 'z'] })).toThrow(/no training photos of z/);
    expect(() =>
      fitNovelty(train, { ...validation, groups: Array.from(validation.groups, () => 5) }, { groups: ['x', 'y'] }),
    ).toThrow(/validation row 0 has group 5; valid: 0..1 \(x, y\)/);
    expect(() => fitNovelty(train, validation, { groups: ['x', 'y'], quantile: 1 })).toThrow(
      /quantile must be in \(0, 1\)/,
    );
    const info = fitNovelty(train, validation, { groups: ['x', 'y'] });
    tf.dispose([train.features, validation.features]);
    expect(() => validateNoveltyInfo(info, 256)).toThrow(/dims 12 do not match the 256 channels/);
    expect(() => validateNoveltyInfo({ ...info, means: info.means.slice(0, 8) })).toThrow(
      /means holds \d+ numbers, expected 24/,
    );
    expect(() => validateNoveltyInfo({ ...info, whitening: '%%' })).toThrow(/whitening: not base64/);
    expect(() => validateNoveltyInfo({ ...info, threshold: null })).toThrow(/threshold must be a finite number/);
    expect(() => validateNoveltyInfo({ ...info, method: 'knn' })).toThrow(/method must be 'pooled-mahalanobis'/);
    expect(validateNoveltyInfo(info, 12).threshold).toBe(info.threshold);
  });
});
