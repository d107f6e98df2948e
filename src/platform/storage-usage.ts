/**
 * The storage figures the storage panel shows: the browser's estimate, checked against what the app
 * can measure itself (the bytes of the captures and models it stores) and against the last write the
 * browser refused for lack of space.
 */
import {
  resolveStorageStatus,
  storageStatus,
  storageWrites,
  type StorageApi,
  type StorageStatus,
  type StorageWrites,
} from './storage';

/**
 * Bytes of every stored model's files (model.json and weights); `name` defaults to the app's library.
 * The model library's module (with TF.js, for its loaders) is loaded when asked, not with the panel.
 */
async function modelBytes(name: string | undefined): Promise<number> {
  const { MODEL_DB, openModelStore } = await import('./model-store');
  const store = await openModelStore(name ?? MODEL_DB);
  try {
    let total = 0;
    for (const { id } of await store.list()) {
      const model = await store.get(id);
      for (const bytes of Object.values(model?.files ?? {})) total += bytes.byteLength;
    }
    return total;
  } finally {
    store.close();
  }
}

/** Bytes of every stored capture's images (the store loaded when asked: PouchDB needs a browser). */
async function captureBytesStored(name: string | undefined): Promise<number> {
  const { openCaptureStore } = await import('./capture-store');
  const store = await openCaptureStore({ name });
  try {
    return await store.bytes();
  } finally {
    store.close();
  }
}

/** Database names to measure (the app's by default). */
export interface StoredDatabases {
  /** The PouchDB database that holds the captures (default: the device's database). */
  captures?: string;
  /** The model library's IndexedDB database (default: the app's). */
  models?: string;
}

/**
 * Bytes of the captures and models the app stores, or undefined when a database cannot be read
 * (private mode, blocked storage): a lower bound of the origin's usage.
 */
export async function storedBytes(databases: StoredDatabases = {}): Promise<number | undefined> {
  try {
    const [captures, models] = await Promise.all([
      captureBytesStored(databases.captures),
      modelBytes(databases.models),
    ]);
    return captures + models;
  } catch {
    return undefined;
  }
}

/** Where {@link appStorageStatus} reads from; every field defaults to the app's own. */
export interface AppStorageSources {
  storage?: StorageApi;
  measure?: () => Promise<number | undefined>;
  writes?: StorageWrites;
}

/** Usage (the larger of the estimate and the measured bytes), quota, persistence, and whether storage is full. */
export async function appStorageStatus(sources: AppStorageSources = {}): Promise<StorageStatus> {
  const [reported, measured] = await Promise.all([storageStatus(sources.storage), (sources.measure ?? storedBytes)()]);
  return resolveStorageStatus(reported, measured, (sources.writes ?? storageWrites).lastQuotaFailure);
}
