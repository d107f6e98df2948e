/**
 * Which full-resolution photos (`finding-still:` and `capture-frame:` documents) the team sync carries. Large photos are
 * where PouchDB replication runs short of memory and data plans, so by default only the findings with
 * their downscaled still, crop and overlay, and the captures with their crop, replicate; full stills and
 * the full frames of captures follow the setting:
 *
 * - `never`: only on demand, one finding at a time (their deletions travel under every setting);
 * - `wifi`: while the Network Information API says the connection is Wi-Fi or Ethernet (where the
 *   browser does not offer the API, e.g. Safari and Firefox, the connection counts as not Wi-Fi);
 * - `always`: on any connection.
 */
import { CAPTURE_FRAME_PREFIX, FINDING_STILL_PREFIX } from './doc-ids';

export const FULL_PHOTO_POLICIES = ['never', 'wifi', 'always'] as const;
export type FullPhotoPolicy = (typeof FULL_PHOTO_POLICIES)[number];

/** The default: full stills only on demand. */
export const DEFAULT_FULL_PHOTOS: FullPhotoPolicy = 'never';

/** The part of the Network Information API read here (`navigator.connection`, Chromium only). */
export interface ConnectionInfo {
  type?: string;
  saveData?: boolean;
}

/** True on an unmetered connection: Wi-Fi or Ethernet, with Data Saver off. Unknown counts as not. */
export function isUnmetered(connection: ConnectionInfo | undefined): boolean {
  if (!connection || connection.saveData) return false;
  return connection.type === 'wifi' || connection.type === 'ethernet';
}

/** Whether the sync carries full stills now. */
export function syncsFullStills(policy: FullPhotoPolicy, connection: ConnectionInfo | undefined): boolean {
  return policy === 'always' || (policy === 'wifi' && isUnmetered(connection));
}

/**
 * True for documents that replicate without full-resolution photos: everything but `finding-still:` and
 * `capture-frame:` documents, whose deletions (tombstones, no photo in them) replicate too.
 */
export function withoutFullStills(doc: { _id: string; _deleted?: boolean }): boolean {
  if (doc._deleted) return true;
  return !doc._id.startsWith(FINDING_STILL_PREFIX) && !doc._id.startsWith(CAPTURE_FRAME_PREFIX);
}

/** A checked policy; throws naming the valid values. */
export function parseFullPhotoPolicy(value: unknown): FullPhotoPolicy {
  if (typeof value === 'string' && (FULL_PHOTO_POLICIES as readonly string[]).includes(value))
    return value as FullPhotoPolicy;
  throw new Error(`full-resolution photos must be one of ${FULL_PHOTO_POLICIES.join(', ')}, got '${String(value)}'`);
}
