/** Crack length along its skeleton, measured on the surface (perspective corrected). */
import { applyHomography, type Homography, type Point } from './homography';

/**
 * Sum of the surface lengths of the skeleton's links. Each pair of 8-neighbours is one link, except
 * a diagonal link beside two side links (a staircase corner), which would count that step twice.
 */
export function skeletonLengthMm(
  skel: Uint8Array,
  w: number,
  h: number,
  offset: Point,
  imageToPlane: Homography,
): number {
  const plane = (i: number) => {
    const x = i % w;
    return applyHomography(imageToPlane, { x: offset.x + x, y: offset.y + (i - x) / w });
  };
  const set = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && skel[y * w + x] === 1;
  let length = 0;
  for (let i = 0; i < skel.length; i++) {
    if (!skel[i]) continue;
    const x = i % w;
    const y = (i - x) / w;
    const a = plane(i);
    // links to E, S, SE and SW, so each link is visited once
    for (const [dx, dy] of [
      [1, 0],
      [0, 1],
      [1, 1],
      [-1, 1],
    ]) {
      if (!set(x + dx, y + dy)) continue;
      if (dx !== 0 && dy !== 0 && (set(x + dx, y) || set(x, y + dy))) continue;
      const b = plane((y + dy) * w + x + dx);
      length += Math.hypot(b.x - a.x, b.y - a.y);
    }
  }
  return length;
}
