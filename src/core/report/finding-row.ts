/**
 * One finding as a flat row of named values: the columns of findings.csv and the properties of each
 * feature in findings.geojson (one list, so both files always carry the same fields). Times are ISO
 * 8601 in UTC; absent optional fields are null.
 */
import type { FindingFields } from '../finding';
import type { FindingPhotoPaths } from './report-finding';
import type { EarlierFindingLink } from '../width-change';

/** A cell: text, a number, a yes/no or nothing. */
export type RowValue = string | number | boolean | null;

/** Column names, in file order. */
export const FINDING_COLUMNS = [
  'id',
  'inspection',
  'structure',
  'element',
  'inspector',
  'created_at',
  'updated_at',
  'defect_type',
  'orientation',
  'condition_state',
  'notes',
  'latitude',
  'longitude',
  'position_accuracy_m',
  'position_missing',
  'verdict_label',
  'verdict_probability',
  'verdict_unfamiliar',
  'model_name',
  'model_version',
  'still_source',
  'still_width',
  'still_height',
  'still_downscaled',
  'width_mm',
  'mean_width_mm',
  'length_mm',
  'width_uncertainty_mm',
  'mm_per_px',
  'scale',
  'width_standard',
  'width_class',
  'width_caveats',
  'earlier_finding_id',
  'earlier_width_mm',
  'width_change_mm',
  'width_change_uncertainty_mm',
  'width_trend',
  'still_file',
  'overlay_file',
  'crop_file',
] as const;
export type FindingColumn = (typeof FINDING_COLUMNS)[number];

/** A finding's row. */
export type FindingRow = Record<FindingColumn, RowValue>;

/** Milliseconds since the epoch as ISO 8601 UTC (e.g. 2026-05-01T09:30:00.000Z); the error names a bad time. */
export function isoTime(ms: number, field: string): string {
  const date = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime()))
    throw new Error(`${field} must be milliseconds since 1970 (a finite number); got ${String(ms)}`);
  return date.toISOString();
}

/**
 * The row of one finding; `photos` are its image paths in the zip. `downscaled`: the size of the still
 * in photos/ when it is a downscaled copy; still_width and still_height describe that file. `earlier`:
 * what its link to an earlier finding of the same defect gives (the change columns stay empty
 * without both widths).
 */
export function findingRow(
  f: FindingFields,
  photos: FindingPhotoPaths,
  downscaled?: { width: number; height: number },
  earlier?: EarlierFindingLink,
): FindingRow {
  const m = f.measurement;
  const change = earlier?.kind === 'change' ? earlier.change : undefined;
  const still = downscaled ?? f.still;
  return {
    id: f.id,
    inspection: f.context.inspection,
    structure: f.context.structure,
    element: f.context.element,
    inspector: f.context.inspector,
    created_at: isoTime(f.createdAt, `finding ${f.id}: createdAt`),
    updated_at: isoTime(f.updatedAt, `finding ${f.id}: updatedAt`),
    defect_type: f.defectType,
    orientation: f.orientation ?? null,
    condition_state: f.conditionState ?? null,
    notes: f.notes,
    latitude: f.position?.latitude ?? null,
    longitude: f.position?.longitude ?? null,
    position_accuracy_m: f.position?.accuracy ?? null,
    position_missing: f.positionMissing ?? null,
    verdict_label: f.verdict.label,
    verdict_probability: f.verdict.probability,
    verdict_unfamiliar: f.verdict.unfamiliar,
    model_name: f.model.name,
    model_version: f.model.version,
    still_source: f.still.source,
    still_width: still.width,
    still_height: still.height,
    still_downscaled: downscaled !== undefined,
    width_mm: m?.widthMm ?? null,
    mean_width_mm: m?.meanWidthMm ?? null,
    length_mm: m?.lengthMm ?? null,
    width_uncertainty_mm: m?.uncertainMm ?? null,
    mm_per_px: m?.mmPerPx ?? null,
    scale: m?.scale ?? null,
    width_standard: m?.standard ?? null,
    width_class: m?.widthClass ?? null,
    width_caveats: m?.caveats?.length ? m.caveats.join(';') : null,
    earlier_finding_id: f.earlierFindingId ?? null,
    earlier_width_mm: change?.earlierWidthMm ?? null,
    width_change_mm: change?.changeMm ?? null,
    width_change_uncertainty_mm: change?.uncertainMm ?? null,
    width_trend: change?.trend ?? null,
    still_file: photos.still,
    overlay_file: photos.overlay,
    crop_file: photos.crop,
  };
}
