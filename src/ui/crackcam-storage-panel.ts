import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { formatBytes, requestPersistentStorage, storageStatus, usageFraction, type StorageStatus } from '../platform/storage';

/**
 * Settings section: storage used by CrackCam (app, models, captures) against the browser's quota, whether
 * it is persistent, and a button to ask for persistence. Call {@link StoragePanel.refresh} after large
 * writes; it also refreshes when it becomes visible again.
 *
 * @fires persistence-changed - after a persistence request; detail: `{ persisted: boolean }`.
 */
@customElement('storage-panel')
export class StoragePanel extends LitElement {
  static override styles = css`
    :host { display: block; font: 0.9rem/1.4 system-ui, sans-serif; }
    h3 { margin: 0 0 0.4em; font-size: 1em; }
    progress { width: 100%; height: 0.7em; }
    .row { display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; margin-top: 0.4em; }
    .muted { opacity: 0.75; }
    button { font: inherit; padding: 0.25em 0.8em; border-radius: 0.4em; cursor: pointer; }
  `;

  @state() private status: StorageStatus = {};
  @state() private busy = false;

  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') void this.refresh();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisible);
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  /** Reads usage, quota and persistence again. */
  async refresh(): Promise<void> {
    this.status = await storageStatus();
  }

  private async persist(): Promise<void> {
    this.busy = true;
    try {
      const persisted = await requestPersistentStorage();
      await this.refresh();
      this.dispatchEvent(new CustomEvent('persistence-changed', { detail: { persisted }, bubbles: true, composed: true }));
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const { usage, quota, persisted } = this.status;
    const fraction = usageFraction(this.status);
    return html`<section aria-label="Storage">
      <h3>Storage</h3>
      ${usage === undefined
        ? html`<div class="muted">This browser does not report storage use.</div>`
        : html`<div class="usage">
              <span class="used">${formatBytes(usage)}</span> used
              ${quota ? html`of <span class="quota">${formatBytes(quota)}</span>` : ''}
            </div>
            ${fraction === undefined ? '' : html`<progress max="1" .value=${fraction}></progress>`}`}
      <div class="row">
        ${persisted === undefined
          ? html`<span class="muted">Persistent storage is not supported here.</span>`
          : persisted
            ? html`<span class="persisted">Stored persistently: the browser will not clear captures and models to free space.</span>`
            : html`<span class="not-persisted">The browser may clear data when space runs low.</span>
                <button ?disabled=${this.busy} @click=${this.persist}>Keep data on this device</button>`}
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'storage-panel': StoragePanel;
  }
}
