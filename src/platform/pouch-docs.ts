/**
 * What the PouchDB stores (findings, captures) share: the documents they write, PouchDB's per-document
 * failures, the bytes a write needs (for the room probe), deletions that replicate, and reads that
 * survive a connection a refused write killed (see finding-shared-db.ts).
 */
import type { SharedDb } from './finding-shared-db';
import type { LocalDb } from './local-db';

/** A document to write: a body with its attachments, or a deletion. */
export type WriteDoc = Partial<PouchDB.Meta> & object;

/** True for PouchDB's "no such document" (missing or deleted). */
export const isNotFound = (e: unknown): boolean => (e as { status?: number } | null)?.status === 404;

/** The per-document failures of a bulkDocs call. */
export function failuresOf(results: (PouchDB.Response | PouchDB.ErrorResponse)[]): PouchDB.ErrorResponse[] {
  return results.filter((r): r is PouchDB.ErrorResponse => 'error' in r && Boolean(r.error));
}

/** Throws the first per-document failure of a bulkDocs call (a conflict: another write got there first). */
export function throwIfFailed(results: (PouchDB.Response | PouchDB.ErrorResponse)[]): void {
  const [failed] = failuresOf(results);
  if (!failed) return;
  const reason = failed.reason ?? failed.message ?? String(failed.error);
  throw Object.assign(new Error(`${failed.id ?? 'a document'}: ${reason}`), { name: failed.name ?? 'conflict' });
}

/** The bytes documents take: their attachments' data and their JSON (the attachment stubs included). */
export function docBytes(docs: WriteDoc[]): Blob {
  const parts = docs.flatMap((doc) => [
    JSON.stringify(doc),
    ...Object.values(doc._attachments ?? {}).flatMap((a) => (a.data instanceof Blob ? [a.data] : [])),
  ]);
  return new Blob(parts);
}

/** Deletions of revisions `revs` of document `docId`. */
export const removals = (docId: string, revs: string[]): WriteDoc[] =>
  revs.map((rev) => ({ _id: docId, _rev: rev, _deleted: true }));

/** Runs read `op`; when the connection died under it (after a refused write), once more on a fresh one. */
export async function readHealing<T>(shared: SharedDb, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isNotFound(e) || !(await shared.heal())) throw e;
    return op();
  }
}

/** Document `docId` (its winning revision, attachments as stubs), or undefined when there is none. */
export async function getDocOrNone<T extends object>(
  db: LocalDb,
  docId: string,
  conflicts = false,
): Promise<PouchDB.Doc<T> | undefined> {
  try {
    return await db.get<T>(docId, conflicts ? { conflicts: true } : {});
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** How a document stands: written (`present`) or deleted since (`deleted`); absent when it never was. */
export type DocState = 'present' | 'deleted';

/** The state of each of `docIds` that the database has or had (a tombstone), by document id. */
export async function docStates(db: LocalDb, docIds: string[]): Promise<Map<string, DocState>> {
  const { rows } = await db.allDocs({ keys: docIds });
  const states = new Map<string, DocState>();
  rows.forEach((row, i) => {
    if (row.value?.rev) states.set(docIds[i], row.value.deleted ? 'deleted' : 'present');
  });
  return states;
}

/** True when `_local` document `docId` exists (a marker such as "the legacy database was moved"). */
export async function localDocExists(db: LocalDb, docId: string): Promise<boolean> {
  try {
    await db.get(docId);
    return true;
  } catch {
    return false;
  }
}

/** Attachment `name` of document `docId` (its winning revision unless `rev`), or undefined when there is none. */
export async function attachmentOrNone(
  db: LocalDb,
  docId: string,
  name: string,
  options: { rev?: string } = {},
): Promise<Blob | undefined> {
  try {
    return await db.getAttachment(docId, name, options);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
