import { describe, expect, it } from 'vitest';
import {
  capViewsToMemory,
  DEFAULT_VALIDATION_SHARE,
  estimateSplit,
  FEATURE_CACHE_BUDGET,
  planTraining,
  shortfallMessage,
  suggestViews,
  trainingShortfall,
} from '../../src/core/training-plan';

const items = (spec: Record<string, number>) =>
  Object.entries(spec).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ id: `${label}${i}`, label })));

describe('planTraining', () => {
  it('keeps the model labels from the current model and splits every class on both sides, seeded', () => {
    const data = items({ crack: 10, nocrack: 3 });
    const a = planTraining(data, { start: 'current', modelLabels: ['crack', 'nocrack'], seed: 1 });
    expect(a.labels).toEqual(['crack', 'nocrack']);
    expect(a.train.length + a.validation.length).toBe(13);
    for (const l of a.labels) {
      expect(a.train.some((i) => i.label === l)).toBe(true);
      expect(a.validation.some((i) => i.label === l)).toBe(true);
    }
    expect(planTraining(data, { start: 'current', modelLabels: ['crack', 'nocrack'], seed: 1 })).toEqual(a);
    const ids = new Set([...a.train, ...a.validation].map((i) => i.id));
    expect(ids.size).toBe(13);
  });

  it('adds the classes the current model does not have after its own, in the given order', () => {
    const p = planTraining(items({ crack: 4, spalling: 4, efflorescence: 3 }), {
      start: 'current',
      modelLabels: ['crack', 'nocrack'],
      classOrder: ['crack', 'nocrack', 'spalling', 'efflorescence'],
    });
    expect(p.labels).toEqual(['crack', 'nocrack', 'spalling', 'efflorescence']);
    expect(p.added).toEqual(['spalling', 'efflorescence']);
    expect(p.validation.some((i) => i.label === 'efflorescence')).toBe(true);
    const known = planTraining(items({ crack: 4, nocrack: 4 }), {
      start: 'current',
      modelLabels: ['crack', 'nocrack'],
    });
    expect(known.added).toEqual([]);
    expect(() =>
      planTraining(items({ crack: 4, spalling: 1 }), { start: 'current', modelLabels: ['crack', 'nocrack'] }),
    ).toThrow(/too few of spalling/);
  });

  it('from the base takes the classes that have captures, in the given order', () => {
    const p = planTraining(items({ nocrack: 4, spalling: 4, crack: 4 }), {
      start: 'base',
      modelLabels: ['crack', 'nocrack'],
      classOrder: ['crack', 'nocrack', 'spalling'],
    });
    expect(p.labels).toEqual(['crack', 'nocrack', 'spalling']);
  });

  it('needs 2 classes and 2 captures of each', () => {
    expect(() => planTraining(items({ crack: 5 }), { start: 'base', modelLabels: [] })).toThrow(/at least 2 classes/);
    expect(() => planTraining(items({ crack: 5, nocrack: 1 }), { start: 'base', modelLabels: [] })).toThrow(
      /too few of nocrack/,
    );
    expect(() => planTraining([], { start: 'current', modelLabels: ['crack', 'nocrack'] })).toThrow(/no captures/);
  });
});

describe('trainingShortfall', () => {
  const counts = (c: Record<string, number>) => new Map(Object.entries(c));

  it('says what the captures lack, the same rule planTraining throws on', () => {
    expect(trainingShortfall(counts({}), 'current')).toEqual({ kind: 'none' });
    expect(trainingShortfall(counts({ crack: 0 }), 'current')).toEqual({ kind: 'none' });
    expect(trainingShortfall(counts({ crack: 5 }), 'current')).toBeUndefined();
    expect(trainingShortfall(counts({ crack: 5 }), 'base')).toEqual({ kind: 'classes', have: ['crack'] });
    expect(trainingShortfall(counts({ spalling: 1, crack: 4, nocrack: 1 }), 'current', ['crack', 'nocrack'])).toEqual({
      kind: 'few',
      labels: ['nocrack', 'spalling'],
    });
    expect(trainingShortfall(counts({ crack: 2, nocrack: 2 }), 'base')).toBeUndefined();
    for (const [c, start] of [
      [{ crack: 5 }, 'base'],
      [{ crack: 4, spalling: 1 }, 'current'],
    ] as const) {
      const s = trainingShortfall(counts(c), start);
      expect(s).toBeDefined();
      expect(() => planTraining(items(c), { start, modelLabels: ['crack', 'nocrack'] })).toThrow(shortfallMessage(s!));
    }
  });
});

describe('DEFAULT_VALIDATION_SHARE and estimateSplit', () => {
  it('planTraining holds out the default share unless told otherwise, as estimateSplit estimates it', () => {
    const data = items({ crack: 50, nocrack: 50 });
    const byDefault = planTraining(data, { start: 'current', modelLabels: ['crack', 'nocrack'], seed: 3 });
    expect(byDefault).toEqual(
      planTraining(data, {
        start: 'current',
        modelLabels: ['crack', 'nocrack'],
        seed: 3,
        validation: DEFAULT_VALIDATION_SHARE,
      }),
    );
    expect({ train: byDefault.train.length, validation: byDefault.validation.length }).toEqual(estimateSplit(100));
    expect(estimateSplit(100, 0.3)).toEqual({ train: 70, validation: 30 });
    expect(estimateSplit(0)).toEqual({ train: 0, validation: 0 });
  });
});

describe('suggestViews', () => {
  it('keeps feature extraction within the budget, between 1 and min(epochs, 8) views', () => {
    expect(suggestViews(5, 30)).toBe(8);
    expect(suggestViews(48, 20)).toBe(6);
    expect(suggestViews(160, 20)).toBe(1);
    expect(suggestViews(1000, 20)).toBe(1);
    expect(suggestViews(5, 3)).toBe(3);
    expect(suggestViews(48, 20, 1000)).toBe(8);
  });
});

describe('capViewsToMemory', () => {
  const fire8 = 13 * 13 * 512 * 4; // 346 112 bytes, a deep-mode map

  it('keeps the requested views when they fit, else the most that fit under the budget', () => {
    expect(capViewsToMemory(8, { train: 40, other: 11 }, fire8)).toEqual({
      views: 8,
      bytes: (40 * 8 + 11) * fire8,
      overBudget: false,
    });
    // 300 training captures: 433 maps fit in 150 MB, so one view (300 + 75 maps), not two (675).
    const big = capViewsToMemory(8, { train: 300, other: 75 }, fire8);
    expect(big.views).toBe(1);
    expect(big.bytes).toBeLessThanOrEqual(FEATURE_CACHE_BUDGET);
    const mid = capViewsToMemory(8, { train: 100, other: 26 }, fire8);
    expect(mid.views).toBe(4);
    expect((100 * (mid.views + 1) + 26) * fire8).toBeGreaterThan(FEATURE_CACHE_BUDGET);
  });

  it('never goes below one view and says when even that is over the budget', () => {
    expect(capViewsToMemory(4, { train: 500, other: 125 }, fire8)).toEqual({
      views: 1,
      bytes: 625 * fire8,
      overBudget: true,
    });
    expect(capViewsToMemory(3, { train: 0, other: 2 }, fire8).views).toBe(3);
    expect(capViewsToMemory(6, { train: 10, other: 0 }, 1000, 25_000).views).toBe(2);
  });

  it('rejects invalid arguments', () => {
    expect(() => capViewsToMemory(0, { train: 1, other: 0 }, fire8)).toThrow(/views must be an integer >= 1/);
    expect(() => capViewsToMemory(2, { train: 1, other: 0 }, 0)).toThrow(/mapBytes must be > 0/);
  });
});
