/** Options of measureCrack: defaults, merged with the caller's and checked. */
import { DEFAULT_MARKER, type MarkerSpec } from './marker-spec';
import type { Region } from './segment';
import { widthStandard } from './standards';
import { DEFAULT_UNCERTAINTY, type UncertaintyModels } from './width-uncertainty';

/** What measureCrack takes besides the pixels; every field has a default. */
export interface MeasureOptions {
  /** Scale to use when neither the marker nor a card is in view, mm per pixel. */
  mmPerPx?: number;
  /** The reference marker to look for; null: do not look. */
  marker: MarkerSpec | null;
  /** Look for a bank card (ID-1, 85.60 x 53.98 mm) as the scale when the marker is not in view. */
  card: boolean;
  /** Standard id (see STANDARD_IDS) and, for aci224 and ec2, the exposure. */
  standard: string;
  exposure?: string;
  /** Where the crack is (e.g. from the fine map); the whole image by default. */
  region?: Region;
  /** The square the classifier judged (the app's crop box), when it is in the image: a reference covering more than `maxReferenceInBox` of it gets guidance. */
  classifiedBox?: Region;
  /** Widest crack to find, px. */
  maxWidthPx: number;
  /** Shortest crack to keep, px. */
  minLengthPx: number;
  /** Darkness below the surface (grey levels) that seeds a crack. */
  seedDarkness: number;
  /** A fixed +- width uncertainty, px, carried into mm; unset: from the measurement (`uncertainty`). */
  uncertainPx?: number;
  /** Correct each width reading for the camera's blur, measured on the marker's sides (marker in view only). */
  blurCorrection: boolean;
  /** The models of the width uncertainty, for corrected readings and as read (width-uncertainty.ts). */
  uncertainty: UncertaintyModels;
  /**
   * Guidance thresholds: narrowest readable crack (px), least sharpness (Laplacian variance), steepest
   * view (deg), largest share of the classified box the reference may cover.
   */
  minWidthPx: number;
  minSharpness: number;
  maxTiltDeg: number;
  maxReferenceInBox: number;
  signal?: AbortSignal;
}

/**
 * Defaults. minWidthPx: camera blur widens a crack under 2 px to about 2.5 px as read, so a reading
 * under 3 px means the crack is under about 2 px and its width is not known. minSharpness is calibrated on the validation set (npm run measure:validate): camera blur
 * of sigma <= 1.3 px stays above it (least 41 on seeds 1-3), sigma 3 px falls below it (most 0.7).
 * maxReferenceInBox: the default model calls 12 % of concrete crack photos unfamiliar with the marker
 * over 1 % of the crop, 48 % at 2 %, 94 % at 4 % (docs/measure.md, "The marker and the classifier").
 */
export const MEASURE_DEFAULTS: MeasureOptions = {
  marker: DEFAULT_MARKER,
  card: true,
  standard: 'aashto-rc',
  maxWidthPx: 80,
  minLengthPx: 40,
  seedDarkness: 40,
  blurCorrection: true,
  uncertainty: DEFAULT_UNCERTAINTY,
  minWidthPx: 3,
  minSharpness: 5,
  maxTiltDeg: 25,
  maxReferenceInBox: 0.005,
};

/** Positive-number options and what they must be. */
const POSITIVE: (keyof MeasureOptions)[] = ['maxWidthPx', 'minLengthPx', 'seedDarkness', 'minWidthPx', 'maxTiltDeg'];

/** The options with defaults filled in; throws naming the bad option and its valid values. */
export function resolveMeasureOptions(options: Partial<MeasureOptions>, width: number, height: number): MeasureOptions {
  const o: MeasureOptions = { ...MEASURE_DEFAULTS, ...options };
  if (o.mmPerPx !== undefined && !(Number.isFinite(o.mmPerPx) && o.mmPerPx > 0)) {
    throw new Error(`mmPerPx must be a number > 0, got ${o.mmPerPx}`);
  }
  for (const key of POSITIVE) {
    const v = o[key] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${key} must be a number > 0, got ${v}`);
  }
  for (const key of ['uncertainPx', 'minSharpness', 'maxReferenceInBox'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`${key} must be a number >= 0, got ${v}`);
  }
  for (const which of ['deblurred', 'asRead'] as const) {
    for (const key of ['floorPx', 'relative', 'blur', 'k'] as const) {
      const v = o.uncertainty[which][key];
      if (!(Number.isFinite(v) && v >= 0))
        throw new Error(`uncertainty.${which}.${key} must be a number >= 0, got ${v}`);
    }
  }
  if (o.marker && !(Number.isFinite(o.marker.sizeMm) && o.marker.sizeMm > 0)) {
    throw new Error(`marker.sizeMm must be a number > 0, got ${o.marker.sizeMm}`);
  }
  widthStandard(o.standard, o.exposure);
  if (o.region) checkRegion(o.region, width, height);
  if (o.classifiedBox) checkRegion(o.classifiedBox, width, height);
  return o;
}

function checkRegion(r: Region, width: number, height: number): void {
  const ok =
    [r.x, r.y, r.width, r.height].every(Number.isInteger) &&
    r.x >= 0 &&
    r.y >= 0 &&
    r.width >= 8 &&
    r.height >= 8 &&
    r.x + r.width <= width &&
    r.y + r.height <= height;
  if (!ok) {
    throw new Error(
      `region ${JSON.stringify(r)} must be whole pixels, at least 8x8, inside the ${width}x${height} image`,
    );
  }
}
