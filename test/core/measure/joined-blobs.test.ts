import { describe, expect, it } from 'vitest';
import type { WidthSample } from '../../../src/core/measure/crack-width';
import { withoutJoinedBlobs } from '../../../src/core/measure/joined-blobs';

/** Readings one pixel apart along y = 50, width w(x) px, at 0.1 mm/px. */
function line(n: number, w: (x: number) => number): WidthSample[] {
  return Array.from({ length: n }, (_, x) => {
    const px = w(x);
    return { at: { x, y: 50 }, widthPx: px, readPx: px, widthMm: px * 0.1, edgePx: 1.2 };
  });
}

const widest = (readings: WidthSample[]) => Math.max(...readings.map((s) => s.widthPx));

describe('withoutJoinedBlobs', () => {
  it('leaves out a pore that a hairline runs into', () => {
    // a 2 px crack through a pore 14 px wide and 14 px long
    const readings = line(300, (x) => (x >= 150 && x < 164 ? 14 : 2));
    const kept = withoutJoinedBlobs(readings);
    expect(widest(kept)).toBe(2);
    expect(kept.length).toBe(300 - 14);
  });

  it("keeps a crack's own widening, which runs along it", () => {
    // a 10 px crack swelling to 24 px over 100 px
    const readings = line(400, (x) => 10 + 14 * Math.max(0, 1 - Math.abs(x - 200) / 50));
    expect(withoutJoinedBlobs(readings)).toHaveLength(400);
  });

  it('keeps the ragged readings of a thin crack (no reading 2 px over those around it)', () => {
    const readings = line(300, (x) => (x % 7 === 0 ? 2.4 : 0.6));
    expect(withoutJoinedBlobs(readings)).toHaveLength(300);
  });

  it('keeps a lone reading, and gives nothing for nothing', () => {
    expect(withoutJoinedBlobs(line(1, () => 5))).toHaveLength(1);
    expect(withoutJoinedBlobs([])).toEqual([]);
  });
});
