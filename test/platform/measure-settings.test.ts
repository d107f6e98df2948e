import { describe, expect, it } from 'vitest';
import { measureOutcome } from '../../src/platform/measure-finding';
import { stillMeasureArea } from '../../src/platform/measure-region';
import {
  checkMeasureSettings,
  DEFAULT_MEASURE_SETTINGS,
  loadMeasureSettings,
  MEASURE_SETTINGS_KEY,
  saveMeasureSettings,
} from '../../src/platform/measure-settings';
import type { CrackMeasurement } from '../../src/core/measure/measure-crack';

const memoryStorage = () => {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
  };
};

describe('measure settings', () => {
  it('default to AASHTO reinforced concrete and remember a choice with its exposure', () => {
    const storage = memoryStorage();
    expect(loadMeasureSettings(storage)).toEqual(DEFAULT_MEASURE_SETTINGS);
    saveMeasureSettings({ standard: 'aci224', exposure: 'seawater' }, storage);
    expect(loadMeasureSettings(storage)).toEqual({ standard: 'aci224', exposure: 'seawater' });
    saveMeasureSettings({ standard: 'ec2' }, storage);
    expect(loadMeasureSettings(storage)).toEqual({ standard: 'ec2', exposure: 'xc2-xs3' });
    saveMeasureSettings({ standard: 'aashto-ps', exposure: 'seawater' }, storage);
    expect(loadMeasureSettings(storage)).toEqual({ standard: 'aashto-ps' });
  });

  it('refuse an unknown standard or exposure naming the valid ones, and keep what was stored', () => {
    const storage = memoryStorage();
    saveMeasureSettings({ standard: 'aashto-ps' }, storage);
    expect(() => saveMeasureSettings({ standard: 'jis' }, storage)).toThrow(/aashto-rc, aashto-ps, aci224, ec2/);
    expect(() => checkMeasureSettings({ standard: 'ec2', exposure: 'dry' })).toThrow(/x0-xc1, xc2-xs3, prestressed/);
    expect(loadMeasureSettings(storage)).toEqual({ standard: 'aashto-ps' });
  });

  it('fall back to the default when the stored value is broken', () => {
    const storage = memoryStorage();
    storage.setItem(MEASURE_SETTINGS_KEY, '{"standard":"gone"}');
    expect(loadMeasureSettings(storage)).toEqual(DEFAULT_MEASURE_SETTINGS);
    storage.setItem(MEASURE_SETTINGS_KEY, 'not json');
    expect(loadMeasureSettings(storage)).toEqual(DEFAULT_MEASURE_SETTINGS);
  });
});

describe('stillMeasureArea', () => {
  it('widens the centre crop box and keeps it inside the still', () => {
    const { area, region } = stillMeasureArea(4000, 3000);
    expect(area).toEqual({ x: 0, y: 0, width: 4000, height: 3000 });
    expect(region).toEqual({ x: 500, y: 0, width: 3000, height: 3000 });
    const tall = stillMeasureArea(1000, 3000, { margin: 0.1 });
    expect(tall.area).toEqual({ x: 0, y: 900, width: 1000, height: 1200 });
    expect(tall.region).toEqual({ x: 0, y: 100, width: 1000, height: 1000 });
  });

  it('measures a small crop box in a small area of a large still', () => {
    const { area, region } = stillMeasureArea(4000, 3000, { cropFraction: 0.25, margin: 0.5 });
    expect(area).toEqual({ x: 1250, y: 750, width: 1500, height: 1500 });
    expect(area.x + region.x).toBe(1625);
    expect(area.y + region.y).toBe(1125);
    expect(region.width).toBe(750);
  });

  it("places the video's crop box on a photo of another shape: a 4:3 still beside a 16:9 video", () => {
    // landscape: the video's 1080 rows are the still's middle 2250 (4000 x 9 / 16)
    const landscape = stillMeasureArea(4000, 3000, { view: { width: 1920, height: 1080 }, margin: 0 });
    expect(landscape.area).toEqual({ x: 875, y: 375, width: 2250, height: 2250 });
    // portrait, and a still turned against the video: the same square
    const portrait = stillMeasureArea(3000, 4000, { view: { width: 1920, height: 1080 }, margin: 0 });
    expect(portrait.area).toEqual({ x: 375, y: 875, width: 2250, height: 2250 });
    // a video of the still's shape, or narrower, sees the still's whole short side
    expect(stillMeasureArea(4000, 3000, { view: { width: 640, height: 480 } })).toEqual(stillMeasureArea(4000, 3000));
    expect(stillMeasureArea(4000, 3000, { view: { width: 1000, height: 1000 } })).toEqual(stillMeasureArea(4000, 3000));
  });
});

describe('measureOutcome', () => {
  const base = { standard: 'aashto-rc', readings: 0, sharpness: 50, widthPx: null, guidance: [] } as const;
  it('says no marker when there is no scale, and no crack when there is a scale but no crack', () => {
    const noScale = { ...base, widthMm: null, scale: null, guidance: ['move-closer'] } as unknown as CrackMeasurement;
    expect(measureOutcome(noScale)).toEqual({ reason: 'no-marker', guidance: ['move-closer'] });
    const noCrack = { ...base, widthMm: null, scale: 'marker', mmPerPx: 0.1 } as unknown as CrackMeasurement;
    expect(measureOutcome(noCrack)).toEqual({ reason: 'no-crack', guidance: [] });
  });
});
