import { describe, expect, it } from 'vitest';
import { measureCrack } from '../../../src/core/measure/measure-crack';
import { crackTruth } from '../../../src/core/measure/synthetic-crack';
import { bytes, crack, scene } from './scenes';

const noMarker = { marker: null, mmPerPx: 0.1 };

/**
 * A crack `widthMm` wide beside the marker at about 0.17 mm/px, the camera tilted `tiltDeg`: its true
 * maximum width, and the measurement corrected for the blur read on the marker and as read.
 */
async function withAndWithoutBlurCorrection(widthMm: number, tiltDeg: number) {
  const shape = crack(widthMm, 80, { x: 24, y: 0 });
  const camera = { width: 560, height: 420, mmPerPx: 0.17, tiltDeg, tiltAxisDeg: 0 };
  const photo = bytes(scene(camera, shape, true));
  const corrected = await measureCrack(photo);
  const asRead = await measureCrack(photo, { blurCorrection: false });
  return { truth: crackTruth(shape).maxWidthMm, corrected, asRead };
}

describe('measureCrack on rendered cracks of known width', () => {
  it.each([0.4, 0.8, 1.6])('measures a %s mm crack to within half a pixel at 0.1 mm/px', async (widthMm) => {
    const shape = crack(widthMm);
    const m = await measureCrack(bytes(scene({}, shape)), noMarker);
    const truth = crackTruth(shape);
    expect(m.scale).toBe('given');
    expect(Math.abs((m.widthMm as number) - truth.maxWidthMm)).toBeLessThan(0.05);
    // along the smoothed skeleton lines (crack-length.ts): 2-6 % short, the thin tips of the tapered ends
    // lost; counting the skeleton's links read these 9-13 % long
    expect(Math.abs((m.lengthMm as number) - truth.lengthMm) / truth.lengthMm).toBeLessThan(0.07);
    // the interval is derived from the readings: it holds the truth and stays within a few pixels
    expect(Math.abs((m.widthMm as number) - truth.maxWidthMm)).toBeLessThanOrEqual(m.uncertainMm as number);
    expect(m.uncertainMm).toBeGreaterThan(0.05);
    expect(m.uncertainMm).toBeLessThan(0.3);
    expect(m.widthSpreadPx).toBeGreaterThanOrEqual(0);
    expect(m.edgePx).toBeGreaterThan(0);
  });

  it('takes a fixed uncertainty in pixels when one is given', async () => {
    const m = await measureCrack(bytes(scene({}, crack(0.8))), { ...noMarker, uncertainPx: 1 });
    expect(m.uncertainMm).toBeCloseTo(0.1, 6);
  });

  it('takes the scale from the marker and corrects a 20 degree tilt', async () => {
    const shape = crack(1.5, 80, { x: 24, y: 0 });
    const camera = { width: 560, height: 420, mmPerPx: 0.17, tiltDeg: 20, tiltAxisDeg: 0 };
    const m = await measureCrack(bytes(scene(camera, shape, true)));
    expect(m.scale).toBe('marker');
    // the view's obliquity at the marker: the 20 degree tilt and the marker's angle off the optical axis
    expect(m.marker?.tiltDeg).toBeGreaterThan(18);
    expect(m.marker?.tiltDeg).toBeLessThan(30);
    expect(Math.abs((m.widthMm as number) - crackTruth(shape).maxWidthMm)).toBeLessThan(0.085);
  });

  it('corrects a thin crack for the camera blur read on the marker', async () => {
    // 0.3 mm at about 0.17 mm/px: under 2 px across, read through a blur of sigma 0.8 px
    const { truth, corrected, asRead } = await withAndWithoutBlurCorrection(0.3, 10);
    expect(corrected.blurSigmaPx).toBeGreaterThan(0.7);
    expect(corrected.blurSigmaPx).toBeLessThan(1.1);
    expect(asRead.blurSigmaPx).toBeNull();
    const error = (m: typeof corrected) => Math.abs((m.widthMm as number) - truth);
    expect(error(corrected)).toBeLessThan(error(asRead) - 0.03);
    expect(error(corrected)).toBeLessThanOrEqual(corrected.uncertainMm as number);
    expect(corrected.uncertainMm).toBeLessThan(asRead.uncertainMm as number);
    // the advice to move closer is judged on the width as read either way
    expect(corrected.guidance).toContain('move-closer');
  });

  it('reads the maximum of a wide rough-edged crack above its 95th percentile when the marker is in view', async () => {
    // 3 mm at about 0.17 mm/px: some 18 px across, where the widest point lies above most readings
    const { truth, corrected, asRead } = await withAndWithoutBlurCorrection(3, 5);
    const px = (m: typeof corrected) => ((m.widthMm as number) - truth) / (m.mmPerPx as number);
    // the 95th percentile as read under-reads the maximum; the higher quantile of wide cracks much less
    expect(px(asRead)).toBeLessThan(-0.25);
    expect(Math.abs(px(corrected))).toBeLessThan(Math.abs(px(asRead)) - 0.15);
    expect(Math.abs((corrected.widthMm as number) - truth)).toBeLessThanOrEqual(corrected.uncertainMm as number);
  });

  it('finds no crack on a sound surface and says why', async () => {
    const m = await measureCrack(bytes(scene({})), noMarker);
    expect(m.widthMm).toBeNull();
    expect(m.reason).toMatch(/no crack found/);
  });

  it('gives no millimetres without a marker or a scale, and says why', async () => {
    const m = await measureCrack(bytes(scene({}, crack(0.8))), { marker: null });
    expect(m.widthMm).toBeNull();
    expect(m.widthPx).toBeGreaterThan(5);
    expect(m.reason).toMatch(/no scale/);
  });

  it('asks to move closer when the crack is under 2 px wide', async () => {
    const m = await measureCrack(bytes(scene({ mmPerPx: 0.25 }, crack(0.3))), { marker: null, mmPerPx: 0.25 });
    expect(m.guidance).toContain('move-closer');
  });

  it('says how to settle a class that the interval leaves uncertain', async () => {
    const near = await measureCrack(bytes(scene({}, crack(0.36))), noMarker);
    expect(near.widthClass).toBe('uncertain');
    expect(near.guidance).toContain('closer-to-classify');
    const closer = await measureCrack(bytes(scene({ mmPerPx: 0.05 }, crack(0.36))), { marker: null, mmPerPx: 0.05 });
    expect(closer.widthClass).toBe('CS2');
    expect(closer.guidance).toEqual([]);
  });

  it('asks to lay the marker outside the classified box when it lies inside it', async () => {
    const camera = { width: 560, height: 420, mmPerPx: 0.17, tiltDeg: 0, tiltAxisDeg: 0 };
    const photo = bytes(scene(camera, crack(1, 80, { x: 24, y: 0 }), true));
    const corners = (await measureCrack(photo)).marker?.corners ?? [];
    expect(corners).toHaveLength(4);
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const [x0, y0] = [Math.floor(Math.min(...xs)), Math.floor(Math.min(...ys))];
    const [x1, y1] = [Math.ceil(Math.max(...xs)), Math.ceil(Math.max(...ys))];
    const side = Math.min(420, Math.max(x1 - x0, y1 - y0) + 20);
    const around = {
      x: Math.max(0, Math.min(560 - side, x0 - 10)),
      y: Math.max(0, Math.min(420 - side, y0 - 10)),
      width: side,
      height: side,
    };
    const inside = await measureCrack(photo, { classifiedBox: around });
    expect(inside.guidance[0]).toBe('reference-outside-box');
    // a box beside the marker, sharing none of it
    const besideX = x1 + 1 <= 560 - 100 ? x1 + 1 : 0;
    const beside = { x: besideX, y: 0, width: Math.min(100, besideX === 0 ? x0 : 100), height: 100 };
    const outside = await measureCrack(photo, { classifiedBox: beside });
    expect(outside.guidance).not.toContain('reference-outside-box');
    // without a box (the CLI), no such guidance
    expect((await measureCrack(photo)).guidance).not.toContain('reference-outside-box');
  });

  it('rejects bad options naming the valid values', async () => {
    const px = bytes(scene({}));
    await expect(measureCrack(px, { standard: 'jis' })).rejects.toThrow(/valid: aashto-rc, aashto-ps, aci224, ec2/);
    await expect(measureCrack(px, { mmPerPx: -1 })).rejects.toThrow(/mmPerPx must be a number > 0, got -1/);
    await expect(measureCrack(px, { region: { x: 390, y: 0, width: 50, height: 50 } })).rejects.toThrow(
      /inside the 400x300 image/,
    );
    await expect(measureCrack({ width: 4, height: 4, data: new Uint8Array(10) })).rejects.toThrow(/valid: 1 \(grey\)/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by test'));
    await expect(measureCrack(bytes(scene({})), { ...noMarker, signal: controller.signal })).rejects.toThrow(
      'stopped by test',
    );
  });
});
