/**
 * The checks of the move from the legacy capture database (pure): whether a legacy record is a capture
 * the new store can hold (a damaged one is skipped, reported and left in the legacy database), and
 * whether a copy read back from the new store is complete.
 */
import { validateClassName, type CaptureFields, type CaptureRecord } from './capture-record';
import { sameJson } from './finding-migration-plan';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why a legacy record cannot be moved as it is, or undefined when it is a complete capture. */
export function legacyCaptureProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the record is not an object';
  const r = value as Partial<Record<keyof CaptureRecord, unknown>>;
  if (typeof r.id !== 'string' || r.id === '') return 'it has no id';
  if (typeof r.label !== 'string') return 'it has no label';
  try {
    if (validateClassName(r.label) !== r.label) return `its label '${r.label}' has spaces around it`;
  } catch (e) {
    return (e as Error).message;
  }
  if (!isNumber(r.takenAt)) return 'its time is not a number';
  if (r.source !== 'camera' && r.source !== 'import') return `its source '${String(r.source)}' is unknown`;
  if (!(r.crop instanceof Blob) || r.crop.size === 0) return 'its crop image is missing or empty';
  if (r.frame !== undefined && !(r.frame instanceof Blob)) return 'its frame is not an image';
  return undefined;
}

/** What a capture looks like for the read-back check: its fields and the byte length of each image. */
export interface CaptureShape {
  fields: CaptureFields;
  crop: number;
  /** Bytes of the frame; undefined when there is none. */
  frame?: number;
}

/** The shape of a capture record. */
export function captureShape(record: CaptureRecord): CaptureShape {
  const { crop, frame, ...fields } = record;
  return { fields, crop: crop.size, frame: frame?.size };
}

/**
 * The differences between a legacy capture and its copy read back from the new store (empty when the
 * copy is complete). A capture already in the new store before this run may have been relabelled
 * since: only its presence is checked then (pass `edited: true`).
 */
export function captureReadBackProblems(
  source: CaptureShape,
  copy: CaptureShape | undefined,
  edited = false,
): string[] {
  const id = source.fields.id;
  if (!copy) return [`capture ${id} is missing from the new store`];
  if (edited) return [];
  const problems = sameJson(source.fields, copy.fields) ? [] : [`capture ${id}: the fields differ`];
  if (source.crop !== copy.crop)
    problems.push(`capture ${id}: the crop has ${copy.crop} bytes, the original ${source.crop}`);
  if (source.frame !== copy.frame)
    problems.push(`capture ${id}: the frame has ${copy.frame ?? 'no'} bytes, the original ${source.frame ?? 'none'}`);
  return problems;
}
