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
}

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
