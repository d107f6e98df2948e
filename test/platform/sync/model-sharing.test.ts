/**
 * Sharing library models through the local database (src/platform/model-sharing.ts) on in-memory
 * PouchDB: a trained model becomes a `model:` document with its files as attachments, another device
 * adds it to its library (origin team, same id, not active) after the check, a model that fails the
 * check is recorded as rejected with the reason and never enters the library; a model deleted from a
 * library stays out of it, and one unshared is deleted from the team database.
 */
import PouchDB from 'pouchdb-node';
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '../../../src/core/metadata';
import type { ModelFiles } from '../../../src/core/model-writer';
import type { LocalDb } from '../../../src/platform/local-db';
import {
  hideTeamModel,
  receiveTeamModels,
  rejectedModels,
  shareModelOnRequest,
  sharedLibraryIds,
  shareTrainedModels,
  unshareModel,
  type ModelLibrary,
} from '../../../src/platform/model-sharing';
import type { StoredModel } from '../../../src/platform/model-store';

const MemoryPouch = PouchDB.plugin(memoryAdapter).defaults({ adapter: 'memory' });
let dbCount = 0;
const memoryDb = (): LocalDb => new MemoryPouch(`model-sharing-${++dbCount}`);

/** A library in memory with the model store's save semantics that matter here. */
class FakeLibrary implements ModelLibrary {
  readonly models = new Map<string, StoredModel>();
  saves: { origin: string; activate?: boolean }[] = [];
  async list() {
    return [...this.models.values()].map(({ files: _files, ...rest }) => rest);
  }
  async get(id: string) {
    return this.models.get(id);
  }
  async save(files: ModelFiles, options: { origin: StoredModel['origin']; id?: string; activate?: boolean }) {
    const meta = (JSON.parse(new TextDecoder().decode(files['model.json'])) as { meta: ModelMetadata }).meta;
    const model = storedModel(options.id ?? `new-${this.models.size}`, options.origin, files, meta);
    this.models.set(model.id, model);
    this.saves.push({ origin: options.origin, activate: options.activate });
    return model;
  }
}

function storedModel(
  id: string,
  origin: StoredModel['origin'],
  files: ModelFiles,
  metadata: ModelMetadata,
): StoredModel {
  const { name, version, labels, createdAt } = metadata;
  return { id, name, version, labels: [...labels], createdAt, savedAt: 1, origin, metadata, files };
}

function modelFiles(name: string, labels: string[], weights: number[]): { files: ModelFiles; meta: ModelMetadata } {
  const meta = { name, version: 2, labels, createdAt: '2026-01-01T00:00:00Z' } as unknown as ModelMetadata;
  return {
    files: {
      'model.json': new TextEncoder().encode(JSON.stringify({ meta })),
      'weights.bin': new Uint8Array(weights),
    },
    meta,
  };
}

/** Accepts models whose labels are crack/nocrack, like a base-compatibility check would. */
const validate = async (files: ModelFiles) => {
  const meta = (JSON.parse(new TextDecoder().decode(files['model.json'])) as { meta: ModelMetadata }).meta;
  if (meta.labels.join() !== 'crack,nocrack') throw new Error(`labels ${meta.labels.join(', ')} do not fit the base`);
  return meta;
};

describe('model sharing', () => {
  it('shares trained models only, once, with their files as attachments', async () => {
    const db = memoryDb();
    const library = new FakeLibrary();
    const trained = modelFiles('site', ['crack', 'nocrack'], [1, 2, 3, 250]);
    const imported = modelFiles('other', ['crack', 'nocrack'], [9]);
    library.models.set('t1', storedModel('t1', 'trained', trained.files, trained.meta));
    library.models.set('i1', storedModel('i1', 'imported', imported.files, imported.meta));
    expect(await shareTrainedModels(db, library)).toBe(1);
    expect(await shareTrainedModels(db, library)).toBe(0);
    const doc = await db.get<{ name: string; origin: string }>('model:t1');
    expect(doc.name).toBe('site');
    expect(Object.keys(doc._attachments ?? {}).sort()).toEqual(['model.json', 'weights.bin']);
    await expect(db.get('model:i1')).rejects.toMatchObject({ status: 404 });
  });

  it('adds a team model to another library, byte for byte, not active; rejects a bad one with the reason', async () => {
    const a = memoryDb();
    const b = memoryDb();
    const fromA = new FakeLibrary();
    const good = modelFiles('site', ['crack', 'nocrack'], [0, 1, 127, 128, 255]);
    const bad = modelFiles('broken', ['crack', 'spalling', 'x'], [7]);
    fromA.models.set('good', storedModel('good', 'trained', good.files, good.meta));
    fromA.models.set('bad', storedModel('bad', 'trained', bad.files, bad.meta));
    await shareTrainedModels(a, fromA);
    await a.replicate.to(b);
    const onB = new FakeLibrary();
    const received = await receiveTeamModels(b, onB, validate);
    expect(received.added).toEqual(['good']);
    expect(received.rejected).toEqual([
      { id: 'bad', name: 'broken', version: 2, reason: 'labels crack, spalling, x do not fit the base' },
    ]);
    expect(onB.saves).toEqual([{ origin: 'team', activate: false }]);
    expect([...(onB.models.get('good')?.files['weights.bin'] ?? [])]).toEqual([0, 1, 127, 128, 255]);
    expect(onB.models.has('bad')).toBe(false);
    expect(await rejectedModels(b)).toEqual(received.rejected);
    // Nothing is checked or added twice.
    expect(await receiveTeamModels(b, onB, validate)).toEqual({ added: [], rejected: [] });
  });
});

describe('deleting and unsharing team models', () => {
  /** Device a trained model t1 and shared it; device b has the document. */
  async function sharedFromA() {
    const [a, b, onA] = [memoryDb(), memoryDb(), new FakeLibrary()];
    const model = modelFiles('site', ['crack', 'nocrack'], [1, 2, 3]);
    onA.models.set('t1', storedModel('t1', 'trained', model.files, model.meta));
    await shareTrainedModels(a, onA);
    await a.replicate.to(b);
    return { a, b, onA };
  }

  it('a model deleted from the library is not added back, here or on the device that trained it', async () => {
    const { a, b, onA } = await sharedFromA();
    const onB = new FakeLibrary();
    expect((await receiveTeamModels(b, onB, validate)).added).toEqual(['t1']);
    for (const [db, library] of [
      [a, onA],
      [b, onB],
    ] as const) {
      library.models.delete('t1');
      await hideTeamModel(db, 't1');
      expect(await receiveTeamModels(db, library, validate)).toEqual({ added: [], rejected: [] });
      expect(library.models.has('t1')).toBe(false);
    }
    // Hidden here only: the document stays shared.
    expect(await sharedLibraryIds(a)).toEqual(new Set(['t1']));
  });

  it('stop sharing deletes the document everywhere; it is not shared again until asked', async () => {
    const { a, b, onA } = await sharedFromA();
    expect(await unshareModel(a, 't1')).toBe(true);
    expect(await sharedLibraryIds(a)).toEqual(new Set());
    await a.replicate.to(b);
    await expect(b.get('model:t1')).rejects.toMatchObject({ status: 404 });
    expect(await receiveTeamModels(b, new FakeLibrary(), validate)).toEqual({ added: [], rejected: [] });
    expect(await shareTrainedModels(a, onA)).toBe(0);
    expect(await unshareModel(a, 't1')).toBe(false);
    expect(await shareModelOnRequest(a, onA.models.get('t1')!)).toBe(true);
    expect(await sharedLibraryIds(a)).toEqual(new Set(['t1']));
    await a.replicate.to(b);
    expect((await receiveTeamModels(b, new FakeLibrary(), validate)).added).toEqual(['t1']);
  });
});
