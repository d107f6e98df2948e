/**
 * Checks on a finding with its images before it is written, and the bytes it takes. Shared by the
 * PouchDB store and the legacy IndexedDB store.
 */
import { FindingFieldError, validateFindingFields, type FindingFields } from '../core/finding';

/** A finding with its images. */
export interface FindingRecord {
  fields: FindingFields;
  /**
   * The still (JPEG), as `fields.still` describes: the full-resolution one when this device has it,
   * else the downscaled copy that travels with the finding (see `stillIsFull`).
   */
  still: Blob;
  /** The 227 x 227 crop the model saw (PNG). */
  crop: Blob;
  /** The crop with the heatmap as it was painted (PNG). */
  overlay: Blob;
  /**
   * False when `still` is the downscaled copy (long side at most 1600 px) because the
   * full-resolution still is not on this device (a finding synced from another device). Absent or
   * true: `still` is the full-resolution still.
   */
  stillIsFull?: boolean;
  /**
   * The downscaled copy of the still (long side at most 1600 px, JPEG) when the store keeps one beside
   * a larger still: cheaper to decode than a 12-megapixel still where a smaller picture will do (the
   * report's PDF). Absent when the still itself is small.
   */
  stillCopy?: Blob;
}

/** The image parts of a record. */
export const IMAGE_NAMES = ['still', 'crop', 'overlay'] as const;

/** Checks a record before it is written: valid fields and three non-empty images. */
export function validateRecord(record: FindingRecord): void {
  validateFindingFields(record.fields);
  for (const name of IMAGE_NAMES) {
    if (!(record[name] instanceof Blob) || record[name].size === 0)
      throw new FindingFieldError(
        name,
        `${name} must be a non-empty image Blob (still, crop and overlay are required)`,
      );
  }
}

/** Bytes of a record's images. */
export function findingBytes(record: Pick<FindingRecord, 'still' | 'crop' | 'overlay'>): number {
  return record.still.size + record.crop.size + record.overlay.size;
}
