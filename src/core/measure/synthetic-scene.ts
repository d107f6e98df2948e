/**
 * Renders a test photo of known geometry: a surface texture with an irregular dark crack of known
 * width, the reference marker and/or a bank card, seen by a pinhole camera tilted against the surface, then blurred
 * and noised like a phone camera. Used by the validation study and the tests.
 */
import { gaussianBlur } from './filters';
import { invertHomography, type Homography } from './homography';
import { markerCells, type MarkerSpec } from './marker-spec';
import type { GreyImage } from './pixels';
import { crackInside, type CrackShape } from './synthetic-crack';

/** The camera: image size, scale at the image centre, and how it is turned against the surface. */
export interface SceneCamera {
  width: number;
  height: number;
  /** Millimetres per pixel at the image centre when the camera faces the surface squarely. */
  mmPerPx: number;
  /** Angle between image plane and surface, degrees. */
  tiltDeg: number;
  /** Direction (in the surface) of the axis the camera is turned about, degrees. */
  tiltAxisDeg: number;
}

/** Everything a scene holds; millimetres on the surface, origin at the point at the image centre. */
export interface SceneSpec {
  camera: SceneCamera;
  /** Surface texture, tiled by mirroring, and its scale. */
  texture: GreyImage;
  textureMmPerPx: number;
  crack?: CrackShape;
  marker?: { spec: MarkerSpec; topLeftMm: { x: number; y: number } };
  card?: SceneCard;
  /** Camera blur (Gaussian sigma, px) and sensor noise (grey levels, standard deviation). */
  blurPx: number;
  noise: number;
  /** Seeded uniform numbers in [0, 1) for the noise. */
  random: () => number;
}

const PAPER = 228;
const INK = 22;

/** A bank card lying on the surface: ID-1 size (85.60 x 53.98 mm, corners rounded to 3.18 mm). */
export interface SceneCard {
  centreMm: { x: number; y: number };
  /** Direction of the long side on the surface, degrees. */
  angleDeg: number;
  /** Grey of the card's face. */
  grey: number;
  /** 'printed': a band, a chip and lines of text-like marks in a darker grey, 4 mm or more inside the edge. */
  face: 'plain' | 'printed';
  /** The card's shadow on the surface: how far it reaches beyond the edge (mm) and towards where (degrees). */
  shadow?: { mm: number; towardsDeg: number };
}

/** Surface brightness in the card's shadow. */
const SHADOW = 0.6;

/** True when surface point (x, y) is off the card but in its shadow. */
function inCardShadow(card: SceneCard | undefined, x: number, y: number): boolean {
  if (!card?.shadow) return false;
  const a = (card.shadow.towardsDeg * Math.PI) / 180;
  const back = cardLocal(card, x - card.shadow.mm * Math.cos(a), y - card.shadow.mm * Math.sin(a));
  return cardOutside(...back) <= 0 && cardOutside(...cardLocal(card, x, y)) > 0;
}

const CARD_LONG = 85.6;
const CARD_SHORT = 53.98;
const CARD_RADIUS = 3.18;

/** The card's point (u along the long side, v along the short, from its centre) of surface point (x, y). */
function cardLocal(card: SceneCard, x: number, y: number): [number, number] {
  const a = (card.angleDeg * Math.PI) / 180;
  const dx = x - card.centreMm.x;
  const dy = y - card.centreMm.y;
  return [dx * Math.cos(a) + dy * Math.sin(a), -dx * Math.sin(a) + dy * Math.cos(a)];
}

/** How far (mm) card point (u, v) is outside the rounded rectangle (negative inside). */
function cardOutside(u: number, v: number): number {
  const qx = Math.abs(u) - (CARD_LONG / 2 - CARD_RADIUS);
  const qy = Math.abs(v) - (CARD_SHORT / 2 - CARD_RADIUS);
  const out = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return out + Math.min(Math.max(qx, qy), 0) - CARD_RADIUS;
}

/** Grey of the card at surface point (x, y), or undefined off the card. */
function cardAt(card: SceneCard | undefined, x: number, y: number): number | undefined {
  if (!card) return undefined;
  const [u, v] = cardLocal(card, x, y);
  if (cardOutside(u, v) > 0) return undefined;
  if (card.face === 'plain') return card.grey;
  const dark = card.grey * 0.55;
  // chip, a magnetic-stripe-like band, two lines of text-like marks
  if (u > -34 && u < -22 && v > -8 && v < 1) return card.grey * 0.75;
  if (v > -22 && v < -15 && Math.abs(u) < 38) return dark;
  const textLine = (v > 8 && v < 11) || (v > 14 && v < 17);
  if (textLine && u > -36 && u < 30 && Math.floor((u + 40) / 2.2) % 3 !== 0) return dark;
  return card.grey;
}

/** Surface (mm) -> image (px) for the camera: K [r1 r2 t] of a pinhole camera at its distance. */
export function planeToImage(c: SceneCamera): Homography {
  const f = 1.2 * c.width;
  const distance = f * c.mmPerPx;
  const a = (c.tiltAxisDeg * Math.PI) / 180;
  const t = (c.tiltDeg * Math.PI) / 180;
  // rotation by t about the unit axis (cos a, sin a, 0) (Rodrigues)
  const [ux, uy] = [Math.cos(a), Math.sin(a)];
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  const r1 = [cos + ux * ux * (1 - cos), uy * ux * (1 - cos), -uy * sin];
  const r2 = [ux * uy * (1 - cos), cos + uy * uy * (1 - cos), ux * sin];
  const [cx, cy] = [c.width / 2, c.height / 2];
  return [
    f * r1[0] + cx * r1[2],
    f * r2[0] + cx * r2[2],
    cx * distance,
    f * r1[1] + cy * r1[2],
    f * r2[1] + cy * r2[2],
    cy * distance,
    r1[2],
    r2[2],
    distance,
  ].map((v) => v / distance);
}

/** Mirror-tiled texture value at surface point (x, y) mm. */
function textureAt(s: SceneSpec, x: number, y: number): number {
  const { width: w, height: h, data } = s.texture;
  const mirror = (v: number, n: number) => {
    const m = ((v % (2 * n)) + 2 * n) % (2 * n);
    return Math.min(n - 1, Math.max(0, Math.floor(m < n ? m : 2 * n - m)));
  };
  return data[mirror(y / s.textureMmPerPx, h) * w + mirror(x / s.textureMmPerPx, w)];
}

/** Grey value of the marker sheet at (x, y) mm, or undefined off the sheet (grown by `extra` mm). */
function markerAt(
  s: SceneSpec,
  cells: ReturnType<typeof markerCells>,
  x: number,
  y: number,
  extra = 0,
): number | undefined {
  if (!s.marker) return undefined;
  const size = s.marker.spec.sizeMm;
  const cell = size / cells.cells;
  const u = x - s.marker.topLeftMm.x;
  const v = y - s.marker.topLeftMm.y;
  const margin = 1.5 * cell + extra;
  if (u < -margin || v < -margin || u >= size + margin || v >= size + margin) return undefined;
  if (u < 0 || v < 0 || u >= size || v >= size) return PAPER;
  return cells.white[Math.floor(v / cell) * cells.cells + Math.floor(u / cell)] ? PAPER : INK;
}

/** Surface (mm) of image point (x, y) for the inverse homography coefficients. */
type ToPlane = (x: number, y: number) => [number, number];

/**
 * The sharp value of image pixel (x, y): the texture at its centre, and where the marker sheet or
 * the crack is near, the mean of 3x3 sub-samples (so that edges are anti-aliased).
 */
function pixelValue(s: SceneSpec, toPlane: ToPlane): (x: number, y: number) => number {
  const cells = s.marker ? markerCells(s.marker.spec) : undefined;
  const crack = s.crack ? crackInside(s.crack) : undefined;
  const offsets = [-1 / 3, 0, 1 / 3];
  const sub = (x: number, y: number) => {
    const [px, py] = toPlane(x, y);
    const sheet = cells ? markerAt(s, cells, px, py) : undefined;
    if (sheet !== undefined) return sheet;
    const card = cardAt(s.card, px, py);
    if (card !== undefined) return card;
    const surface = textureAt(s, px, py) * (inCardShadow(s.card, px, py) ? SHADOW : 1);
    return crack?.inside(px, py) ? 0.25 * surface + 10 : surface;
  };
  return (x, y) => {
    const [px, py] = toPlane(x, y);
    const nearSheet = cells && markerAt(s, cells, px, py, 2) !== undefined;
    // distance outside the card's edge, mm (negative inside); edges within 0.5 mm are anti-aliased
    const cardOut = s.card ? cardOutside(...cardLocal(s.card, px, py)) : Infinity;
    if (!nearSheet && cardOut < -0.5) return cardAt(s.card, px, py) as number;
    const shadowMm = s.card?.shadow?.mm ?? 0;
    if (!nearSheet && cardOut > 0.5 + shadowMm && !crack?.near(px, py)) return textureAt(s, px, py);
    let sum = 0;
    for (const oy of offsets) for (const ox of offsets) sum += sub(x + ox, y + oy);
    return sum / 9;
  };
}

/** Renders the scene: grey image [height * width], anti-aliased, blurred and noised. */
export function renderScene(s: SceneSpec): GreyImage {
  const { width: w, height: h } = s.camera;
  const [a, b, c, d, e, f, g, k, l] = invertHomography(planeToImage(s.camera));
  const toPlane: ToPlane = (x, y) => {
    const q = g * x + k * y + l;
    return [(a * x + b * y + c) / q, (d * x + e * y + f) / q];
  };
  const value = pixelValue(s, toPlane);
  const sharp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = value(x, y);
      // light falls off towards the corners a little, as with a phone's lens
      const r2 = ((x - w / 2) ** 2 + (y - h / 2) ** 2) / (w * w);
      sharp[y * w + x] = v * (1 - 0.25 * r2);
    }
  }
  const blurred = gaussianBlur({ width: w, height: h, data: sharp }, s.blurPx);
  for (let i = 0; i < blurred.data.length; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - s.random())) * Math.cos(2 * Math.PI * s.random());
    blurred.data[i] = Math.round(Math.min(255, Math.max(0, blurred.data[i] + s.noise * gauss)));
  }
  return blurred;
}
