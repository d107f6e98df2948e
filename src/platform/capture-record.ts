/**
 * What a capture is (the types every capture store and its callers share), the store's errors and the
 * checks of a class name: pure, no database, so that Node tests and both stores (the PouchDB store and
 * the legacy IndexedDB one) load it without a browser database.
 */

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

/** A capture's fields without its images. */
export type CaptureFields = Omit<CaptureRecord, 'crop' | 'frame'>;

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

/**
 * True for the browser's "storage full" errors: DOMException QuotaExceededError (also via the tx's
 * error), and PouchDB's wrapping of it (an error whose `reason` names the quota).
 */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  if (name === 'QuotaExceededError' || (e as { code?: number } | null)?.code === 22) return true;
  const reason = (e as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && /quota/i.test(reason);
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

/** A readable one-line description of any error (PouchDB errors carry `reason` beside `message`). */
export function errorDetail(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const reason = (e as { reason?: unknown }).reason;
  const extra = typeof reason === 'string' && reason !== e.message ? ` (${reason})` : '';
  return `${e.name}: ${e.message}${extra}`;
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
  return new CaptureStoreError(
    'write',
    `${what} could not be saved (${errorDetail(e)}); nothing already stored was lost.`,
    e,
  );
}

/** Bytes of a capture's images (crop and frame). */
export function captureBytes(capture: Pick<CaptureRecord, 'crop' | 'frame'>): number {
  return capture.crop.size + (capture.frame?.size ?? 0);
}

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

/** The records of new captures: id and time filled in, the label checked (throws `invalid`). */
export function newCaptureRecords(captures: readonly NewCapture[]): CaptureRecord[] {
  return captures.map(
    (c) =>
      ({
        ...c,
        id: c.id ?? newId(),
        takenAt: c.takenAt ?? Date.now(),
        label: validateClassName(c.label),
      }) as CaptureRecord,
  );
}

/** How a batch of captures is named in messages. */
export const capturesWhat = (n: number): string => (n === 1 ? 'the capture' : `${n} captures`);
