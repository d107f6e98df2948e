/**
 * Plane homographies: the 3x3 projective map between image pixels and millimetres on the surface,
 * found from four point pairs (a marker's corners), and what follows from it locally (scale, tilt).
 */

/** A point in pixels or millimetres. */
export interface Point {
  x: number;
  y: number;
}

/** Row-major 3x3 matrix [h00, h01, h02, h10, h11, h12, h20, h21, h22]. */
export type Homography = readonly number[];

/** Solves A x = b (n x n, row-major) by Gaussian elimination with partial pivoting. */
function solveLinear(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-12)
      throw new Error('homography: the four points are degenerate (three in a line)');
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** The homography that maps each `from[i]` onto `to[i]` (exactly four pairs, h22 = 1). */
export function homographyFromPoints(from: readonly Point[], to: readonly Point[]): Homography {
  if (from.length !== 4 || to.length !== 4) throw new Error(`homography needs 4 point pairs, got ${from.length}`);
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i];
    const { x: u, y: v } = to[i];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  return [...solveLinear(a, b), 1];
}

/** Maps a point through `h`. */
export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}

/** The inverse map (adjugate; scale is irrelevant for a homography). */
export function invertHomography(h: Homography): Homography {
  const [a, b, c, d, e, f, g, k, l] = h;
  const inv = [e * l - f * k, c * k - b * l, b * f - c * e, f * g - d * l, a * l - c * g, c * d - a * f];
  inv.push(d * k - e * g, b * g - a * k, a * e - b * d);
  return inv.map((v) => v / inv[8]);
}

/** A pure scale: pixels to millimetres at `mmPerPx` everywhere. */
export function scaleHomography(mmPerPx: number): Homography {
  return [mmPerPx, 0, 0, 0, mmPerPx, 0, 0, 0, 1];
}

/** The 2x2 Jacobian [dx/dx', dx/dy', dy/dx', dy/dy'] of `h` at `p` (central differences). */
export function jacobianAt(h: Homography, p: Point, step = 0.5): [number, number, number, number] {
  const px = applyHomography(h, { x: p.x + step, y: p.y });
  const mx = applyHomography(h, { x: p.x - step, y: p.y });
  const py = applyHomography(h, { x: p.x, y: p.y + step });
  const my = applyHomography(h, { x: p.x, y: p.y - step });
  const s = 2 * step;
  return [(px.x - mx.x) / s, (py.x - my.x) / s, (px.y - mx.y) / s, (py.y - my.y) / s];
}

/** Singular values (largest first) of a 2x2 matrix. */
export function singularValues2([a, b, c, d]: readonly number[]): [number, number] {
  const s1 = a * a + b * b + c * c + d * d;
  const det = a * d - b * c;
  const root = Math.sqrt(Math.max(0, s1 * s1 - 4 * det * det));
  return [Math.sqrt((s1 + root) / 2), Math.sqrt(Math.max(0, (s1 - root) / 2))];
}

/** Millimetres per pixel at `p` for an image-to-plane homography (geometric mean over directions). */
export function mmPerPxAt(imageToPlane: Homography, p: Point): number {
  const [s1, s2] = singularValues2(jacobianAt(imageToPlane, p));
  return Math.sqrt(s1 * s2);
}

/**
 * How far the surface is turned away from the camera at `p`, in degrees: a circle on the surface
 * images as an ellipse whose axis ratio is cos(tilt) (weak-perspective approximation, good near p).
 */
export function tiltDegreesAt(imageToPlane: Homography, p: Point): number {
  const [s1, s2] = singularValues2(jacobianAt(imageToPlane, p));
  return (Math.acos(Math.min(1, s2 / s1)) * 180) / Math.PI;
}

/** The scale a rectangle of known size gives: its image-to-plane homography and the scale and tilt at its centre. */
export interface RectangleScale {
  /** The rectangle's corners in image pixels, clockwise from the one at the plane's origin. */
  corners: Point[];
  /** Image pixels -> millimetres on the surface (the first corner at 0,0, the second along +x). */
  imageToPlane: Homography;
  centre: Point;
  /** Millimetres per pixel at the centre. */
  mmPerPx: number;
  /** How obliquely the surface is seen at the centre, degrees. */
  tiltDeg: number;
}

/** The scale from the image corners of a `widthMm` x `heightMm` rectangle (the marker, a bank card). */
export function rectangleScale(corners: Point[], widthMm: number, heightMm: number): RectangleScale {
  const plane = [
    { x: 0, y: 0 },
    { x: widthMm, y: 0 },
    { x: widthMm, y: heightMm },
    { x: 0, y: heightMm },
  ];
  const imageToPlane = homographyFromPoints(corners, plane);
  const centre = applyHomography(homographyFromPoints(plane, corners), { x: widthMm / 2, y: heightMm / 2 });
  return {
    corners,
    imageToPlane,
    centre,
    mmPerPx: mmPerPxAt(imageToPlane, centre),
    tiltDeg: tiltDegreesAt(imageToPlane, centre),
  };
}
