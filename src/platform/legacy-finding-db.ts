/**
 * The findings database of releases before the PouchDB store (IndexedDB `crackcam-findings`): each
 * finding's fields, its three images (full-resolution still, 227 crop, heatmap overlay) and the
 * inspection context. Kept to read an existing database once, when its findings move into the
 * PouchDB store (see finding-migration.ts), and as the writer tests use to make such a database.
 * Every write is one transaction over the fields and the images, so a failure aborts as a whole.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  patchFinding,
  validateInspectionContext,
  type FindingFields,
  type FindingPatch,
  type InspectionContext,
} from '../core/finding';
import { abortTransaction } from './capture-record';
import { findingBytes, validateRecord, type FindingRecord } from './finding-record';
import { FindingStoreError, findingWriteError } from './finding-store-error';
import { storageWrites, type StorageWrites } from './storage';

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

/** The legacy database's name. */
export const LEGACY_FINDING_DB = 'crackcam-findings';
const CONTEXT_KEY = 'context';

/** The legacy IndexedDB findings store (the findings store of earlier releases). */
export class IdbFindingStore {
  constructor(
    private readonly db: IDBPDatabase<FindingDB>,
    private readonly writes: StorageWrites = storageWrites,
  ) {}

  /** Adds a finding, or replaces the one with the same id (an edit). */
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

  /** Changes fields of a stored finding (updatedAt set to now); resolves with the new fields. */
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

  /** Deletes a finding; resolves with what was deleted (put it back to undo). */
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

  /** Every finding's fields, newest first. */
  async list(): Promise<FindingFields[]> {
    const all = await this.db.getAllFromIndex('findings', 'createdAt');
    return all.reverse();
  }

  /** Every finding's id, in key order (cheap: no fields or images are read). */
  async ids(): Promise<string[]> {
    return this.db.getAllKeys('findings');
  }

  async get(id: string): Promise<FindingRecord | undefined> {
    const tx = this.db.transaction(['findings', 'images']);
    const [fields, images] = await Promise.all([tx.objectStore('findings').get(id), tx.objectStore('images').get(id)]);
    if (!fields || !images) return undefined;
    return { fields, still: images.still, crop: images.crop, overlay: images.overlay };
  }

  /** The inspection names that have findings, sorted. */
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

/** Opens (creating on first use) a legacy findings database; its writes report to `writes`. */
export async function openLegacyFindingStore(
  name: string = LEGACY_FINDING_DB,
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
