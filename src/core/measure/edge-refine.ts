/**
 * Sub-pixel refinement of a dark square's corners: each side is re-found where the intensity crosses
 * midway between the dark inside and the light outside, a line is fitted through those points, and
 * neighbouring lines are intersected.
 */
import { cornersOf, fitLine, midwayCrossing, pointAlong, quadSides, type Line } from './edge-lines';
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
  const lines: Line[] = [];
  for (const side of quadSides(corners)) {
    // reach: a few pixels, but well inside the first cell of the black border (1/8 of the side)
    const reach = Math.max(2, Math.min(6, side.len / 20));
    const found: Point[] = [];
    for (let k = 0; k < samplesPerSide; k++) {
      const hit = edgeCrossing(g, pointAlong(side, 0.15 + (0.7 * k) / (samplesPerSide - 1)), side.n, reach);
      if (hit) found.push(hit);
    }
    if (found.length < samplesPerSide / 2) return [...corners];
    lines.push(fitLine(found));
  }
  return cornersOf(lines);
}
