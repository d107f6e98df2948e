/**
 * The retry delay of the live replication (PouchDB's `back_off_function`): starts at `initialMs`,
 * doubles after each failure up to `maxMs`. PouchDB passes the previous delay (0 on the first failure)
 * and resets it after a success.
 */

/** Options of {@link syncBackOff}. */
export interface BackOffOptions {
  initialMs: number;
  maxMs: number;
}

/** Defaults: 1 s, doubling to at most 1 min. */
export const DEFAULT_BACK_OFF: BackOffOptions = { initialMs: 1000, maxMs: 60_000 };

/** The delay after a failure, given the previous one (0: first failure). */
export function nextBackOff(previousMs: number, options: BackOffOptions = DEFAULT_BACK_OFF): number {
  if (!Number.isFinite(previousMs) || previousMs <= 0) return options.initialMs;
  return Math.min(previousMs * 2, options.maxMs);
}

/** A `back_off_function` for PouchDB with these options. */
export function syncBackOff(options: BackOffOptions = DEFAULT_BACK_OFF): (previousMs: number) => number {
  return (previousMs) => nextBackOff(previousMs, options);
}
