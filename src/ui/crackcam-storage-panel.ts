import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import {
  formatBytes,
  requestPersistentStorage,
  storageWrites,
  usageFraction,
  type StorageStatus,
} from '../platform/storage';
import { appStorageStatus } from '../platform/storage-usage';
import { APP_BUILD_ID } from '../platform/sw-bridge';
import { storagePanelLineHeight } from './shared-styles';

/**
 * Settings section, collapsed to one line ("Storage: 5.5 MB of 10 GB"): storage used by CrackCam (app,
 * models, captures) against the browser's quota, whether it is persistent, a button to ask for
 * persistence, and the app version. Opened, and after a write the browser refused for lack of space
 * (it then says "full" with the quota), usage is never less than the captures and models the app
 * stores: it reads them all to size them. Otherwise it shows the browser's estimate, so that neither
 * the start nor each capture costs the main thread a read of every capture and model. Refreshes when
 * opened or shown again and after every capture write or deletion; call
 * {@link CrackcamStoragePanel.refresh} after other large writes.
 *
 * @fires persistence-changed - after a persistence request; detail: `{ persisted: boolean }`.
 */
@localized()
@customElement('crackcam-storage-panel')
export class CrackcamStoragePanel extends LitElement {
  static override styles = css`
    :host {
      display: block;
      min-height: ${storagePanelLineHeight};
      font-size: 0.9rem;
      line-height: 1.4;
    }
    details {
      padding: 0.3em 0.8em;
    }
    summary {
      cursor: pointer;
      min-height: 1.8rem;
      line-height: 1.8rem;
    }
    progress {
      width: 100%;
      height: 0.7em;
    }
    .row {
      display: flex;
      gap: 0.5em;
      align-items: center;
      flex-wrap: wrap;
      margin-top: 0.4em;
    }
    .muted {
      opacity: 0.75;
    }
    .full {
      color: #ff8a80;
      font-weight: 600;
    }
    button {
      font: inherit;
      min-height: 2.2rem;
      padding: 0 0.8em;
      border-radius: 0.3rem;
      border: 1px solid #90a4ae;
      background: #263238;
      color: #fff;
      cursor: pointer;
    }
  `;

  @state() private status: StorageStatus = {};
  @state() private busy = false;
  /** A refresh is running; `stale`: another was asked for meanwhile. */
  private refreshing?: Promise<void>;
  private stale = false;

  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') void this.refresh();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisible);
    storageWrites.addEventListener('change', this.onWrite);
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisible);
    storageWrites.removeEventListener('change', this.onWrite);
  }

  private readonly onWrite = () => void this.refresh();

  /** Reads usage, quota and persistence again (calls during a refresh coalesce into one more). */
  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.stale = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.stale = false;
        this.status = await appStorageStatus(this.measures() ? {} : { measure: async () => undefined });
      } while (this.stale);
    })();
    try {
      await this.refreshing;
    } finally {
      this.refreshing = undefined;
    }
  }

  /** Whether a refresh reads the stores to size them: the panel is open, or storage was full. */
  private measures(): boolean {
    return this.renderRoot.querySelector('details')?.open === true || storageWrites.lastQuotaFailure !== undefined;
  }

  private async persist(): Promise<void> {
    this.busy = true;
    try {
      const persisted = await requestPersistentStorage();
      await this.refresh();
      this.dispatchEvent(
        new CustomEvent('persistence-changed', { detail: { persisted }, bubbles: true, composed: true }),
      );
    } finally {
      this.busy = false;
    }
  }

  /** The collapsed line after "Storage:". */
  private summaryText(): string {
    const { usage, quota, full } = this.status;
    if (usage === undefined) return msg('unknown');
    const used = formatBytes(usage);
    if (full)
      return msg(str`full, ${used} of ${formatBytes(quota ?? usage)}`, {
        desc: 'storage panel: storage is full; used bytes of the quota',
      });
    return quota ? msg(str`${used} used of ${formatBytes(quota)}`) : msg(str`${used} used`);
  }

  private renderFull() {
    const full = this.status.full;
    if (!full) return '';
    const text =
      full.bytes === undefined
        ? msg('The last save did not fit. Export and delete captures or models to free space.')
        : msg(
            str`The last save (${formatBytes(full.bytes)}) did not fit. Export and delete captures or models to free space.`,
          );
    return html`<div class="full" role="alert" data-testid="storage-full">${text}</div>`;
  }

  override render() {
    const { usage, quota, persisted, full } = this.status;
    const fraction = usageFraction(this.status);
    return html`<details @toggle=${this.onToggle}>
      <summary
        data-testid="storage-usage"
        data-usage=${usage ?? ''}
        data-quota=${quota ?? ''}
        data-full=${full ? 'true' : 'false'}
        class=${full ? 'full' : ''}
      >
        ${msg('Storage')}: ${this.summaryText()}
      </summary>
      ${this.renderFull()}
      ${usage === undefined ? html`<div class="muted">${msg('This browser does not report storage use.')}</div>` : ''}
      ${fraction === undefined ? '' : html`<progress max="1" .value=${fraction}></progress>`}
      <div
        class="row"
        data-testid="storage-persistence"
        data-persisted=${persisted === undefined ? 'unsupported' : String(persisted)}
      >
        ${
          persisted === undefined
            ? html`<span class="muted">${msg('Persistent storage is not supported here.')}</span>`
            : persisted
              ? html`<span
                  >${msg('Stored persistently: the browser will not clear captures and models to free space.')}</span
                >`
              : html`<span>${msg('The browser may clear captures and models when space runs low.')}</span>
                  <button data-testid="storage-persist" ?disabled=${this.busy} @click=${this.persist}>
                    ${msg('Keep data on this device')}
                  </button>`
        }
      </div>
      <div class="row muted" data-testid="app-version" data-build-id=${APP_BUILD_ID}>
        ${msg(str`Version ${APP_BUILD_ID}`)}
      </div>
    </details>`;
  }

  private onToggle(e: Event): void {
    if ((e.target as HTMLDetailsElement).open) void this.refresh();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-storage-panel': CrackcamStoragePanel;
  }
}
