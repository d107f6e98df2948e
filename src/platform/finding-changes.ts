/**
 * Watches the PouchDB changes feed for finding documents (written here or brought in by the sync)
 * and tells a listener which findings changed, a burst of changes (a replication batch) at a time.
 * The feed follows the database when a dead instance is replaced (see finding-shared-db.ts).
 */
import { findingIdOf, isFindingDocId } from './finding-doc';
import type { SharedDb } from './finding-shared-db';

/** How long changes are gathered before the listener hears of them, ms. */
export const CHANGE_BATCH_MS = 50;

/** Calls `listener` with the ids of changed findings until the returned function is called. */
export function watchFindingChanges(shared: SharedDb, listener: (ids: string[]) => void): () => void {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const ids = [...pending];
    pending.clear();
    listener(ids);
  };
  const follow = (): PouchDB.Changes => {
    const feed = shared.db.changes({ since: 'now', live: true });
    feed.on('change', (change: PouchDB.ChangesResponseChange) => {
      if (!isFindingDocId(change.id)) return;
      pending.add(findingIdOf(change.id));
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
