import { describe, expect, it } from 'vitest';
import { anomalyReport } from '../../src/core/metrics';

describe('anomalyReport', () => {
  it('counts scores above the threshold as abnormal and ranks abnormal above normal for the AUROC', () => {
    const r = anomalyReport([1, 2, 3, 6], [5, 7, 8], 4);
    expect(r.nNormal).toBe(4);
    expect(r.nAbnormal).toBe(3);
    expect(r.falseAlarmRate).toBe(0.25); // 6 > 4
    expect(r.detectionRate).toBe(1);
    expect(r.accuracy).toBeCloseTo(6 / 7, 12);
    // 12 (abnormal, normal) pairs, one misordered (5 < 6).
    expect(r.auroc).toBeCloseTo(11 / 12, 12);
    expect(r.threshold).toBe(4);
  });

  it('a score equal to the threshold is normal, as in the live view (score > threshold is an anomaly)', () => {
    const r = anomalyReport([4], [4], 4);
    expect(r.falseAlarmRate).toBe(0);
    expect(r.detectionRate).toBe(0);
    expect(r.auroc).toBe(0.5);
  });

  it('has no AUROC without both kinds, and rates of 0 for an empty side', () => {
    const r = anomalyReport([1, 5], [], 4);
    expect(r.auroc).toBeUndefined();
    expect(r.falseAlarmRate).toBe(0.5);
    expect(r.detectionRate).toBe(0);
    expect(anomalyReport([], [], 1)).toMatchObject({ auroc: undefined, accuracy: 0, nNormal: 0, nAbnormal: 0 });
  });
});
