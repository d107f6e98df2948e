/**
 * Models shared with the team through the local database: a library model (model-store.ts, which stays
 * the app's model store) becomes a `model:<library id>` document with its metadata fields and its files
 * (model.json, weight shards) as attachments, and team sync carries it to the others. There it is
 * checked like an import (`validateModelFiles`: labels, shapes, base compatibility) and added to the
 * library with origin `team` and the same id, not made active; the inspector makes it active as any
 * other. A model that fails the check is recorded as rejected with the reason (in `_local/`, never
 * replicated) and never enters the library.
 *
 * Which models are shared: every model trained on this device, automatically while sync is on (a site
 * model trained on one phone is wanted on the others); an imported model when the inspector shares it.
 * Team models are not shared again (their document is already there).
 *
 * Deleting a model from the library hides it on this device for good (model-share-choices.ts): team
 * sync does not add it back. A model shared from this device can be unshared: its document is deleted,
 * the deletion replicates, and phones that have not received it yet never will (those that have keep
 * it in their library). An unshared trained model is not shared again automatically.
 */
import type { ModelMetadata } from '../core/metadata';
import type { ModelFiles } from '../core/model-writer';
import type { LocalDb } from './local-db';
import { loadModelShareChoices, setModelShareChoice } from './model-share-choices';
import type { ModelStore, StoredModel } from './model-store';
import { MODEL_PREFIX } from './sync/doc-ids';

/** The library operations sharing uses. */
export type ModelLibrary = Pick<ModelStore, 'list' | 'get' | 'save'>;

/** Checks model files (the app passes `validateModelFiles` on its base); throws saying what is wrong. */
export type ValidateModel = (files: ModelFiles) => Promise<ModelMetadata>;

/** A shared model's document (besides `_id`, `_rev` and the attachments). */
export interface SharedModelFields {
  name: string;
  version: number;
  labels: string[];
  createdAt: string;
  savedAt: number;
  /** Where it came from on the device that shared it. */
  origin: StoredModel['origin'];
  parentId?: string;
  metadata: ModelMetadata;
}

/** A team model that failed the check. */
export interface RejectedModel {
  id: string;
  name: string;
  version: number;
  reason: string;
}

const REJECTED_ID = '_local/team-model-rejections';
interface RejectedDoc {
  /** By document id: the rejected revision and why. */
  items: Record<string, RejectedModel & { rev: string }>;
}

export const modelDocId = (libraryId: string): string => `${MODEL_PREFIX}${libraryId}`;

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function attachmentBytes(data: Blob | string | Uint8Array | undefined, name: string): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return new Uint8Array(data);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  if (typeof data === 'string') return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  throw new Error(`the shared model has no data for its file '${name}'`);
}

async function exists(db: LocalDb, id: string): Promise<boolean> {
  return db.get(id).then(
    () => true,
    () => false,
  );
}

/** Shares one library model; resolves false when it was shared already. */
export async function shareModel(db: LocalDb, model: StoredModel): Promise<boolean> {
  const _id = modelDocId(model.id);
  if (await exists(db, _id)) return false;
  const fields: SharedModelFields = {
    name: model.name,
    version: model.version,
    labels: model.labels,
    createdAt: model.createdAt,
    savedAt: model.savedAt,
    origin: model.origin,
    metadata: model.metadata,
    ...(model.parentId ? { parentId: model.parentId } : {}),
  };
  const _attachments = Object.fromEntries(
    Object.entries(model.files).map(([file, bytes]) => [
      file,
      { content_type: file.endsWith('.json') ? 'application/json' : 'application/octet-stream', data: toBase64(bytes) },
    ]),
  );
  await db.put({ _id, ...fields, _attachments });
  return true;
}

/** Shares one library model because the inspector asked (also one unshared before); false when it was shared already. */
export async function shareModelOnRequest(db: LocalDb, model: StoredModel): Promise<boolean> {
  await setModelShareChoice(db, 'unshared', model.id, false);
  return shareModel(db, model);
}

/** Stops sharing library model `libraryId`: deletes its document (the deletion replicates); false when it was not shared. */
export async function unshareModel(db: LocalDb, libraryId: string): Promise<boolean> {
  await setModelShareChoice(db, 'unshared', libraryId, true);
  const doc = await db.get(modelDocId(libraryId), { conflicts: true }).catch(() => undefined);
  if (!doc) return false;
  const revs = [doc._rev, ...(doc._conflicts ?? [])];
  await db.bulkDocs(revs.map((_rev) => ({ _id: doc._id, _rev, _deleted: true })));
  return true;
}

/** Hides library model `libraryId` on this device for good (it was deleted from the library): team sync does not add it back. */
export function hideTeamModel(db: LocalDb, libraryId: string): Promise<void> {
  return setModelShareChoice(db, 'hidden', libraryId, true);
}

/** The library ids of the models shared with the team (documents in the local database, from any device). */
export async function sharedLibraryIds(db: LocalDb): Promise<Set<string>> {
  return new Set((await sharedModelIds(db)).map(({ id }) => id.slice(MODEL_PREFIX.length)));
}

/** Shares every model trained on this device that is not shared yet (nor unshared); resolves with how many were shared now. */
export async function shareTrainedModels(db: LocalDb, library: ModelLibrary): Promise<number> {
  let shared = 0;
  const { unshared } = await loadModelShareChoices(db);
  for (const summary of await library.list()) {
    if (summary.origin !== 'trained' || unshared.includes(summary.id)) continue;
    if (await exists(db, modelDocId(summary.id))) continue;
    const model = await library.get(summary.id);
    if (model && (await shareModel(db, model))) shared++;
  }
  return shared;
}

/** The ids of the team's models in the local database. */
async function sharedModelIds(db: LocalDb): Promise<{ id: string; rev: string }[]> {
  const all = await db.allDocs({ startkey: MODEL_PREFIX, endkey: `${MODEL_PREFIX}\uffff` });
  return all.rows.filter((r) => !r.value.deleted).map((r) => ({ id: r.id, rev: r.value.rev }));
}

/** A shared model's fields and files. */
export async function readSharedModel(db: LocalDb, docId: string): Promise<SharedModelFields & { files: ModelFiles }> {
  const doc = await db.get<SharedModelFields>(docId, { attachments: true, binary: true });
  const files: ModelFiles = {};
  for (const [name, attachment] of Object.entries(doc._attachments ?? {}))
    files[name] = await attachmentBytes(attachment.data as Blob | string | Uint8Array | undefined, name);
  return { ...doc, files };
}

/** The team models rejected on this device. */
export async function rejectedModels(db: LocalDb): Promise<RejectedModel[]> {
  const doc = await db.get<RejectedDoc>(REJECTED_ID).catch(() => undefined);
  return Object.values(doc?.items ?? {}).map(({ rev: _rev, ...rest }) => rest);
}

async function recordRejection(db: LocalDb, docId: string, rejected: RejectedModel & { rev: string }): Promise<void> {
  const doc = await db.get<RejectedDoc>(REJECTED_ID).catch(() => undefined);
  await db.put({ _id: REJECTED_ID, _rev: doc?._rev, items: { ...(doc?.items ?? {}), [docId]: rejected } });
}

/** What {@link receiveTeamModels} did. */
export interface ReceivedModels {
  added: string[];
  rejected: RejectedModel[];
}

/**
 * Adds the team's models that are not in the library yet (nor deleted from it here), each checked first; a model that fails the
 * check is recorded as rejected (and not checked again until its document changes).
 */
export async function receiveTeamModels(
  db: LocalDb,
  library: ModelLibrary,
  validate: ValidateModel,
  signal?: AbortSignal,
): Promise<ReceivedModels> {
  const result: ReceivedModels = { added: [], rejected: [] };
  const rejectedDoc = await db.get<RejectedDoc>(REJECTED_ID).catch(() => undefined);
  const { hidden } = await loadModelShareChoices(db);
  for (const { id: docId, rev } of await sharedModelIds(db)) {
    signal?.throwIfAborted();
    const libraryId = docId.slice(MODEL_PREFIX.length);
    if (hidden.includes(libraryId) || rejectedDoc?.items[docId]?.rev === rev) continue;
    if (await library.get(libraryId)) continue;
    const shared = await readSharedModel(db, docId);
    try {
      await validate(shared.files);
    } catch (e) {
      const rejected = { id: libraryId, name: shared.name, version: shared.version, reason: (e as Error).message };
      await recordRejection(db, docId, { ...rejected, rev });
      result.rejected.push(rejected);
      continue;
    }
    await library.save(shared.files, { origin: 'team', id: libraryId, parentId: shared.parentId, activate: false });
    result.added.push(libraryId);
  }
  return result;
}
