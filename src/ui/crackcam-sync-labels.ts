/**
 * The team sync's words on screen (en + ja): the states of the status chip, the reasons of a failure,
 * and the full-resolution photo choices. Shared by crackcam-sync-status and crackcam-sync-settings.
 */
import { msg } from '@lit/localize';
import type { FullPhotoPolicy } from '../platform/sync/photo-policy';
import type { SyncErrorReason } from '../platform/sync/sync-errors';
import type { SyncStateKind } from '../platform/sync/sync-state';

/** The chip's word for a state. */
export function syncStateLabel(kind: SyncStateKind): string {
  switch (kind) {
    case 'off':
      return msg('Sync off');
    case 'syncing':
      return msg('Syncing…');
    case 'up-to-date':
      return msg('Up to date');
    case 'offline':
      return msg('Sync paused (offline)');
    case 'error':
      return msg('Sync error');
  }
}

/** Why sync failed, in words an inspector can act on. */
export function syncErrorText(reason: SyncErrorReason): string {
  switch (reason) {
    case 'unauthorized':
      return msg('Wrong user name or password.');
    case 'forbidden':
      return msg('This user may not use this database.');
    case 'no-database':
      return msg('No such database on the server: check the URL.');
    case 'unreachable':
      return msg('The server cannot be reached: check the URL and the network. Retrying.');
    case 'cors':
      return msg('The server refuses this app (CORS): allow its origin on the server.');
    case 'bad-url':
      return msg('The database URL is not valid.');
    case 'password-needed':
      return msg('Enter the password again to sync.');
    case 'server':
      return msg('The server reported an error. Retrying.');
  }
}

/** The full-resolution photo choices. */
export function fullPhotoLabel(policy: FullPhotoPolicy): string {
  switch (policy) {
    case 'never':
      return msg('never (on demand)');
    case 'wifi':
      return msg('on Wi-Fi only');
    case 'always':
      return msg('always');
  }
}
