import { describe, expect, it } from 'vitest';
import { edgeBlurSigmaPx } from '../../../src/core/measure/edge-blur';
import { findMarker } from '../../../src/core/measure/marker';
import { DEFAULT_MARKER } from '../../../src/core/measure/marker-spec';
import { createRng } from '../../../src/core/random';
import { renderScene } from '../../../src/core/measure/synthetic-scene';
import { mottled } from './scenes';

/** The default marker at 0.17 mm/px, tilted 15 degrees, blurred by `blurPx`. */
function markerPhoto(blurPx: number) {
  return renderScene({
    camera: { width: 560, height: 420, mmPerPx: 0.17, tiltDeg: 15, tiltAxisDeg: 30 },
    texture: mottled(3),
    textureMmPerPx: 0.2,
    marker: { spec: DEFAULT_MARKER, topLeftMm: { x: -20, y: -20 } },
    blurPx,
    noise: 2,
    random: createRng(5),
  });
}

describe('edgeBlurSigmaPx', () => {
  it.each([0.6, 1.0, 1.6])('reads a blur of sigma %s px from the marker sides', (blurPx) => {
    const g = markerPhoto(blurPx);
    const marker = findMarker(g, DEFAULT_MARKER);
    expect(marker).toBeDefined();
    // the render's anti-aliasing and the profile's bilinear reading each add about a pixel-wide box
    // (variance 1/12) to the blur, as they do to a crack's profile
    const expected = Math.hypot(blurPx, Math.sqrt(2 / 12));
    expect(Math.abs((edgeBlurSigmaPx(g, marker!.corners) as number) - expected)).toBeLessThan(0.15);
  });

  it('says nothing when the corners lie on a flat surface', () => {
    const g = markerPhoto(1);
    const away = [
      { x: 470, y: 330 },
      { x: 530, y: 330 },
      { x: 530, y: 390 },
      { x: 470, y: 390 },
    ];
    expect(edgeBlurSigmaPx(g, away)).toBeUndefined();
  });
});
