/**
 * The errors of the findings store: every failed operation surfaces as a {@link FindingStoreError}
 * whose kind the UI can explain. Storage full is recognised both as the browser's own
 * QuotaExceededError and as PouchDB's wrapping of it (an `indexed_db_went_bad` error whose reason
 * names the IndexedDB error).
 */
import { FindingFieldError } from '../core/finding';
import { errorDetail, isQuotaError } from './capture-record';

export { errorDetail };

/** Why a finding store operation failed: `quota` = storage full, `invalid` = a bad field, `missing` = no such finding. */
export type FindingStoreErrorKind = 'quota' | 'write' | 'read' | 'invalid' | 'missing';

/** A failed operation. Nothing of a failed write was stored, and nothing stored before was lost. */
export class FindingStoreError extends Error {
  constructor(
    readonly kind: FindingStoreErrorKind,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'FindingStoreError';
  }
}

/** True for a write refused for lack of space, whether from IndexedDB directly or through PouchDB. */
export function isStorageFullError(e: unknown): boolean {
  return isQuotaError(e);
}

/** Classifies a failed write of `what` into a {@link FindingStoreError}. */
export function findingWriteError(e: unknown, what: string): FindingStoreError {
  if (e instanceof FindingStoreError) return e;
  if (e instanceof FindingFieldError) return new FindingStoreError('invalid', `${what} was not saved: ${e.message}`, e);
  if (isStorageFullError(e)) {
    return new FindingStoreError(
      'quota',
      `Storage is full: ${what} was not saved. Export and delete findings, captures or models to free space; nothing already stored was lost.`,
      e,
    );
  }
  return new FindingStoreError(
    'write',
    `${what} could not be saved (${errorDetail(e)}); nothing already stored was lost.`,
    e,
  );
}
