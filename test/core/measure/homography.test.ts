import { describe, expect, it } from 'vitest';
import {
  applyHomography,
  homographyFromPoints,
  invertHomography,
  mmPerPxAt,
  tiltDegreesAt,
} from '../../../src/core/measure/homography';
import { planeToImage } from '../../../src/core/measure/synthetic-scene';

const square = [
  { x: 0, y: 0 },
  { x: 40, y: 0 },
  { x: 40, y: 40 },
  { x: 0, y: 40 },
];

describe('homography', () => {
  it('maps the four points onto their partners and back', () => {
    const image = [
      { x: 100, y: 120 },
      { x: 410, y: 95 },
      { x: 430, y: 400 },
      { x: 90, y: 380 },
    ];
    const h = homographyFromPoints(image, square);
    const back = invertHomography(h);
    image.forEach((p, i) => {
      const q = applyHomography(h, p);
      expect(q.x).toBeCloseTo(square[i].x, 6);
      expect(q.y).toBeCloseTo(square[i].y, 6);
      const r = applyHomography(back, q);
      expect(r.x).toBeCloseTo(p.x, 6);
      expect(r.y).toBeCloseTo(p.y, 6);
    });
  });

  it('gives the scale and the tilt of a camera turned against the surface', () => {
    for (const tiltDeg of [0, 10, 20]) {
      const camera = { width: 1000, height: 750, mmPerPx: 0.08, tiltDeg, tiltAxisDeg: 30 };
      const toPlane = invertHomography(planeToImage(camera));
      const centre = { x: 500, y: 375 };
      expect(tiltDegreesAt(toPlane, centre)).toBeCloseTo(tiltDeg, 0);
      // geometric mean scale at the centre: 0.08 along the axis, 0.08 / cos(tilt) across it
      expect(mmPerPxAt(toPlane, centre)).toBeCloseTo(0.08 / Math.sqrt(Math.cos((tiltDeg * Math.PI) / 180)), 4);
    }
  });

  it('rejects degenerate points, naming the problem', () => {
    const line = [0, 1, 2, 3].map((k) => ({ x: k, y: k }));
    expect(() => homographyFromPoints(line, square)).toThrow(/degenerate/);
    expect(() => homographyFromPoints(line.slice(0, 3), square)).toThrow(/4 point pairs, got 3/);
  });
});
