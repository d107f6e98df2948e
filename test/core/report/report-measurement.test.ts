import { describe, expect, it } from 'vitest';
import type { FindingMeasurement } from '../../../src/core/finding';
import { measurementText } from '../../../src/core/report/report-format';

const m: FindingMeasurement = {
  widthMm: 0.423,
  meanWidthMm: 0.311,
  lengthMm: 51.6,
  uncertainMm: 0.08,
  mmPerPx: 0.08,
  scale: 'marker',
  standard: 'aashto-rc',
  widthClass: 'CS2',
};

describe('measurementText (the report line of a crack measurement)', () => {
  it('prints maximum width with its uncertainty, mean, length and class', () => {
    expect(measurementText(m)).toBe('0.42 mm (± 0.08), mean 0.31 mm / 52 mm, aashto-rc: CS2');
  });

  it('names the classes an uncertain width spans', () => {
    const uncertain = { ...m, widthMm: 0.31, widthClass: 'uncertain', between: ['CS1', 'CS2'] as [string, string] };
    expect(measurementText(uncertain)).toBe(
      '0.31 mm (± 0.08), mean 0.31 mm / 52 mm, aashto-rc: uncertain (CS1 or CS2)',
    );
  });

  it('says which reference gave the scale when told', () => {
    expect(measurementText({ ...m, scale: 'card' }, 'scale: bank card')).toBe(
      '0.42 mm (± 0.08), mean 0.31 mm / 52 mm, aashto-rc: CS2; scale: bank card',
    );
  });
});
