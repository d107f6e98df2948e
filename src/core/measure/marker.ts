/**
 * Finds the printed reference marker (js-aruco2) and turns its corners into the image-to-surface
 * homography: millimetres per pixel and perspective from one square of known size.
 */
import aruco from 'js-aruco2';
import { refineSquareCorners } from './edge-refine';
import { rectangleScale, type Point, type RectangleScale } from './homography';
import type { MarkerSpec } from './marker-spec';
import { greyBytes, shrinkGrey, toRgba, type GreyImage } from './pixels';

/** A marker found in the image: its corners (the black square's, clockwise), homography, scale and tilt. */
export type MarkerScale = RectangleScale;

/** Images larger than this (longer side, px) are searched shrunk (by 2 or more), then refined at full size. */
const DETECT_MAX_SIDE = 1000;

/** RGBA bytes of the grey image shrunk by an integer `factor` (box average). */
function shrunkRgba(g: GreyImage, factor: number): { width: number; height: number; data: Uint8ClampedArray } {
  const small = shrinkGrey(g, factor);
  const { width, height } = small;
  return { width, height, data: toRgba({ width, height, data: greyBytes(small), channels: 1 }) };
}

let lastDetector: { key: string; detector: InstanceType<typeof aruco.AR.Detector> } | undefined;

/**
 * A detector for `dictionary`, the last one again for an image of the same size: a detector keeps
 * its working images (grey, threshold, contour labels) as plain arrays that its first image grows
 * pixel by pixel, which took most of a live width sample's time. Detection is synchronous, so one
 * detector serves every call in turn.
 */
function detectorFor(dictionary: string, width: number, height: number) {
  const key = `${dictionary} ${width}x${height}`;
  if (lastDetector?.key !== key) {
    lastDetector = { key, detector: new aruco.AR.Detector({ dictionaryName: dictionary }) };
  }
  return lastDetector.detector;
}

/** The black square's corners at full resolution, or undefined when the marker is not in view. */
function detectCorners(g: GreyImage, spec: MarkerSpec): Point[] | undefined {
  const factor = Math.max(1, Math.ceil(Math.max(g.width, g.height) / DETECT_MAX_SIDE));
  const image = shrunkRgba(g, factor);
  const found = detectorFor(spec.dictionary, image.width, image.height)
    .detect(image)
    .filter((m) => m.id === spec.id);
  if (found.length === 0) return undefined;
  const best = found.reduce((a, b) => (b.hammingDistance < a.hammingDistance ? b : a));
  // js-aruco2 gives the centres of the outermost dark pixels: the edge lies half a pixel further out
  const corners = best.corners.map((c) => ({ x: (c.x + 0.5) * factor - 0.5, y: (c.y + 0.5) * factor - 0.5 }));
  return refineSquareCorners(g, corners);
}

/** Finds the marker of `spec` in `g`; undefined when it is not in view. */
export function findMarker(g: GreyImage, spec: MarkerSpec): MarkerScale | undefined {
  const corners = detectCorners(g, spec);
  if (!corners) return undefined;
  return rectangleScale(corners, spec.sizeMm, spec.sizeMm);
}
