/**
 * One PouchDB instance per database name for every findings store open in the page. PouchDB's
 * IndexedDB adapter shares one connection between instances of the same name and `close()` on any of
 * them closes it for all, so stores borrow the instance here and it is closed when the last one is
 * given back.
 */
import { openLocalDb, type LocalDb } from './local-db';

interface Shared {
  db: LocalDb;
  users: number;
}

const shared = new Map<string, Shared>();

/** Borrows the page's instance of database `name` (opening it on first use); give it back with {@link releaseSharedDb}. */
export function borrowSharedDb(name: string): LocalDb {
  let entry = shared.get(name);
  if (!entry) {
    entry = { db: openLocalDb(name), users: 0 };
    shared.set(name, entry);
  }
  entry.users++;
  return entry.db;
}

/** Gives back a borrowed instance; the last one given back closes it. */
export async function releaseSharedDb(db: LocalDb): Promise<void> {
  const entry = shared.get(db.name);
  if (!entry || entry.db !== db) return;
  entry.users--;
  if (entry.users > 0) return;
  shared.delete(db.name);
  await db.close();
}
