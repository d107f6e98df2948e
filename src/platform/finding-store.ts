/**
 * Inspection findings in IndexedDB (database `crackcam-findings`, apart from the captures): each
 * finding's fields, its three images (full-resolution still, 227 crop, heatmap overlay) and the
 * inspection context the next findings copy. Every write is one transaction over the fields and the
 * images, so a failure (storage full, a bad record) aborts as a whole: nothing half-written, nothing
 * stored before lost. Failures surface as {@link FindingStoreError} with a kind the UI can explain.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  patchFinding,
  validateFindingFields,
  validateInspectionContext,
  FindingFieldError,
  type FindingFields,
  type FindingPatch,
  type InspectionContext,
} from '../core/finding';
import { abortTransaction, isQuotaError } from './capture-store';
import { storageWrites, type StorageWrites } from './storage';

/** A finding with its images. */
export interface FindingRecord {
  fields: FindingFields;
  /** The full-resolution still (JPEG), as `fields.still` describes. */
  still: Blob;
  /** The 227 x 227 crop the model saw (PNG). */
  crop: Blob;
  /** The crop with the heatmap as it was painted (PNG). */
  overlay: Blob;
}

/** The findings database. Open with {@link openFindingStore}. */
export interface FindingStore {
  /** Adds a finding, or replaces the one with the same id (an edit). */
  put(record: FindingRecord): Promise<void>;
  /** Changes fields of a stored finding (updatedAt set to now); resolves with the new fields. */
  update(id: string, patch: Partial<Omit<FindingFields, 'id' | 'createdAt'>>): Promise<FindingFields>;
  /** Deletes a finding; resolves with what was deleted (put it back to undo). */
  delete(id: string): Promise<FindingRecord>;
  /** Every finding's fields, newest first. */
  list(): Promise<FindingFields[]>;
  get(id: string): Promise<FindingRecord | undefined>;
  /** The inspection names that have findings, sorted. */
  inspections(): Promise<string[]>;
  /** The inspection context new findings copy, once set. */
  getContext(): Promise<InspectionContext | undefined>;
  setContext(c: InspectionContext): Promise<void>;
}

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

/** Classifies a failed write of `what` into a {@link FindingStoreError}. */
export function findingWriteError(e: unknown, what: string): FindingStoreError {
  if (e instanceof FindingStoreError) return e;
  if (e instanceof FindingFieldError) return new FindingStoreError('invalid', `${what} was not saved: ${e.message}`, e);
  if (isQuotaError(e)) {
    return new FindingStoreError(
      'quota',
      `Storage is full: ${what} was not saved. Export and delete findings, captures or models to free space; nothing already stored was lost.`,
      e,
    );
  }
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new FindingStoreError('write', `${what} could not be saved (${detail}); nothing already stored was lost.`, e);
}

/** The images of a finding as stored (beside its fields, same key). */
interface FindingImages {
  id: string;
  still: Blob;
  crop: Blob;
  overlay: Blob;
}

interface FindingDB extends DBSchema {
  findings: { key: string; value: FindingFields; indexes: { createdAt: number; inspection: string } };
  images: { key: string; value: FindingImages };
  meta: { key: string; value: InspectionContext };
}

/** Default database name. */
export const FINDING_DB = 'crackcam-findings';
const CONTEXT_KEY = 'context';
const IMAGE_NAMES = ['still', 'crop', 'overlay'] as const;

/** Checks a record before it is written: valid fields and three images. */
function validateRecord(record: FindingRecord): void {
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

/** The IndexedDB implementation of {@link FindingStore}. */
export class IdbFindingStore implements FindingStore {
  constructor(
    private readonly db: IDBPDatabase<FindingDB>,
    private readonly writes: StorageWrites = storageWrites,
  ) {}

  async put(record: FindingRecord): Promise<void> {
    const what = 'the finding';
    try {
      validateRecord(record);
    } catch (e) {
      throw findingWriteError(e, what);
    }
    const { still, crop, overlay } = record;
    const tx = this.db.transaction(['findings', 'images'], 'readwrite');
    const requests: Promise<unknown>[] = [];
    try {
      requests.push(tx.objectStore('findings').put(record.fields));
      requests.push(tx.objectStore('images').put({ id: record.fields.id, still, crop, overlay }));
      await Promise.all([...requests, tx.done]);
      this.writes.succeeded();
    } catch (e) {
      void Promise.allSettled(requests); // the aborted requests reject too: handled here
      await abortTransaction(tx);
      const error = findingWriteError(e, what);
      if (error.kind === 'quota') this.writes.refused({ what, bytes: findingBytes(record) });
      throw error;
    }
  }

  async update(id: string, patch: FindingPatch): Promise<FindingFields> {
    const what = 'the change';
    const tx = this.db.transaction('findings', 'readwrite');
    try {
      const fields = await tx.store.get(id);
      if (!fields)
        throw new FindingStoreError('missing', `finding ${id} does not exist (deleted?); nothing was changed`);
      const next = patchFinding(fields, patch, Date.now());
      await Promise.all([tx.store.put(next), tx.done]);
      this.writes.succeeded();
      return next;
    } catch (e) {
      await abortTransaction(tx);
      const error = findingWriteError(e, what);
      if (error.kind === 'quota') this.writes.refused({ what });
      throw error;
    }
  }

  async delete(id: string): Promise<FindingRecord> {
    const tx = this.db.transaction(['findings', 'images'], 'readwrite');
    try {
      const [fields, images] = await Promise.all([
        tx.objectStore('findings').get(id),
        tx.objectStore('images').get(id),
      ]);
      if (!fields || !images)
        throw new FindingStoreError('missing', `finding ${id} does not exist; nothing was deleted`);
      await Promise.all([tx.objectStore('findings').delete(id), tx.objectStore('images').delete(id), tx.done]);
      this.writes.succeeded(); // space was freed: storage is no longer full
      return { fields, still: images.still, crop: images.crop, overlay: images.overlay };
    } catch (e) {
      await abortTransaction(tx);
      throw findingWriteError(e, 'the deletion');
    }
  }

  async list(): Promise<FindingFields[]> {
    const all = await this.db.getAllFromIndex('findings', 'createdAt');
    return all.reverse();
  }

  async get(id: string): Promise<FindingRecord | undefined> {
    const tx = this.db.transaction(['findings', 'images']);
    const [fields, images] = await Promise.all([tx.objectStore('findings').get(id), tx.objectStore('images').get(id)]);
    if (!fields || !images) return undefined;
    return { fields, still: images.still, crop: images.crop, overlay: images.overlay };
  }

  async inspections(): Promise<string[]> {
    const names: string[] = [];
    let cursor = await this.db.transaction('findings').store.index('inspection').openKeyCursor(null, 'nextunique');
    while (cursor) {
      names.push(cursor.key);
      cursor = await cursor.continue();
    }
    return names;
  }

  async getContext(): Promise<InspectionContext | undefined> {
    return this.db.get('meta', CONTEXT_KEY);
  }

  async setContext(context: InspectionContext): Promise<void> {
    const what = 'the inspection details';
    try {
      validateInspectionContext(context);
      const { inspection, structure, element, inspector } = context;
      await this.db.put('meta', { inspection, structure, element, inspector }, CONTEXT_KEY);
    } catch (e) {
      const error = findingWriteError(e, what);
      if (error.kind === 'quota') this.writes.refused({ what });
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}

/** Opens (creating on first use) the findings database; its writes report to `writes` (the storage panel listens there). */
export async function openFindingStore(
  name: string = FINDING_DB,
  writes: StorageWrites = storageWrites,
): Promise<IdbFindingStore> {
  try {
    const db = await openDB<FindingDB>(name, 1, {
      upgrade(db) {
        const findings = db.createObjectStore('findings', { keyPath: 'id' });
        findings.createIndex('createdAt', 'createdAt');
        findings.createIndex('inspection', 'context.inspection');
        db.createObjectStore('images', { keyPath: 'id' });
        db.createObjectStore('meta');
      },
    });
    return new IdbFindingStore(db, writes);
  } catch (e) {
    throw new FindingStoreError('read', `the findings database could not be opened (${(e as Error).message})`, e);
  }
}
