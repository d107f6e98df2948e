import { describe, expect, it } from 'vitest';
import {
  retakeCase,
  STUDY_WIDTHS_MM,
  studyWidthMm,
  validationCase,
  type WidthSampling,
} from '../../../src/core/measure/validation-case';
import { createRng } from '../../../src/core/random';

describe('studyWidthMm', () => {
  it('nominal cycles through the study widths', () => {
    const rng = createRng(1);
    expect(Array.from({ length: 9 }, (_, i) => studyWidthMm('nominal', i, rng))).toEqual([...STUDY_WIDTHS_MM, 0.1]);
  });

  it('uniform is seeded and log-uniform over 0.1-3 mm (few on the 0.3 and 1.3 mm boundaries)', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 2000 }, (_, i) => studyWidthMm('uniform', i, rng));
    };
    const widths = draw(7);
    expect(draw(7)).toEqual(widths);
    expect(draw(8)).not.toEqual(widths);
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...widths)).toBeLessThanOrEqual(3);
    const below = (mm: number) => widths.filter((w) => w < mm).length / widths.length;
    const share = (mm: number) => Math.log(mm / 0.1) / Math.log(30);
    for (const mm of [0.2, 0.3, 1, 1.3, 2]) expect(Math.abs(below(mm) - share(mm))).toBeLessThan(0.04);
    const nearBoundary = widths.filter((w) => Math.abs(w - 0.3) < 0.01 || Math.abs(w - 1.3) < 0.01).length;
    expect(nearBoundary / widths.length).toBeLessThan(0.03);
  });

  it('names the valid samplings for an unknown one', () => {
    expect(() => studyWidthMm('boundary' as WidthSampling, 0, createRng(1))).toThrow(/nominal, uniform/);
  });
});

describe('retakeCase', () => {
  const texture = { width: 8, height: 8, data: new Float32Array(64).fill(160) };

  it('shows the same crack and marker with twice the pixels across from half the distance', () => {
    const first = validationCase(createRng(3), 2, texture);
    const closer = retakeCase(first, 0.5);
    expect(closer.spec.camera).toMatchObject({
      width: 2 * first.spec.camera.width,
      height: 2 * first.spec.camera.height,
      tiltDeg: first.spec.camera.tiltDeg,
    });
    expect(closer.spec.crack).toBe(first.spec.crack);
    expect(closer.spec.marker).toBe(first.spec.marker);
    expect(closer.spec.blurPx).toBe(first.spec.blurPx);
    expect(closer.truth.maxWidthMm).toBe(first.truth.maxWidthMm);
    expect(closer.truth.markerMmPerPx / first.truth.markerMmPerPx).toBeCloseTo(0.5, 6);
    expect(() => retakeCase(first, 0)).toThrow(/retake distance must be in \(0, 1\], got 0/);
  });
});
