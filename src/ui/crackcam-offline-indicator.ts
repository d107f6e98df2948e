import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { serviceWorkerBridge, type ServiceWorkerBridge, type ServiceWorkerStatus } from '../platform/sw-bridge';

/**
 * Small header chip: "Offline" while the network is gone (the app keeps working from its caches), and
 * "Saving for offline…" while the first visit is still caching the app. Shows nothing otherwise.
 * Reflects `online` and `sw-status` as attributes for styling and tests.
 */
@customElement('offline-indicator')
export class OfflineIndicator extends LitElement {
  static override styles = css`
    :host { display: inline-flex; }
    .chip {
      display: inline-flex; align-items: center; gap: 0.35em; padding: 0.15em 0.6em; border-radius: 999px;
      font: 500 0.8rem/1.4 system-ui, sans-serif; white-space: nowrap;
    }
    .offline { background: #4a3410; color: #ffd58a; }
    .caching { background: #17324d; color: #b9dcff; }
    .error { background: #4d1717; color: #ffb9b9; }
    .dot { width: 0.55em; height: 0.55em; border-radius: 50%; background: currentColor; }
  `;

  /** Whether the browser reports a network connection (`navigator.onLine`). */
  @property({ type: Boolean, reflect: true }) online = typeof navigator === 'undefined' ? true : navigator.onLine;

  /** Service worker state; taken from the shared bridge when not set. */
  @property({ attribute: 'sw-status', reflect: true }) swStatus: ServiceWorkerStatus = 'unsupported';

  /** The bridge to follow; defaults to the one registered by `registerServiceWorker()`. */
  @property({ attribute: false }) bridge?: ServiceWorkerBridge;

  private readonly onNetwork = () => {
    this.online = navigator.onLine;
  };
  private readonly onBridge = () => {
    if (this.bridge) this.swStatus = this.bridge.status;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.onNetwork);
    window.addEventListener('offline', this.onNetwork);
    this.onNetwork();
    this.bridge ??= serviceWorkerBridge();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.onNetwork);
    window.removeEventListener('offline', this.onNetwork);
    this.bridge?.removeEventListener('change', this.onBridge);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('bridge')) {
      const old = changed.get('bridge');
      old?.removeEventListener('change', this.onBridge);
      this.bridge?.addEventListener('change', this.onBridge);
      this.onBridge();
    }
  }

  override render() {
    if (!this.online) {
      const note = this.swStatus === 'ready' || this.swStatus === 'update-available' ? 'the app keeps working' : 'the app may not be fully saved yet';
      return html`<span class="chip offline" role="status" title="No network: ${note}"><span class="dot"></span>Offline</span>`;
    }
    if (this.swStatus === 'installing') {
      return html`<span class="chip caching" role="status" title="Downloading the app and the default model for offline use">Saving for offline…</span>`;
    }
    if (this.swStatus === 'error') {
      return html`<span class="chip error" role="status" title="Offline support could not be installed; the app works online">No offline support</span>`;
    }
    return nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'offline-indicator': OfflineIndicator;
  }
}
