/** Figures of the width validation study: errors by width band and by pixels across the crack. */
import type { CrackMeasurement } from './measure-crack';
import { classifyWidth, widthStandard } from './standards';
import type { CalibrationCase } from './uncertainty-calibration';

/** One measured case. */
export interface StudyRow {
  seed: number;
  index: number;
  truth: { maxWidthMm: number; meanWidthMm: number; lengthMm: number; markerMmPerPx: number };
  measured: CrackMeasurement;
  /** Sharpness of the same photo blurred further (sigma 2.8 px): to calibrate the blur guidance. */
  blurredSharpness: number;
  tiltDeg: number;
  /** The same scene measured again from half the distance, where the first still's guidance asked for it. */
  retake?: CrackMeasurement;
  /** Time the first still's measurement took, ms. */
  measureMs?: number;
}

/** Median of the values (NaN when empty). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);

/** Width bands (mm) and pixel bands (true width / true mm per px) of the report. */
const MM_BANDS: [number, number][] = [
  [0, 0.25],
  [0.25, 0.6],
  [0.6, 1.5],
  [1.5, 4],
];
const PX_BANDS: [number, number][] = [
  [0, 2],
  [2, 3],
  [3, 6],
  [6, 12],
  [12, Infinity],
];

/** The true width in pixels across the crack (at the marker's scale, close to the crack's). */
const truePx = (r: StudyRow) => r.truth.maxWidthMm / r.truth.markerMmPerPx;

/** |measured - true| maximum width, mm (rows with a width). */
const absErrorMm = (r: StudyRow) => Math.abs((r.measured.widthMm as number) - r.truth.maxWidthMm);

/** The measured scale at the crack, mm per px (the marker's true scale when none was measured). */
const mmPerPx = (r: StudyRow) => r.measured.mmPerPx ?? r.truth.markerMmPerPx;

/** The cases to calibrate the width uncertainty on: every case given a width in mm. */
export function calibrationCases(rows: readonly StudyRow[]): CalibrationCase[] {
  return rows
    .filter((r) => r.measured.widthMm !== null)
    .map((r) => ({
      widthPx: r.measured.widthPx as number,
      spreadPx: r.measured.widthSpreadPx as number,
      edgePx: r.measured.edgePx ?? NaN,
      errorPx: absErrorMm(r) / mmPerPx(r),
    }));
}

/** Errors, class agreement (AASHTO RC) and interval coverage of a group of rows. */
function group(rows: StudyRow[]) {
  const measured = rows.filter((r) => r.measured.widthMm !== null);
  const errMm = measured.map((r) => Math.abs((r.measured.widthMm as number) - r.truth.maxWidthMm));
  const errPx = measured.map(
    (r) => Math.abs((r.measured.widthMm as number) - r.truth.maxWidthMm) / r.truth.markerMmPerPx,
  );
  const rc = widthStandard('aashto-rc');
  const trueClass = (r: StudyRow) => classifyWidth(rc, r.truth.maxWidthMm, 0).widthClass;
  const agree = measured.filter((r) => r.measured.widthClass === trueClass(r));
  const retaken = measured.filter((r) => r.retake);
  const agreeAfterRetake = measured.filter((r) => (r.retake ?? r.measured).widthClass === trueClass(r));
  const uncertain = measured.filter((r) => r.measured.widthClass === 'uncertain');
  const covered = measured.filter((r) => absErrorMm(r) <= (r.measured.uncertainMm as number));
  return {
    n: rows.length,
    measured: measured.length,
    medianAbsErrorMm: round(median(errMm)),
    medianAbsErrorPx: round(median(errPx), 2),
    medianSignedErrorMm: round(median(measured.map((r) => (r.measured.widthMm as number) - r.truth.maxWidthMm))),
    /** Measured class = true class; 'uncertain' counts as a miss. */
    classAgreement: round(agree.length / Math.max(1, measured.length)),
    /** The same among the cases given a class (not 'uncertain'). */
    classAgreementDecided: round(agree.length / Math.max(1, measured.length - uncertain.length)),
    uncertain: uncertain.length,
    /** Cases measured again from half the distance, as their guidance asked ('closer-to-classify'). */
    retakes: retaken.length,
    /** Class agreement when those cases take the retake's class (a retake still 'uncertain' is a miss). */
    classAgreementAfterRetake: round(agreeAfterRetake.length / Math.max(1, measured.length)),
    /** Share of the measured cases classed 'uncertain'. */
    uncertainShare: round(uncertain.length / Math.max(1, measured.length)),
    /** Share of the measured cases whose true width is inside width +- uncertainMm. */
    coverage: round(covered.length / Math.max(1, measured.length)),
    medianUncertainMm: round(median(measured.map((r) => r.measured.uncertainMm as number))),
    medianUncertainPx: round(median(measured.map((r) => (r.measured.uncertainMm as number) / mmPerPx(r))), 2),
    ...lengthErrors(rows),
  };
}

/** Relative errors of the length (measured / true - 1) of the rows given one: median, median absolute, range. */
function lengthErrors(rows: StudyRow[]) {
  const err = rows
    .filter((r) => r.measured.lengthMm !== null)
    .map((r) => (r.measured.lengthMm as number) / r.truth.lengthMm - 1);
  return {
    medianLengthError: round(median(err)),
    medianAbsLengthError: round(median(err.map(Math.abs))),
    lengthErrorRange: err.length ? [round(Math.min(...err)), round(Math.max(...err))] : null,
  };
}

/** The study's summary: by band, overall for cracks >= 3 px, marker scale error, sharpness ranges. */
export function summariseStudy(rows: StudyRow[]) {
  const byBand = (bands: [number, number][], value: (r: StudyRow) => number) =>
    Object.fromEntries(
      bands.map(([lo, hi]) => [`${lo}-${hi}`, group(rows.filter((r) => value(r) >= lo && value(r) < hi))]),
    );
  const scaleErrors = rows
    .filter((r) => r.measured.scale === 'marker')
    .map((r) => Math.abs(markerScale(r) / r.truth.markerMmPerPx - 1));
  const sharp = rows.map((r) => r.measured.sharpness);
  const blurred = rows.map((r) => r.blurredSharpness);
  const atLeast3px = group(rows.filter((r) => truePx(r) >= 3));
  const medianScaleError = median(scaleErrors);
  return {
    n: rows.length,
    targets: {
      widthErrorAtLeast3px:
        atLeast3px.medianAbsErrorMm !== null && atLeast3px.medianAbsErrorPx !== null
          ? atLeast3px.medianAbsErrorMm <= 0.1 || atLeast3px.medianAbsErrorPx <= 0.5
          : false,
      classAgreementAtLeast3px: (atLeast3px.classAgreement ?? 0) >= 0.9,
      markerScaleError: medianScaleError <= 0.02,
    },
    seeds: [...new Set(rows.map((r) => r.seed))],
    atLeast3px,
    all: group(rows),
    byWidthMm: byBand(MM_BANDS, (r) => r.truth.maxWidthMm),
    byPxAcross: byBand(PX_BANDS, truePx),
    marker: {
      found: scaleErrors.length,
      medianScaleError: round(medianScaleError, 4),
      maxScaleError: round(Math.max(...scaleErrors), 4),
    },
    sharpness: { phoneMin: round(Math.min(...sharp), 1), blurredMax: round(Math.max(...blurred), 1) },
  };
}

/** The marker's measured mm per px at its centre (from the corners' mean side). */
function markerScale(r: StudyRow): number {
  const c = r.measured.marker?.corners ?? [];
  let side = 0;
  for (let i = 0; i < 4; i++) side += Math.hypot(c[(i + 1) % 4].x - c[i].x, c[(i + 1) % 4].y - c[i].y);
  return 40 / (side / 4);
}
