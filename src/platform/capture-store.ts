/**
 * Captures for on-device training, in IndexedDB: the 227x227 crop the model sees (PNG) plus the
 * full frame (JPEG), with label, time, source and optional geolocation. Every write is one
 * transaction, so a failure (storage full, a bad record) aborts as a whole and leaves what was
 * already stored untouched; failures surface as {@link CaptureStoreError} with a kind the UI can
 * explain.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { storageWrites, type StorageWrites } from './storage';

/** Where a capture came from. */
export type CaptureSource = 'camera' | 'import';

/** Position when the user allowed location. */
export interface CaptureLocation {
  latitude: number;
  longitude: number;
  /** Metres. */
  accuracy: number;
}

/** A stored capture. */
export interface CaptureRecord {
  id: string;
  label: string;
  /** Milliseconds since the epoch. */
  takenAt: number;
  source: CaptureSource;
  location?: CaptureLocation;
  /** The square crop at the model's input size (PNG or JPEG). */
  crop: Blob;
  /** The whole frame or photo (JPEG); absent for imported crops that are the whole photo. */
  frame?: Blob;
  /** Original file name (imports). */
  name?: string;
  /** Verdict of the model at capture time. */
  verdict?: { label: string; probability: number };
  /** Model that gave the verdict. */
  model?: { name: string; version: number };
}

/** Fields of a new capture; id and time are filled in when missing. */
export type NewCapture = Omit<CaptureRecord, 'id' | 'takenAt'> & { id?: string; takenAt?: number };

/** A user-defined class. */
export interface CaptureClass {
  name: string;
  /** Display order. */
  order: number;
}

/** Classes every store starts with. */
export const DEFAULT_CLASSES = ['crack', 'nocrack'] as const;

/** Why a store operation failed: `quota` = storage full, `write` = any other failed write, `read`. */
export type CaptureStoreErrorKind = 'quota' | 'write' | 'read' | 'invalid';

/** A failed store operation. Nothing of a failed write was stored, and nothing stored before was lost. */
export class CaptureStoreError extends Error {
  constructor(
    readonly kind: CaptureStoreErrorKind,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'CaptureStoreError';
  }
}

/** True for the browser's "storage full" errors (DOMException QuotaExceededError, also via the tx's error). */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || (e as { code?: number } | null)?.code === 22;
}

/** Rolls back a failed IndexedDB transaction (unless it already ended) and waits until it has ended. */
export async function abortTransaction(tx: { abort(): void; done: Promise<void> }): Promise<void> {
  try {
    tx.abort();
  } catch {
    // already aborted or finished: nothing to roll back
  }
  await tx.done.catch(() => undefined);
}

/** Classifies a failed write of `what` (storage full or anything else) into a {@link CaptureStoreError}. */
export function wrapWrite(e: unknown, what: string): CaptureStoreError {
  if (e instanceof CaptureStoreError) return e;
  if (isQuotaError(e)) {
    return new CaptureStoreError(
      'quota',
      `Storage is full: ${what} was not saved. Export and delete captures or models to free space; nothing already stored was lost.`,
      e,
    );
  }
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new CaptureStoreError('write', `${what} could not be saved (${detail}); nothing already stored was lost.`, e);
}

/** Bytes of a capture's images (crop and frame). */
export function captureBytes(capture: Pick<CaptureRecord, 'crop' | 'frame'>): number {
  return capture.crop.size + (capture.frame?.size ?? 0);
}

interface CaptureDB extends DBSchema {
  captures: { key: string; value: CaptureRecord; indexes: { label: string; takenAt: number } };
  classes: { key: string; value: CaptureClass };
}

/** Default database name. */
export const CAPTURE_DB = 'crackcam-captures';

const LABEL_RE = /^[\p{L}\p{N}_-][\p{L}\p{N} _.-]{0,39}$/u;

/** Checks a class name: 1-40 letters, digits, space, `_`, `-`, `.`; usable as a folder name. */
export function validateClassName(name: string): string {
  const n = name.trim();
  if (!LABEL_RE.test(n) || n === '.' || n === '..') {
    throw new CaptureStoreError(
      'invalid',
      `'${name}' is not a valid class name: use 1-40 letters, digits, spaces, '_', '-' or '.'`,
    );
  }
  return n;
}

const newId = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** The capture database. Open with {@link openCaptureStore}. */
export class CaptureStore {
  /** @param writes where added batches and deletions report how they ended (the storage panel listens there). */
  constructor(
    private readonly db: IDBPDatabase<CaptureDB>,
    private readonly writes: StorageWrites = storageWrites,
  ) {}

  /** Stores one capture (its class is created if new). */
  async add(capture: NewCapture): Promise<CaptureRecord> {
    const [record] = await this.addMany([capture]);
    return record;
  }

  /** Stores captures in one transaction: all or none. */
  async addMany(captures: readonly NewCapture[]): Promise<CaptureRecord[]> {
    const records = captures.map(
      (c) =>
        ({
          ...c,
          id: c.id ?? newId(),
          takenAt: c.takenAt ?? Date.now(),
          label: validateClassName(c.label),
        }) as CaptureRecord,
    );
    const what = records.length === 1 ? 'the capture' : `${records.length} captures`;
    const tx = this.db.transaction(['captures', 'classes'], 'readwrite');
    try {
      const captureStore = tx.objectStore('captures');
      const classStore = tx.objectStore('classes');
      const known = new Set(await classStore.getAllKeys());
      let order = known.size;
      const ops: Promise<unknown>[] = [];
      for (const r of records) {
        if (!known.has(r.label)) {
          known.add(r.label);
          ops.push(classStore.put({ name: r.label, order: order++ }));
        }
        // add (not put): a duplicate id is an error, never a silent overwrite.
        ops.push(captureStore.add(r));
      }
      await Promise.all([...ops, tx.done]);
      this.writes.succeeded();
      return records;
    } catch (e) {
      await abortTransaction(tx);
      const error = wrapWrite(e, what);
      if (error.kind === 'quota')
        this.writes.refused({ what, bytes: records.reduce((sum, r) => sum + captureBytes(r), 0) });
      throw error;
    }
  }

  /** One capture, or undefined. */
  async get(id: string): Promise<CaptureRecord | undefined> {
    return this.db.get('captures', id);
  }

  /** Captures, newest first; only `label`'s when given. */
  async list(label?: string): Promise<CaptureRecord[]> {
    const all =
      label === undefined
        ? await this.db.getAll('captures')
        : await this.db.getAllFromIndex('captures', 'label', label);
    return all.sort((a, b) => b.takenAt - a.takenAt);
  }

  /** Bytes of all stored capture images (crops and frames): what the captures take, as the app can measure it. */
  async bytes(): Promise<number> {
    let total = 0;
    let cursor = await this.db.transaction('captures').store.openCursor();
    while (cursor) {
      total += captureBytes(cursor.value);
      cursor = await cursor.continue();
    }
    return total;
  }

  /** Number of captures per class (every class listed, also empty ones). */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const c of await this.classes()) out[c] = await this.db.countFromIndex('captures', 'label', c);
    return out;
  }

  /** Moves captures to another class (created if new), in one transaction. */
  async relabel(ids: string | readonly string[], label: string): Promise<void> {
    const name = validateClassName(label);
    const list = typeof ids === 'string' ? [ids] : ids;
    const tx = this.db.transaction(['captures', 'classes'], 'readwrite');
    try {
      const store = tx.objectStore('captures');
      const classes = tx.objectStore('classes');
      if (!(await classes.get(name))) await classes.put({ name, order: await classes.count() });
      for (const id of list) {
        const r = await store.get(id);
        if (!r) throw new CaptureStoreError('invalid', `capture ${id} does not exist`);
        await store.put({ ...r, label: name });
      }
      await tx.done;
    } catch (e) {
      await abortTransaction(tx);
      throw wrapWrite(e, 'the new label');
    }
  }

  /** Deletes captures. */
  async delete(ids: string | readonly string[]): Promise<void> {
    const list = typeof ids === 'string' ? [ids] : ids;
    const tx = this.db.transaction('captures', 'readwrite');
    try {
      await Promise.all([...list.map((id) => tx.store.delete(id)), tx.done]);
      this.writes.succeeded(); // space was freed: storage is no longer full
    } catch (e) {
      throw wrapWrite(e, 'the deletion');
    }
  }

  /** Class names in display order. */
  async classes(): Promise<string[]> {
    const all = await this.db.getAll('classes');
    return all.sort((a, b) => a.order - b.order).map((c) => c.name);
  }

  /** Adds a class (no-op if it exists); returns the cleaned name. */
  async addClass(name: string): Promise<string> {
    const n = validateClassName(name);
    const tx = this.db.transaction('classes', 'readwrite');
    try {
      if (!(await tx.store.get(n))) await tx.store.put({ name: n, order: await tx.store.count() });
      await tx.done;
    } catch (e) {
      throw wrapWrite(e, `class '${n}'`);
    }
    return n;
  }

  /** Removes an empty class; a class that still has captures is refused. */
  async removeClass(name: string): Promise<void> {
    const n = await this.db.countFromIndex('captures', 'label', name);
    if (n > 0)
      throw new CaptureStoreError('invalid', `class '${name}' still has ${n} captures; relabel or delete them first`);
    await this.db.delete('classes', name);
  }

  /** Deletes every capture (classes stay). */
  async clear(): Promise<void> {
    await this.db.clear('captures');
  }

  close(): void {
    this.db.close();
  }
}

/** Opens (creating on first use, with the default classes) the capture database; its writes report to `writes`. */
export async function openCaptureStore(
  name: string = CAPTURE_DB,
  writes: StorageWrites = storageWrites,
): Promise<CaptureStore> {
  try {
    const db = await openDB<CaptureDB>(name, 1, {
      upgrade(db) {
        const captures = db.createObjectStore('captures', { keyPath: 'id' });
        captures.createIndex('label', 'label');
        captures.createIndex('takenAt', 'takenAt');
        const classes = db.createObjectStore('classes', { keyPath: 'name' });
        DEFAULT_CLASSES.forEach((c, order) => void classes.put({ name: c, order }));
      },
    });
    return new CaptureStore(db, writes);
  } catch (e) {
    throw new CaptureStoreError('read', `the capture database could not be opened (${(e as Error).message})`, e);
  }
}

/** Encodes pixels as an image Blob (PNG for crops: lossless; JPEG for frames). */
export async function imageDataToBlob(
  image: ImageData,
  type: 'image/png' | 'image/jpeg' = 'image/png',
  quality = 0.92,
): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas is not available');
  ctx.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type, quality });
}

/**
 * Decodes any image Blob (a photo of any size; EXIF orientation applied) and returns its centred
 * square resized to `size` as a PNG, plus the decoded size.
 */
export async function cropBlob(blob: Blob, size = 227): Promise<{ crop: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(
      bitmap,
      Math.floor((bitmap.width - side) / 2),
      Math.floor((bitmap.height - side) / 2),
      side,
      side,
      0,
      0,
      size,
      size,
    );
    return { crop: await canvas.convertToBlob({ type: 'image/png' }), width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

/**
 * The current position if the user already allowed location (never prompts from here), within
 * `timeoutMs`; undefined otherwise.
 */
export async function currentLocation(timeoutMs = 3000, prompt = false): Promise<CaptureLocation | undefined> {
  if (typeof navigator === 'undefined' || !navigator.geolocation) return undefined;
  if (!prompt) {
    try {
      const status = await navigator.permissions.query({ name: 'geolocation' });
      if (status.state !== 'granted') return undefined;
    } catch {
      return undefined;
    }
  }
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(undefined),
      { timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}
