import { describe, expect, it } from 'vitest';
import type { WidthSample } from '../../../src/core/measure/crack-width';
import { smoothAlongCrack } from '../../../src/core/measure/reading-smoothing';
import { createRng } from '../../../src/core/random';

/** Readings one pixel apart along y = 50, width w(x) px plus `noise(x)`, at 0.1 mm/px. */
function line(n: number, w: (x: number) => number, noise: (x: number) => number = () => 0): WidthSample[] {
  return Array.from({ length: n }, (_, x) => {
    const px = w(x) + noise(x);
    return { at: { x, y: 50 }, widthPx: px, readPx: px, widthMm: px * 0.1, edgePx: 1.2 };
  });
}

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.round(0.95 * (values.length - 1))];

describe('smoothAlongCrack', () => {
  it('takes the noise out of the widest readings', () => {
    const rng = createRng(4);
    const raw = line(
      400,
      () => 2.5,
      () => 0.6 * (rng() + rng() + rng() - 1.5),
    );
    const smooth = smoothAlongCrack(raw);
    const raw95 = p95(raw.map((s) => s.widthPx));
    const smooth95 = p95(smooth.map((s) => s.widthPx));
    expect(raw95 - 2.5).toBeGreaterThan(0.3);
    expect(Math.abs(smooth95 - 2.5)).toBeLessThan((raw95 - 2.5) / 2);
    expect(smooth[10].widthMm).toBeCloseTo(smooth[10].widthPx * 0.1, 9);
  });

  it('keeps a swell over tens of pixels and leaves the width as read alone', () => {
    const raw = line(300, (x) => 6 + 2 * Math.sin(x / 30));
    const smooth = smoothAlongCrack(raw);
    smooth.forEach((s, i) => {
      // within the radius of the ends the neighbourhood is one-sided and the median shifts along the slope
      const fromEnd = Math.min(i, raw.length - 1 - i);
      expect(Math.abs(s.widthPx - raw[i].widthPx)).toBeLessThan(fromEnd >= 4 ? 0.01 : 0.15);
      expect(s.readPx).toBe(raw[i].readPx);
    });
  });

  it('leaves a reading with no neighbours as it is', () => {
    const lone: WidthSample = { at: { x: 200, y: 200 }, widthPx: 3, readPx: 3, widthMm: 0.3, edgePx: 1 };
    const out = smoothAlongCrack([...line(20, () => 9), lone]);
    expect(out[20].widthPx).toBe(3);
    expect(out[5].widthPx).toBe(9);
  });
});
