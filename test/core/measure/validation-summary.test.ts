import { describe, expect, it } from 'vitest';
import type { CrackMeasurement } from '../../../src/core/measure/measure-crack';
import { calibrationCases, summariseStudy, type StudyRow } from '../../../src/core/measure/validation-summary';

/** A case of true width `trueMm` read as `readMm` +- `uncertainMm` at 0.1 mm/px, classed `widthClass`. */
function row(trueMm: number, readMm: number | null, uncertainMm: number, widthClass: string): StudyRow {
  const measured: CrackMeasurement = {
    widthMm: readMm,
    meanWidthMm: readMm,
    lengthMm: readMm === null ? null : 40,
    uncertainMm: readMm === null ? null : uncertainMm,
    mmPerPx: 0.1,
    scale: 'marker',
    standard: 'aashto-rc',
    widthClass: readMm === null ? null : widthClass,
    widthPx: readMm === null ? null : readMm / 0.1,
    widthSpreadPx: 0.2,
    edgePx: 1.2,
    blurSigmaPx: 0.9,
    readings: 100,
    sharpness: 50,
    guidance: [],
    marker: {
      corners: [
        { x: 0, y: 0 },
        { x: 400, y: 0 },
        { x: 400, y: 400 },
        { x: 0, y: 400 },
      ],
      tiltDeg: 0,
    },
  };
  const truth = { maxWidthMm: trueMm, meanWidthMm: trueMm, lengthMm: 40, markerMmPerPx: 0.1 };
  return { seed: 1, index: 0, truth, measured, blurredSharpness: 1, tiltDeg: 0 };
}

describe('summariseStudy', () => {
  const rows = [
    row(0.5, 0.52, 0.05, 'CS2'), // covered, right class
    row(1.0, 1.1, 0.05, 'CS2'), // not covered, right class
    row(1.28, 1.3, 0.05, 'uncertain'), // covered, uncertain
    row(2.0, 1.95, 0.1, 'CS3'), // covered, right class
    row(0.1, null, 0, 'CS1'), // no width
  ];

  it('reports coverage next to agreement, over all and over the classified cracks', () => {
    const s = summariseStudy(rows);
    expect(s.all.measured).toBe(4);
    expect(s.all.coverage).toBe(0.75);
    expect(s.all.classAgreement).toBe(0.75);
    expect(s.all.classAgreementDecided).toBe(1);
    expect(s.all.uncertain).toBe(1);
    expect(s.all.medianUncertainMm).toBe(0.05);
    expect(s.all.medianUncertainPx).toBe(0.5);
  });

  it('scores retaken cases by the retake: right when it settles the true class, a miss when still uncertain', () => {
    const retaken = (trueMm: number, retakeClass: string): StudyRow => ({
      ...row(trueMm, trueMm, 0.1, 'uncertain'),
      retake: { ...row(trueMm, trueMm, 0.05, retakeClass).measured },
    });
    const s = summariseStudy([...rows, retaken(1.2, 'CS2'), retaken(0.32, 'uncertain'), retaken(0.35, 'CS1')]);
    expect(s.all.measured).toBe(7);
    expect(s.all.retakes).toBe(3);
    expect(s.all.classAgreement).toBeCloseTo(3 / 7, 3);
    expect(s.all.classAgreementAfterRetake).toBeCloseTo(4 / 7, 3);
    expect(summariseStudy(rows).all.classAgreementAfterRetake).toBe(0.75);
  });

  it('reports the length error relative to the true length, over the cracks given a length', () => {
    const long = (lengthMm: number): StudyRow => {
      const r = row(0.5, 0.5, 0.05, 'CS2');
      return { ...r, measured: { ...r.measured, lengthMm } };
    };
    const s = summariseStudy([long(44), long(38), long(40), long(60), row(0.1, null, 0, 'CS1')]);
    expect(s.all.medianLengthError).toBe(0.05); // -5 %, 0, +10 %, +50 %
    expect(s.all.medianAbsLengthError).toBe(0.075);
    expect(s.all.lengthErrorRange).toEqual([-0.05, 0.5]);
    expect(summariseStudy([row(0.1, null, 0, 'CS1')]).all.lengthErrorRange).toBeNull();
  });

  it('gives the cases to calibrate on: every crack given a width, its error in px', () => {
    const cases = calibrationCases(rows);
    expect(cases).toHaveLength(4);
    expect(cases[1].errorPx).toBeCloseTo(1, 9);
    expect(cases[1]).toMatchObject({ widthPx: 11, spreadPx: 0.2, edgePx: 1.2 });
  });
});
