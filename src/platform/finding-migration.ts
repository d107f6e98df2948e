/**
 * Moves the findings of the legacy IndexedDB database (`crackcam-findings`) into the PouchDB store,
 * once per device: every finding (fields and images) and the inspection context are copied, one
 * finding at a time (a phone never holds more than one finding's photos); then every copy is read back
 * and compared; only then is the move marked done and the old database deleted. An interrupted move
 * (tab closed, storage full) keeps the old database and resumes the next time the store opens, copying
 * only what is not there yet (findings edited or deleted since are left as they are).
 */
import { deleteLegacyDb, legacyDbExists } from './legacy-idb';
import { interruptedMoveError } from './migrate-once';
import type { FindingRecord } from './finding-record';
import { FindingStoreError, errorDetail } from './finding-store-error';
import { findingDocId } from './finding-doc';
import { findingsToCopy, readBackProblems, type FindingShape } from './finding-migration-plan';
import { openLegacyFindingStore, type IdbFindingStore } from './legacy-finding-db';
import type { SharedDb } from './finding-shared-db';
import type { LocalDb } from './local-db';
import type { PouchFindingStore } from './pouch-finding-store';
import type { StorageWrites } from './storage';
import { docStates, localDocExists, type DocState } from './pouch-docs';

/** The `_local` document that says the legacy database was moved (never replicated). */
export const MIGRATION_DOC_ID = '_local/legacy-findings-migrated';

/** How a finding the new store held before this run stands: present, or deleted since. */
type Known = Map<string, DocState>;

const shapeOf = (r: FindingRecord): FindingShape => ({
  fields: r.fields,
  still: r.still.size,
  crop: r.crop.size,
  overlay: r.overlay.size,
});

/** Which of `ids` the new store already has (or had: a tombstone), so a resumed move skips them. */
async function knownFindings(db: LocalDb, ids: string[]): Promise<Known> {
  const states = await docStates(db, ids.map(findingDocId));
  const known: Known = new Map();
  ids.forEach((id) => {
    const state = states.get(findingDocId(id));
    if (state) known.set(id, state);
  });
  return known;
}

/** Copies the findings the new store lacks, then the context when it has none. */
async function copyMissing(
  legacy: IdbFindingStore,
  store: PouchFindingStore,
  ids: string[],
  known: Known,
  signal?: AbortSignal,
): Promise<void> {
  for (const id of findingsToCopy(ids, new Set(known.keys()))) {
    signal?.throwIfAborted();
    const record = await legacy.get(id);
    if (record) await store.put(record);
  }
  const context = await legacy.getContext();
  if (context && !(await store.getContext())) await store.setContext(context);
}

/** Reads every legacy finding back from the new store; throws naming what differs. */
async function checkCopies(
  legacy: IdbFindingStore,
  store: PouchFindingStore,
  ids: string[],
  known: Known,
): Promise<void> {
  const problems: string[] = [];
  for (const id of ids) {
    if (known.get(id) === 'deleted') continue;
    const source = await legacy.get(id);
    if (!source) continue;
    const copy = await store.get(id);
    problems.push(...readBackProblems(shapeOf(source), copy && shapeOf(copy), known.has(id)));
  }
  if (problems.length)
    throw new FindingStoreError('write', `the copies did not read back complete: ${problems.slice(0, 5).join('; ')}`);
}

/**
 * Runs the move of `legacyName` into `store` (a no-op once done, or when there is no legacy database).
 * Aborting `signal` stops it between findings, as an interruption: the next run resumes.
 */
export async function migrateLegacyFindings(
  shared: SharedDb,
  store: PouchFindingStore,
  legacyName: string,
  writes: StorageWrites,
  signal?: AbortSignal,
): Promise<void> {
  if (await localDocExists(shared.db, MIGRATION_DOC_ID)) {
    if (await legacyDbExists(legacyName)) void deleteLegacyDb(legacyName).catch(() => undefined);
    return;
  }
  if (await legacyDbExists(legacyName)) {
    const legacy = await openLegacyFindingStore(legacyName, writes);
    try {
      const ids = await legacy.ids();
      const known = await knownFindings(shared.db, ids);
      await copyMissing(legacy, store, ids, known, signal);
      await checkCopies(legacy, store, ids, known);
    } catch (e) {
      throw interruptedMoveError(FindingStoreError, 'findings', e, 'write', errorDetail);
    } finally {
      legacy.close();
    }
  }
  await shared.db.put({ _id: MIGRATION_DOC_ID, legacyName, at: Date.now() });
  // A tab of an earlier release may still hold the old database open: deletion then waits, the move does not.
  void deleteLegacyDb(legacyName).catch(() => undefined);
}
