/**
 * The capture database of releases before the PouchDB store (IndexedDB `crackcam-captures`): each
 * capture with its crop and frame, and the classes. Kept to read an existing database once, when its
 * captures move into the PouchDB store (see capture-migration.ts), and as the writer tests use to make
 * such a database (this is the earlier release's writer: every write one transaction, all or none).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  abortTransaction,
  capturesWhat,
  CaptureStoreError,
  DEFAULT_CLASSES,
  newCaptureRecords,
  validateClassName,
  wrapWrite,
  type CaptureClass,
  type CaptureRecord,
  type NewCapture,
} from './capture-record';

interface CaptureDB extends DBSchema {
  captures: { key: string; value: CaptureRecord; indexes: { label: string; takenAt: number } };
  classes: { key: string; value: CaptureClass };
}

/** The legacy database's name. */
export const LEGACY_CAPTURE_DB = 'crackcam-captures';

/** The legacy IndexedDB capture store (the capture store of earlier releases). */
export class IdbCaptureStore {
  constructor(private readonly db: IDBPDatabase<CaptureDB>) {}

  /** Stores captures in one transaction, creating their new classes: all or none. */
  async addMany(captures: readonly NewCapture[]): Promise<CaptureRecord[]> {
    const records = newCaptureRecords(captures);
    const tx = this.db.transaction(['captures', 'classes'], 'readwrite');
    try {
      const classStore = tx.objectStore('classes');
      const known = new Set(await classStore.getAllKeys());
      let order = known.size;
      const ops: Promise<unknown>[] = [];
      for (const r of records) {
        if (!known.has(r.label)) {
          known.add(r.label);
          ops.push(classStore.put({ name: r.label, order: order++ }));
        }
        ops.push(tx.objectStore('captures').add(r)); // add: a duplicate id is an error
      }
      await Promise.all([...ops, tx.done]);
      return records;
    } catch (e) {
      await abortTransaction(tx);
      throw wrapWrite(e, capturesWhat(records.length));
    }
  }

  /** The stored value of capture `id` as it is (a damaged record included), or undefined. */
  async get(id: string): Promise<unknown> {
    return this.db.get('captures', id);
  }

  /** Every capture's id, in key order (cheap: no images are read). */
  async ids(): Promise<string[]> {
    return this.db.getAllKeys('captures');
  }

  /** The classes with their display order. */
  async classes(): Promise<CaptureClass[]> {
    const all = await this.db.getAll('classes');
    return all.sort((a, b) => a.order - b.order);
  }

  /** Adds a class (no-op if it exists). */
  async addClass(name: string): Promise<void> {
    const n = validateClassName(name);
    const tx = this.db.transaction('classes', 'readwrite');
    if (!(await tx.store.get(n))) await tx.store.put({ name: n, order: await tx.store.count() });
    await tx.done;
  }

  /** Deletes capture `id` (after its copy was read back from the new store). */
  async delete(id: string): Promise<void> {
    await this.db.delete('captures', id);
  }

  close(): void {
    this.db.close();
  }
}

/** Opens (creating on first use, with the default classes) a legacy capture database. */
export async function openLegacyCaptureStore(name: string = LEGACY_CAPTURE_DB): Promise<IdbCaptureStore> {
  try {
    const db = await openDB<CaptureDB>(name, 1, {
      upgrade(db) {
        const captures = db.createObjectStore('captures', { keyPath: 'id' });
        captures.createIndex('label', 'label');
        captures.createIndex('takenAt', 'takenAt');
        const classes = db.createObjectStore('classes', { keyPath: 'name' });
        DEFAULT_CLASSES.forEach((c, order) => void classes.put({ name: c, order }));
      },
    });
    return new IdbCaptureStore(db);
  } catch (e) {
    throw new CaptureStoreError('read', `the capture database could not be opened (${(e as Error).message})`, e);
  }
}
