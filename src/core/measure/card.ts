/**
 * The fallback scale reference: a bank card (ISO/IEC 7810 ID-1, 85.60 x 53.98 mm, corners rounded
 * to 3.18 mm), light or dark, anywhere in the image at any angle. Candidates come from js-aruco2's
 * own computer-vision routines (adaptive threshold, contour following, polygon approximation: the
 * ones it uses for marker candidates); each side is then re-fitted at full resolution, away from the
 * rounded corners, and the lines are intersected, which gives the corners of the card's 85.60 x 53.98
 * bounding rectangle. The quadrilateral is kept when its rectified side ratio matches the card's.
 */
import cvModule from 'js-aruco2/src/cv.js';
import { rectangleScale, type Point, type RectangleScale } from './homography';
import { cornersOf, fitLine, midwayCrossing, pointAlong, quadSides, type Line } from './edge-lines';
import { greyBytes, sampleBilinear, shrinkGrey, type GreyImage } from './pixels';

/** ID-1 card size, mm (outer edges; the corners are rounded to 3.18 mm). */
export const CARD_MM = { long: 85.6, short: 53.98, cornerRadius: 3.18 };
export const CARD_RATIO = CARD_MM.long / CARD_MM.short;

/**
 * A card found in the image: the same fields as a marker's (corners of its bounding rectangle, clockwise,
 * corner 0-1 along the long side; homography, scale and tilt), so the scale is used the same way.
 */
export interface CardScale extends RectangleScale {
  /** Light card on a darker surface, or dark on lighter. */
  polarity: 'light' | 'dark';
  /** Rectified long/short side ratio over the card's, minus 1. */
  ratioError: number;
}

/** Tunables of the card finder. */
export interface CardOptions {
  /** Largest accepted |rectified side ratio / 1.586 - 1| (see docs/measure-card.md for why 0.05). */
  ratioTolerance: number;
  /** Focal length assumed for the ratio check, as a multiple of the image's longer side. */
  focalPerSide: number;
  /** Shortest card side to look for, as a share of the image's shorter side. */
  minShortSide: number;
}

export const CARD_DEFAULTS: CardOptions = { ratioTolerance: 0.05, focalPerSide: 1.0, minShortSide: 0.15 };

/** js-aruco2's computer-vision routines (the browser build loads them through a shim, see vite.config.ts). */
const CV = cvModule.CV;

/**
 * Candidate searches: the image shrunk to at most `maxSide` px (longer side), adaptive threshold
 * `threshold` grey levels under the 31 x 31 box mean. The coarser passes smooth surface texture away
 * (a white card on light concrete), the finest keeps cards that fill less of the view.
 */
const PASSES = [
  { maxSide: 640, threshold: 12 },
  { maxSide: 320, threshold: 8 },
  { maxSide: 200, threshold: 6 },
];

/** Grey bytes of `g` shrunk by `factor` (box average), inverted when `invert`. */
function shrunkGrey(g: GreyImage, factor: number, invert: boolean) {
  const small = shrinkGrey(g, factor);
  return { width: small.width, height: small.height, data: greyBytes(small, invert) };
}

/**
 * Convex quadrilaterals (shrunk pixels, clockwise on screen) whose shortest side is at least minSide,
 * with the contour each approximates.
 */
function quadCandidates(
  img: { width: number; height: number; data: Uint8ClampedArray },
  minSide: number,
  threshold: number,
): { quad: Point[]; contour: Point[] }[] {
  const thres = new CV.Image(img.width, img.height, new Uint8ClampedArray(img.width * img.height));
  // kernel 15 (the largest js-aruco2's box blur has): the dark band it marks follows the card's edge
  CV.adaptiveThreshold(img, thres, 15, threshold);
  // the labelled copy with a one-pixel border that findContours works in, allocated once at its size
  // (a plain array grown pixel by pixel took most of the search's time)
  const contours = CV.findContours(thres, new Int32Array((img.width + 2) * (img.height + 2)));
  const quads: { quad: Point[]; contour: Point[] }[] = [];
  for (const contour of contours) {
    if (contour.hole || contour.length < 4 * minSide) continue;
    const poly = CV.approxPolyDP(contour, contour.length * 0.03);
    if (poly.length !== 4 || !CV.isContourConvex(poly) || CV.minEdgeLength(poly) < minSide) continue;
    const [a, b, c] = poly;
    const cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    quads.push({ quad: cross < 0 ? [poly[0], poly[3], poly[2], poly[1]] : poly, contour });
  }
  return quads;
}

/**
 * Corners from lines fitted to the contour's points along each side of the polygon (10-90 % of the
 * way, clear of the rounded corners, on which the polygon's own vertices sit).
 */
function contourCorners(quad: Point[], contour: Point[]): Point[] | undefined {
  const lines: Line[] = [];
  for (let i = 0; i < 4; i++) {
    const a = quad[i];
    const b = quad[(i + 1) % 4];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const d = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
    const near = contour.filter((p) => {
      const t = ((p.x - a.x) * d.x + (p.y - a.y) * d.y) / len;
      const off = Math.abs((p.x - a.x) * d.y - (p.y - a.y) * d.x);
      return t > 0.1 && t < 0.9 && off < Math.max(3, 0.05 * len);
    });
    if (near.length < 0.4 * len) return undefined;
    const line = robustLine(near);
    if (!line) return undefined;
    lines.push(line);
  }
  return cornersOf(lines);
}

/** Least grey step across a card's edge (5 px averages either side of it). */
const MIN_CONTRAST = 10;

/**
 * Where the grey crosses midway between inside (dark) and outside along normal n through p, within
 * +-reach; the profile is averaged over 5 px along the edge, which quietens the surface's texture.
 */
function edgeCrossing(g: GreyImage, p: Point, n: Point, reach: number, sign: number): Point | undefined {
  const at = (t: number) => {
    let sum = 0;
    for (let s = -2; s <= 2; s++) sum += sampleBilinear(g, p.x + n.x * t - n.y * s, p.y + n.y * t + n.x * s);
    return (sign * sum) / 5;
  };
  const s = midwayCrossing(at, reach, MIN_CONTRAST);
  return s === undefined ? undefined : { x: p.x + n.x * s, y: p.y + n.y * s };
}

/** The line refitted without points more than `keep` px (or 2.5 median residuals) off a first fit. */
function robustLine(points: Point[], keep = 1.5): Line | undefined {
  let line = fitLine(points);
  for (let round = 0; round < 2; round++) {
    const dist = (p: Point) => Math.abs((p.x - line.p.x) * line.d.y - (p.y - line.p.y) * line.d.x);
    const sorted = points.map(dist).sort((a, b) => a - b);
    const limit = Math.max(keep, 2.5 * sorted[Math.floor(sorted.length / 2)]);
    const inliers = points.filter((p) => dist(p) <= limit);
    if (inliers.length < points.length / 2) return undefined;
    line = fitLine(inliers);
  }
  return line;
}

/**
 * Re-fits each side of the quadrilateral at full resolution (crossings at 10-90 % along the side,
 * clear of the rounded corners, which take 6 % of the short side) and intersects neighbouring sides.
 * `sign` -1 for a light card (so that inside is always the lower value). Undefined when a side has
 * too few crossings.
 */
function refineSides(g: GreyImage, corners: Point[], reachOf: (len: number) => number, sign: number) {
  const lines: Line[] = [];
  for (const side of quadSides(corners)) {
    const samples = Math.max(24, Math.min(120, Math.round(side.len / 6)));
    const reach = reachOf(side.len);
    const found: Point[] = [];
    for (let k = 0; k < samples; k++) {
      const hit = edgeCrossing(g, pointAlong(side, 0.1 + (0.8 * k) / (samples - 1)), side.n, reach, sign);
      if (hit) found.push(hit);
    }
    if (found.length < samples * 0.6) return undefined;
    const line = robustLine(found);
    if (!line) return undefined;
    lines.push(line);
  }
  return cornersOf(lines);
}

/**
 * Long/short side ratio of the rectangle that the quadrilateral images, for a pinhole camera of focal
 * length f (px) looking through the image centre (Zhang and He 2007, whiteboard rectification), and
 * whether side 0-1 is the long one. Corners clockwise.
 */
export function rectifiedRatio(
  corners: readonly Point[],
  centre: Point,
  f: number,
): { ratio: number; firstLong: boolean } {
  // Zhang-He order: m1 m2 m3 m4 with m1-m2 and m3-m4 one pair of sides, m1-m3 the other
  const [p1, p2, p4, p3] = corners.map((p) => [p.x - centre.x, p.y - centre.y, 1]);
  const cross = (a: number[], b: number[]) => [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  ];
  const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const k2 = dot(cross(p1, p4), p3) / dot(cross(p2, p4), p3);
  const k3 = dot(cross(p1, p4), p2) / dot(cross(p3, p4), p2);
  const n2 = p2.map((v, i) => k2 * v - p1[i]);
  const n3 = p3.map((v, i) => k3 * v - p1[i]);
  const norm = (n: number[]) => (n[0] * n[0] + n[1] * n[1]) / (f * f) + n[2] * n[2];
  const r = Math.sqrt(norm(n2) / norm(n3));
  // n2 runs along side m1-m2 (corners 0-1), n3 along m1-m3 (corners 0-3)
  return r >= 1 ? { ratio: r, firstLong: true } : { ratio: 1 / r, firstLong: false };
}

/** The card in `g` (its longest candidate side wins among those whose ratio fits); undefined when none. */
export function findCard(g: GreyImage, options: Partial<CardOptions> = {}): CardScale | undefined {
  const o = { ...CARD_DEFAULTS, ...options };
  const imageCentre = { x: (g.width - 1) / 2, y: (g.height - 1) / 2 };
  const f = o.focalPerSide * Math.max(g.width, g.height);
  let best: CardScale | undefined;
  let bestSide = 0;
  for (const pass of PASSES) {
    const factor = Math.max(1, Math.ceil(Math.max(g.width, g.height) / pass.maxSide));
    for (const polarity of ['light', 'dark'] as const) {
      const small = shrunkGrey(g, factor, polarity === 'light');
      const minSide = (o.minShortSide * Math.min(g.width, g.height)) / factor;
      for (const { quad, contour } of quadCandidates(small, minSide, pass.threshold)) {
        const coarse = contourCorners(quad, contour);
        if (!coarse) continue;
        const full = coarse.map((c) => ({ x: (c.x + 0.5) * factor - 0.5, y: (c.y + 0.5) * factor - 0.5 }));
        const sign = polarity === 'light' ? -1 : 1;
        const first = refineSides(g, full, () => Math.max(3, 2.5 * factor), sign);
        const corners = first && refineSides(g, first, () => 3, sign);
        if (!corners || corners.some((c) => !(c.x >= 0 && c.y >= 0 && c.x < g.width && c.y < g.height))) continue;
        const { ratio, firstLong } = rectifiedRatio(corners, imageCentre, f);
        const ratioError = ratio / CARD_RATIO - 1;
        if (Math.abs(ratioError) > o.ratioTolerance) continue;
        const side = Math.min(
          ...corners.map((c, i) => Math.hypot(c.x - corners[(i + 1) % 4].x, c.y - corners[(i + 1) % 4].y)),
        );
        if (side <= bestSide) continue;
        const ordered = firstLong ? corners : [...corners.slice(1), corners[0]];
        best = cardScale(ordered, polarity, ratioError);
        bestSide = side;
      }
    }
  }
  return best;
}

/** The scale from the card's corners (clockwise, corner 0-1 along the long side). */
function cardScale(corners: Point[], polarity: 'light' | 'dark', ratioError: number): CardScale {
  return { ...rectangleScale(corners, CARD_MM.long, CARD_MM.short), polarity, ratioError };
}
