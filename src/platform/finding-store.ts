/**
 * Inspection findings: each finding's fields, its three images (full-resolution still, 227 crop,
 * heatmap overlay) and the inspection context the next findings copy. Stored in the device's PouchDB
 * database (pouch-finding-store.ts), which replicates with the team's CouchDB database; findings of
 * earlier releases (IndexedDB `crackcam-findings`) move there on first open (finding-migration.ts).
 * Every write is all or nothing: a failure (storage full, a bad record) stores nothing of it and loses
 * nothing stored before. Failures surface as {@link FindingStoreError} with a kind the UI can explain.
 */
import type { FindingFields, InspectionContext } from '../core/finding';
import type { FindingRecord } from './finding-record';
import { migrateLegacyFindings } from './finding-migration';
import { browserStillDownscaler, type StillDownscaler } from './finding-still-downscale';
import { browserRoomProbe, type RoomProbe } from './finding-room-probe';
import { borrowSharedDb, releaseSharedDb } from './finding-shared-db';
import type { FindingVersion } from './finding-versions';
import { LEGACY_FINDING_DB } from './legacy-finding-db';
import { LOCAL_DB } from './local-db';
import { oncePerKey } from './migrate-once';
import { PouchFindingStore } from './pouch-finding-store';
import { storageWrites, type StorageWrites } from './storage';

export { FindingStoreError, findingWriteError, type FindingStoreErrorKind } from './finding-store-error';
export { findingBytes, type FindingRecord } from './finding-record';
export type { FindingVersion } from './finding-versions';
export type { PouchFindingStore } from './pouch-finding-store';

/** The findings database. Open with {@link openFindingStore}. */
export interface FindingStore {
  /** Adds a finding, or replaces the one with the same id (an edit: a new revision). */
  put(record: FindingRecord): Promise<void>;
  /** Changes fields of a stored finding (updatedAt set to now); resolves with the new fields. */
  update(id: string, patch: Partial<Omit<FindingFields, 'id' | 'createdAt'>>): Promise<FindingFields>;
  /** Deletes a finding (every version of it); resolves with what was deleted (put it back to undo). */
  delete(id: string): Promise<FindingRecord>;
  /** Every finding's fields, newest first (a finding with several versions: the one edited last). */
  list(): Promise<FindingFields[]>;
  /** A finding with its images (the version edited last); `stillIsFull` says which still it has. */
  get(id: string): Promise<FindingRecord | undefined>;
  /** The inspection names that have findings, sorted. */
  inspections(): Promise<string[]>;
  /** The inspection context new findings copy, once set. */
  getContext(): Promise<InspectionContext | undefined>;
  setContext(c: InspectionContext): Promise<void>;
  /** The versions of a finding (two devices edited it offline), newest first; the first is the one shown. */
  versions(id: string): Promise<FindingVersion[]>;
  /** Makes version `rev` of finding `id` the only one (the others are removed, on every device that syncs). */
  restoreVersion(id: string, rev: string): Promise<FindingFields>;
  /** The findings whose full-resolution still is not on this device (they came by sync without it). */
  withoutFullStill(): Promise<Set<string>>;
  /** The findings with more than one version, and how many each has. */
  versionCounts(): Promise<Map<string, number>>;
  /** Calls `listener` with the ids of findings changed here or by the sync; returns the function that stops it. */
  onChange(listener: (ids: string[]) => void): () => void;
}

/** Where {@link openFindingStore} keeps findings, and what it reports to. */
export interface FindingStoreOptions {
  /** The PouchDB database (default: the device's database `crackcam`). */
  name?: string;
  /** The legacy IndexedDB database whose findings move in on first open (default `crackcam-findings`). */
  legacyName?: string;
  /** Where writes report (the storage panel listens there). */
  writes?: StorageWrites;
  /** Makes the downscaled still that travels with a finding (default: the browser's canvas). */
  downscale?: StillDownscaler;
  /** Checks a write fits before PouchDB makes it (default: a trial write in a database of its own). */
  probeRoom?: RoomProbe;
  /** Stops the move of legacy findings (it resumes on the next open); the open then rejects. */
  signal?: AbortSignal;
}

/** Runs the move of the legacy findings into a database once per page (again after a failed one). */
const migrateOnce = oncePerKey<void>();

/**
 * Opens the findings store (creating the database on first use). On first open the findings of the
 * legacy IndexedDB database are moved in; if that cannot finish (storage full), it rejects with a
 * {@link FindingStoreError} saying so, the old findings are kept and the move resumes on the next open.
 */
export async function openFindingStore(options: FindingStoreOptions = {}): Promise<PouchFindingStore> {
  const name = options.name ?? LOCAL_DB;
  const writes = options.writes ?? storageWrites;
  const shared = borrowSharedDb(name);
  const store = new PouchFindingStore(shared, {
    writes,
    downscale: options.downscale ?? browserStillDownscaler,
    probeRoom: options.probeRoom ?? browserRoomProbe,
    release: () => releaseSharedDb(shared),
  });
  try {
    await migrateOnce(name, () =>
      migrateLegacyFindings(shared, store, options.legacyName ?? LEGACY_FINDING_DB, writes, options.signal),
    );
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}
