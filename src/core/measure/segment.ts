/**
 * Crack segmentation at full resolution: the crack is a thin structure darker than its surround.
 * The background is the grey closing of the image (dark lines thinner than the window vanish from
 * it); "darkness" is background minus image. Strong dark pixels seed the crack, which grows by
 * hysteresis; long components are kept; each is then cut at the level midway between its own depth
 * and the background (Cho et al. 2018 found the midway threshold the most accurate for widths).
 */
import { componentExtent, connectedComponents, type Component } from './components';
import { gaussianBlur, greyClosing } from './filters';
import type { GreyImage } from './pixels';

/** A rectangle in image pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How the crack is told from the surface. */
export interface SegmentOptions {
  /** Widest crack to find, px (the closing window is a little larger). */
  maxWidthPx: number;
  /** Shortest crack to keep, px along its longer side. */
  minLengthPx: number;
  /** Darkness (grey levels below the background) that seeds a crack. */
  seedDarkness: number;
  /** Pixels that may not be crack (e.g. the marker sheet): 1 = excluded. [height * width] of the region. */
  exclude?: Uint8Array;
}

/** The crack mask of a region and the background estimate it was cut against. */
export interface CrackSegmentation {
  region: Region;
  /** 1 = crack. [region.height * region.width] */
  mask: Uint8Array;
  /** Local background grey level. [region.height * region.width] */
  background: Float32Array;
  /** The region's grey image. */
  grey: GreyImage;
}

/** Length over mean thickness (extent^2 / area) below which a dark component is a blob, not a crack. */
const MIN_ELONGATION = 6;

/** The grey image cut to `r`. */
export function cropGrey(g: GreyImage, r: Region): GreyImage {
  const data = new Float32Array(r.width * r.height);
  for (let y = 0; y < r.height; y++)
    data.set(g.data.subarray((r.y + y) * g.width + r.x, (r.y + y) * g.width + r.x + r.width), y * r.width);
  return { width: r.width, height: r.height, data };
}

/** Robust spread (1.4826 x median absolute deviation) of a sample of `d`. */
function robustSigma(d: Float32Array): number {
  const step = Math.max(1, Math.floor(d.length / 20000));
  const sample: number[] = [];
  for (let i = 0; i < d.length; i += step) sample.push(d[i]);
  sample.sort((a, b) => a - b);
  const median = sample[sample.length >> 1];
  const dev = sample.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return 1.4826 * dev[dev.length >> 1];
}

/** Pixels with darkness above `low` connected to one above `high` (hysteresis). */
function hysteresis(dark: Float32Array, w: number, h: number, low: number, high: number, exclude?: Uint8Array) {
  const weak = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) weak[i] = dark[i] > low && !exclude?.[i] ? 1 : 0;
  return connectedComponents(weak, w, h).filter((c) => c.pixels.some((i) => dark[i] > high));
}

/** Cuts one component at half its depth (90th percentile of its darkness), within its bounding box grown by `grow`. */
function midwayCut(c: Component, dark: Float32Array, w: number, h: number, grow: number, out: Uint8Array): void {
  const depths = c.pixels.map((i) => dark[i]).sort((a, b) => a - b);
  const half = depths[Math.floor(0.9 * (depths.length - 1))] / 2;
  const inComponent = new Uint8Array(w * h);
  for (const i of c.pixels) inComponent[i] = 1;
  for (let y = Math.max(0, c.minY - grow); y <= Math.min(h - 1, c.maxY + grow); y++) {
    for (let x = Math.max(0, c.minX - grow); x <= Math.min(w - 1, c.maxX + grow); x++) {
      const i = y * w + x;
      if (dark[i] > half && (inComponent[i] || nearSet(inComponent, w, h, x, y, grow))) out[i] = 1;
    }
  }
}

/** True when a set pixel of m lies within `r` (Chebyshev) of (x, y). */
function nearSet(m: Uint8Array, w: number, h: number, x: number, y: number, r: number): boolean {
  for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
    for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) if (m[yy * w + xx]) return true;
  return false;
}

/** Segments the crack in region `r` of `g`. */
export function segmentCrack(g: GreyImage, r: Region, o: SegmentOptions): CrackSegmentation {
  const grey = cropGrey(g, r);
  const { width: w, height: h } = grey;
  const window = 2 * Math.ceil(o.maxWidthPx / 2) + 3;
  const background = gaussianBlur(greyClosing(gaussianBlur(grey, 1), window), 2).data;
  const dark = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) dark[i] = background[i] - grey.data[i];
  const sigma = robustSigma(dark);
  const high = Math.max(o.seedDarkness, 8 * sigma);
  const low = Math.max(0.5 * o.seedDarkness, 4 * sigma);
  const long = hysteresis(dark, w, h, low, high, o.exclude).filter(
    (c) => componentExtent(c) >= o.minLengthPx && componentExtent(c) ** 2 >= MIN_ELONGATION * c.pixels.length,
  );
  const mask = new Uint8Array(w * h);
  for (const c of long) midwayCut(c, dark, w, h, 2, mask);
  return { region: r, mask, background, grey };
}
