import { describe, expect, it } from 'vitest';
import { nextSyncState, type SyncEvent, type SyncState } from '../../../src/platform/sync/sync-state';

const run = (events: SyncEvent[], from: SyncState = { kind: 'off' }) => events.reduce(nextSyncState, from);
const failed: SyncEvent = { type: 'failed', reason: 'unauthorized', detail: 'Name or password is incorrect.' };

describe('sync state', () => {
  it('goes syncing -> up to date -> syncing as the replication moves and waits', () => {
    expect(run([{ type: 'start' }])).toEqual({ kind: 'syncing' });
    expect(run([{ type: 'start' }, { type: 'idle' }])).toEqual({ kind: 'up-to-date' });
    expect(run([{ type: 'start' }, { type: 'idle' }, { type: 'active' }])).toEqual({ kind: 'syncing' });
  });

  it('keeps the reason of a failure and leaves it when the replication moves again', () => {
    const error = run([{ type: 'start' }, failed]);
    expect(error).toEqual({ kind: 'error', reason: 'unauthorized', detail: 'Name or password is incorrect.' });
    expect(nextSyncState(error, { type: 'active' })).toEqual({ kind: 'syncing' });
  });

  it('is offline while the network is gone, whatever the replication reports, and resumes', () => {
    const offline = run([{ type: 'start' }, { type: 'idle' }, { type: 'network-lost' }]);
    expect(offline).toEqual({ kind: 'offline' });
    expect(run([{ type: 'active' }, failed, { type: 'idle' }], offline)).toEqual({ kind: 'offline' });
    expect(nextSyncState(offline, { type: 'network-back' })).toEqual({ kind: 'syncing' });
  });

  it('stays off when sync is off, and stop turns any state off', () => {
    expect(
      run([{ type: 'active' }, { type: 'idle' }, failed, { type: 'network-lost' }, { type: 'network-back' }]),
    ).toEqual({
      kind: 'off',
    });
    expect(run([{ type: 'start' }, failed, { type: 'stop' }])).toEqual({ kind: 'off' });
  });
});
