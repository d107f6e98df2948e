/**
 * The legacy IndexedDB findings store (the store of earlier releases, now read once to move its
 * findings into PouchDB, and the writer the migration tests use) over fake-indexeddb (IndexedDB's
 * transaction and abort semantics in Node): add,
 * list newest first, edit, delete with undo, inspections, context; bad fields refused naming the
 * valid values; storage full (a QuotaExceededError while the images are written) stores nothing
 * half and loses nothing. The PouchDB store in real Chromium: test/e2e/finding-store-pouch.test.ts.
 */
import 'fake-indexeddb/auto';
import { IDBObjectStore as FakeObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FindingFields } from '../../src/core/finding';
import type { FindingRecord } from '../../src/platform/finding-record';
import { findingWriteError } from '../../src/platform/finding-store-error';
import { openLegacyFindingStore, type IdbFindingStore } from '../../src/platform/legacy-finding-db';
import { StorageWrites } from '../../src/platform/storage';

let dbCount = 0;
const opened: IdbFindingStore[] = [];

/** A fresh database per test. */
async function freshStore(writes = new StorageWrites()): Promise<IdbFindingStore> {
  const store = await openLegacyFindingStore(`findings-test-${dbCount++}`, writes);
  opened.push(store);
  return store;
}

afterEach(() => {
  vi.restoreAllMocks();
  opened.splice(0).forEach((s) => s.close());
});

const blob = (bytes: number, type: string) => new Blob([new Uint8Array(bytes).fill(bytes % 251)], { type });

function fields(id: string, createdAt: number, over: Partial<FindingFields> = {}): FindingFields {
  return {
    id,
    createdAt,
    updatedAt: createdAt,
    context: { inspection: 'Route 9 2026', structure: 'Bridge 12', element: 'Pier 2', inspector: 'A. Sato' },
    defectType: 'crack',
    notes: '',
    verdict: { label: 'crack', probability: 0.93, unfamiliar: false },
    model: { name: 'crackcam-default', version: 3 },
    position: { latitude: 35.68, longitude: 139.77, accuracy: 12 },
    still: { source: 'take-photo', width: 1920, height: 1080 },
    ...over,
  };
}

function record(id: string, createdAt: number, over: Partial<FindingFields> = {}): FindingRecord {
  return {
    fields: fields(id, createdAt, over),
    still: blob(3000 + createdAt, 'image/jpeg'),
    crop: blob(200, 'image/png'),
    overlay: blob(250, 'image/png'),
  };
}

describe('finding store', () => {
  it('stores fields and images, lists newest first and names the inspections', async () => {
    const store = await freshStore();
    await store.put(record('a', 1000));
    await store.put(record('b', 3000, { context: { ...fields('b', 0).context, inspection: 'Bridge 7 2025' } }));
    await store.put(record('c', 2000));
    expect((await store.list()).map((f) => f.id)).toEqual(['b', 'c', 'a']);
    expect(await store.inspections()).toEqual(['Bridge 7 2025', 'Route 9 2026']);
    const got = await store.get('a');
    expect(got?.fields).toEqual(fields('a', 1000));
    expect(got?.still.size).toBe(4000);
    expect(new Uint8Array(await got!.crop.arrayBuffer())[0]).toBe(200 % 251);
    expect(got?.overlay.size).toBe(250);
    expect(await store.get('nope')).toBeUndefined();
  });

  it('put with a stored id replaces that finding (an edit)', async () => {
    const store = await freshStore();
    await store.put(record('a', 1000));
    await store.put(record('a', 1000, { notes: 'rewritten' }));
    const list = await store.list();
    expect(list).toHaveLength(1);
    expect(list[0].notes).toBe('rewritten');
  });

  it('update changes the given fields only, keeps id and createdAt, sets updatedAt', async () => {
    const store = await freshStore();
    await store.put(record('a', 1000));
    const before = Date.now();
    const next = await store.update('a', { defectType: 'spalling', conditionState: 3, notes: 'near bearing' });
    expect(next).toMatchObject({ id: 'a', createdAt: 1000, defectType: 'spalling', conditionState: 3 });
    expect(next.updatedAt).toBeGreaterThanOrEqual(before);
    expect((await store.get('a'))?.fields).toEqual(next);
    expect(next.position).toEqual(fields('a', 0).position);
  });

  it('refuses bad fields, naming the field and the valid values, and changes nothing', async () => {
    const store = await freshStore();
    await store.put(record('a', 1000));
    const bad = { conditionState: 5 } as unknown as Parameters<typeof store.update>[1];
    await expect(store.update('a', bad)).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/conditionState must be one of 1, 2, 3, 4; got 5/),
    });
    const badType = record('b', 2000, { defectType: 'rust' as FindingFields['defectType'] });
    await expect(store.put(badType)).rejects.toThrow(
      /defectType must be one of crack, salt-damage, spalling, exposed-rebar, other; got 'rust'/,
    );
    const noStill = { ...record('c', 3000), still: new Blob([]) };
    await expect(store.put(noStill)).rejects.toThrow(/still must be a non-empty image Blob/);
    const list = await store.list();
    expect(list.map((f) => f.id)).toEqual(['a']);
    expect(list[0].conditionState).toBeUndefined();
  });

  it('update of a missing finding says so', async () => {
    const store = await freshStore();
    await expect(store.update('gone', { notes: 'x' })).rejects.toMatchObject({ kind: 'missing' });
  });

  it('delete returns the exact record; putting it back undoes the delete', async () => {
    const store = await freshStore();
    await store.put(record('a', 1000));
    await store.put(record('b', 2000));
    const before = await store.get('a');
    const deleted = await store.delete('a');
    expect((await store.list()).map((f) => f.id)).toEqual(['b']);
    expect(await store.get('a')).toBeUndefined();
    expect(deleted.fields).toEqual(before?.fields);
    expect(new Uint8Array(await deleted.still.arrayBuffer())).toEqual(
      new Uint8Array(await before!.still.arrayBuffer()),
    );
    await store.put(deleted);
    const restored = await store.get('a');
    expect(restored?.fields).toEqual(before?.fields);
    expect(restored?.overlay.size).toBe(before?.overlay.size);
    expect((await store.list()).map((f) => f.id)).toEqual(['b', 'a']);
    await expect(store.delete('never')).rejects.toMatchObject({ kind: 'missing' });
  });

  it('remembers the inspection context; refuses one without an inspection name', async () => {
    const store = await freshStore();
    expect(await store.getContext()).toBeUndefined();
    const context = { inspection: '国道9号 橋梁点検', structure: 'Bridge 12', element: 'Pier 2', inspector: '' };
    await store.setContext(context);
    expect(await store.getContext()).toEqual(context);
    await expect(store.setContext({ ...context, inspection: '  ' })).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/context\.inspection must not be empty/),
    });
    expect(await store.getContext()).toEqual(context);
  });
});

describe('finding store when storage is full', () => {
  /** Makes the next writes to the `images` object store fail as a full disk does. */
  function fillImages(): void {
    const put = FakeObjectStore.prototype.put;
    vi.spyOn(FakeObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'images') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    });
  }

  it('a refused finding leaves neither fields nor images, keeps what was stored, and reports the refusal', async () => {
    const writes = new StorageWrites();
    const store = await freshStore(writes);
    await store.put(record('a', 1000));
    fillImages();
    const refused = record('b', 2000);
    await expect(store.put(refused)).rejects.toMatchObject({
      kind: 'quota',
      message: expect.stringMatching(/^Storage is full: the finding was not saved.*nothing already stored was lost/),
    });
    vi.restoreAllMocks();
    expect((await store.list()).map((f) => f.id)).toEqual(['a']);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.still.size).toBe(4000);
    expect(writes.lastQuotaFailure).toEqual({ what: 'the finding', bytes: 3000 + 2000 + 200 + 250 });
  });

  it('a refused edit by put keeps the old fields and images together', async () => {
    const store = await freshStore();
    await store.put(record('a', 1000));
    fillImages();
    await expect(store.put(record('a', 1000, { notes: 'new text' }))).rejects.toMatchObject({ kind: 'quota' });
    vi.restoreAllMocks();
    const got = await store.get('a');
    expect(got?.fields.notes).toBe('');
    expect(got?.still.size).toBe(4000);
  });

  it('classifies other failures as write errors naming the cause', () => {
    const e = findingWriteError(new DOMException('Key already exists.', 'ConstraintError'), 'the finding');
    expect(e.kind).toBe('write');
    expect(e.message).toMatch(/ConstraintError: Key already exists/);
  });
});
