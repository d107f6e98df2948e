import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { appConnectivity, type Connectivity, type OfflineReason } from '../platform/connectivity';
import { serviceWorkerBridge, type ServiceWorkerBridge, type ServiceWorkerStatus } from '../platform/sw-bridge';
import { ChangeListener } from './change-listener';

/**
 * Header chip: "Offline" while the app's server cannot be reached (the app keeps working from its caches),
 * whether the browser has no network or a network with no way to the server (see
 * src/platform/connectivity.ts); "Saving for offline…" while the first visit is still caching the app;
 * "No offline support" if that failed. Shows nothing otherwise. Reflects `online`, `offline-reason` and
 * `sw-status` as attributes for styling and tests.
 */
@localized()
@customElement('crackcam-offline-indicator')
export class CrackcamOfflineIndicator extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      min-width: 0;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 0.35em;
      padding: 0.15em 0.6em;
      border-radius: 999px;
      font-size: 0.8rem;
      line-height: 1.4;
      text-align: center;
    }
    .offline {
      background: #ffb020;
      color: #102027;
      font-weight: 600;
    }
    .caching {
      background: #263238;
      color: #cfd8dc;
      border: 1px solid #37474f;
    }
    .error {
      background: #ffcdd2;
      color: #000;
    }
    .dot {
      width: 0.55em;
      height: 0.55em;
      border-radius: 50%;
      background: currentColor;
    }
  `;

  /** Whether the app's server can be reached, followed from {@link connectivity}. */
  @property({ type: Boolean, reflect: true }) online = true;

  /** Why the app is offline, followed from {@link connectivity}. */
  @property({ attribute: 'offline-reason', reflect: true }) offlineReason?: OfflineReason;

  /** Service worker state, followed from {@link bridge}. */
  @property({ attribute: 'sw-status', reflect: true }) swStatus: ServiceWorkerStatus = 'unsupported';

  /** The bridge to follow; defaults to the one made by `registerServiceWorker()`. */
  @property({ attribute: false }) bridge?: ServiceWorkerBridge;

  /** The connectivity to follow; defaults to the app's shared one. */
  @property({ attribute: false }) connectivity?: Connectivity;

  private readonly onConnectivity = () => {
    this.online = this.connectivity?.state !== 'offline';
    this.offlineReason = this.connectivity?.reason;
  };
  private readonly onBridge = () => {
    if (this.bridge) this.swStatus = this.bridge.status;
  };

  private readonly connectivityListener = new ChangeListener<Connectivity>(this.onConnectivity);
  private readonly bridgeListener = new ChangeListener<ServiceWorkerBridge>(this.onBridge);

  override connectedCallback(): void {
    super.connectedCallback();
    this.connectivity ??= appConnectivity();
    this.connectivityListener.follow(this.connectivity);
    this.bridge ??= serviceWorkerBridge();
    this.bridgeListener.follow(this.bridge);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.connectivityListener.stop();
    this.bridgeListener.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.isConnected) return;
    if (changed.has('bridge')) this.bridgeListener.follow(this.bridge);
    if (changed.has('connectivity')) this.connectivityListener.follow(this.connectivity);
  }

  override render() {
    if (!this.online) {
      const cached = this.swStatus === 'ready' || this.swStatus === 'update-available' || this.swStatus === 'updating';
      const why =
        this.offlineReason === 'unreachable'
          ? msg('A network, but no way to the CrackCam server.')
          : msg('No network.');
      const title = `${why} ${cached ? msg('CrackCam keeps working from this device.') : msg('CrackCam is not fully saved on this device yet.')}`;
      return html`<span class="chip offline" role="status" title=${title} data-testid="offline-indicator"
        ><span class="dot"></span>${msg('Offline')}</span
      >`;
    }
    if (this.swStatus === 'installing') {
      return html`<span
        class="chip caching"
        role="status"
        title=${msg('Downloading the app and the default model for offline use')}
        data-testid="offline-indicator"
        >${msg('Saving for offline…')}</span
      >`;
    }
    if (this.swStatus === 'error') {
      return html`<span
        class="chip error"
        role="status"
        title=${msg('Offline support could not be installed; the app works while online.')}
        data-testid="offline-indicator"
        >${msg('No offline support')}</span
      >`;
    }
    return nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-offline-indicator': CrackcamOfflineIndicator;
  }
}
