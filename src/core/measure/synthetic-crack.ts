/**
 * An irregular crack of known width on a surface, in millimetres: a wavy centre line at an angle,
 * a width that swells and narrows along it, rough edges and tapered ends. `crackAt` says whether a
 * surface point is inside; `crackTruth` gives the maximum and mean width and the length.
 */

/** The crack's shape; all lengths in millimetres. */
export interface CrackShape {
  /** Centre of the crack on the surface. */
  centre: { x: number; y: number };
  /** Direction of the crack, degrees from the x axis. */
  angleDeg: number;
  lengthMm: number;
  /** Maximum perpendicular width (the widest point), mm. */
  widthMm: number;
  /** Phases and wavelengths of the centre line, the width swell and the edge roughness (seeded). */
  waves: { phase: number[]; wiggleMm: number };
}

/** Centre-line offset across the crack at distance u along it, mm. */
function centreLine(c: CrackShape, u: number): number {
  const [p0, p1] = c.waves.phase;
  return c.waves.wiggleMm * (Math.sin(u / 23 + p0) + 0.4 * Math.sin(u / 7.3 + p1));
}

/** Width profile in (0, 1] (times widthMm): a slow swell, tapered over the last 8 % at each end. */
function widthFactor(c: CrackShape, u: number): number {
  const [, , p2] = c.waves.phase;
  const swell = 0.85 + 0.15 * Math.sin(u / 11 + p2);
  const end = Math.min(1, (c.lengthMm / 2 - Math.abs(u)) / (0.08 * c.lengthMm));
  return swell * Math.max(0, end);
}

/** Edge roughness, a fraction of the local width (each edge separately). */
function roughness(c: CrackShape, u: number, edge: 0 | 1): number {
  const p = c.waves.phase[3 + edge];
  return 0.04 * Math.sin(u / 0.9 + p) + 0.03 * Math.sin(u / 0.37 + 2 * p);
}

/** The slope of the centre line at u (across per along). */
function slopeAt(c: CrackShape, u: number): number {
  return (centreLine(c, u + 0.01) - centreLine(c, u - 0.01)) / 0.02;
}

/** Top and bottom edge of the crack (across-offsets, mm) at u, measured perpendicular to the axis. */
function edgesAt(c: CrackShape, u: number): [number, number] {
  const w = c.widthMm * widthFactor(c, u);
  // the perpendicular width is w: across the axis the band is w / cos(slope angle)
  const half = w / 2 / Math.cos(Math.atan(slopeAt(c, u)));
  const v = centreLine(c, u);
  return [v - half * (1 + roughness(c, u, 0)), v + half * (1 + roughness(c, u, 1))];
}

/** Step of the edge tables of `crackInside`, mm. */
const TABLE_STEP = 0.005;

/**
 * A test for surface points (x, y) mm: inside the crack or not. The edges are tabulated every
 * 5 micrometres along the crack once, so that each test is a table look-up.
 */
export function crackInside(c: CrackShape): {
  inside: (x: number, y: number) => boolean;
  near: (x: number, y: number) => boolean;
} {
  const n = Math.ceil(c.lengthMm / TABLE_STEP) + 1;
  const top = new Float32Array(n);
  const bottom = new Float32Array(n);
  for (let k = 0; k < n; k++) [top[k], bottom[k]] = edgesAt(c, -c.lengthMm / 2 + k * TABLE_STEP);
  const a = (c.angleDeg * Math.PI) / 180;
  const [cos, sin] = [Math.cos(a), Math.sin(a)];
  const reach = 1.5 * c.waves.wiggleMm + c.widthMm + 1;
  return {
    inside: (x, y) => {
      const dx = x - c.centre.x;
      const dy = y - c.centre.y;
      const u = dx * cos + dy * sin;
      if (Math.abs(u) >= c.lengthMm / 2) return false;
      const v = -dx * sin + dy * cos;
      const k = Math.round((u + c.lengthMm / 2) / TABLE_STEP);
      return v > top[k] && v < bottom[k];
    },
    /** True within about a millimetre of the crack's box (false means surely outside). */
    near: (x, y) => {
      const dx = x - c.centre.x;
      const dy = y - c.centre.y;
      return Math.abs(dx * cos + dy * sin) < c.lengthMm / 2 + 1 && Math.abs(-dx * sin + dy * cos) < reach;
    },
  };
}

/** Step along the crack at which its truth is computed, mm. */
const TRUTH_STEP_MM = 0.05;

/** Where along the crack its truth is computed: every 0.05 mm from one end, mm from the centre. */
function truthStations(c: CrackShape): number[] {
  const us: number[] = [];
  for (let u = -c.lengthMm / 2; u < c.lengthMm / 2; u += TRUTH_STEP_MM) us.push(u);
  return us;
}

/** The crack's perpendicular width at u, mm. */
function widthAt(c: CrackShape, u: number): number {
  const [top, bottom] = edgesAt(c, u);
  return (bottom - top) * Math.cos(Math.atan(slopeAt(c, u)));
}

/** The crack's perpendicular width every 0.05 mm along it, tapered ends included, mm. */
export function crackWidthProfile(c: CrackShape): number[] {
  return truthStations(c).map((u) => widthAt(c, u));
}

/** The crack's true maximum and mean perpendicular width and its centre-line length, mm. */
export function crackTruth(c: CrackShape): { maxWidthMm: number; meanWidthMm: number; lengthMm: number } {
  let max = 0;
  let sum = 0;
  let n = 0;
  let length = 0;
  for (const u of truthStations(c)) {
    const width = widthAt(c, u);
    max = Math.max(max, width);
    // the mean over the body of the crack, leaving out the tapered ends as the measurement does
    if (widthFactor(c, u) > 0.5) {
      sum += width;
      n++;
    }
    length += TRUTH_STEP_MM * Math.hypot(1, slopeAt(c, u));
  }
  return { maxWidthMm: max, meanWidthMm: sum / n, lengthMm: length };
}
