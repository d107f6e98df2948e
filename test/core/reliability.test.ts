import { describe, expect, it } from 'vitest';
import { reliabilityReport, type VerdictOutcome } from '../../src/core/reliability';

const o = (truth: string, predicted: string, probability: number, unfamiliar = false): VerdictOutcome => ({
  truth,
  predicted,
  probability,
  unfamiliar,
});

describe('reliabilityReport', () => {
  it('counts abstentions, accuracy on the accepted photos and confidently wrong ones among all photos', () => {
    const outcomes = [
      o('crack', 'crack', 0.99),
      o('crack', 'nocrack', 0.95), // confidently wrong
      o('crack', 'nocrack', 0.6), // wrong, not confident
      o('crack', 'nocrack', 0.97, true), // wrong and confident, but flagged: not counted
      o('nocrack', 'nocrack', 0.8),
      o('nocrack', 'crack', 0.9, true),
    ];
    const r = reliabilityReport(['crack', 'nocrack'], outcomes);
    expect(r.n).toBe(6);
    expect(r.abstained).toBeCloseTo(2 / 6, 12);
    expect(r.accuracyAccepted).toBeCloseTo(2 / 4, 12);
    expect(r.confidentlyWrong).toBeCloseTo(1 / 6, 12);
    expect(r.perClass.crack).toEqual({ n: 4, abstained: 0.25, accuracyAccepted: 1 / 3, confidentlyWrong: 0.25 });
    expect(r.perClass.nocrack).toEqual({ n: 2, abstained: 0.5, accuracyAccepted: 1, confidentlyWrong: 0 });
    expect(r.ece).toBeGreaterThan(0);
  });

  it('has no accepted accuracy when every photo was flagged, and entries for labels without photos', () => {
    const r = reliabilityReport(['crack', 'nocrack', 'salt'], [o('crack', 'crack', 0.99, true)]);
    expect(r.abstained).toBe(1);
    expect(r.accuracyAccepted).toBeUndefined();
    expect(r.perClass.salt).toEqual({ n: 0, abstained: 0, accuracyAccepted: undefined, confidentlyWrong: 0 });
  });
});
