/**
 * Sub-pixel refinement of a dark square's corners: each side is re-found where the intensity crosses
 * midway between the dark inside and the light outside, a line is fitted through those points, and
 * neighbouring lines are intersected.
 */
import type { Point } from './homography';
import { sampleBilinear, type GreyImage } from './pixels';

interface Line {
  /** A point on the line and its unit direction. */
  p: Point;
  d: Point;
}

/** The midway crossing along the outward normal n through p, within +-reach px; undefined if none. */
function edgeCrossing(g: GreyImage, p: Point, n: Point, reach: number): Point | undefined {
  const step = 0.25;
  const inside = sampleBilinear(g, p.x - n.x * reach, p.y - n.y * reach);
  const outside = sampleBilinear(g, p.x + n.x * reach, p.y + n.y * reach);
  if (outside - inside < 20) return undefined;
  const mid = (inside + outside) / 2;
  let prev = inside;
  for (let t = -reach + step; t <= reach; t += step) {
    const v = sampleBilinear(g, p.x + n.x * t, p.y + n.y * t);
    if (prev < mid && v >= mid) {
      const s = t - step + (step * (mid - prev)) / (v - prev);
      return { x: p.x + n.x * s, y: p.y + n.y * s };
    }
    prev = v;
  }
  return undefined;
}

/** Total least-squares line through `points`. */
function fitLine(points: Point[]): Line {
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

function intersect(a: Line, b: Line): Point {
  const det = a.d.x * b.d.y - a.d.y * b.d.x;
  const t = ((b.p.x - a.p.x) * b.d.y - (b.p.y - a.p.y) * b.d.x) / det;
  return { x: a.p.x + a.d.x * t, y: a.p.y + a.d.y * t };
}

/**
 * Refines the four corners of a dark quadrilateral on a light surround. Returns the input corners
 * when a side gives too few crossings (e.g. the marker touches the image border).
 */
export function refineSquareCorners(g: GreyImage, corners: readonly Point[], samplesPerSide = 24): Point[] {
  const cx = corners.reduce((s, p) => s + p.x, 0) / 4;
  const cy = corners.reduce((s, p) => s + p.y, 0) / 4;
  const lines: Line[] = [];
  for (let i = 0; i < 4; i++) {
    const a = corners[i];
    const b = corners[(i + 1) % 4];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    let n = { x: -(b.y - a.y) / len, y: (b.x - a.x) / len };
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    if ((mid.x - cx) * n.x + (mid.y - cy) * n.y < 0) n = { x: -n.x, y: -n.y };
    // reach: a few pixels, but well inside the first cell of the black border (1/8 of the side)
    const reach = Math.max(2, Math.min(6, len / 20));
    const found: Point[] = [];
    for (let k = 0; k < samplesPerSide; k++) {
      const t = 0.15 + (0.7 * k) / (samplesPerSide - 1);
      const hit = edgeCrossing(g, { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }, n, reach);
      if (hit) found.push(hit);
    }
    if (found.length < samplesPerSide / 2) return [...corners];
    lines.push(fitLine(found));
  }
  return lines.map((line, i) => intersect(lines[(i + 3) % 4], line));
}
