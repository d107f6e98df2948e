import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { serviceWorkerBridge, type ServiceWorkerBridge, type ServiceWorkerStatus } from '../platform/sw-bridge';

/**
 * Offers a waiting new version: "Update" lets it take over (the page reloads once it controls; captures,
 * models and settings are kept), "Later" hides the banner until the next version arrives.
 *
 * @fires update-accepted - the user chose to update (detail: undefined); the reload follows.
 */
@customElement('update-banner')
export class UpdateBanner extends LitElement {
  static override styles = css`
    :host { display: block; }
    .banner {
      display: flex; align-items: center; gap: 0.75em; flex-wrap: wrap; padding: 0.5em 0.75em;
      background: #17324d; color: #e8eef3; font: 0.9rem/1.4 system-ui, sans-serif;
    }
    .text { flex: 1 1 12em; }
    button {
      font: inherit; border-radius: 0.4em; padding: 0.3em 0.9em; cursor: pointer;
      border: 1px solid #b9dcff; background: transparent; color: inherit;
    }
    button.primary { background: #ffb020; border-color: #ffb020; color: #1b2733; font-weight: 600; }
  `;

  /** Service worker state; taken from the shared bridge when not set. */
  @property({ attribute: 'sw-status', reflect: true }) swStatus: ServiceWorkerStatus = 'unsupported';

  /** The bridge to follow; defaults to the one registered by `registerServiceWorker()`. */
  @property({ attribute: false }) bridge?: ServiceWorkerBridge;

  @state() private dismissed = false;

  private readonly onBridge = () => {
    if (!this.bridge) return;
    if (this.bridge.status === 'update-available' && this.swStatus !== 'update-available') this.dismissed = false;
    this.swStatus = this.bridge.status;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.bridge ??= serviceWorkerBridge();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.bridge?.removeEventListener('change', this.onBridge);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('bridge')) {
      changed.get('bridge')?.removeEventListener('change', this.onBridge);
      this.bridge?.addEventListener('change', this.onBridge);
      this.onBridge();
    }
  }

  private accept(): void {
    this.dispatchEvent(new CustomEvent('update-accepted', { bubbles: true, composed: true }));
    this.bridge?.applyUpdate();
  }

  override render() {
    if (this.swStatus === 'updating') {
      return html`<div class="banner" role="status"><span class="text">Updating…</span></div>`;
    }
    if (this.swStatus !== 'update-available' || this.dismissed) return nothing;
    return html`<div class="banner" role="alert">
      <span class="text">A new version of CrackCam is ready. Your captures and models are kept.</span>
      <button class="primary" @click=${this.accept}>Update</button>
      <button @click=${() => (this.dismissed = true)}>Later</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'update-banner': UpdateBanner;
  }
}
