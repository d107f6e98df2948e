import { describe, expect, it } from 'vitest';
import { crackTruth, crackWidthProfile } from '../../../src/core/measure/synthetic-crack';
import { validationCase } from '../../../src/core/measure/validation-case';
import { median, quantile } from '../../../src/core/measure/width-uncertainty';
import { createRng } from '../../../src/core/random';
import { mottled } from './scenes';

describe('the synthetic crack', () => {
  it('gives the maximum of its width profile as its true maximum width', () => {
    const rng = createRng(3);
    const crack = validationCase(rng, 4, mottled(1), 1).spec.crack;
    if (!crack) throw new Error('the case has no crack');
    const widths = crackWidthProfile(crack);
    expect(widths.length).toBe(Math.ceil(crack.lengthMm / 0.05));
    expect(crackTruth(crack).maxWidthMm).toBe(Math.max(...widths));
    expect(crackTruth(crack).meanWidthMm).toBeLessThan(crackTruth(crack).maxWidthMm);
  });

  it("has its maximum a few per cent above the 95th percentile of its widths (the rough edges' bulges)", () => {
    const gaps: number[] = [];
    for (const seed of [11, 12, 13, 14, 15, 16]) {
      const rng = createRng(seed);
      for (let i = 0; i < 16; i++) {
        const crack = validationCase(rng, i, mottled(1)).spec.crack;
        if (!crack) continue;
        const widths = crackWidthProfile(crack).sort((a, b) => a - b);
        const max = widths[widths.length - 1];
        gaps.push((max - quantile(widths, 0.95)) / max);
      }
    }
    const gap = median(gaps);
    // 0.023 on these 96 shapes (10-90 %: 0.011-0.056)
    expect(gap).toBeGreaterThan(0.01);
    expect(gap).toBeLessThan(0.04);
  });
});
