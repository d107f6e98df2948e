import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { loadCrackClassifier, type CrackClassifier } from '../core/classifier';
import { selectBrowserBackend, type BackendChoice } from '../platform/backend';
import { appUrl, fetchReader, MODEL_PATHS } from '../platform/model-url';
import type { ModelState } from './crackcam-live-view';
import './crackcam-language-switch';
import './crackcam-live-view';

/**
 * The app shell: header (name, status slot, language) and the live inspection view. It picks the
 * TF.js backend and loads the default model; the camera starts independently, so a camera problem
 * never blocks the rest of the app and a model problem never hides the camera.
 *
 * Extension points (light-DOM children):
 * - `slot="status"`: header indicators and actions (offline badge, "update available" button, ...).
 * - default slot: further views, rendered below the live view.
 */
@localized()
@customElement('crackcam-app')
export class CrackcamApp extends LitElement {
  @state() private backend?: BackendChoice;
  @state() private classifier?: CrackClassifier;
  @state() private modelState: ModelState = 'loading';
  @state() private modelError = '';
  @state() private error = '';
  private started = false;

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
      background: #000;
      color: #fff;
      font-family: system-ui, -apple-system, 'Segoe UI', 'Hiragino Sans', 'Noto Sans JP', sans-serif;
    }
    header {
      display: flex;
      align-items: center;
      gap: 0.8rem;
      padding: 0.4rem 0.8rem;
      background: #102027;
      border-bottom: 1px solid #37474f;
    }
    h1 {
      margin: 0;
      font-size: 1.25rem;
      letter-spacing: 0.02em;
    }
    .status {
      flex: 1;
      display: flex;
      gap: 0.5rem;
      align-items: center;
      justify-content: flex-end;
    }
    .error {
      padding: 0.6rem 0.8rem;
      background: #ffcdd2;
      color: #000;
      font-weight: 600;
    }
    crackcam-live-view {
      flex: 1;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.started) {
      this.started = true;
      void this.init();
    }
  }

  private async init(): Promise<void> {
    try {
      this.backend = await selectBrowserBackend();
    } catch (e) {
      this.error = (e as Error).message;
      this.modelState = 'error';
      this.modelError = msg('no TensorFlow.js backend could start');
      return;
    }
    try {
      this.classifier = await loadCrackClassifier({ reader: fetchReader(), modelJson: appUrl(MODEL_PATHS.head), base: appUrl(MODEL_PATHS.base) });
      this.modelState = 'ready';
    } catch (e) {
      this.modelState = 'error';
      this.modelError = (e as Error).message;
    }
  }

  override render() {
    return html`
      <header>
        <h1>CrackCam</h1>
        <div class="status"><slot name="status"></slot></div>
        <crackcam-language-switch></crackcam-language-switch>
      </header>
      ${this.error ? html`<div class="error" role="alert" data-testid="app-error">${this.error}</div>` : nothing}
      <crackcam-live-view
        .backend=${this.backend}
        .classifier=${this.classifier}
        .modelState=${this.modelState}
        .modelError=${this.modelError}
      ></crackcam-live-view>
      <slot></slot>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-app': CrackcamApp;
  }
}
