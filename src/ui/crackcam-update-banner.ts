import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { serviceWorkerBridge, type ServiceWorkerBridge, type ServiceWorkerStatus } from '../platform/sw-bridge';
import { ChangeListener } from './change-listener';

/**
 * Offers a waiting new version: "Update" lets it take over (the page reloads once it controls; captures,
 * models and settings are kept), "Later" hides the offer until the next version arrives.
 *
 * @fires update-accepted - the user chose to update (no detail); the reload follows.
 */
@localized()
@customElement('crackcam-update-banner')
export class CrackcamUpdateBanner extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
    }
    .banner {
      display: inline-flex;
      align-items: center;
      gap: 0.5em;
      font-size: 0.85rem;
    }
    button {
      font: inherit;
      min-height: 2.2rem;
      border-radius: 0.3rem;
      padding: 0 0.8em;
      cursor: pointer;
      border: 1px solid #90a4ae;
      background: #263238;
      color: #fff;
    }
    /* phones: the header has no room for the sentence; it stays the group's accessible name and tooltip */
    @media (max-width: 560px) {
      .text {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip-path: inset(50%);
        white-space: nowrap;
      }
      .banner {
        gap: 0.3em;
      }
      button {
        padding: 0 0.5em;
      }
    }
    button.primary {
      background: #ffb020;
      border-color: #ffb020;
      color: #102027;
      font-weight: 600;
    }
  `;

  /** Service worker state, followed from {@link bridge}. */
  @property({ attribute: 'sw-status', reflect: true }) swStatus: ServiceWorkerStatus = 'unsupported';

  /** The bridge to follow; defaults to the one made by `registerServiceWorker()`. */
  @property({ attribute: false }) bridge?: ServiceWorkerBridge;

  @state() private dismissed = false;

  private readonly onBridge = () => {
    if (!this.bridge) return;
    // a newer version than the one dismissed: offer again
    if (this.bridge.status === 'update-available' && this.swStatus !== 'update-available') this.dismissed = false;
    this.swStatus = this.bridge.status;
  };

  private readonly bridgeListener = new ChangeListener<ServiceWorkerBridge>(this.onBridge);

  override connectedCallback(): void {
    super.connectedCallback();
    this.bridge ??= serviceWorkerBridge();
    this.bridgeListener.follow(this.bridge);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.bridgeListener.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('bridge') && this.isConnected) this.bridgeListener.follow(this.bridge);
  }

  private accept(): void {
    this.dispatchEvent(new CustomEvent('update-accepted', { bubbles: true, composed: true }));
    this.bridge?.applyUpdate();
  }

  override render() {
    if (this.swStatus === 'updating') {
      return html`<span class="banner" role="status" data-testid="update-banner">${msg('Updating…')}</span>`;
    }
    if (this.swStatus !== 'update-available' || this.dismissed) return nothing;
    return html`<span
      class="banner"
      role="alert"
      data-testid="update-banner"
      title=${msg('Your captures and models are kept.')}
    >
      <span class="text">${msg('New version ready')}</span>
      <button class="primary" data-testid="update-accept" @click=${this.accept}>${msg('Update')}</button>
      <button data-testid="update-later" @click=${() => (this.dismissed = true)}>${msg('Later')}</button>
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-update-banner': CrackcamUpdateBanner;
  }
}
