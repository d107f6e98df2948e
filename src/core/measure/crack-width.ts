/**
 * Crack width across the skeleton: at each skeleton pixel an intensity profile is read across the
 * crack (bilinear, 0.25 px steps) and the two edges are placed where the profile crosses midway
 * between the crack's darkest value and the surface beside it, to a fraction of a pixel. The edge
 * points are mapped onto the surface, so perspective is corrected, and the width is their distance
 * across the crack's direction there. Given the camera's blur, each reading is first narrowed to the
 * width of the band that reads so wide through that blur (blur-width.ts).
 */
import { unblurredWidthPx } from './blur-width';
import { applyHomography, type Homography, type Point } from './homography';
import { sampleBilinear, type GreyImage } from './pixels';
import { median } from './width-uncertainty';

/** One width reading. */
export interface WidthSample {
  /** Skeleton point, image pixels. */
  at: Point;
  /** Width across the crack, px; corrected for the camera blur when the input gives it. */
  widthPx: number;
  /** Width as read at half depth, before any blur correction, px. */
  readPx: number;
  widthMm: number;
  /** How soft the crack's edges are: mean distance from 25 % to 75 % of the crack's depth, px (NaN when unclear). */
  edgePx: number;
}

const STEP = 0.25;

/** Unit direction of the skeleton around pixel i (principal axis of skeleton pixels within r), or undefined at junctions and ends. */
function skeletonDirection(skel: Uint8Array, w: number, h: number, i: number, r: number): Point | undefined {
  const x0 = i % w;
  const y0 = (i - x0) / w;
  let n = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let y = Math.max(0, y0 - r); y <= Math.min(h - 1, y0 + r); y++) {
    for (let x = Math.max(0, x0 - r); x <= Math.min(w - 1, x0 + r); x++) {
      if (!skel[y * w + x]) continue;
      n++;
      sxx += (x - x0) ** 2;
      sxy += (x - x0) * (y - y0);
      syy += (y - y0) ** 2;
    }
  }
  if (n < r + 1) return undefined; // a short stub: the end of a line
  const trace = sxx + syy;
  const root = Math.sqrt((sxx - syy) ** 2 + 4 * sxy * sxy);
  const [l1, l2] = [(trace + root) / 2, (trace - root) / 2];
  if (l2 > 0.15 * l1) return undefined; // not line-like: a junction or a tight bend
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  return { x: Math.cos(angle), y: Math.sin(angle) };
}

/** Where a profile falls below `mid` on each side of its minimum, as offsets t (px); undefined if not on both sides. */
function midwayCrossings(profile: Float32Array, centre: number, mid: number): [number, number] | undefined {
  let left: number | undefined;
  let right: number | undefined;
  for (let k = centre; k > 0; k--) {
    if (profile[k - 1] >= mid) {
      left = k - (mid - profile[k]) / (profile[k - 1] - profile[k]);
      break;
    }
  }
  for (let k = centre; k < profile.length - 1; k++) {
    if (profile[k + 1] >= mid) {
      right = k + (mid - profile[k]) / (profile[k + 1] - profile[k]);
      break;
    }
  }
  return left === undefined || right === undefined ? undefined : [left, right];
}

/** Edges of a profile: t offsets (px) where it crosses midway, and how soft the edges are (px). */
interface ProfileEdges {
  edges: [number, number];
  edgePx: number;
}

/** The crack's edges on the profile through p along normal n, or undefined when unclear. */
function profileEdges(g: GreyImage, p: Point, n: Point, halfWidth: number): ProfileEdges | undefined {
  const reach = 2 * halfWidth + 6;
  const count = Math.round((2 * reach) / STEP) + 1;
  // [count] grey levels along the normal, t = -reach .. reach
  const profile = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const t = -reach + k * STEP;
    profile[k] = sampleBilinear(g, p.x + n.x * t, p.y + n.y * t);
  }
  const tails: number[] = [];
  let centre = -1;
  for (let k = 0; k < count; k++) {
    const t = Math.abs(-reach + k * STEP);
    if (t >= 1.5 * halfWidth + 3) tails.push(profile[k]);
    if (t <= halfWidth + 1 && (centre < 0 || profile[k] < profile[centre])) centre = k;
  }
  const surface = median(tails);
  const depth = surface - profile[centre];
  if (depth < 8) return undefined;
  const at = (f: number) => midwayCrossings(profile, centre, profile[centre] + f * depth);
  const [mid, low, high] = [at(0.5), at(0.25), at(0.75)];
  if (!mid) return undefined;
  const edgePx = low && high ? ((low[0] - high[0] + (high[1] - low[1])) / 2) * STEP : NaN;
  return { edges: [-reach + mid[0] * STEP, -reach + mid[1] * STEP], edgePx };
}

/** Edges moved in about their centre to the width of the band that reads as wide as `edges` through the blur. */
function unblurredEdges(edges: [number, number], sigmaPx: number): [number, number] {
  const centre = (edges[0] + edges[1]) / 2;
  const half = unblurredWidthPx(edges[1] - edges[0], sigmaPx) / 2;
  return [centre - half, centre + half];
}

/** What the width reader needs. */
export interface WidthInput {
  /** Grey image of the region, its offset in the full image, the crack's skeleton and half-widths in the region. */
  grey: GreyImage;
  offset: Point;
  skeleton: Uint8Array;
  /** Distance of each crack pixel to the background, px. [region h * w] */
  halfWidth: Float32Array;
  /** Full image pixels -> surface millimetres. */
  imageToPlane: Homography;
  /** The camera's blur (Gaussian sigma, px) when known: each reading is then corrected for it. */
  blurSigmaPx?: number;
}

/** Width at skeleton pixel i, or undefined where it cannot be read. */
function widthAt(input: WidthInput, i: number): WidthSample | undefined {
  const { grey: g, skeleton, halfWidth, offset, imageToPlane } = input;
  const x = i % g.width;
  const p = { x, y: (i - x) / g.width };
  const r = Math.max(1, halfWidth[i]);
  const dir = skeletonDirection(skeleton, g.width, g.height, i, Math.max(4, Math.ceil(1.5 * r)));
  if (!dir) return undefined;
  const n = { x: -dir.y, y: dir.x };
  const found = profileEdges(g, p, n, r);
  if (!found) return undefined;
  const { edgePx } = found;
  const edges = input.blurSigmaPx ? unblurredEdges(found.edges, input.blurSigmaPx) : found.edges;
  const image = (t: number) => ({ x: offset.x + p.x + n.x * t, y: offset.y + p.y + n.y * t });
  const a = applyHomography(imageToPlane, image(edges[0]));
  const b = applyHomography(imageToPlane, image(edges[1]));
  const centre = { x: offset.x + p.x, y: offset.y + p.y };
  const c0 = applyHomography(imageToPlane, centre);
  const c1 = applyHomography(imageToPlane, { x: centre.x + dir.x, y: centre.y + dir.y });
  const tLen = Math.hypot(c1.x - c0.x, c1.y - c0.y);
  const across = Math.abs(((b.x - a.x) * (c1.y - c0.y) - (b.y - a.y) * (c1.x - c0.x)) / tLen);
  return { at: centre, widthPx: edges[1] - edges[0], readPx: found.edges[1] - found.edges[0], widthMm: across, edgePx };
}

/** Width readings at every skeleton pixel where the profile is clear. */
export function crackWidths(input: WidthInput): WidthSample[] {
  const out: WidthSample[] = [];
  for (let i = 0; i < input.skeleton.length; i++) {
    if (!input.skeleton[i]) continue;
    const s = widthAt(input, i);
    if (s) out.push(s);
  }
  return out;
}
