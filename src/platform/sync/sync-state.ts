/**
 * The team sync's state as the status chip shows it, and how replication events move it: a pure
 * reducer, so the rules are tested without a database.
 *
 * - `off`: sync is not on;
 * - `syncing`: documents are moving;
 * - `up-to-date`: both sides have everything (the live replication waits for changes);
 * - `offline`: the device has no network; sync is paused and resumes when it comes back;
 * - `error`: the server refused or could not be reached; `reason` says why (see sync-errors.ts).
 */
import type { SyncErrorReason } from './sync-errors';

export type SyncState =
  | { kind: 'off' }
  | { kind: 'syncing' }
  | { kind: 'up-to-date' }
  | { kind: 'offline' }
  | { kind: 'error'; reason: SyncErrorReason; detail: string };

/** The kinds of {@link SyncState} (the chip's `data-state`). */
export type SyncStateKind = SyncState['kind'];

/** What happened: the user, the network, or the replication (its `active`, `paused`, `change` events). */
export type SyncEvent =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'network-lost' }
  | { type: 'network-back' }
  /** The replication moved documents or started moving them. */
  | { type: 'active' }
  /** The replication is waiting for changes with nothing left to move. */
  | { type: 'idle' }
  | { type: 'failed'; reason: SyncErrorReason; detail: string };

/** The state after `event`. Events of a replication do not turn `off` or `offline` into anything else. */
export function nextSyncState(state: SyncState, event: SyncEvent): SyncState {
  switch (event.type) {
    case 'start':
      return { kind: 'syncing' };
    case 'stop':
      return { kind: 'off' };
    case 'network-lost':
      return state.kind === 'off' ? state : { kind: 'offline' };
    case 'network-back':
      return state.kind === 'offline' ? { kind: 'syncing' } : state;
    case 'active':
      return state.kind === 'off' || state.kind === 'offline' ? state : { kind: 'syncing' };
    case 'idle':
      return state.kind === 'off' || state.kind === 'offline' ? state : { kind: 'up-to-date' };
    case 'failed':
      return state.kind === 'off' || state.kind === 'offline'
        ? state
        : { kind: 'error', reason: event.reason, detail: event.detail };
  }
}
