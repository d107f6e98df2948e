import { describe, expect, it } from 'vitest';
import { toFindingMeasurement } from '../../../src/core/measure/finding-measurement';
import type { CrackMeasurement } from '../../../src/core/measure/measure-crack';

const measured: CrackMeasurement = {
  widthMm: 0.42,
  meanWidthMm: 0.3,
  lengthMm: 51.2,
  uncertainMm: 0.08,
  mmPerPx: 0.08,
  scale: 'marker',
  standard: 'aashto-rc',
  widthClass: 'CS2',
  widthPx: 5.2,
  widthSpreadPx: 0.3,
  edgePx: 1.2,
  blurSigmaPx: 0.9,
  readings: 300,
  sharpness: 120,
  guidance: [],
};

describe('toFindingMeasurement', () => {
  it('copies the millimetre fields a finding keeps', () => {
    expect(toFindingMeasurement(measured)).toEqual({
      widthMm: 0.42,
      meanWidthMm: 0.3,
      lengthMm: 51.2,
      uncertainMm: 0.08,
      mmPerPx: 0.08,
      scale: 'marker',
      standard: 'aashto-rc',
      widthClass: 'CS2',
    });
  });

  it('keeps the guidance that says the width is not reliable, and only that', () => {
    const guidance: CrackMeasurement['guidance'] = [
      'reference-outside-box',
      'face-surface',
      'hold-still',
      'move-closer',
      'closer-to-classify',
    ];
    expect(toFindingMeasurement({ ...measured, guidance })?.caveats).toEqual([
      'face-surface',
      'hold-still',
      'move-closer',
    ]);
    expect(toFindingMeasurement({ ...measured, guidance: ['closer-to-classify'] })).not.toHaveProperty('caveats');
  });

  it('keeps the classes an uncertain width spans', () => {
    const uncertain: CrackMeasurement = {
      ...measured,
      widthMm: 0.31,
      widthClass: 'uncertain',
      between: ['CS1', 'CS2'],
    };
    expect(toFindingMeasurement(uncertain)).toMatchObject({ widthClass: 'uncertain', between: ['CS1', 'CS2'] });
  });

  it('gives nothing when there are no millimetres', () => {
    const none = { ...measured, widthMm: null, mmPerPx: null, scale: null, reason: 'no scale' } as CrackMeasurement;
    expect(toFindingMeasurement(none)).toBeUndefined();
  });
});
