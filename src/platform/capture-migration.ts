/**
 * Moves the captures of the legacy IndexedDB database (`crackcam-captures`) into the PouchDB store,
 * once per device: the classes first, then one capture at a time (a phone never holds more than one
 * capture's photos): copied, read back and compared, and only then deleted from the legacy database.
 * An interrupted move (tab closed, storage full, the signal aborted) resumes the next time the store
 * opens with what is left there. A damaged legacy record is skipped and reported, and stays in the
 * legacy database; the move is marked done (and the legacy database deleted) once it is empty.
 */
import { deleteLegacyDb, legacyDbExists } from './legacy-idb';
import { interruptedMoveError } from './migrate-once';
import { captureDocId } from './capture-doc';
import { captureReadBackProblems, captureShape, legacyCaptureProblem } from './capture-migration-plan';
import { CaptureStoreError, DEFAULT_CLASSES, errorDetail, type CaptureRecord } from './capture-record';
import type { SharedDb } from './finding-shared-db';
import { openLegacyCaptureStore, type IdbCaptureStore } from './legacy-capture-db';
import type { PouchCaptureStore } from './pouch-capture-store';
import { docStates, localDocExists, type DocState } from './pouch-docs';

/** The `_local` document that says the legacy capture database was moved (never replicated). */
export const CAPTURE_MIGRATION_DOC_ID = '_local/legacy-captures-migrated';

/** Moves legacy capture `id` unless it was moved before; resolves with the problem of a damaged one. */
async function moveOne(
  legacy: IdbCaptureStore,
  store: PouchCaptureStore,
  id: string,
  state: DocState | undefined,
): Promise<string | undefined> {
  const value = await legacy.get(id).catch((e: unknown) => new CaptureStoreError('read', errorDetail(e), e));
  const problem = value instanceof CaptureStoreError ? value.message : legacyCaptureProblem(value);
  if (problem) return `capture ${id}: ${problem}`;
  const source = value as CaptureRecord;
  if (state === undefined) await store.addMany([source]);
  if (state !== 'deleted') {
    const copy = await store.get(id);
    const problems = captureReadBackProblems(captureShape(source), copy && captureShape(copy), state === 'present');
    if (problems.length)
      throw new CaptureStoreError('write', `the copy did not read back complete: ${problems.join('; ')}`);
  }
  await legacy.delete(id);
  return undefined;
}

/** Moves the classes and every capture; resolves with the problems of the damaged captures left behind. */
async function moveCaptures(
  legacy: IdbCaptureStore,
  store: PouchCaptureStore,
  shared: SharedDb,
  signal?: AbortSignal,
): Promise<string[]> {
  await store.importClasses(await legacy.classes());
  const ids = await legacy.ids();
  const states = await docStates(shared.db, ids.map(captureDocId));
  const problems: string[] = [];
  for (const id of ids) {
    signal?.throwIfAborted();
    const problem = await moveOne(legacy, store, id, states.get(captureDocId(id)));
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Runs the move of `legacyName` into `store` (a no-op once done); a new device gets the default classes.
 * Resolves with the problems of damaged legacy captures (kept in the legacy database). Aborting
 * `signal` stops it between captures, as an interruption: the next run resumes.
 */
export async function migrateLegacyCaptures(
  shared: SharedDb,
  store: PouchCaptureStore,
  legacyName: string,
  signal?: AbortSignal,
): Promise<string[]> {
  if (await localDocExists(shared.db, CAPTURE_MIGRATION_DOC_ID)) return [];
  let problems: string[] = [];
  if (await legacyDbExists(legacyName)) {
    const legacy = await openLegacyCaptureStore(legacyName);
    try {
      problems = await moveCaptures(legacy, store, shared, signal);
    } catch (e) {
      throw interruptedMoveError(CaptureStoreError, 'captures', e, 'write', errorDetail);
    } finally {
      legacy.close();
    }
  } else if (!(await seedDefaultClasses(store))) return [];
  if (problems.length > 0) {
    console.warn(`captures left in the old database: ${problems.join('; ')}`);
    return problems;
  }
  await shared.db.put({ _id: CAPTURE_MIGRATION_DOC_ID, legacyName, at: Date.now() });
  // A tab of an earlier release may still hold the old database open: deletion then waits, the move does not.
  void deleteLegacyDb(legacyName).catch(() => undefined);
  return [];
}

/**
 * Gives a new device the default classes; resolves false when they could not be written (storage full):
 * the store opens all the same, and the next open tries again.
 */
async function seedDefaultClasses(store: PouchCaptureStore): Promise<boolean> {
  try {
    await store.importClasses(DEFAULT_CLASSES.map((name, order) => ({ name, order })));
    return true;
  } catch (e) {
    console.warn(`the default classes could not be written: ${errorDetail(e)}`);
    return false;
  }
}
