import { describe, expect, it } from 'vitest';
import { skeletonLengthMm } from '../../../src/core/measure/crack-length';
import { distanceToBackground } from '../../../src/core/measure/distance';
import { scaleHomography } from '../../../src/core/measure/homography';
import { pruneSpurs, zhangSuenThin } from '../../../src/core/measure/skeleton';

/** A w x h mask with a horizontal bar of `thickness` rows from x0 to x1 (exclusive), centred on row cy. */
function bar(w: number, h: number, cy: number, x0: number, x1: number, thickness: number): Uint8Array {
  const m = new Uint8Array(w * h);
  const top = cy - Math.floor(thickness / 2);
  for (let y = top; y < top + thickness; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
  return m;
}

describe('skeleton', () => {
  it('thins a 7-px bar to a one-pixel centre line about as long as the bar', () => {
    const [w, h] = [80, 30];
    const skel = zhangSuenThin(bar(w, h, 15, 10, 70, 7), w, h);
    const rows = new Set<number>();
    let n = 0;
    for (let i = 0; i < skel.length; i++) {
      if (!skel[i]) continue;
      rows.add(Math.floor(i / w));
      n++;
    }
    expect([...rows]).toEqual([15]);
    expect(n).toBeGreaterThan(50);
    expect(skeletonLengthMm(skel, w, h, { x: 0, y: 0 }, scaleHomography(0.1))).toBeCloseTo((n - 1) * 0.1, 6);
  });

  it('prunes a short side branch and keeps the main line', () => {
    const [w, h] = [80, 30];
    const skel = bar(w, h, 15, 10, 70, 1);
    for (let y = 10; y < 15; y++) skel[y * w + 40] = 1; // a 5-px spur
    pruneSpurs(skel, w, h, () => 8);
    expect(skel[10 * w + 40]).toBe(0);
    expect(skel[15 * w + 10]).toBe(1);
    expect(skel[15 * w + 69]).toBe(1);
  });

  it('gives half the bar thickness as the distance to the background at its centre', () => {
    const [w, h] = [40, 40];
    const d = distanceToBackground(bar(w, h, 20, 0, 40, 9), w, h);
    expect(d[20 * w + 20]).toBe(5);
    expect(d[16 * w + 20]).toBe(1);
    expect(d[10 * w + 20]).toBe(0);
  });
});
