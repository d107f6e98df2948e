/**
 * The device's PouchDB database (`crackcam`, IndexedDB adapter): the local store that replicates
 * with the team's CouchDB database. One database holds every kind of document, told apart by the
 * `_id` prefix, so one replication carries a whole inspection:
 *
 * - `finding:<id>`: a finding's fields, with its crop, overlay and a downscaled still as attachments;
 * - `finding-still:<id>`: the full-resolution still of a finding (synced on demand or on Wi-Fi);
 * - `model:<id>`: a model shared with the team, its files as attachments;
 * - `capture:<id>`: a training capture's fields, with its crop as an attachment;
 * - `capture-frame:<id>`: the full frame of a capture (synced only under the full-photo policy);
 * - `capture-class:<name>`: a training class (one document each: classes added offline on two
 *   devices merge without conflicts).
 *
 * `_local/...` documents never replicate: they hold what belongs to this device only.
 */
import PouchDB from 'pouchdb-browser';

/** The local database's name. */
export const LOCAL_DB = 'crackcam';

/** The `_id` prefixes of the document kinds. */
export const DOC_PREFIX = {
  finding: 'finding:',
  findingStill: 'finding-still:',
  model: 'model:',
  capture: 'capture:',
  captureFrame: 'capture-frame:',
  captureClass: 'capture-class:',
} as const;

/** A PouchDB database of any documents. */
export type LocalDb = PouchDB.Database;

/** Opens (creating on first use) the local database; old revisions are compacted away as they are replaced. */
export function openLocalDb(name: string = LOCAL_DB, options: PouchDB.Configuration = {}): LocalDb {
  return new PouchDB(name, { auto_compaction: true, ...options });
}
