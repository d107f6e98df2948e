/**
 * One PouchDB instance per database name for every findings store open in the page, and its
 * replacement when it dies. PouchDB's IndexedDB adapter shares one connection between instances of
 * the same name, and closes it for good when any transaction aborts (a write refused because storage
 * is full does that) or when close() is called on any of them. So stores borrow a {@link SharedDb}
 * here: it is closed when the last borrower gives it back, and {@link SharedDb.heal} replaces a dead
 * instance with a fresh one (listeners of `renewed` restart what ran on the old one).
 */
import { openLocalDb, type LocalDb } from './local-db';

/** The page's instance of one database; fires `renewed` when a dead instance was replaced. */
export class SharedDb extends EventTarget {
  private instance: LocalDb;
  /** How many stores hold it. */
  users = 0;

  constructor(readonly name: string) {
    super();
    this.instance = openLocalDb(name);
  }

  /** The live instance (read it for each operation: it changes when a dead one is replaced). */
  get db(): LocalDb {
    return this.instance;
  }

  /** Replaces the instance when its connection is dead; resolves true when it did. */
  async heal(): Promise<boolean> {
    const db = this.instance;
    try {
      await db.info();
      return false;
    } catch {
      if (this.instance === db) {
        this.instance = openLocalDb(this.name);
        this.dispatchEvent(new Event('renewed'));
      }
      return true;
    }
  }
}

const shared = new Map<string, SharedDb>();

/** Borrows the page's instance of database `name` (opening it on first use); give it back with {@link releaseSharedDb}. */
export function borrowSharedDb(name: string): SharedDb {
  let entry = shared.get(name);
  if (!entry) {
    entry = new SharedDb(name);
    shared.set(name, entry);
  }
  entry.users++;
  return entry;
}

/** Gives back a borrowed instance; the last one given back closes it. */
export async function releaseSharedDb(entry: SharedDb): Promise<void> {
  if (shared.get(entry.name) !== entry) return;
  entry.users--;
  if (entry.users > 0) return;
  shared.delete(entry.name);
  await entry.db.close();
}
