/**
 * The findings store on the device's PouchDB database (see finding-doc.ts for the layout). A finding
 * and its full still are written in one bulkDocs call (one IndexedDB transaction), so a refused write
 * (storage full) stores nothing of it. Deletions leave tombstones so that they replicate. When two
 * devices edited a finding offline, PouchDB keeps both revisions: reads show the one edited last
 * (finding-versions.ts), {@link PouchFindingStore.versions} lists them and
 * {@link PouchFindingStore.restoreVersion} keeps one and removes the others everywhere.
 */
import {
  patchFinding,
  validateInspectionContext,
  type FindingFields,
  type FindingPatch,
  type InspectionContext,
} from '../core/finding';
import {
  ATTACHMENT,
  fieldsOfDoc,
  findingDocBody,
  findingDocId,
  findingStillDocId,
  isStillDownscaled,
  type FindingDocBody,
  type FindingStillDocBody,
} from './finding-doc';
import { findingBytes, validateRecord, type FindingRecord } from './finding-record';
import { FindingStoreError, findingWriteError } from './finding-store-error';
import type { FindingStore } from './finding-store';
import { StoreListeners, watchFindingChanges } from './finding-changes';
import { newestFirst, revsToRemove, shownVersion, type FindingVersion } from './finding-versions';
import type { StillDownscaler } from './finding-still-downscale';
import type { RoomProbe } from './finding-room-probe';
import type { SharedDb } from './finding-shared-db';
import type { LocalDb } from './local-db';
import type { StorageWrites } from './storage';
import {
  attachmentOrNone,
  docBytes,
  getDocOrNone,
  isNotFound,
  readHealing,
  removals,
  throwIfFailed,
  type WriteDoc,
} from './pouch-docs';

type FindingDoc = PouchDB.Doc<FindingDocBody>;
/** The `_local` document with the inspection context (never replicated: it is this device's). */
export const CONTEXT_DOC_ID = '_local/inspection-context';

/** What a {@link PouchFindingStore} needs besides its database. */
export interface PouchFindingStoreDeps {
  writes: StorageWrites;
  downscale: StillDownscaler;
  /** Checks the bytes of a write fit before PouchDB makes it (see finding-room-probe.ts). */
  probeRoom: RoomProbe;
  /** Called once by close(): gives the database back. */
  release: () => Promise<void>;
}

/** A version of a finding together with the document it was read from (attachments as stubs). */
type StoredVersion = FindingVersion & { doc: FindingDoc };

const toVersion = (doc: FindingDoc): StoredVersion => ({ rev: doc._rev ?? '', fields: fieldsOfDoc(doc), doc });

/** The PouchDB implementation of {@link FindingStore}. */
export class PouchFindingStore implements FindingStore {
  private readonly listeners = new StoreListeners(() => this.deps.release());

  constructor(
    private readonly shared: SharedDb,
    private readonly deps: PouchFindingStoreDeps,
  ) {}

  /** The live database instance (replaced when a refused write killed the old one's connection). */
  private get db(): LocalDb {
    return this.shared.db;
  }

  /** Runs read `op`; when the connection died under it (after a refused write), once more on a fresh one. */
  private read<T>(op: () => Promise<T>): Promise<T> {
    return readHealing(this.shared, op);
  }

  /** Classifies a failed write and reports storage full; a connection the failure killed is replaced. */
  private async writeFailure(e: unknown, what: string, bytes?: number): Promise<FindingStoreError> {
    const error = findingWriteError(e, what);
    if (error.kind === 'quota') this.deps.writes.refused(bytes === undefined ? { what } : { what, bytes });
    if (error.kind === 'quota' || error.kind === 'write') await this.shared.heal();
    return error;
  }

  async put(record: FindingRecord): Promise<void> {
    const what = 'the finding';
    try {
      validateRecord(record);
      await this.writeWithRoom(await this.recordDocs(record));
      this.deps.writes.succeeded();
    } catch (e) {
      throw await this.writeFailure(e, what, findingBytes(record));
    }
  }

  /** The documents that store `record`: the finding, and its full still when that is kept apart. */
  private async recordDocs(record: FindingRecord): Promise<WriteDoc[]> {
    const id = record.fields.id;
    const full = record.stillIsFull !== false;
    const [small, current, stillDoc] = await Promise.all([
      this.deps.downscale(record.still),
      this.current(id),
      this.getDoc(findingStillDocId(id)),
    ]);
    const finding: WriteDoc = {
      ...findingDocBody(record.fields, small.downscaled || !full),
      _id: findingDocId(id),
      ...(current ? { _rev: current.rev } : {}),
      _attachments: {
        [ATTACHMENT.crop]: { content_type: record.crop.type || 'image/png', data: record.crop },
        [ATTACHMENT.overlay]: { content_type: record.overlay.type || 'image/png', data: record.overlay },
        [ATTACHMENT.still]: { content_type: small.blob.type || 'image/jpeg', data: small.blob },
      },
    };
    if (!full) return [finding];
    if (small.downscaled) return [finding, this.fullStillDoc(id, record.still, stillDoc?._rev)];
    return stillDoc?._rev ? [finding, ...removals(stillDoc._id, [stillDoc._rev])] : [finding];
  }

  private fullStillDoc(id: string, still: Blob, rev: string | undefined): WriteDoc {
    const body: FindingStillDocBody = { type: 'finding-still', findingId: id };
    return {
      ...body,
      _id: findingStillDocId(id),
      ...(rev ? { _rev: rev } : {}),
      _attachments: { [ATTACHMENT.still]: { content_type: still.type || 'image/jpeg', data: still } },
    };
  }

  /** Writes `docs` after checking their bytes (attachments and JSON) fit. */
  private async writeWithRoom(docs: WriteDoc[]): Promise<void> {
    await this.deps.probeRoom(docBytes(docs));
    await this.write(docs);
  }

  private async write(docs: WriteDoc[]): Promise<void> {
    throwIfFailed(await this.db.bulkDocs(docs));
  }

  async update(id: string, patch: FindingPatch): Promise<FindingFields> {
    const what = 'the change';
    try {
      const version = await this.current(id);
      if (!version)
        throw new FindingStoreError('missing', `finding ${id} does not exist (deleted?); nothing was changed`);
      const next = patchFinding(version.fields, patch, Date.now());
      const { _id, _rev, _attachments } = version.doc;
      await this.writeWithRoom([{ ...findingDocBody(next, isStillDownscaled(version.doc)), _id, _rev, _attachments }]);
      this.deps.writes.succeeded();
      return next;
    } catch (e) {
      throw await this.writeFailure(e, what);
    }
  }

  async delete(id: string): Promise<FindingRecord> {
    try {
      const record = await this.get(id);
      if (!record) throw new FindingStoreError('missing', `finding ${id} does not exist; nothing was deleted`);
      const [leaves, still] = await Promise.all([this.leaves(id), this.getDoc(findingStillDocId(id), true)]);
      const stillRevs = still ? [still._rev ?? '', ...(still._conflicts ?? [])] : [];
      await this.write([
        ...removals(
          findingDocId(id),
          leaves.map((l) => l.rev),
        ),
        ...removals(findingStillDocId(id), stillRevs),
      ]);
      this.deps.writes.succeeded(); // space was freed: storage is no longer full
      return record;
    } catch (e) {
      throw await this.writeFailure(e, 'the deletion');
    }
  }

  async list(): Promise<FindingFields[]> {
    return this.read(() => this.readList());
  }

  private async readList(): Promise<FindingFields[]> {
    const docs = await this.allFindingDocs();
    const fields = await Promise.all(
      docs.map(async (doc) =>
        doc._conflicts?.length ? (await this.current(fieldsOfDoc(doc).id))?.fields : fieldsOfDoc(doc),
      ),
    );
    return fields
      .filter((f): f is FindingFields => f !== undefined)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /** Every finding document (the revision PouchDB picked, with `_conflicts`), attachments as stubs. */
  private async allFindingDocs(): Promise<FindingDoc[]> {
    const prefix = findingDocId('');
    const { rows } = await this.db.allDocs<FindingDocBody>({
      startkey: prefix,
      endkey: `${prefix}\ufff0`,
      include_docs: true,
      conflicts: true,
    });
    return rows.flatMap((row) => (row.doc ? [row.doc] : []));
  }

  async get(id: string): Promise<FindingRecord | undefined> {
    return this.read(() => this.readRecord(id));
  }

  private async readRecord(id: string): Promise<FindingRecord | undefined> {
    const version = await this.current(id);
    if (!version) return undefined;
    const docId = findingDocId(id);
    const rev = version.rev;
    try {
      const [crop, overlay, small] = await Promise.all(
        [ATTACHMENT.crop, ATTACHMENT.overlay, ATTACHMENT.still].map((name) =>
          this.db.getAttachment(docId, name, { rev }),
        ),
      );
      const downscaled = isStillDownscaled(version.doc);
      const full = downscaled ? await this.fullStill(id) : small;
      const record = { fields: version.fields, crop, overlay, still: full ?? small, stillIsFull: full !== undefined };
      return downscaled ? { ...record, stillCopy: small } : record;
    } catch (e) {
      if (isNotFound(e)) return undefined; // deleted while it was read
      throw e;
    }
  }

  /** The full-resolution still of finding `id` when it is on this device. */
  private fullStill(id: string): Promise<Blob | undefined> {
    return attachmentOrNone(this.db, findingStillDocId(id), ATTACHMENT.still);
  }

  async inspections(): Promise<string[]> {
    const names = new Set((await this.list()).map((f) => f.context.inspection));
    return [...names].sort();
  }

  async getContext(): Promise<InspectionContext | undefined> {
    const doc = await this.read(() => this.getDoc<InspectionContext>(CONTEXT_DOC_ID));
    if (!doc) return undefined;
    const { inspection, structure, element, inspector } = doc;
    return { inspection, structure, element, inspector };
  }

  async setContext(context: InspectionContext): Promise<void> {
    const what = 'the inspection details';
    try {
      validateInspectionContext(context);
      const { inspection, structure, element, inspector } = context;
      const existing = await this.getDoc<InspectionContext>(CONTEXT_DOC_ID);
      const rev = existing?._rev ? { _rev: existing._rev } : {};
      const doc = { _id: CONTEXT_DOC_ID, ...rev, inspection, structure, element, inspector };
      await this.deps.probeRoom(docBytes([doc]));
      await this.db.put(doc);
    } catch (e) {
      throw await this.writeFailure(e, what);
    }
  }

  async versions(id: string): Promise<FindingVersion[]> {
    const leaves = await this.read(() => this.leaves(id));
    if (leaves.length === 0) throw new FindingStoreError('missing', `finding ${id} does not exist; it has no versions`);
    return newestFirst(leaves).map(({ rev, fields }) => ({ rev, fields }));
  }

  async restoreVersion(id: string, rev: string): Promise<FindingFields> {
    try {
      const leaves = await this.leaves(id);
      if (leaves.length === 0)
        throw new FindingStoreError('missing', `finding ${id} does not exist; no version was restored`);
      const remove = this.revsToRemove(leaves, rev, id);
      await this.write(removals(findingDocId(id), remove));
      this.deps.writes.succeeded();
      return leaves.filter((l) => l.rev === rev)[0].fields;
    } catch (e) {
      throw await this.writeFailure(e, 'the restored version');
    }
  }

  private revsToRemove(leaves: StoredVersion[], rev: string, id: string): string[] {
    try {
      return revsToRemove(
        leaves.map((l) => l.rev),
        rev,
        id,
      );
    } catch (e) {
      throw new FindingStoreError('invalid', `no version was restored: ${(e as Error).message}`, e);
    }
  }

  async withoutFullStill(): Promise<Set<string>> {
    return this.read(async () => {
      const ids = (await this.allFindingDocs()).filter(isStillDownscaled).map((doc) => fieldsOfDoc(doc).id);
      if (ids.length === 0) return new Set<string>();
      const { rows } = await this.db.allDocs({ keys: ids.map(findingStillDocId) });
      // A missing document's row has an error and no value; a deleted one's value says so.
      const held = (i: number) => rows[i]?.value !== undefined && !rows[i].value.deleted;
      return new Set(ids.filter((_, i) => !held(i)));
    });
  }

  async versionCounts(): Promise<Map<string, number>> {
    const docs = await this.read(() => this.allFindingDocs());
    const counts = docs
      .filter((doc) => doc._conflicts?.length)
      .map((doc): [string, number] => [fieldsOfDoc(doc).id, 1 + (doc._conflicts?.length ?? 0)]);
    return new Map(counts);
  }

  onChange(listener: (ids: string[]) => void): () => void {
    if (this.listeners.closed)
      throw new FindingStoreError('read', 'the findings store is closed; open it again to watch it');
    const stop = watchFindingChanges(this.shared, listener);
    return this.listeners.add(stop);
  }

  /** Stops this store's change listeners and gives the database back. */
  close(): void {
    this.listeners.close();
  }

  /** The non-deleted versions (leaf revisions) of finding `id`; none when there is no such finding. */
  private async leaves(id: string): Promise<StoredVersion[]> {
    const docId = findingDocId(id);
    const winner = await this.getDoc<FindingDocBody>(docId, true);
    if (!winner) return [];
    const others = await Promise.all(
      (winner._conflicts ?? []).map((rev) => this.db.get<FindingDocBody>(docId, { rev })),
    );
    return [winner, ...others].map(toVersion);
  }

  /** The version of finding `id` that is shown: the one edited last. */
  private async current(id: string): Promise<StoredVersion | undefined> {
    const leaves = await this.leaves(id);
    return leaves.length ? shownVersion(leaves) : undefined;
  }

  /** Document `docId` (its winning revision, attachments as stubs), or undefined when there is none. */
  private getDoc<T extends object>(docId: string, conflicts = false): Promise<PouchDB.Doc<T> | undefined> {
    return getDocOrNone<T>(this.db, docId, conflicts);
  }
}
