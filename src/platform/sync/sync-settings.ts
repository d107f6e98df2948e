/**
 * The team sync's settings on this device: the database URL, the user name, the full-photo policy and
 * whether sync is on (so that it restarts when the app loads). Kept in the local database as the
 * `_local/sync-settings` document, which never replicates. The password is not here: see
 * sync-credentials.ts.
 */
import type { LocalDb } from '../local-db';
import { DEFAULT_FULL_PHOTOS, parseFullPhotoPolicy, type FullPhotoPolicy } from './photo-policy';

export interface SyncSettings {
  /** The team database's URL, like https://couch.example.org/team ('' until set). */
  url: string;
  /** The CouchDB user ('' for a server without users). */
  user: string;
  photos: FullPhotoPolicy;
  /** Sync was on when the app last ran. */
  enabled: boolean;
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = { url: '', user: '', photos: DEFAULT_FULL_PHOTOS, enabled: false };

/** The settings document's id. */
export const SYNC_SETTINGS_ID = '_local/sync-settings';

/** Settings read from a stored document; anything missing or unreadable takes its default. */
export function settingsFromDoc(doc: Partial<Record<keyof SyncSettings, unknown>>): SyncSettings {
  let photos = DEFAULT_FULL_PHOTOS;
  try {
    photos = parseFullPhotoPolicy(doc.photos);
  } catch {
    // an older or damaged document: the default policy
  }
  return {
    url: typeof doc.url === 'string' ? doc.url : '',
    user: typeof doc.user === 'string' ? doc.user : '',
    photos,
    enabled: doc.enabled === true,
  };
}

/** The stored settings (defaults before the first save). */
export async function loadSyncSettings(db: LocalDb): Promise<SyncSettings> {
  try {
    return settingsFromDoc(await db.get<Partial<SyncSettings>>(SYNC_SETTINGS_ID));
  } catch (e) {
    if ((e as { status?: number }).status === 404) return { ...DEFAULT_SYNC_SETTINGS };
    throw e;
  }
}

/** Stores the settings (replacing the previous ones). */
export async function saveSyncSettings(db: LocalDb, settings: SyncSettings): Promise<void> {
  let rev: string | undefined;
  try {
    rev = (await db.get(SYNC_SETTINGS_ID))._rev;
  } catch {
    rev = undefined;
  }
  await db.put({ _id: SYNC_SETTINGS_ID, _rev: rev, ...settings });
}
