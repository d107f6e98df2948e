import { describe, expect, it } from 'vitest';
import type { CrackMeasurement } from '../../src/core/measure/measure-crack';
import { liveArea, liveWidth, shownLiveWidth } from '../../src/platform/measure-live';

describe('liveArea', () => {
  it('downscales the widened crop box area to the longest side, with the crop box inside it', () => {
    const { area, out, region } = liveArea(1920, 1080, 1, 480);
    expect(area).toEqual({ x: 96, y: 0, width: 1728, height: 1080 });
    expect(Math.max(out.width, out.height)).toBe(480);
    expect(region.x + region.width).toBeLessThanOrEqual(out.width);
    expect(region.y + region.height).toBeLessThanOrEqual(out.height);
    expect(region.width).toBe(300); // 1080 * 480 / 1728
  });

  it('keeps a small video at its size', () => {
    const { area, out } = liveArea(320, 240, 1, 480);
    expect(out).toEqual({ width: area.width, height: area.height });
  });
});

describe('liveWidth', () => {
  const base = { standard: 'aashto-rc', readings: 10, sharpness: 50, widthPx: 5, guidance: [] };
  it('gives the width and class, or why there is none', () => {
    const m = { ...base, widthMm: 0.5, widthClass: 'CS2', scale: 'marker' } as unknown as CrackMeasurement;
    expect(liveWidth(m)).toEqual({ widthMm: 0.5, widthClass: 'CS2' });
    const noScale = { ...base, widthMm: null, widthClass: null, scale: null } as unknown as CrackMeasurement;
    expect(liveWidth(noScale)).toEqual({ reason: 'no-marker' });
    const noCrack = { ...base, widthMm: null, widthClass: null, scale: 'marker' } as unknown as CrackMeasurement;
    expect(liveWidth(noCrack)).toEqual({ reason: 'no-crack' });
  });

  it('keeps the caveats of a width the frame cannot give reliably', () => {
    const guidance = ['move-closer', 'closer-to-classify'];
    const m = { ...base, guidance, widthMm: 0.5, widthClass: 'CS2', scale: 'marker' } as unknown as CrackMeasurement;
    expect(liveWidth(m)).toEqual({ widthMm: 0.5, widthClass: 'CS2', caveats: ['move-closer'] });
  });

  it('says when the marker or card lies in the crop box', () => {
    const guidance = ['reference-outside-box'];
    const m = { ...base, guidance, widthMm: 0.5, widthClass: 'CS2', scale: 'marker' } as unknown as CrackMeasurement;
    expect(liveWidth(m)).toEqual({ widthMm: 0.5, widthClass: 'CS2', referenceInBox: 'marker' });
    expect(liveWidth({ ...m, scale: 'card' })).toMatchObject({ referenceInBox: 'card' });
    const noCrack = {
      ...base,
      guidance,
      widthMm: null,
      widthClass: null,
      scale: 'marker',
    } as unknown as CrackMeasurement;
    expect(liveWidth(noCrack)).toEqual({ reason: 'no-crack', referenceInBox: 'marker' });
  });
});

describe('shownLiveWidth', () => {
  const reading = { widthMm: 0.42, widthClass: 'CS2' };
  it('shows the width unmarked beside a crack or anomaly verdict, before any verdict, on an unfamiliar surface', () => {
    expect(shownLiveWidth(reading, { label: 'crack', unfamiliar: false })).toEqual(reading);
    expect(shownLiveWidth(reading, { label: 'anomaly', unfamiliar: false })).toEqual(reading);
    expect(shownLiveWidth(reading, { label: undefined, unfamiliar: false })).toEqual(reading);
    expect(shownLiveWidth(reading, { label: 'nocrack', unfamiliar: true })).toEqual(reading);
  });

  it('marks the width disputed while the verdict names something that is not a crack', () => {
    for (const label of ['nocrack', 'normal', 'salt-damage']) {
      expect(shownLiveWidth(reading, { label, unfamiliar: false })).toEqual({ ...reading, disputed: true });
    }
  });

  it('keeps a reading without a width as it is', () => {
    expect(shownLiveWidth({ reason: 'no-crack' }, { label: 'crack', unfamiliar: false })).toEqual({
      reason: 'no-crack',
    });
  });
});
