/** Small rendered scenes for the measurement tests: a crack of known width on a flat or textured surface. */
import { createRng } from '../../../src/core/random';
import { DEFAULT_MARKER } from '../../../src/core/measure/marker-spec';
import type { GreyImage } from '../../../src/core/measure/pixels';
import type { CrackShape } from '../../../src/core/measure/synthetic-crack';
import { renderScene, type SceneCamera } from '../../../src/core/measure/synthetic-scene';

/** A mottled grey texture (seeded), 64x64. */
export function mottled(seed: number): GreyImage {
  const rng = createRng(seed);
  const data = new Float32Array(64 * 64);
  for (let i = 0; i < data.length; i++) data[i] = 150 + 20 * rng();
  return { width: 64, height: 64, data };
}

/** A straight-ish crack through the middle of the view. */
export function crack(widthMm: number, angleDeg = 20, centre = { x: 0, y: 0 }): CrackShape {
  return { centre, angleDeg, lengthMm: 30, widthMm, waves: { phase: [0.3, 1.1, 2.0, 0.5, 1.7], wiggleMm: 0.3 } };
}

/** Renders a scene of `camera` with the crack and, when asked, the default marker to the left (x -42..-2 mm). */
export function scene(camera: Partial<SceneCamera>, shape?: CrackShape, withMarker = false, seed = 1): GreyImage {
  return renderScene({
    camera: { width: 400, height: 300, mmPerPx: 0.1, tiltDeg: 0, tiltAxisDeg: 0, ...camera },
    texture: mottled(seed),
    textureMmPerPx: 0.2,
    crack: shape,
    marker: withMarker ? { spec: DEFAULT_MARKER, topLeftMm: { x: -42, y: -20 } } : undefined,
    blurPx: 0.8,
    noise: 2,
    random: createRng(seed + 100),
  });
}

/** The grey image as 1-channel bytes. */
export function bytes(g: GreyImage) {
  return { width: g.width, height: g.height, data: Uint8Array.from(g.data), channels: 1 as const };
}
