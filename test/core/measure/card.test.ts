import { describe, expect, it } from 'vitest';
import { CARD_MM, CARD_RATIO, findCard, rectifiedRatio } from '../../../src/core/measure/card';
import { applyHomography, invertHomography, mmPerPxAt } from '../../../src/core/measure/homography';
import { DEFAULT_MARKER } from '../../../src/core/measure/marker-spec';
import { measureCrack } from '../../../src/core/measure/measure-crack';
import type { GreyImage } from '../../../src/core/measure/pixels';
import { planeToImage, renderScene, type SceneCamera, type SceneCard } from '../../../src/core/measure/synthetic-scene';
import { createRng } from '../../../src/core/random';
import { bytes, crack, mottled } from './scenes';

const CAMERA: SceneCamera = { width: 800, height: 600, mmPerPx: 0.2, tiltDeg: 0, tiltAxisDeg: 0 };

/** A card (and optionally a crack and the marker) on the mottled surface. */
function cardScene(camera: Partial<SceneCamera>, card?: Partial<SceneCard>, opts: { marker?: boolean } = {}) {
  const cam = { ...CAMERA, ...camera };
  const spec = {
    camera: cam,
    texture: mottled(3),
    textureMmPerPx: 0.2,
    crack: crack(1.2, 70, { x: 45, y: 0 }),
    ...(card && { card: { centreMm: { x: -20, y: 0 }, angleDeg: 0, grey: 225, face: 'plain' as const, ...card } }),
    ...(opts.marker && { marker: { spec: DEFAULT_MARKER, topLeftMm: { x: 48, y: -62 } } }),
    blurPx: 0.8,
    noise: 2,
    random: createRng(7),
  };
  const image = renderScene(spec);
  const toImage = planeToImage(cam);
  const centre = spec.card?.centreMm ?? { x: 0, y: 0 };
  const truth = mmPerPxAt(invertHomography(toImage), applyHomography(toImage, centre));
  return { image, truth };
}

describe('findCard', () => {
  it('finds a plain light card square on and gives its scale within 0.5 %', () => {
    const { image, truth } = cardScene({}, {});
    const card = findCard(image);
    expect(card).toBeDefined();
    expect(Math.abs(card!.mmPerPx / truth - 1)).toBeLessThan(0.005);
    expect(card!.polarity).toBe('light');
    expect(card!.tiltDeg).toBeLessThan(3);
  });

  it('finds a printed dark card turned 35 degrees, seen 18 degrees obliquely', () => {
    const { image, truth } = cardScene({ tiltDeg: 18, tiltAxisDeg: 60 }, { angleDeg: 35, grey: 40, face: 'printed' });
    const card = findCard(image);
    expect(card).toBeDefined();
    expect(Math.abs(card!.mmPerPx / truth - 1)).toBeLessThan(0.01);
    expect(card!.polarity).toBe('dark');
    // the camera's tilt and the card's angle off the lens axis together
    expect(card!.tiltDeg).toBeGreaterThan(14);
    expect(card!.tiltDeg).toBeLessThan(26);
    // corner 0-1 is the long side: 85.6 mm on the surface
    const [a, b] = card!.corners.map((c) => applyHomography(card!.imageToPlane, c));
    expect(Math.hypot(b.x - a.x, b.y - a.y)).toBeCloseTo(CARD_MM.long, 6);
  });

  it('finds no card on a surface with a crack and none in the marker scene', () => {
    expect(findCard(cardScene({}).image)).toBeUndefined();
    expect(findCard(cardScene({}, undefined, { marker: true }).image)).toBeUndefined();
  });

  it('finds no card in a flat or a random image', () => {
    const flat: GreyImage = { width: 200, height: 150, data: new Float32Array(200 * 150).fill(128) };
    expect(findCard(flat)).toBeUndefined();
    const rng = createRng(5);
    const noise: GreyImage = {
      width: 200,
      height: 150,
      data: Float32Array.from({ length: 200 * 150 }, () => 255 * rng()),
    };
    expect(findCard(noise)).toBeUndefined();
  });

  it('rejects a light rectangle of another shape (A-series paper, 1.41)', () => {
    // the card square on, the image squeezed across by 0.89: its sides read 1.41 : 1
    const { image } = cardScene({}, {});
    const w = Math.round(image.width * 0.89);
    const out = new Float32Array(w * image.height);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < w; x++) out[y * w + x] = image.data[y * image.width + Math.round(x / 0.89)];
    }
    expect(findCard({ width: w, height: image.height, data: out })).toBeUndefined();
  });
});

describe('rectifiedRatio', () => {
  it('gives the side ratio of a rectangle seen square on, whichever side comes first', () => {
    const r = [
      { x: 100, y: 100 },
      { x: 100 + 85.6 * 4, y: 100 },
      { x: 100 + 85.6 * 4, y: 100 + 53.98 * 4 },
      { x: 100, y: 100 + 53.98 * 4 },
    ];
    const centre = { x: 300, y: 200 };
    expect(rectifiedRatio(r, centre, 800)).toEqual({ ratio: expect.closeTo(CARD_RATIO, 9), firstLong: true });
    const turned = [...r.slice(1), r[0]];
    expect(rectifiedRatio(turned, centre, 800)).toEqual({ ratio: expect.closeTo(CARD_RATIO, 9), firstLong: false });
  });
});

describe('measureCrack with a card', () => {
  it('takes the scale from the card when the marker is not in view', async () => {
    const { image } = cardScene({ tiltDeg: 12, tiltAxisDeg: 20 }, { angleDeg: 100 });
    const m = await measureCrack(bytes(image));
    expect(m.scale).toBe('card');
    expect(m.card?.corners).toHaveLength(4);
    expect(m.marker).toBeUndefined();
    expect(Math.abs((m.widthMm as number) - 1.2)).toBeLessThan(0.15);
  });

  it('prefers the marker when both are in view, and looks for no card when told not to', async () => {
    const { image } = cardScene({ mmPerPx: 0.25 }, { centreMm: { x: -35, y: 10 } }, { marker: true });
    const m = await measureCrack(bytes(image));
    expect(m.scale).toBe('marker');
    expect(m.card).toBeUndefined();
    const noMarker = await measureCrack(bytes(cardScene({}, {}).image), { card: false });
    expect(noMarker.scale).toBeNull();
    expect(noMarker.reason).toMatch(/no marker or card/);
  });
});
