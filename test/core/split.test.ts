import { describe, expect, it } from 'vitest';
import { classificationReport } from '../../src/core/metrics';
import { createRng, shuffled } from '../../src/core/random';
import { stratifiedSplit, takePerClass } from '../../src/core/split';

const items = [
  ...Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, label: 'crack' })),
  ...Array.from({ length: 50 }, (_, i) => ({ id: `n${i}`, label: 'nocrack' })),
];

describe('stratifiedSplit', () => {
  it('splits each label with the same fractions, disjointly, reproducibly', () => {
    const s = stratifiedSplit(items, { train: 0.5, validation: 0.1, test: 0.4 }, 7);
    expect(s.train.filter((i) => i.label === 'crack')).toHaveLength(50);
    expect(s.train.filter((i) => i.label === 'nocrack')).toHaveLength(25);
    expect(s.validation).toHaveLength(15);
    expect(s.test).toHaveLength(60);
    const ids = [...s.train, ...s.validation, ...s.test].map((i) => i.id);
    expect(new Set(ids).size).toBe(150);
    expect(stratifiedSplit(items, { train: 0.5, validation: 0.1, test: 0.4 }, 7)).toEqual(s);
    expect(stratifiedSplit(items, { train: 0.5, validation: 0.1, test: 0.4 }, 8).train).not.toEqual(s.train);
  });
  it('rejects fractions over 1', () => {
    expect(() => stratifiedSplit(items, { train: 0.8, validation: 0.2, test: 0.2 }, 1)).toThrow(/sum to <= 1/);
  });
});

describe('takePerClass / shuffled / createRng', () => {
  it('takes at most N per label, seeded', () => {
    const t = takePerClass(items, 30, 3);
    expect(t.filter((i) => i.label === 'crack')).toHaveLength(30);
    expect(t.filter((i) => i.label === 'nocrack')).toHaveLength(30);
    expect(takePerClass(items, 30, 3)).toEqual(t);
    expect(takePerClass(items, 80, 3).filter((i) => i.label === 'nocrack')).toHaveLength(50);
  });
  it('shuffles a copy and keeps every element', () => {
    const a = Array.from({ length: 20 }, (_, i) => i);
    const b = shuffled(a, createRng(1));
    expect(b).not.toEqual(a);
    expect([...b].sort((x, y) => x - y)).toEqual(a);
    const r = createRng(5);
    const draws = Array.from({ length: 1000 }, () => r());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});

describe('classificationReport', () => {
  it('computes accuracy, per-class recall/precision and the confusion matrix', () => {
    const r = classificationReport(
      ['crack', 'nocrack'],
      ['crack', 'crack', 'crack', 'nocrack'],
      ['crack', 'crack', 'nocrack', 'crack'],
    );
    expect(r.accuracy).toBe(0.5);
    expect(r.confusion).toEqual({ crack: { crack: 2, nocrack: 1 }, nocrack: { crack: 1, nocrack: 0 } });
    expect(r.perClass.crack).toEqual({ n: 3, recall: 2 / 3, precision: 2 / 3 });
    expect(r.perClass.nocrack).toEqual({ n: 1, recall: 0, precision: 0 });
  });
});
