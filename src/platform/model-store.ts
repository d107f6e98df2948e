/**
 * The on-device model library, in IndexedDB: every trained or imported model as its TF.js files
 * (model.json + weights.bin bytes, as src/core/model-writer.ts writes them) with name, version,
 * labels, training summary and date, plus which one is active and the activation history that
 * rollback walks back. Saving a model and making it active is one transaction, so a training that
 * is interrupted (tab killed, reload) never replaces the active model; only a completed save does.
 */
import { unzipSync, zipSync } from 'fflate';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { BaseNetwork } from '../core/base';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { METADATA_KEY, validateMetadata, type ModelMetadata } from '../core/metadata';
import { ModelFileError, parseJsonFile, type ModelReader } from '../core/model-io';
import type { ModelFiles } from '../core/model-writer';
import { loadOneClassModel, type OneClassModel } from '../core/oneclass';
import { abortTransaction, CaptureStoreError, isQuotaError } from './capture-record';
import { BUILTIN_MODEL_ID, fetchReader } from './model-url';
import { storageWrites } from './storage';

export { BUILTIN_MODEL_ID };

/** A model in the library. */
export interface StoredModel {
  id: string;
  name: string;
  version: number;
  labels: string[];
  /** ISO date the model was made (its metadata.createdAt). */
  createdAt: string;
  /** When it entered the library (ms since the epoch). */
  savedAt: number;
  /** `trained` on this device, `imported`, or `team`: shared by a teammate through team sync (model-sharing.ts). */
  origin: 'trained' | 'imported' | 'team';
  /** Model it was trained from (a library id or {@link BUILTIN_MODEL_ID}). */
  parentId?: string;
  metadata: ModelMetadata;
  /** model.json and weight shards by file name. */
  files: ModelFiles;
}

/** Library entry without its files (for lists). */
export type ModelSummary = Omit<StoredModel, 'files'>;

interface ModelDB extends DBSchema {
  models: { key: string; value: StoredModel; indexes: { savedAt: number } };
  settings: { key: string; value: { key: string; value: unknown } };
}

/** Default database name. */
export const MODEL_DB = 'crackcam-models';
const ACTIVE = 'active';
const HISTORY = 'history';

const newId = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

function writeError(e: unknown, what: string, bytes?: number): CaptureStoreError {
  if (isQuotaError(e)) {
    storageWrites.refused({ what, bytes });
    return new CaptureStoreError('quota', `Storage is full: ${what} was not saved; the active model is unchanged.`, e);
  }
  return new CaptureStoreError(
    'write',
    `${what} could not be saved (${e instanceof Error ? e.message : String(e)}); the active model is unchanged.`,
    e,
  );
}

/** A {@link ModelReader} over in-memory model files (paths are file names). */
export function filesReader(files: ModelFiles, prefix = 'model:'): ModelReader {
  return {
    async read(path: string): Promise<ArrayBuffer> {
      const name = path.startsWith(prefix) ? path.slice(prefix.length) : path;
      const bytes = files[name];
      if (!bytes) throw new Error(`no file '${name}' (have ${Object.keys(files).join(', ')})`);
      return bytes.slice().buffer as ArrayBuffer;
    },
    resolve(_from: string, relative: string): string {
      return `${prefix}${relative.replace(/^\.\//, '')}`;
    },
  };
}

/** The model library. Open with {@link openModelStore}. */
export class ModelStore {
  constructor(private readonly db: IDBPDatabase<ModelDB>) {}

  /** Models, newest first, without their files. */
  async list(): Promise<ModelSummary[]> {
    const all = await this.db.getAll('models');
    return all.sort((a, b) => b.savedAt - a.savedAt).map(({ files: _files, ...rest }) => rest);
  }

  async get(id: string): Promise<StoredModel | undefined> {
    return this.db.get('models', id);
  }

  /** The active model's id ({@link BUILTIN_MODEL_ID} when none was activated or it is gone). */
  async activeId(): Promise<string> {
    const id = (await this.db.get('settings', ACTIVE))?.value as string | undefined;
    if (!id || id === BUILTIN_MODEL_ID) return BUILTIN_MODEL_ID;
    return (await this.db.getKey('models', id)) ? id : BUILTIN_MODEL_ID;
  }

  /** Ids activated before the current one, oldest first. */
  async history(): Promise<string[]> {
    return ((await this.db.get('settings', HISTORY))?.value as string[] | undefined) ?? [];
  }

  /**
   * Adds a model and (by default) makes it active, in one transaction: either both happen or
   * neither (storage full, tab killed), so the previous model stays in use.
   */
  async save(
    files: ModelFiles,
    options: { origin: StoredModel['origin']; parentId?: string; activate?: boolean; id?: string },
  ): Promise<StoredModel> {
    const metadata = validateMetadata(
      (parseJsonFile('model.json', files['model.json'].slice().buffer as ArrayBuffer) as tf_json).userDefinedMetadata
        ?.crackcam,
    );
    const record: StoredModel = {
      id: options.id ?? newId(),
      name: metadata.name,
      version: metadata.version,
      labels: [...metadata.labels],
      createdAt: metadata.createdAt,
      savedAt: Date.now(),
      origin: options.origin,
      parentId: options.parentId,
      metadata,
      files,
    };
    const tx = this.db.transaction(['models', 'settings'], 'readwrite');
    try {
      const ops: Promise<unknown>[] = [tx.objectStore('models').add(record)];
      if (options.activate ?? true) {
        const settings = tx.objectStore('settings');
        const current = ((await settings.get(ACTIVE))?.value as string | undefined) ?? BUILTIN_MODEL_ID;
        const history = ((await settings.get(HISTORY))?.value as string[] | undefined) ?? [];
        ops.push(
          settings.put({ key: HISTORY, value: [...history, current].slice(-50) }),
          settings.put({ key: ACTIVE, value: record.id }),
        );
      }
      await Promise.all([...ops, tx.done]);
      storageWrites.succeeded();
      return record;
    } catch (e) {
      await abortTransaction(tx);
      const bytes = Object.values(files).reduce((sum, f) => sum + f.byteLength, 0);
      throw writeError(e, `model '${record.name}' v${record.version}`, bytes);
    }
  }

  /** Makes a stored model (or the built-in one) active, remembering the current one for rollback. */
  async activate(id: string): Promise<void> {
    if (id !== BUILTIN_MODEL_ID && !(await this.db.getKey('models', id)))
      throw new Error(`model ${id} is not in the library`);
    const tx = this.db.transaction('settings', 'readwrite');
    const current = ((await tx.store.get(ACTIVE))?.value as string | undefined) ?? BUILTIN_MODEL_ID;
    if (current === id) return tx.done;
    const history = ((await tx.store.get(HISTORY))?.value as string[] | undefined) ?? [];
    await Promise.all([
      tx.store.put({ key: HISTORY, value: [...history, current].slice(-50) }),
      tx.store.put({ key: ACTIVE, value: id }),
      tx.done,
    ]);
  }

  /**
   * Goes back to the model that was active before the current one (skipping deleted ones).
   * @returns the now active id, or undefined when there is nothing to go back to
   */
  async rollback(): Promise<string | undefined> {
    const tx = this.db.transaction(['settings', 'models'], 'readwrite');
    const settings = tx.objectStore('settings');
    const history = [...(((await settings.get(HISTORY))?.value as string[] | undefined) ?? [])];
    let target: string | undefined;
    while (history.length > 0) {
      const id = history.pop()!;
      if (id === BUILTIN_MODEL_ID || (await tx.objectStore('models').getKey(id))) {
        target = id;
        break;
      }
    }
    if (target === undefined) {
      await tx.done;
      return undefined;
    }
    await Promise.all([
      settings.put({ key: HISTORY, value: history }),
      settings.put({ key: ACTIVE, value: target }),
      tx.done,
    ]);
    return target;
  }

  /** Deletes a model; deleting the active one falls back to the previous one. */
  async delete(id: string): Promise<void> {
    if ((await this.activeId()) === id) await this.rollback();
    if ((await this.activeId()) === id) await this.activate(BUILTIN_MODEL_ID);
    await this.db.delete('models', id);
  }

  close(): void {
    this.db.close();
  }
}

type tf_json = { userDefinedMetadata?: { crackcam?: unknown } };

/** Opens (creating on first use) the model library. */
export async function openModelStore(name: string = MODEL_DB): Promise<ModelStore> {
  const db = await openDB<ModelDB>(name, 1, {
    upgrade(db) {
      const models = db.createObjectStore('models', { keyPath: 'id' });
      models.createIndex('savedAt', 'savedAt');
      db.createObjectStore('settings', { keyPath: 'key' });
    },
  });
  return new ModelStore(db);
}

/** Name of the metadata summary written next to the model files in an exported zip. */
export const EXPORT_INFO = 'crackcam-model.json';

/** A model as a zip: model.json, weights.bin and a readable summary. */
export function modelToZip(model: Pick<StoredModel, 'files' | 'metadata' | 'origin' | 'savedAt'>): Uint8Array {
  const info = { ...model.metadata, origin: model.origin, savedAt: new Date(model.savedAt).toISOString() };
  return zipSync(
    { ...model.files, [EXPORT_INFO]: new TextEncoder().encode(JSON.stringify(info, null, 1)) },
    { level: 6 },
  );
}

/** Model files from a zip: model.json (at the top or in one folder) and the files it lists. */
export function filesFromZip(zip: Uint8Array): ModelFiles {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (e) {
    throw new ModelFileError('zip', `is not a readable zip file (${(e as Error).message})`);
  }
  const jsonPath = Object.keys(entries)
    .filter((p) => p === 'model.json' || p.endsWith('/model.json'))
    .sort((a, b) => a.length - b.length)[0];
  if (!jsonPath)
    throw new ModelFileError(
      'zip',
      `has no model.json (contains: ${Object.keys(entries).slice(0, 10).join(', ') || 'nothing'})`,
    );
  const dir = jsonPath.slice(0, jsonPath.length - 'model.json'.length);
  const files: ModelFiles = {};
  for (const [p, bytes] of Object.entries(entries)) {
    if (p.startsWith(dir) && !p.endsWith('/') && !p.slice(dir.length).includes('/')) files[p.slice(dir.length)] = bytes;
  }
  return files;
}

/** Reads a model.json URL and every shard it lists into memory. */
export async function filesFromUrl(url: string, signal?: AbortSignal): Promise<ModelFiles> {
  const reader = fetchReader({ signal });
  const modelUrl = new URL(url, document.baseURI).href;
  const jsonBytes = await reader.read(modelUrl).catch((e: Error) => {
    throw new ModelFileError(modelUrl, `could not be downloaded (${e.message})`);
  });
  const json = parseJsonFile(modelUrl, jsonBytes) as { weightsManifest?: { paths?: unknown }[] };
  const files: ModelFiles = { 'model.json': new Uint8Array(jsonBytes) };
  for (const group of json.weightsManifest ?? []) {
    for (const p of Array.isArray(group.paths) ? group.paths : []) {
      if (typeof p !== 'string' || p.includes('/') || p.includes('..'))
        throw new ModelFileError(modelUrl, `lists a weight shard '${String(p)}' outside its folder`);
      const bytes = await reader.read(reader.resolve(modelUrl, p)).catch((e: Error) => {
        throw new ModelFileError(p, `could not be downloaded (${e.message})`);
      });
      files[p] = new Uint8Array(bytes);
    }
  }
  return files;
}

/** A loaded model of either kind: the crack classifier or a one-class ("normal-only") model. */
export type LoadedModel = { kind: 'classifier'; model: CrackClassifier } | { kind: 'oneclass'; model: OneClassModel };

/**
 * The kind of model a model.json holds, from its metadata, without creating any tensor. A model is
 * one-class when its metadata says `kind: "oneclass"` or carries a `oneClass` section without
 * claiming to be a classifier; anything else (including unreadable metadata) goes to the
 * classifier loader, whose validation then names what is wrong.
 */
export function modelKindOf(files: ModelFiles): ModelMetadata['kind'] {
  const bytes = files['model.json'];
  if (!bytes) return 'classifier';
  let meta: unknown;
  try {
    meta = (parseJsonFile('model.json', bytes.slice().buffer as ArrayBuffer) as tf_json).userDefinedMetadata?.[
      METADATA_KEY
    ];
  } catch {
    return 'classifier';
  }
  if (typeof meta !== 'object' || meta === null) return 'classifier';
  const m = meta as { kind?: unknown; oneClass?: unknown };
  return m.kind === 'oneclass' || (m.oneClass !== undefined && m.kind !== 'classifier') ? 'oneclass' : 'classifier';
}

/**
 * Loads model files of either kind on a shared `base` (not disposed with the model). Throws a
 * {@link ModelFileError} naming the file and the problem, with nothing left allocated.
 */
export async function loadModelFiles(files: ModelFiles, base: BaseNetwork, signal?: AbortSignal): Promise<LoadedModel> {
  if (!files['model.json']) throw new ModelFileError('model.json', 'is missing');
  const config = { reader: filesReader(files), modelJson: 'model:model.json', base, signal };
  return modelKindOf(files) === 'oneclass'
    ? { kind: 'oneclass', model: await loadOneClassModel(config) }
    : { kind: 'classifier', model: await loadCrackClassifier(config) };
}

/**
 * Validates model files by loading them on `base` (labels, shapes, base compatibility; a one-class
 * model's `oneClass` section and scorer), then frees them. Throws a {@link ModelFileError} saying
 * what is wrong.
 */
export async function validateModelFiles(files: ModelFiles, base: BaseNetwork): Promise<ModelMetadata> {
  const loaded = await loadModelFiles(files, base);
  const metadata = loaded.model.metadata;
  loaded.model.dispose();
  return metadata;
}
