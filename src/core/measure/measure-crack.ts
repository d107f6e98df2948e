/**
 * measureCrack: the width (maximum and mean), length and class of the crack in a photo, in
 * millimetres on the surface, from the reference marker in view, else a bank card in view, else a
 * given scale.
 */
import { crackWidths, type WidthSample } from './crack-width';
import { skeletonLengthMm } from './crack-length';
import { withoutJoinedBlobs } from './joined-blobs';
import { smoothAlongCrack } from './reading-smoothing';
import { distanceToBackground } from './distance';
import { edgeBlurSigmaPx } from './edge-blur';
import { laplacianVariance } from './filters';
import { captureGuidance, type GuidanceCode } from './guidance';
import { mmPerPxAt, scaleHomography, type Homography, type Point } from './homography';
import { findCard } from './card';
import { findMarker } from './marker';
import { referenceShareOfBox } from './reference-overlap';
import { resolveMeasureOptions, type MeasureOptions } from './measure-options';
import { toGrey, type GreyImage, type PixelImage } from './pixels';
import { cropGrey, segmentCrack, type Region } from './segment';
import { pruneSpurs, zhangSuenThin } from './skeleton';
import { classifyWidth, widthStandard } from './standards';
import {
  MAX_WIDTH_QUANTILE,
  maxWidthQuantile,
  median,
  quantile,
  quantileSpreadPx,
  widthUncertaintyPx,
} from './width-uncertainty';

/** The result; millimetre fields are null when there is no scale or no crack, and `reason` says why. */
export interface CrackMeasurement {
  /** Maximum width (a high quantile of the readings along the crack: 95th, higher on wide cracks with the marker), mm. */
  widthMm: number | null;
  meanWidthMm: number | null;
  lengthMm: number | null;
  /** +- uncertainty of widthMm, mm (see width-uncertainty.ts; a fixed options.uncertainPx when given). */
  uncertainMm: number | null;
  /** Scale at the crack (or at the marker or card when there is no crack), mm per px. */
  mmPerPx: number | null;
  /** Which reference gave the scale: the printed marker, a bank card, or options.mmPerPx. */
  scale: 'marker' | 'card' | 'given' | null;
  /** Standard id ('aci224:humidity' form for those with an exposure) and the class under it. */
  standard: string;
  widthClass: string | null;
  /** When widthClass is 'uncertain', the classes the width +- uncertainty spans. */
  between?: [string, string];
  /** Maximum width in image pixels (whatever the scale). */
  widthPx: number | null;
  /** How well the readings pin down their maximum: half-width of its 95 % interval, px. */
  widthSpreadPx: number | null;
  /** Softness of the crack's edges near its widest readings (25 % to 75 % of its depth), px. */
  edgePx: number | null;
  /** The camera's blur measured on the marker (Gaussian sigma, px), which the readings were corrected for; null: not corrected. */
  blurSigmaPx: number | null;
  /** Width readings taken along the skeleton. */
  readings: number;
  marker?: { corners: Point[]; tiltDeg: number };
  /** The card's bounding rectangle (clockwise, long side first) when a card gave the scale. */
  card?: { corners: Point[]; tiltDeg: number };
  /** Variance of the Laplacian of the region (sharpness). */
  sharpness: number;
  guidance: GuidanceCode[];
  reason?: string;
}

function abortCheck(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason ?? new Error('measureCrack aborted');
}

/** Lets other work run between stages, and stops if aborted. */
async function pause(signal?: AbortSignal): Promise<void> {
  abortCheck(signal);
  await new Promise((resolve) => setTimeout(resolve, 0));
  abortCheck(signal);
}

/** A scale reference in view (marker or card): its corners and centre in image pixels. */
interface InView {
  corners: Point[];
  centre: Point;
}

/**
 * 1 where crack search is not allowed: the reference grown by `grow` about its centre (1.5 for the
 * marker: the paper round it, 2 cells beyond its edge; a card's print and edge are left out by
 * 1.08, about 2-3 mm beyond it). [r.h * r.w]
 */
function referenceExclusion(ref: InView | undefined, r: Region, grow: number): Uint8Array | undefined {
  if (!ref) return undefined;
  const out = new Uint8Array(r.width * r.height);
  const quad = ref.corners.map((c) => ({
    x: ref.centre.x + (c.x - ref.centre.x) * grow,
    y: ref.centre.y + (c.y - ref.centre.y) * grow,
  }));
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) if (insideConvex(quad, { x: r.x + x, y: r.y + y })) out[y * r.width + x] = 1;
  }
  return out;
}

/** True when p is inside the convex polygon (either winding). */
function insideConvex(poly: Point[], p: Point): boolean {
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const a = poly[i];
    const b = poly[(i + 1) % poly.length];
    const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    if (cross !== 0) {
      if (sign !== 0 && Math.sign(cross) !== sign) return false;
      sign = Math.sign(cross);
    }
  }
  return true;
}

/** The crack's width readings in region r (corrected for the blur and smoothed, when the blur is known) and its length. */
function readCrack(
  g: GreyImage,
  r: Region,
  o: MeasureOptions,
  toPlane: Homography,
  { exclude, blurSigmaPx }: { exclude?: Uint8Array; blurSigmaPx?: number },
) {
  const seg = segmentCrack(g, r, { ...o, exclude });
  const { width: w, height: h } = seg.grey;
  const halfWidth = distanceToBackground(seg.mask, w, h);
  const skeleton = zhangSuenThin(seg.mask, w, h);
  pruneSpurs(skeleton, w, h, (j) => 2 * halfWidth[j] + 4);
  const offset = { x: r.x, y: r.y };
  const raw = crackWidths({ grey: seg.grey, offset, skeleton, halfWidth, imageToPlane: toPlane, blurSigmaPx });
  // corrected readings: blobs joined to the crack left out (joined-blobs.ts), the rest smoothed, since
  // the blur correction steepens each reading's noise on thin cracks (reading-smoothing.ts)
  const readings = blurSigmaPx ? smoothAlongCrack(withoutJoinedBlobs(raw)) : raw;
  return { readings, lengthMm: skeletonLengthMm(skeleton, w, h, offset, toPlane) };
}

/**
 * Summary of the readings: maximum and mean in mm, maximum in px (corrected and as read) and where the
 * widest is. The maximum is the 95th percentile of readings as read, and of corrected readings a
 * quantile that rises with the width (maxWidthQuantile); "move closer" reads the 95th percentile as read.
 */
function summarise(readings: WidthSample[], corrected: boolean) {
  const mm = readings.map((s) => s.widthMm).sort((a, b) => a - b);
  const px = readings.map((s) => s.widthPx).sort((a, b) => a - b);
  const readPx = readings.map((s) => s.readPx).sort((a, b) => a - b);
  const q = corrected ? maxWidthQuantile(quantile(px, MAX_WIDTH_QUANTILE)) : MAX_WIDTH_QUANTILE;
  const maxMm = quantile(mm, q);
  const widest = readings.reduce((a, b) => (Math.abs(b.widthMm - maxMm) < Math.abs(a.widthMm - maxMm) ? b : a));
  const meanMm = mm.reduce((s, v) => s + v, 0) / mm.length;
  const maxPx = quantile(px, q);
  const nearMax = quantile(px, 0.9);
  const edges = readings.filter((s) => s.widthPx >= nearMax && Number.isFinite(s.edgePx)).map((s) => s.edgePx);
  const edgePx = edges.length ? median(edges) : NaN;
  const maxReadPx = quantile(readPx, MAX_WIDTH_QUANTILE);
  return { maxMm, meanMm, maxPx, maxReadPx, spreadPx: quantileSpreadPx(px, maxPx, q), edgePx, at: widest.at };
}

/**
 * Measures the crack in `pixels` (RGBA, RGB or grey). The scale comes from the marker when it is in
 * view, else from a bank card in view (options.card), else from options.mmPerPx; with neither, widths are given in pixels only and `reason` says
 * why. Options are merged with MEASURE_DEFAULTS and checked (errors name the valid values).
 */
export async function measureCrack(
  pixels: PixelImage,
  options: Partial<MeasureOptions> = {},
): Promise<CrackMeasurement> {
  const g = toGrey(pixels);
  const o = resolveMeasureOptions(options, g.width, g.height);
  const standard = widthStandard(o.standard, o.exposure);
  const region = o.region ?? { x: 0, y: 0, width: g.width, height: g.height };
  await pause(o.signal);
  const marker = o.marker ? findMarker(g, o.marker) : undefined;
  if (!marker && o.card) await pause(o.signal);
  const card = !marker && o.card ? findCard(g) : undefined;
  const reference = marker ?? card;
  const scale = marker ? 'marker' : card ? 'card' : o.mmPerPx !== undefined ? 'given' : null;
  const toPlane = reference?.imageToPlane ?? scaleHomography(o.mmPerPx ?? 1);
  await pause(o.signal);
  const exclude = referenceExclusion(reference, region, marker ? 1.5 : 1.08);
  const blurSigmaPx = marker && o.blurCorrection ? edgeBlurSigmaPx(g, marker.corners) : undefined;
  const { readings, lengthMm } = readCrack(g, region, o, toPlane, { exclude, blurSigmaPx });
  const sharpness = laplacianVariance(cropGrey(g, region));
  const base = {
    standard: standard.id,
    readings: readings.length,
    blurSigmaPx: blurSigmaPx ?? null,
    sharpness,
    ...(marker && { marker: { corners: marker.corners, tiltDeg: marker.tiltDeg } }),
    ...(card && { card: { corners: card.corners, tiltDeg: card.tiltDeg } }),
  };
  const limits = {
    minWidthPx: o.minWidthPx,
    minSharpness: o.minSharpness,
    maxTiltDeg: o.maxTiltDeg,
    maxReferenceInBox: o.maxReferenceInBox,
  };
  const referenceInBox =
    reference && o.classifiedBox ? referenceShareOfBox(reference.corners, o.classifiedBox) : undefined;
  if (readings.length === 0) {
    const none = {
      widthMm: null,
      meanWidthMm: null,
      lengthMm: null,
      uncertainMm: null,
      widthClass: null,
      widthPx: null,
      widthSpreadPx: null,
      edgePx: null,
    };
    const mmPerPx = reference ? reference.mmPerPx : (o.mmPerPx ?? null);
    const guidance = captureGuidance({ sharpness, tiltDeg: reference?.tiltDeg, referenceInBox }, limits);
    return {
      ...base,
      ...none,
      mmPerPx,
      scale,
      guidance,
      reason: 'no crack found: no thin dark line long enough in the region',
    };
  }
  const sum = summarise(readings, Boolean(blurSigmaPx));
  // "move closer" is judged on the width as read (minWidthPx is a reading), corrected or not
  const guidanceInput = { widthPx: sum.maxReadPx, sharpness, tiltDeg: reference?.tiltDeg, referenceInBox };
  if (scale === null) {
    const none = {
      widthMm: null,
      meanWidthMm: null,
      lengthMm: null,
      uncertainMm: null,
      mmPerPx: null,
      widthClass: null,
    };
    return {
      ...base,
      ...none,
      scale,
      widthPx: sum.maxPx,
      widthSpreadPx: sum.spreadPx,
      edgePx: sum.edgePx,
      guidance: captureGuidance(guidanceInput, limits),
      reason: 'no scale: no marker or card in view and no mm per pixel given',
    };
  }
  const mmPerPx = mmPerPxAt(toPlane, sum.at);
  const uncertainPx =
    o.uncertainPx ??
    widthUncertaintyPx(
      { widthPx: sum.maxPx, spreadPx: sum.spreadPx, edgePx: sum.edgePx },
      blurSigmaPx ? o.uncertainty.deblurred : o.uncertainty.asRead,
    );
  const uncertainMm = uncertainPx * mmPerPx;
  const cls = classifyWidth(standard, sum.maxMm, uncertainMm);
  return {
    ...base,
    widthMm: sum.maxMm,
    meanWidthMm: sum.meanMm,
    lengthMm,
    uncertainMm,
    mmPerPx,
    scale,
    ...cls,
    widthPx: sum.maxPx,
    widthSpreadPx: sum.spreadPx,
    edgePx: sum.edgePx,
    guidance: captureGuidance({ ...guidanceInput, classUncertain: cls.between !== undefined }, limits),
  };
}
