/**
 * Sub-pixel refinement of a dark square's corners: each side is re-found where the intensity crosses
 * midway between the dark inside and the light outside, a line is fitted through those points, and
 * neighbouring lines are intersected.
 */
import { fitLine, intersect, midwayCrossing, type Line } from './edge-lines';
import type { Point } from './homography';
import { sampleBilinear, type GreyImage } from './pixels';

/** The midway crossing along the outward normal n through p, within +-reach px; undefined if none. */
function edgeCrossing(g: GreyImage, p: Point, n: Point, reach: number): Point | undefined {
  const s = midwayCrossing((t) => sampleBilinear(g, p.x + n.x * t, p.y + n.y * t), reach, 20);
  return s === undefined ? undefined : { x: p.x + n.x * s, y: p.y + n.y * s };
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
