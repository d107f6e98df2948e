/**
 * Watches the PouchDB changes feed for documents of one kind (written here or brought in by the sync)
 * and tells a listener which changed, a burst of changes (a replication batch) at a time. The feed
 * follows the database when a dead instance is replaced (see finding-shared-db.ts).
 */
import { findingIdOf, isFindingDocId } from './finding-doc';
import type { SharedDb } from './finding-shared-db';

/** How long changes are gathered before the listener hears of them, ms. */
export const CHANGE_BATCH_MS = 50;

/** The key a changed document is reported as, or undefined for documents the listener does not follow. */
export type ChangeKey = (docId: string) => string | undefined;

/** Calls `listener` with the keys of changed documents (see `keyOf`) until the returned function is called. */
export function watchDocChanges(shared: SharedDb, keyOf: ChangeKey, listener: (keys: string[]) => void): () => void {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const keys = [...pending];
    pending.clear();
    listener(keys);
  };
  const follow = (): PouchDB.Changes => {
    const feed = shared.db.changes({ since: 'now', live: true });
    feed.on('change', (change: PouchDB.ChangesResponseChange) => {
      const key = keyOf(change.id);
      if (key === undefined) return;
      pending.add(key);
      timer ??= setTimeout(flush, CHANGE_BATCH_MS);
    });
    feed.on('error', () => undefined); // a dead connection ends the feed: `renewed` starts the next one
    return feed;
  };
  let feed = follow();
  const restart = () => {
    feed.cancel();
    feed = follow();
  };
  shared.addEventListener('renewed', restart);
  return () => {
    shared.removeEventListener('renewed', restart);
    feed.cancel();
    if (timer !== undefined) clearTimeout(timer);
    pending.clear();
  };
}

/** Calls `listener` with the ids of changed findings until the returned function is called. */
export function watchFindingChanges(shared: SharedDb, listener: (ids: string[]) => void): () => void {
  return watchDocChanges(shared, (docId) => (isFindingDocId(docId) ? findingIdOf(docId) : undefined), listener);
}

/** A store's change listeners and its one release of the database: close() stops them all, then releases. */
export class StoreListeners {
  private readonly stops = new Set<() => void>();
  closed = false;

  constructor(private readonly release: () => Promise<void>) {}

  /** Keeps `stop` (of a listener just started) until it is called or the store closes; returns it. */
  add(stop: () => void): () => void {
    const unsubscribe = () => {
      stop();
      this.stops.delete(unsubscribe);
    };
    this.stops.add(unsubscribe);
    return unsubscribe;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    [...this.stops].forEach((stop) => stop());
    void this.release();
  }
}
