/**
 * The fake camera scenes of the measurement browser test: a 1 mm crack at a known scale beside the
 * reference marker (or the same crack without it), rendered with src/core/measure/synthetic-scene.ts
 * and written as a y4m video for Chromium's fake camera.
 */
import path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_MARKER } from '../../src/core/measure/marker-spec';
import { renderScene } from '../../src/core/measure/synthetic-scene';
import { createRng } from '../../src/core/random';
import { writeY4m } from './y4m';

/** The crack's true width, mm, and the scene's scale (the camera faces the surface squarely). */
export const SCENE_CRACK_MM = 1;
export const SCENE_MM_PER_PX = 0.18;
/** The rendered square (the video frame's centred square, the app's crop box), px. */
const SIDE = 480;

/** A mottled concrete-grey texture, 64x64. */
function texture() {
  const rng = createRng(5);
  const data = new Float32Array(64 * 64);
  for (let i = 0; i < data.length; i++) data[i] = 150 + 20 * rng();
  return { width: 64, height: 64, data };
}

/** Renders the scene (with or without the marker at the top left; a crack `crackMm` wide) as a PNG in `dir`. */
async function scenePng(dir: string, withMarker: boolean, crackMm: number): Promise<string> {
  const grey = renderScene({
    camera: { width: SIDE, height: SIDE, mmPerPx: SCENE_MM_PER_PX, tiltDeg: 0, tiltAxisDeg: 0 },
    texture: texture(),
    textureMmPerPx: 0.25,
    crack: {
      centre: { x: 22, y: 18 },
      angleDeg: 60,
      lengthMm: 30,
      widthMm: crackMm,
      waves: { phase: [0.3, 1.1, 2.0, 0.5, 1.7], wiggleMm: 0.4 },
    },
    marker: withMarker ? { spec: DEFAULT_MARKER, topLeftMm: { x: -40, y: -40 } } : undefined,
    blurPx: 0.8,
    noise: 2,
    random: createRng(7),
  });
  const file = path.join(dir, `crack-${crackMm}mm${withMarker ? '-marker' : ''}.png`);
  await sharp(Uint8Array.from(grey.data), { raw: { width: SIDE, height: SIDE, channels: 1 } })
    .png()
    .toFile(file);
  return file;
}

/**
 * Writes the fake camera video of the scene (640x480, the scene in the centred square; the crack
 * SCENE_CRACK_MM wide unless `crackMm` says otherwise); resolves with its path.
 */
export async function writeSceneVideo(dir: string, withMarker: boolean, crackMm = SCENE_CRACK_MM): Promise<string> {
  const png = await scenePng(dir, withMarker, crackMm);
  const out = png.replace(/\.png$/, '.y4m');
  await writeY4m([png], out, { width: 640, height: 480, fps: 10, framesPerImage: 2 });
  return out;
}
