import { localized, msg, str } from '@lit/localize';
import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CaptureStoreError, currentLocation, imageDataToBlob, type CaptureRecord, type CaptureStore } from '../platform/capture-store';
import type { CaptureDetail } from './crackcam-live-view';
import { panelStyles } from './shared-styles';

/**
 * One-tap labelled capture under the live view: a button per class ("crack", "nocrack", user
 * classes) that asks the live view for a capture and stores it with that label; a capture taken by
 * tapping the viewfinder gets the last chosen label. Stores the 227x227 crop (PNG), the full frame
 * (JPEG) and, when the user switched it on and allowed it, the location.
 *
 * @fires capture-request - asks the live view to capture now (the app calls its `capture()`).
 * @fires capture-stored - detail: the stored {@link CaptureRecord} (bubbles, composed).
 */
@localized()
@customElement('crackcam-capture-bar')
export class CrackcamCaptureBar extends LitElement {
  @property({ attribute: false }) store?: CaptureStore;
  /** Class names to offer. */
  @property({ attribute: false }) classes: string[] = ['crack', 'nocrack'];
  /** Label given to the next capture. */
  @property() label = 'crack';
  @state() private count?: Record<string, number>;
  @state() private error = '';
  @state() private lastSaved = '';
  @state() private withLocation = localStorage.getItem('crackcam.captureLocation') === '1';

  static override styles = panelStyles;

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('capture', this.onCapture);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('capture', this.onCapture);
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('store')) void this.refresh();
  }

  /** Re-reads the per-class counts. */
  async refresh(): Promise<void> {
    this.count = await this.store?.counts();
  }

  private readonly onCapture = (e: CustomEvent<CaptureDetail>): void => {
    void this.save(e.detail, this.label);
  };

  private async save(detail: CaptureDetail, label: string): Promise<void> {
    if (!this.store) return;
    try {
      const [crop, frame, location] = await Promise.all([
        imageDataToBlob(detail.crop, 'image/png'),
        imageDataToBlob(detail.frame, 'image/jpeg', 0.9),
        this.withLocation ? currentLocation() : Promise.resolve(undefined),
      ]);
      const record: CaptureRecord = await this.store.add({
        label,
        takenAt: detail.takenAt,
        source: 'camera',
        crop,
        frame,
        location,
        verdict: detail.verdict && { label: detail.verdict.label, probability: detail.verdict.probability },
        model: detail.model,
      });
      this.error = '';
      this.lastSaved = label;
      await this.refresh();
      this.dispatchEvent(new CustomEvent<CaptureRecord>('capture-stored', { detail: record, bubbles: true, composed: true }));
    } catch (e) {
      this.error = e instanceof CaptureStoreError ? e.message : msg(str`The capture could not be saved: ${(e as Error).message}`);
    }
  }

  private pick(label: string): void {
    this.label = label;
    this.dispatchEvent(new CustomEvent('capture-request', { bubbles: true, composed: true }));
  }

  private async toggleLocation(): Promise<void> {
    this.withLocation = !this.withLocation;
    localStorage.setItem('crackcam.captureLocation', this.withLocation ? '1' : '0');
    if (this.withLocation) await currentLocation(10_000, true); // asks for permission once
  }

  override render() {
    return html`<div class="row" role="group" aria-label=${msg('Capture with label')}>
        <span>${msg('Capture as')}</span>
        ${this.classes.map(
          (c) =>
            html`<button
              class=${c === this.label ? 'primary' : ''}
              data-testid="capture-as"
              data-label=${c}
              aria-pressed=${c === this.label ? 'true' : 'false'}
              @click=${() => this.pick(c)}
            >
              ${c} <span data-testid="capture-count" data-label=${c}>${this.count?.[c] ?? 0}</span>
            </button>`,
        )}
        <button aria-pressed=${this.withLocation ? 'true' : 'false'} @click=${this.toggleLocation} title=${msg('Record the location with each capture')}>
          ${msg('Location')}
        </button>
        ${this.lastSaved ? html`<span role="status" data-testid="capture-saved">${msg(str`Saved as ${this.lastSaved}`)}</span>` : nothing}
      </div>
      ${this.error ? html`<div class="error" role="alert" data-testid="capture-error">${this.error}</div>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-capture-bar': CrackcamCaptureBar;
  }
}
