/**
 * Cases of the card validation study: seeded scenes with a bank card (light or dark, plain or
 * printed, any angle on the surface, casting a shadow up to 0.8 mm wide) and a crack beside it, no marker, camera tilted 0-20 degrees,
 * blurred and noised; and the same scenes without the card, on which no card may be found.
 */
import type { Rng } from '../random';
import { applyHomography, invertHomography, mmPerPxAt } from './homography';
import type { GreyImage } from './pixels';
import { crackTruth, type CrackShape } from './synthetic-crack';
import { planeToImage, type SceneCard, type SceneSpec } from './synthetic-scene';

/** Image size of the study's photos, px (4:3, as the width study). */
export const CARD_STUDY_SIZE = { width: 1600, height: 1200 };

export interface CardCase {
  spec: SceneSpec;
  /** Without the card when the case is a negative. */
  card?: SceneCard;
  truth: { maxWidthMm: number; meanWidthMm: number; lengthMm: number; cardMmPerPx: number | null };
}

const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();

/**
 * Case `index`: the camera at 0.11-0.15 mm/px (the card, up to 101 mm corner to corner, fills the
 * left of a 176-240 mm wide view), the card's long side at any angle, a 30 mm crack of `widthMm` to the
 * right. `withCard` false: the same draws, the card left out.
 */
export function cardCase(rng: Rng, index: number, texture: GreyImage, widthMm: number, withCard: boolean): CardCase {
  const camera = {
    ...CARD_STUDY_SIZE,
    mmPerPx: between(rng, 0.11, 0.15),
    tiltDeg: between(rng, 0, 20),
    tiltAxisDeg: between(rng, 0, 360),
  };
  const angleDeg = between(rng, 0, 180);
  // half the card's extent along x at this angle, so that it stays in the left part of the view
  const a = (angleDeg * Math.PI) / 180;
  const halfX = (85.6 * Math.abs(Math.cos(a)) + 53.98 * Math.abs(Math.sin(a))) / 2;
  const fieldX = (camera.width * camera.mmPerPx) / 2;
  const light = index % 4 !== 3;
  const card: SceneCard = {
    // 1.2 halfX: a 20 degree tilt magnifies the side of the view by up to about 15 %
    centreMm: { x: -fieldX + 1.2 * halfX + between(rng, 6, 10), y: between(rng, -6, 6) },
    angleDeg,
    grey: light ? between(rng, 205, 240) : between(rng, 25, 60),
    face: index % 2 === 0 ? 'plain' : 'printed',
    // a card 0.76 mm thick lifted a little off a rough surface, lit from one side
    shadow: { mm: between(rng, 0, 0.8), towardsDeg: between(rng, 0, 360) },
  };
  const crack: CrackShape = {
    centre: { x: card.centreMm.x + 1.2 * halfX + 22, y: between(rng, -10, 10) },
    angleDeg: between(rng, 45, 135),
    lengthMm: 30,
    widthMm,
    waves: { phase: Array.from({ length: 5 }, () => between(rng, 0, 2 * Math.PI)), wiggleMm: between(rng, 0.5, 1.5) },
  };
  const spec: SceneSpec = {
    camera,
    texture,
    textureMmPerPx: between(rng, 0.08, 0.14),
    crack,
    ...(withCard && { card }),
    blurPx: between(rng, 0.6, 1.3),
    noise: between(rng, 2, 4),
    random: rng,
  };
  const toImage = planeToImage(camera);
  const cardMmPerPx = withCard ? mmPerPxAt(invertHomography(toImage), applyHomography(toImage, card.centreMm)) : null;
  return { spec, ...(withCard && { card }), truth: { ...crackTruth(crack), cardMmPerPx } };
}
