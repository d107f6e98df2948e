/**
 * Cases of the width validation study: each a seeded scene (crack of known width at known scale,
 * marker in view, camera tilt, blur and noise), with the truth to compare the measurement with.
 */
import type { Rng } from '../random';
import { applyHomography, invertHomography, mmPerPxAt } from './homography';
import { DEFAULT_MARKER } from './marker-spec';
import type { GreyImage } from './pixels';
import { crackTruth, type CrackShape } from './synthetic-crack';
import { planeToImage, renderScene, type SceneSpec } from './synthetic-scene';

/** Nominal crack widths of the study, mm (those of the comparator strip on the reference sheet). */
export const STUDY_WIDTHS_MM = [0.1, 0.2, 0.3, 0.5, 1.0, 1.3, 2.0, 3.0];

/** Image size of the study's photos, px (4:3). */
export const STUDY_SIZE = { width: 1600, height: 1200 };

/** What a case is, and the truth. */
export interface ValidationCase {
  spec: SceneSpec;
  truth: { maxWidthMm: number; meanWidthMm: number; lengthMm: number; markerMmPerPx: number };
}

const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();

/** The crack of case `index`: width cycles through STUDY_WIDTHS_MM, direction and waviness from rng. */
function studyCrack(rng: Rng, index: number): CrackShape {
  return {
    centre: { x: 26, y: between(rng, -4, 4) },
    angleDeg: between(rng, -60, 60),
    lengthMm: 40,
    widthMm: STUDY_WIDTHS_MM[index % STUDY_WIDTHS_MM.length],
    waves: { phase: Array.from({ length: 5 }, () => between(rng, 0, 2 * Math.PI)), wiggleMm: between(rng, 0.5, 1.5) },
  };
}

/** Case `index` of the study on `texture`. */
export function validationCase(rng: Rng, index: number, texture: GreyImage): ValidationCase {
  const camera = {
    ...STUDY_SIZE,
    mmPerPx: between(rng, 0.07, 0.12),
    tiltDeg: between(rng, 0, 20),
    tiltAxisDeg: between(rng, 0, 360),
  };
  const crack = studyCrack(rng, index);
  const marker = { spec: DEFAULT_MARKER, topLeftMm: { x: -52, y: between(rng, -25, -15) } };
  const spec: SceneSpec = {
    camera,
    texture,
    textureMmPerPx: between(rng, 0.08, 0.14),
    crack,
    marker,
    blurPx: between(rng, 0.6, 1.3),
    noise: between(rng, 2, 4),
    random: rng,
  };
  const s = marker.spec.sizeMm;
  const centreInImage = applyHomography(planeToImage(camera), {
    x: marker.topLeftMm.x + s / 2,
    y: marker.topLeftMm.y + s / 2,
  });
  const markerMmPerPx = mmPerPxAt(invertHomography(planeToImage(camera)), centreInImage);
  return { spec, truth: { ...crackTruth(crack), markerMmPerPx } };
}

/** Renders the case's photo. [height * width] grey 0..255 */
export function renderCase(c: ValidationCase): GreyImage {
  return renderScene(c.spec);
}
