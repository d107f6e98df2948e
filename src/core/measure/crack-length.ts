/** Crack length along its skeleton, measured on the surface (perspective corrected). */
import { applyHomography, type Homography, type Point } from './homography';
import { skeletonNeighbours } from './skeleton';

/**
 * Half-width, in skeleton pixels, of the moving average that smooths each traced line before its length
 * is summed: long enough to take out the staircase of an 8-connected line and the one-pixel jitter of
 * a skeleton of noisy edges, short against the bends of a crack.
 */
export const LENGTH_SMOOTHING_PX = 3;

/**
 * The skeleton's links from pixel i: its set 8-neighbours, less a diagonal neighbour beside a set side
 * neighbour (a staircase corner, which would count the step twice). The rule is symmetric.
 */
function links(skel: Uint8Array, w: number, h: number, i: number): number[] {
  const x = i % w;
  const y = (i - x) / w;
  return skeletonNeighbours(skel, w, h, i).filter((j) => {
    const [dx, dy] = [(j % w) - x, Math.floor(j / w) - y];
    // a diagonal's two side pixels lie inside the image whenever the diagonal does
    return dx === 0 || dy === 0 || (!skel[y * w + x + dx] && !skel[(y + dy) * w + x]);
  });
}

/**
 * The skeleton traced into lines: each runs from an end or a junction through pixels of two links to
 * the next end or junction (a closed loop from any of its pixels back to it). Every link is in one line.
 */
export function skeletonLines(skel: Uint8Array, w: number, h: number): number[][] {
  const linksOf = new Map<number, number[]>(); // every skeleton pixel's links
  for (let i = 0; i < skel.length; i++) if (skel[i]) linksOf.set(i, links(skel, w, h, i));
  const isNode = (i: number) => (linksOf.get(i)?.length ?? 0) !== 2; // an end, a junction or a lone pixel
  const done = new Set<number>(); // pixels of two links already traced
  const nodeLinks = new Set<string>(); // links between two nodes already traced
  const lines: number[][] = [];
  const walk = (from: number, first: number): number[] => {
    const line = [from];
    let [prev, at] = [from, first];
    while (!isNode(at) && !done.has(at)) {
      done.add(at);
      line.push(at);
      const next = (linksOf.get(at) ?? []).find((j) => j !== prev) ?? at;
      [prev, at] = [at, next];
    }
    line.push(at);
    return line;
  };
  for (const [i, ls] of linksOf) {
    if (!isNode(i)) continue;
    for (const j of ls) {
      if (isNode(j)) {
        const key = i < j ? `${i},${j}` : `${j},${i}`;
        if (nodeLinks.has(key)) continue;
        nodeLinks.add(key);
        lines.push([i, j]);
      } else if (!done.has(j)) lines.push(walk(i, j));
    }
  }
  for (const [i, ls] of linksOf) if (!isNode(i) && !done.has(i)) lines.push(walk(i, ls[0]).slice(1)); // loops
  return lines;
}

/** Length of the polyline through `points` after a moving average of half-width `k` (ends kept in place). */
export function smoothedLength(points: readonly Point[], k: number): number {
  const n = points.length;
  const smooth = (i: number): Point => {
    const r = Math.min(k, i, n - 1 - i);
    let [sx, sy] = [0, 0];
    for (let j = i - r; j <= i + r; j++) [sx, sy] = [sx + points[j].x, sy + points[j].y];
    return { x: sx / (2 * r + 1), y: sy / (2 * r + 1) };
  };
  let length = 0;
  let a = n > 0 ? smooth(0) : undefined;
  for (let i = 1; i < n && a; i++) {
    const b = smooth(i);
    length += Math.hypot(b.x - a.x, b.y - a.y);
    a = b;
  }
  return length;
}

/**
 * The skeleton's length on the surface: the sum over its traced lines of each line's length after
 * smoothing ({@link LENGTH_SMOOTHING_PX}), the pixels mapped to the surface by `imageToPlane`.
 */
export function skeletonLengthMm(
  skel: Uint8Array,
  w: number,
  h: number,
  offset: Point,
  imageToPlane: Homography,
  smoothingPx = LENGTH_SMOOTHING_PX,
): number {
  const plane = (i: number) => {
    const x = i % w;
    return applyHomography(imageToPlane, { x: offset.x + x, y: offset.y + (i - x) / w });
  };
  return skeletonLines(skel, w, h).reduce((sum, line) => sum + smoothedLength(line.map(plane), smoothingPx), 0);
}
