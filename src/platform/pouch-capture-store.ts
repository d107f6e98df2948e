/**
 * The capture store on the device's PouchDB database (see capture-doc.ts for the layout). A batch of
 * captures (their frames, new classes and the captures) is written in one bulkDocs call after the room
 * probe said it fits, so a write refused for lack of space stores nothing of it; a batch that fails on
 * one document (an id already taken) is taken back. Relabels are new revisions and deletions leave
 * tombstones, so both replicate.
 */
import {
  attachmentBytes,
  CAPTURE_ATTACHMENT,
  captureClassDocId,
  captureDocBody,
  captureDocId,
  captureFieldsOfDoc,
  captureFrameDocId,
  captureIdOf,
  classNames,
  isCaptureListDocId,
  newClassDocs,
  prefixRange,
  type CaptureClassDocBody,
  type CaptureDocBody,
  type CaptureFrameDocBody,
} from './capture-doc';
import {
  captureBytes,
  capturesWhat,
  CaptureStoreError,
  newCaptureRecords,
  validateClassName,
  wrapWrite,
  type CaptureClass,
  type CaptureRecord,
  type NewCapture,
} from './capture-record';
import { StoreListeners, watchDocChanges } from './finding-changes';
import type { RoomProbe } from './finding-room-probe';
import type { SharedDb } from './finding-shared-db';
import type { LocalDb } from './local-db';
import {
  attachmentOrNone,
  docBytes,
  failuresOf,
  getDocOrNone,
  readHealing,
  removals,
  throwIfFailed,
  type WriteDoc,
} from './pouch-docs';
import type { StorageWrites } from './storage';
import { CAPTURE_CLASS_PREFIX, CAPTURE_FRAME_PREFIX, CAPTURE_PREFIX } from './sync/doc-ids';

/** What a {@link PouchCaptureStore} needs besides its database. */
export interface PouchCaptureStoreDeps {
  writes: StorageWrites;
  /** Checks the bytes of a write fit before PouchDB makes it (see finding-room-probe.ts). */
  probeRoom: RoomProbe;
  /** Called once by close(): gives the database back. */
  release: () => Promise<void>;
}

const classDoc = (c: CaptureClassDocBody): WriteDoc => ({ ...c, _id: captureClassDocId(c.name) });

function captureDocs(record: CaptureRecord): WriteDoc[] {
  const { id, crop, frame } = record;
  const capture = {
    ...captureDocBody(record),
    _id: captureDocId(id),
    _attachments: { [CAPTURE_ATTACHMENT.crop]: { content_type: crop.type || 'image/png', data: crop } },
  };
  if (!frame) return [capture];
  const body: CaptureFrameDocBody = { type: 'capture-frame', captureId: id };
  const frameDoc = {
    ...body,
    _id: captureFrameDocId(id),
    _attachments: { [CAPTURE_ATTACHMENT.frame]: { content_type: frame.type || 'image/jpeg', data: frame } },
  };
  return [frameDoc, capture]; // the frame first: a capture is never there without its frame
}

/** The PouchDB capture store; open it with openCaptureStore (capture-store.ts). */
export class PouchCaptureStore {
  /** Captures of the legacy database that could not be moved (damaged), each with the reason; they stay there. */
  legacyProblems: string[] = [];
  private readonly listeners = new StoreListeners(() => this.deps.release());

  constructor(
    private readonly shared: SharedDb,
    private readonly deps: PouchCaptureStoreDeps,
  ) {}

  private get db(): LocalDb {
    return this.shared.db;
  }

  async add(capture: NewCapture): Promise<CaptureRecord> {
    const [record] = await this.addMany([capture]);
    return record;
  }

  async addMany(captures: readonly NewCapture[]): Promise<CaptureRecord[]> {
    const records = newCaptureRecords(captures);
    const what = capturesWhat(records.length);
    try {
      await this.refuseTaken(records.map((r) => r.id));
      const classes = newClassDocs(
        await this.classDocs(),
        records.map((r) => r.label),
      );
      await this.writeAll([...classes.map(classDoc), ...records.flatMap(captureDocs)]);
      this.deps.writes.succeeded();
      return records;
    } catch (e) {
      throw await this.writeFailure(
        e,
        what,
        records.reduce((sum, r) => sum + captureBytes(r), 0),
      );
    }
  }

  async get(id: string): Promise<CaptureRecord | undefined> {
    return readHealing(this.shared, async () => {
      const doc = await getDocOrNone<CaptureDocBody>(this.db, captureDocId(id));
      if (!doc) return undefined;
      const [crop, frame] = await Promise.all([
        attachmentOrNone(this.db, doc._id, CAPTURE_ATTACHMENT.crop, { rev: doc._rev }),
        doc.hasFrame ? attachmentOrNone(this.db, captureFrameDocId(id), CAPTURE_ATTACHMENT.frame) : undefined,
      ]);
      if (!crop) return undefined; // deleted while it was read
      return { ...captureFieldsOfDoc(doc), crop, ...(frame ? { frame } : {}) } as CaptureRecord;
    });
  }

  /** Captures with their crops (not their frames: get() has those), newest first; only `label`'s when given. */
  async list(label?: string): Promise<CaptureRecord[]> {
    const docs = await readHealing(this.shared, () =>
      this.prefixDocs<CaptureDocBody>(CAPTURE_PREFIX, { attachments: true, binary: true }),
    );
    return docs
      .filter((doc) => label === undefined || doc.label === label)
      .map((doc) => ({ ...captureFieldsOfDoc(doc), crop: doc._attachments?.[CAPTURE_ATTACHMENT.crop]?.data }))
      .filter((r): r is CaptureRecord => r.crop instanceof Blob)
      .sort((a, b) => b.takenAt - a.takenAt);
  }

  /** Bytes of all stored capture images (crops and frames on this device). */
  async bytes(): Promise<number> {
    const docs = await readHealing(this.shared, async () => [
      ...(await this.prefixDocs(CAPTURE_PREFIX)),
      ...(await this.prefixDocs(CAPTURE_FRAME_PREFIX)),
    ]);
    return docs.reduce((sum, doc) => sum + attachmentBytes(doc), 0);
  }

  /** Number of captures per class (every class listed, also empty ones); one read of the captures. */
  async counts(): Promise<Record<string, number>> {
    const [classes, labels] = await Promise.all([this.classDocs(), this.labels()]);
    const out: Record<string, number> = {};
    for (const c of classNames(classes, labels)) out[c] = 0;
    for (const l of labels) out[l] = (out[l] ?? 0) + 1;
    return out;
  }

  /** Moves captures to another class (created if new); all of them or none. */
  async relabel(ids: string | readonly string[], label: string): Promise<void> {
    const name = validateClassName(label);
    const list = typeof ids === 'string' ? [ids] : ids;
    try {
      const { rows } = await this.db.allDocs<CaptureDocBody>({ keys: list.map(captureDocId), include_docs: true });
      const docs = rows.map((row, i) => {
        const doc = row.doc;
        if (!doc) throw new CaptureStoreError('invalid', `capture ${list[i]} does not exist`);
        return { ...doc, label: name };
      });
      const classes = newClassDocs(await this.classDocs(), [name]);
      await this.writeAll([...classes.map(classDoc), ...docs]);
      this.deps.writes.succeeded();
    } catch (e) {
      throw await this.writeFailure(e, 'the new label');
    }
  }

  /** Deletes captures and their frames (every version: the deletion replicates). */
  async delete(ids: string | readonly string[]): Promise<void> {
    const list = typeof ids === 'string' ? [ids] : ids;
    try {
      await this.removeDocs([...list.map(captureDocId), ...list.map(captureFrameDocId)]);
      this.deps.writes.succeeded(); // space was freed: storage is no longer full
    } catch (e) {
      throw await this.writeFailure(e, 'the deletion');
    }
  }

  /** Class names in display order; labels of captures whose class was removed elsewhere come last. */
  async classes(): Promise<string[]> {
    const [classes, labels] = await Promise.all([this.classDocs(), this.labels()]);
    return classNames(classes, labels);
  }

  /** Adds a class (no-op if it exists); returns the cleaned name. */
  async addClass(name: string): Promise<string> {
    const n = validateClassName(name);
    try {
      await this.writeAll(newClassDocs(await this.classDocs(), [n]).map(classDoc));
    } catch (e) {
      throw await this.writeFailure(e, `class '${n}'`);
    }
    return n;
  }

  /** Adds the classes this database never had (present or removed): the move from the legacy database. */
  async importClasses(classes: readonly CaptureClass[]): Promise<void> {
    const { rows } = await this.db.allDocs({ keys: classes.map((c) => captureClassDocId(c.name)) });
    const missing = classes.filter((_, i) => !rows[i].value?.rev);
    if (missing.length === 0) return;
    try {
      await this.writeAll(missing.map((c) => classDoc({ ...c, type: 'capture-class' })));
    } catch (e) {
      throw await this.writeFailure(e, 'the classes');
    }
  }

  /** Removes an empty class; a class that still has captures is refused. */
  async removeClass(name: string): Promise<void> {
    const n = (await this.labels()).filter((l) => l === name).length;
    if (n > 0)
      throw new CaptureStoreError('invalid', `class '${name}' still has ${n} captures; relabel or delete them first`);
    try {
      await this.removeDocs([captureClassDocId(name)]);
    } catch (e) {
      throw await this.writeFailure(e, 'the removal');
    }
  }

  /** Deletes every capture (classes stay). */
  async clear(): Promise<void> {
    const ids = (await this.prefixDocs<CaptureDocBody>(CAPTURE_PREFIX)).map((d) => captureFieldsOfDoc(d).id);
    await this.delete(ids);
  }

  /**
   * Calls `listener` with the ids of captures changed here or by the sync (and `capture-class:<name>`
   * for a changed class); returns the function that stops it.
   */
  onChange(listener: (ids: string[]) => void): () => void {
    if (this.listeners.closed)
      throw new CaptureStoreError('read', 'the capture store is closed; open it again to watch it');
    const keyOf = (docId: string) => captureIdOf(docId) ?? (isCaptureListDocId(docId) ? docId : undefined);
    const stop = watchDocChanges(this.shared, keyOf, listener);
    return this.listeners.add(stop);
  }

  /** Stops this store's change listeners and gives the database back. */
  close(): void {
    this.listeners.close();
  }

  /** Refuses ids that a stored capture has (a new capture never overwrites one). */
  private async refuseTaken(ids: string[]): Promise<void> {
    const { rows } = await this.db.allDocs({ keys: ids.map(captureDocId) });
    const taken = rows.find((row) => row.value?.rev && !row.value.deleted);
    if (taken) throw Object.assign(new Error(`${taken.key} already exists`), { name: 'ConstraintError' });
  }

  /** Writes `docs` after checking they fit; when one of them fails, the others are taken back. */
  private async writeAll(docs: WriteDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await this.deps.probeRoom(docBytes(docs));
    const results = await this.db.bulkDocs(docs);
    if (failuresOf(results).length > 0) {
      const written = results.flatMap((r) => ('ok' in r && r.ok ? removals(r.id, [r.rev]) : []));
      await this.db.bulkDocs(written).catch(() => undefined);
    }
    throwIfFailed(results);
  }

  /** Deletes documents `docIds` (every leaf revision of each), skipping those that are not there. */
  private async removeDocs(docIds: string[]): Promise<void> {
    const { rows } = await this.db.allDocs({ keys: docIds, include_docs: true, conflicts: true });
    const docs = rows.flatMap((row) => (row.doc ? [row.doc] : []));
    const deletions = docs.flatMap((doc) => removals(doc._id, [doc._rev ?? '', ...(doc._conflicts ?? [])]));
    if (deletions.length > 0) throwIfFailed(await this.db.bulkDocs(deletions));
  }

  private async classDocs(): Promise<CaptureClass[]> {
    const docs = await readHealing(this.shared, () => this.prefixDocs<CaptureClassDocBody>(CAPTURE_CLASS_PREFIX));
    return docs.map(({ name, order }) => ({ name, order }));
  }

  private async labels(): Promise<string[]> {
    const docs = await readHealing(this.shared, () => this.prefixDocs<CaptureDocBody>(CAPTURE_PREFIX));
    return docs.map((d) => d.label);
  }

  /** Every live document whose `_id` starts with `prefix` (attachments as stubs unless asked). */
  private async prefixDocs<T extends object>(
    prefix: string,
    options: { attachments?: boolean; binary?: boolean } = {},
  ): Promise<PouchDB.Doc<T>[]> {
    const { rows } = await this.db.allDocs<T>({ ...prefixRange(prefix), include_docs: true, ...options });
    return rows.flatMap((row) => (row.doc ? [row.doc] : []));
  }

  /** Classifies a failed write and reports storage full; a connection the failure killed is replaced. */
  private async writeFailure(e: unknown, what: string, bytes?: number): Promise<CaptureStoreError> {
    const error = wrapWrite(e, what);
    if (error.kind === 'quota') this.deps.writes.refused(bytes === undefined ? { what } : { what, bytes });
    if (error.kind === 'quota' || error.kind === 'write') await this.shared.heal();
    return error;
  }
}
