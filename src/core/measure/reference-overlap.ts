/**
 * How much of a rectangle a reference (the marker's or card's quadrilateral) covers: the classifier
 * sees what lies in the crop box, and a marker there makes it call a crack's surface unfamiliar.
 */
import type { Point } from './homography';
import type { Region } from './segment';

/** Area of a simple polygon (shoelace), px². */
function polygonArea(p: readonly Point[]): number {
  let twice = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i];
    const b = p[(i + 1) % p.length];
    twice += a.x * b.y - b.x * a.y;
  }
  return Math.abs(twice) / 2;
}

/** The part of convex polygon `p` on the inner side of one edge of the rectangle (Sutherland-Hodgman step). */
function clipEdge(p: readonly Point[], inside: (q: Point) => boolean, cross: (a: Point, b: Point) => Point): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < p.length; i++) {
    const a = p[i];
    const b = p[(i + 1) % p.length];
    if (inside(a)) out.push(a);
    if (inside(a) !== inside(b)) out.push(cross(a, b));
  }
  return out;
}

/** The point of segment a-b where `coord` (x or y) equals `value`. */
function at(a: Point, b: Point, coord: 'x' | 'y', value: number): Point {
  const t = (value - a[coord]) / (b[coord] - a[coord]);
  return { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
}

/** The share (0-1) of `box`'s area that the convex quadrilateral `corners` covers. */
export function referenceShareOfBox(corners: readonly Point[], box: Region): number {
  // the box's four sides: the coordinate, where it lies, and whether the inside is above it
  const sides: ['x' | 'y', number, boolean][] = [
    ['x', box.x, true],
    ['x', box.x + box.width, false],
    ['y', box.y, true],
    ['y', box.y + box.height, false],
  ];
  let p: Point[] = [...corners];
  for (const [coord, value, above] of sides) {
    p = clipEdge(
      p,
      (q) => (above ? q[coord] >= value : q[coord] <= value),
      (a, b) => at(a, b, coord, value),
    );
  }
  return p.length < 3 ? 0 : polygonArea(p) / (box.width * box.height);
}
