/**
 * Calibrates the width uncertainty model (width-uncertainty.ts) on measured cases of known width:
 * for each (floorPx, relative, blur) on a grid, k is the smallest factor whose interval holds the true
 * width for the wanted share of cases; the pair with the narrowest mean interval wins.
 */
import { widthUncertaintyPx, type UncertaintyModel } from './width-uncertainty';

/** One measured case: what the model sees and the error it should cover. */
export interface CalibrationCase {
  widthPx: number;
  spreadPx: number;
  edgePx: number;
  /** |measured - true| maximum width, px at the crack. */
  errorPx: number;
}

/** The fitted model, with what it gives on the cases it was fitted on. */
export interface Calibration {
  model: UncertaintyModel;
  cases: number;
  /** Share of the cases whose true width is inside +- uncertainty. */
  coverage: number;
  meanUncertainPx: number;
}

const FLOORS_PX = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1];
const RELATIVES = [0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08];
const BLURS = [0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8];

/** Rounds up to 2 decimals (k stays on the covering side). */
const ceil2 = (v: number) => Math.ceil(v * 100 - 1e-9) / 100;

/** The model of `shape` with the least k that covers `share` of `cases`. */
function fitK(cases: readonly CalibrationCase[], shape: UncertaintyModel, share: number): Calibration {
  const ratios = cases.map((c) => c.errorPx / widthUncertaintyPx(c, shape)).sort((a, b) => a - b);
  const k = ceil2(ratios[Math.min(ratios.length - 1, Math.ceil(share * ratios.length) - 1)]);
  const model = { ...shape, k };
  const widths = cases.map((c) => widthUncertaintyPx(c, model));
  const meanUncertainPx = widths.reduce((s, v) => s + v, 0) / widths.length;
  const covered = cases.filter((c, i) => c.errorPx <= widths[i]).length;
  return { model, cases: cases.length, coverage: covered / cases.length, meanUncertainPx };
}

/** The model of narrowest mean interval that covers `share` of `cases` (throws when there are none). */
export function calibrateUncertainty(cases: readonly CalibrationCase[], share = 0.95): Calibration {
  if (cases.length === 0) throw new Error('no cases to calibrate the width uncertainty on');
  if (!(share > 0 && share <= 1)) throw new Error(`share must be in (0, 1], got ${share}`);
  let best: Calibration | undefined;
  for (const floorPx of FLOORS_PX) {
    for (const relative of RELATIVES) {
      for (const blur of BLURS) {
        const fit = fitK(cases, { floorPx, relative, blur, k: 1 }, share);
        if (!best || fit.meanUncertainPx < best.meanUncertainPx) best = fit;
      }
    }
  }
  return best as Calibration;
}
