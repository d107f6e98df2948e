/**
 * Whether team sync was ever set up on this device, read without team sync's own module: the app
 * opens team sync at start only then (its chip shows from the start), else when a screen that shows
 * it is first opened.
 */
import { borrowSharedDb, releaseSharedDb } from '../finding-shared-db';
import { LOCAL_DB } from '../local-db';
import { loadSyncSettings } from './sync-settings';

/** True when a team database URL is stored in the settings of the local database `name`. */
export async function syncSetUp(name: string = LOCAL_DB): Promise<boolean> {
  const shared = borrowSharedDb(name);
  try {
    return (await loadSyncSettings(shared.db)).url !== '';
  } finally {
    await releaseSharedDb(shared);
  }
}
