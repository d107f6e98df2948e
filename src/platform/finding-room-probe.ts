/**
 * Checks there is room for a write before PouchDB makes it. PouchDB's IndexedDB adapter closes its
 * connection for good when any of its transactions aborts, and opening a new one writes too, so a
 * finding refused for lack of space would leave the store unreadable until space is freed. The probe
 * writes the same bytes into a database of its own (where an abort harms nothing), then deletes them:
 * a QuotaExceededError there refuses the finding before PouchDB is touched. (navigator.storage.estimate()
 * cannot tell instead: it lags behind writes and ignores emulated quotas.)
 */
import { openDB, type IDBPDatabase } from 'idb';

/** The probe's own database. */
export const ROOM_PROBE_DB = 'crackcam-room-probe';
const STORE = 'probe';

/** Resolves when `bytes` fit in storage; rejects with the browser's QuotaExceededError when they do not. */
export type RoomProbe = (bytes: Blob) => Promise<void>;

let probeDb: Promise<IDBPDatabase> | undefined;

function openProbeDb(): Promise<IDBPDatabase> {
  probeDb ??= openDB(ROOM_PROBE_DB, 1, {
    upgrade(db) {
      db.createObjectStore(STORE);
    },
  }).catch((e: unknown) => {
    probeDb = undefined;
    throw e;
  });
  return probeDb;
}

/** The browser's probe: writes `bytes` to the probe database and deletes them again. */
export async function browserRoomProbe(bytes: Blob): Promise<void> {
  const db = await openProbeDb();
  const key = `${Date.now()}-${Math.random()}`;
  try {
    const tx = db.transaction(STORE, 'readwrite');
    await Promise.all([tx.store.put(bytes, key), tx.done]);
  } finally {
    await db.delete(STORE, key).catch(() => undefined);
  }
}
