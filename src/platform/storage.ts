/**
 * Persistent storage and quota: captures and on-device models live in IndexedDB and the app itself in the
 * Cache API, all of which the browser may evict under storage pressure unless the origin's storage is
 * persistent.
 */

/** What the browser reports about this origin's storage. Fields are undefined where the API is missing. */
export interface StorageStatus {
  /** Bytes used by this origin (IndexedDB + Cache API + ...), an estimate. */
  usage?: number;
  /** Bytes this origin may use, an estimate. */
  quota?: number;
  /** Whether storage is persistent (not evicted under storage pressure). */
  persisted?: boolean;
  /** The last write the browser refused for lack of space, while no later write succeeded. */
  full?: QuotaFailure;
}

/** A write the browser refused for lack of space (QuotaExceededError). */
export interface QuotaFailure {
  /** What was not saved, e.g. `the capture`. */
  what: string;
  /** Bytes the refused write needed, when known. */
  bytes?: number;
}

/**
 * The outcome of the app's last storage write: which write was refused for lack of space, until a
 * later write succeeds. The stores report to it; the storage panel listens for `change`.
 */
export class StorageWrites extends EventTarget {
  private failure?: QuotaFailure;

  /** The refused write, or undefined when the last reported write succeeded (or none was reported). */
  get lastQuotaFailure(): QuotaFailure | undefined {
    return this.failure;
  }

  /** Records a write that the browser refused for lack of space. */
  refused(failure: QuotaFailure): void {
    this.failure = failure;
    this.dispatchEvent(new Event('change'));
  }

  /** Records a write that succeeded (storage is not full, or no longer). */
  succeeded(): void {
    this.failure = undefined;
    this.dispatchEvent(new Event('change'));
  }
}

/** The app's one record of storage write outcomes. */
export const storageWrites = new StorageWrites();

/** The part of `navigator.storage` used here (StorageManager), so callers can pass another implementation. */
export type StorageApi = Pick<StorageManager, 'estimate' | 'persist' | 'persisted'>;

function defaultStorage(): StorageApi | undefined {
  return typeof navigator !== 'undefined' ? navigator.storage : undefined;
}

/** Reads usage, quota and the persistence state; resolves with empty fields where unsupported. */
export async function storageStatus(storage: StorageApi | undefined = defaultStorage()): Promise<StorageStatus> {
  if (!storage) return {};
  const [estimate, persisted] = await Promise.all([
    typeof storage.estimate === 'function' ? storage.estimate() : Promise.resolve(undefined),
    typeof storage.persisted === 'function' ? storage.persisted() : Promise.resolve(undefined),
  ]);
  return { usage: estimate?.usage, quota: estimate?.quota, persisted };
}

/**
 * Asks for persistent storage. Chromium grants or denies silently (it grants installed apps and sites the
 * user engages with); Firefox asks the user. Resolves with whether storage is now persistent (false where
 * unsupported).
 */
export async function requestPersistentStorage(storage: StorageApi | undefined = defaultStorage()): Promise<boolean> {
  if (!storage || typeof storage.persist !== 'function') return false;
  if (typeof storage.persisted === 'function' && (await storage.persisted())) return true;
  return storage.persist();
}

/**
 * What to show, from what the browser reports, what the app measured of its own data (`measuredBytes`:
 * the bytes of the captures and models it stores) and the last refused write. Usage is the larger of the
 * reported and the measured figure (the estimate can lag behind writes, or read 0 under quota emulation).
 * When storage is full, the quota is the reported one if the refusal agrees with it (less free space than
 * the refused write needed), else the usage itself: the browser refused more, so that is the real limit.
 */
export function resolveStorageStatus(
  reported: StorageStatus,
  measuredBytes: number | undefined,
  full: QuotaFailure | undefined,
): StorageStatus {
  const usage = reported.usage === undefined ? measuredBytes : Math.max(reported.usage, measuredBytes ?? 0);
  if (!full) return { ...reported, usage };
  const used = usage ?? 0;
  const quotaAgrees = reported.quota !== undefined && reported.quota < used + (full.bytes ?? 0);
  return { ...reported, usage: used, quota: quotaAgrees ? Math.max(reported.quota ?? 0, used) : used, full };
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** Formats a byte count with decimal (SI) units, as browsers and OS storage settings show them: `2.8 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  // 999.5 so that rounding never prints "1000 kB"
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Used share of the quota in [0, 1], or undefined when either number is unknown or the quota is 0. */
export function usageFraction(status: StorageStatus): number | undefined {
  if (status.usage === undefined || !status.quota) return undefined;
  return Math.min(1, Math.max(0, status.usage / status.quota));
}
