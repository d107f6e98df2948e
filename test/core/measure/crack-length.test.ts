import { describe, expect, it } from 'vitest';
import { skeletonLengthMm, skeletonLines, smoothedLength } from '../../../src/core/measure/crack-length';
import { scaleHomography } from '../../../src/core/measure/homography';
import { zhangSuenThin } from '../../../src/core/measure/skeleton';

const MM_PER_PX = 0.1;

/** A w x h mask with the pixels within `half` of the segment from a to b set. */
function thickSegment(
  w: number,
  h: number,
  a: { x: number; y: number },
  b: { x: number; y: number },
  half: number,
): Uint8Array {
  const m = new Uint8Array(w * h);
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const len2 = dx * dx + dy * dy;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const t = Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len2));
      if (Math.hypot(x - a.x - t * dx, y - a.y - t * dy) <= half) m[y * w + x] = 1;
    }
  return m;
}

/** The old estimate: every link of the skeleton counted once, straight or diagonal. */
function linkSum(skel: Uint8Array, w: number): number {
  let n = 0;
  for (const line of skeletonLines(skel, w, skel.length / w)) {
    for (let i = 1; i < line.length; i++) {
      const [a, b] = [line[i - 1], line[i]];
      n += Math.hypot((a % w) - (b % w), Math.floor(a / w) - Math.floor(b / w));
    }
  }
  return n;
}

describe('crack length', () => {
  it('reads a thinned straight crack at any angle within 2 % of its centre line, where the link count reads up to 8 % long', () => {
    const [w, h] = [260, 260];
    for (const deg of [0, 10, 22.5, 30, 45, 67.5]) {
      const r = 100;
      const a = { x: 130 - r * Math.cos((deg * Math.PI) / 180), y: 130 - r * Math.sin((deg * Math.PI) / 180) };
      const b = { x: 130 + r * Math.cos((deg * Math.PI) / 180), y: 130 + r * Math.sin((deg * Math.PI) / 180) };
      const skel = zhangSuenThin(thickSegment(w, h, a, b, 2.5), w, h);
      const truth = 2 * r * MM_PER_PX;
      const read = skeletonLengthMm(skel, w, h, { x: 0, y: 0 }, scaleHomography(MM_PER_PX));
      // the thinned line ends about half the thickness short of each end of the segment
      expect(Math.abs(read / truth - 1), `${deg} degrees: ${read.toFixed(2)} mm of ${truth} mm`).toBeLessThan(0.02);
      if (deg === 22.5) expect(linkSum(skel, w) * MM_PER_PX).toBeGreaterThan(1.05 * read);
    }
  });

  it('traces every link into exactly one line, across a junction and around a loop', () => {
    const [w, h] = [40, 40];
    const skel = new Uint8Array(w * h);
    for (let x = 5; x < 35; x++) skel[10 * w + x] = 1; // a horizontal line
    for (let y = 11; y < 30; y++) skel[y * w + 20] = 1; // a branch down from its middle: a T
    for (let x = 5; x <= 12; x++) [30, 37].forEach((y) => (skel[y * w + x] = 1)); // a closed rectangle
    for (let y = 30; y <= 37; y++) [5, 12].forEach((x) => (skel[y * w + x] = 1));
    const lines = skeletonLines(skel, w, h);
    const links = lines.reduce((n, l) => n + l.length - 1, 0);
    // T: 29 links along the top, 19 down; rectangle: 4 sides of 7 links
    expect(links).toBe(29 + 19 + 28);
    const pairs = lines.flatMap((l) => l.slice(1).map((p, i) => [Math.min(p, l[i]), Math.max(p, l[i])].join(',')));
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(lines.filter((l) => l[0] === l.at(-1))).toHaveLength(1); // the loop, closed on itself
  });

  it('smooths the jitter of a line and keeps its ends', () => {
    const straight = Array.from({ length: 101 }, (_, i) => ({ x: i, y: 0 }));
    expect(smoothedLength(straight, 3)).toBeCloseTo(100, 9);
    const jitter = straight.map((p, i) => ({ x: p.x, y: i % 2 })); // one-pixel zigzag
    expect(smoothedLength(jitter, 0)).toBeGreaterThan(140);
    expect(smoothedLength(jitter, 3)).toBeLessThan(101.5); // a little zigzag is left where the window shrinks at the ends
    expect(smoothedLength(jitter, 3)).toBeGreaterThan(99);
    expect(smoothedLength([{ x: 1, y: 1 }], 3)).toBe(0);
    expect(smoothedLength([], 3)).toBe(0);
  });
});
