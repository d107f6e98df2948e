/**
 * The legacy IndexedDB databases of releases before the PouchDB store (findings, captures): whether
 * one exists, without creating it, and its deletion once everything in it was moved.
 */
import { deleteDB } from 'idb';

/**
 * True when an IndexedDB database named `name` exists on this device. Uses indexedDB.databases() so
 * that asking never creates one; where the browser lacks it, says true (opening then finds it empty).
 */
export async function legacyDbExists(name: string): Promise<boolean> {
  if (typeof indexedDB.databases !== 'function') return true;
  const dbs = await indexedDB.databases();
  return dbs.some((db) => db.name === name);
}

/** Deletes a legacy database (after what it held was copied and read back). */
export async function deleteLegacyDb(name: string): Promise<void> {
  await deleteDB(name);
}
