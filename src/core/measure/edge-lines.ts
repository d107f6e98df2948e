/**
 * Lines through sub-pixel edge points, shared by the marker's and the card's corner refinement: where
 * a grey profile across an edge crosses midway between its two sides, total least-squares lines
 * through such points, and their intersections.
 */
import type { Point } from './homography';

/** A point on the line and its unit direction. */
export interface Line {
  p: Point;
  d: Point;
}

/**
 * Where `profile` (grey at offset t along an edge's normal, lower inside) crosses midway between its
 * values at -reach and +reach, in steps of 0.25 px with linear interpolation; undefined when the two
 * sides differ by less than `minContrast` or nothing crosses.
 */
export function midwayCrossing(profile: (t: number) => number, reach: number, minContrast: number): number | undefined {
  const step = 0.25;
  const inside = profile(-reach);
  const outside = profile(reach);
  if (outside - inside < minContrast) return undefined;
  const mid = (inside + outside) / 2;
  let prev = inside;
  for (let t = -reach + step; t <= reach; t += step) {
    const v = profile(t);
    if (prev < mid && v >= mid) return t - step + (step * (mid - prev)) / (v - prev);
    prev = v;
  }
  return undefined;
}

/** Total least-squares line through `points`. */
export function fitLine(points: readonly Point[]): Line {
  const n = points.length;
  const cx = points.reduce((s, p) => s + p.x, 0) / n;
  const cy = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    sxx += (p.x - cx) ** 2;
    sxy += (p.x - cx) * (p.y - cy);
    syy += (p.y - cy) ** 2;
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  return { p: { x: cx, y: cy }, d: { x: Math.cos(angle), y: Math.sin(angle) } };
}

/** Where two lines meet. */
export function intersect(a: Line, b: Line): Point {
  const det = a.d.x * b.d.y - a.d.y * b.d.x;
  const t = ((b.p.x - a.p.x) * b.d.y - (b.p.y - a.p.y) * b.d.x) / det;
  return { x: a.p.x + a.d.x * t, y: a.p.y + a.d.y * t };
}

/** A side of a quadrilateral (corner i to corner i + 1): its ends, length and unit normal pointing outwards. */
export interface QuadSide {
  a: Point;
  b: Point;
  len: number;
  n: Point;
}

/** The four sides of a quadrilateral, each with its outward normal (away from the corners' centroid). */
export function quadSides(corners: readonly Point[]): QuadSide[] {
  const cx = corners.reduce((s, p) => s + p.x, 0) / 4;
  const cy = corners.reduce((s, p) => s + p.y, 0) / 4;
  return corners.map((a, i) => {
    const b = corners[(i + 1) % 4];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    let n = { x: -(b.y - a.y) / len, y: (b.x - a.x) / len };
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    if ((mid.x - cx) * n.x + (mid.y - cy) * n.y < 0) n = { x: -n.x, y: -n.y };
    return { a, b, len, n };
  });
}

/** The point a share `t` of the way along a side. */
export const pointAlong = ({ a, b }: QuadSide, t: number): Point => ({
  x: a.x + (b.x - a.x) * t,
  y: a.y + (b.y - a.y) * t,
});

/** The corners of the quadrilateral four side lines bound: each side meets the one before it. */
export function cornersOf(lines: readonly Line[]): Point[] {
  return lines.map((line, i) => intersect(lines[(i + 3) % 4], line));
}
