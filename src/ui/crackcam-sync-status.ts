import { localized } from '@lit/localize';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { SyncState } from '../platform/sync/sync-state';
import type { TeamSync } from '../platform/sync/team-sync';
import { ChangeListener } from './change-listener';
import { syncErrorText, syncStateLabel } from './crackcam-sync-labels';

/**
 * Header chip of the team sync: off, syncing, up to date, paused offline, or an error with its reason
 * (the server's own words in the tooltip). Nothing while sync was never set up.
 *
 * Test hooks: `data-testid="sync-status"` with `data-state` (off|syncing|up-to-date|offline|error) and,
 * for an error, `data-reason`.
 */
@localized()
@customElement('crackcam-sync-status')
export class CrackcamSyncStatus extends LitElement {
  /** The team sync to follow. Not owned. */
  @property({ attribute: false }) sync?: TeamSync;
  @state() private syncState: SyncState = { kind: 'off' };
  @state() private configured = false;

  private readonly listener = new ChangeListener<TeamSync>(() => {
    this.syncState = this.sync?.state ?? { kind: 'off' };
    this.configured = !!this.sync?.settings.url;
  });

  static override styles = css`
    :host {
      display: inline-flex;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 0.35em;
      padding: 0.15em 0.6em;
      border-radius: 999px;
      font-size: 0.8rem;
      line-height: 1.4;
      background: #263238;
      color: #cfd8dc;
      border: 1px solid #37474f;
      max-width: 22rem;
    }
    .chip[data-state='up-to-date'] {
      background: #1b5e20;
      color: #fff;
    }
    .chip[data-state='error'] {
      background: #ffcdd2;
      color: #000;
      border-color: #ffcdd2;
    }
    .chip[data-state='offline'] {
      background: #ffb020;
      color: #102027;
    }
    .chip[hidden] {
      display: none;
    }
    .reason {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.listener.follow(this.sync);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.listener.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('sync') && this.isConnected) this.listener.follow(this.sync);
  }

  override render() {
    const s = this.syncState;
    const hidden = s.kind === 'off' && !this.configured;
    const reason = s.kind === 'error' ? syncErrorText(s.reason) : '';
    return html`<span
      class="chip"
      role="status"
      ?hidden=${hidden}
      data-testid="sync-status"
      data-state=${s.kind}
      data-reason=${s.kind === 'error' ? s.reason : ''}
      title=${s.kind === 'error' ? s.detail : ''}
      >${syncStateLabel(s.kind)}${reason ? html`: <span class="reason">${reason}</span>` : ''}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-sync-status': CrackcamSyncStatus;
  }
}
