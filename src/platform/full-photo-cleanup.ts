/**
 * Keeps full-resolution photos from outliving what they belong to. A finding deleted on a phone that
 * lacks its full still deletes no `finding-still:` document there, so the deletion of the finding
 * arrives alone: on every device that holds the full still, this deletes it too (the deletion then
 * replicates, and the server loses it as well). A full photo that arrives for a finding already
 * deleted here is deleted at once. The same holds for a capture (`capture:`) and its full frame
 * (`capture-frame:`).
 *
 * Only documents that arrive by sync are looked at (a deletion made here deletes the full photo itself),
 * and only deletions count: a full photo whose finding has not arrived yet stays.
 */
import type { LocalDb } from './local-db';
import { CAPTURE_FRAME_PREFIX, CAPTURE_PREFIX, FINDING_PREFIX, FINDING_STILL_PREFIX } from './sync/doc-ids';

/** Owner prefix and full-photo prefix, each pair for one id. */
const PAIRS = [
  [FINDING_PREFIX, FINDING_STILL_PREFIX],
  [CAPTURE_PREFIX, CAPTURE_FRAME_PREFIX],
] as const;

/** The owner's and the full photo's `_id` for a changed document of either kind; undefined for others. */
export function fullPhotoPair(docId: string): { owner: string; photo: string } | undefined {
  for (const [owner, photo] of PAIRS) {
    if (docId.startsWith(owner)) return { owner: docId, photo: photo + docId.slice(owner.length) };
    if (docId.startsWith(photo)) return { owner: owner + docId.slice(photo.length), photo: docId };
  }
  return undefined;
}

/** True when document `docId` was deleted here (a tombstone), false when it exists or never arrived. */
async function isDeleted(db: LocalDb, docId: string): Promise<boolean> {
  return db.get(docId).then(
    () => false,
    (e: { status?: number; reason?: string }) => e.status === 404 && e.reason === 'deleted',
  );
}

/** Deletes every version of document `docId`; false when there is none. */
async function removeAll(db: LocalDb, docId: string): Promise<boolean> {
  const doc = await db.get(docId, { conflicts: true }).catch(() => undefined);
  if (!doc) return false;
  const revs = [doc._rev, ...(doc._conflicts ?? [])];
  await db.bulkDocs(revs.map((_rev) => ({ _id: docId, _rev, _deleted: true })));
  return true;
}

/** After document `docId` changed: deletes the full photo of a deleted finding or capture; true when it did. */
export async function cleanUpFullPhoto(db: LocalDb, docId: string): Promise<boolean> {
  const pair = fullPhotoPair(docId);
  if (!pair || !(await isDeleted(db, pair.owner))) return false;
  return removeAll(db, pair.photo);
}

/** After documents `ids` arrived by sync: deletes the full photos of deleted findings and captures among them. */
export async function cleanUpFullPhotos(db: LocalDb, ids: readonly string[]): Promise<void> {
  for (const id of ids)
    await cleanUpFullPhoto(db, id).catch((e: Error) =>
      console.warn(`the full photo of ${id} could not be deleted: ${e.message}`),
    );
}
