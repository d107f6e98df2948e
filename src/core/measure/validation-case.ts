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

/**
 * How the study draws crack widths: 'nominal' cycles through STUDY_WIDTHS_MM (several sit exactly on
 * AASHTO RC class boundaries, 0.3 and 1.3 mm); 'uniform' draws them log-uniform over 0.1-3 mm, as
 * real cracks do not cluster on boundaries.
 */
export const WIDTH_SAMPLINGS = ['nominal', 'uniform'] as const;
export type WidthSampling = (typeof WIDTH_SAMPLINGS)[number];

/** Range of the 'uniform' sampling, mm. */
export const UNIFORM_WIDTH_RANGE_MM: [number, number] = [0.1, 3];

/** The true width of case `index` under `sampling`; 'uniform' takes one draw of `rng`. */
export function studyWidthMm(sampling: WidthSampling, index: number, rng: Rng): number {
  if (sampling === 'nominal') return STUDY_WIDTHS_MM[index % STUDY_WIDTHS_MM.length];
  if (sampling !== 'uniform')
    throw new Error(`width sampling must be one of ${WIDTH_SAMPLINGS.join(', ')}; got '${sampling}'`);
  const [lo, hi] = UNIFORM_WIDTH_RANGE_MM.map(Math.log);
  return Math.exp(lo + (hi - lo) * rng());
}

/** Image size of the study's photos, px (4:3). */
export const STUDY_SIZE = { width: 1600, height: 1200 };

/** What a case is, and the truth. */
export interface ValidationCase {
  spec: SceneSpec;
  truth: { maxWidthMm: number; meanWidthMm: number; lengthMm: number; markerMmPerPx: number };
}

const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();

/** The crack of a case: the given width, direction and waviness from rng. */
function studyCrack(rng: Rng, widthMm: number): CrackShape {
  return {
    centre: { x: 26, y: between(rng, -4, 4) },
    angleDeg: between(rng, -60, 60),
    lengthMm: 40,
    widthMm,
    waves: { phase: Array.from({ length: 5 }, () => between(rng, 0, 2 * Math.PI)), wiggleMm: between(rng, 0.5, 1.5) },
  };
}

/**
 * Case `index` of the study on `texture`; the crack is `widthMm` wide (default: the nominal width of
 * the index). The scene's other draws come from rng whatever the width, so both samplings share them.
 */
export function validationCase(
  rng: Rng,
  index: number,
  texture: GreyImage,
  widthMm = STUDY_WIDTHS_MM[index % STUDY_WIDTHS_MM.length],
): ValidationCase {
  const camera = {
    ...STUDY_SIZE,
    mmPerPx: between(rng, 0.07, 0.12),
    tiltDeg: between(rng, 0, 20),
    tiltAxisDeg: between(rng, 0, 360),
  };
  const crack = studyCrack(rng, widthMm);
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
  return { spec, truth: { ...crackTruth(crack), markerMmPerPx: markerScale(camera, marker) } };
}

/** The true scale at the marker's centre, mm per px. */
function markerScale(camera: SceneSpec['camera'], marker: NonNullable<SceneSpec['marker']>): number {
  const s = marker.spec.sizeMm;
  const centreInImage = applyHomography(planeToImage(camera), {
    x: marker.topLeftMm.x + s / 2,
    y: marker.topLeftMm.y + s / 2,
  });
  return mmPerPxAt(invertHomography(planeToImage(camera)), centreInImage);
}

/** Renders the case's photo. [height * width] grey 0..255 */
export function renderCase(c: ValidationCase): GreyImage {
  return renderScene(c.spec);
}

/**
 * The case photographed again from `distance` times as far (0.5: half the distance): the same crack,
 * marker, texture, tilt, blur and noise in pixels, with 1 / distance times the pixels across the same
 * surface (what a still from half the distance shows around the crack; the first still's perspective is
 * kept).
 */
export function retakeCase(c: ValidationCase, distance: number): ValidationCase {
  if (!(distance > 0 && distance <= 1)) throw new Error(`retake distance must be in (0, 1], got ${distance}`);
  const { camera } = c.spec;
  const closer = {
    ...camera,
    width: Math.round(camera.width / distance),
    height: Math.round(camera.height / distance),
    mmPerPx: camera.mmPerPx * distance,
  };
  const marker = c.spec.marker;
  const truth = marker ? { ...c.truth, markerMmPerPx: markerScale(closer, marker) } : c.truth;
  return { spec: { ...c.spec, camera: closer }, truth };
}
