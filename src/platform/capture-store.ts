/**
 * Captures for on-device training: the 227x227 crop the model sees (PNG) plus the full frame (JPEG),
 * with label, time, source and optional geolocation, and the classes. Stored in the device's PouchDB
 * database (pouch-capture-store.ts, layout in capture-doc.ts), which replicates with the team's CouchDB
 * database: crops always, full frames only under the full-photo policy. Captures of earlier releases
 * (IndexedDB `crackcam-captures`) move there on first open (capture-migration.ts). Every write is all or
 * nothing: a failure (storage full, a bad record) stores nothing of it and loses nothing stored before;
 * failures surface as {@link CaptureStoreError} with a kind the UI can explain.
 */
import { migrateLegacyCaptures } from './capture-migration';
export { cropBlob, imageDataToBlob } from './image-blob';
import { browserRoomProbe, type RoomProbe } from './finding-room-probe';
import { borrowSharedDb, releaseSharedDb } from './finding-shared-db';
import { LEGACY_CAPTURE_DB } from './legacy-capture-db';
import { LOCAL_DB } from './local-db';
import { oncePerKey } from './migrate-once';
import { PouchCaptureStore } from './pouch-capture-store';
import { storageWrites, type StorageWrites } from './storage';

export {
  abortTransaction,
  captureBytes,
  CaptureStoreError,
  DEFAULT_CLASSES,
  isQuotaError,
  validateClassName,
  wrapWrite,
  type CaptureClass,
  type CaptureLocation,
  type CaptureRecord,
  type CaptureSource,
  type CaptureStoreErrorKind,
  type NewCapture,
} from './capture-record';

/** The capture store the app uses (the PouchDB one). Open with {@link openCaptureStore}. */
export type CaptureStore = PouchCaptureStore;

/** Where {@link openCaptureStore} keeps captures, and what it reports to. */
export interface CaptureStoreOptions {
  /** The PouchDB database (default: the device's database `crackcam`). */
  name?: string;
  /** The legacy IndexedDB database whose captures move in on first open (default `crackcam-captures`). */
  legacyName?: string;
  /** Where writes report (the storage panel listens there). */
  writes?: StorageWrites;
  /** Checks a write fits before PouchDB makes it (default: a trial write in a database of its own). */
  probeRoom?: RoomProbe;
  /** Stops the move of legacy captures (it resumes on the next open); the open then rejects. */
  signal?: AbortSignal;
}

/** Runs the move of the legacy captures into a database once per page (again after a failed one). */
const migrateOnce = oncePerKey<string[]>();

/**
 * Opens the capture store (creating the database on first use, with the default classes). On first open
 * the captures of the legacy IndexedDB database are moved in; if that cannot finish (storage full), it
 * rejects with a {@link CaptureStoreError} saying so, the old captures are kept and the move resumes on
 * the next open. Damaged legacy captures are left there and listed in `legacyProblems`.
 */
export async function openCaptureStore(options: CaptureStoreOptions = {}): Promise<CaptureStore> {
  const name = options.name ?? LOCAL_DB;
  const shared = borrowSharedDb(name);
  const store = new PouchCaptureStore(shared, {
    writes: options.writes ?? storageWrites,
    probeRoom: options.probeRoom ?? browserRoomProbe,
    release: () => releaseSharedDb(shared),
  });
  try {
    const legacyName = options.legacyName ?? LEGACY_CAPTURE_DB;
    store.legacyProblems = await migrateOnce(name, () =>
      migrateLegacyCaptures(shared, store, legacyName, options.signal),
    );
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}
