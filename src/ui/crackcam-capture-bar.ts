import { localized, msg, str } from '@lit/localize';
import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { cameraPermission } from '../platform/camera-permission';
import { CaptureStoreError, type CaptureRecord } from '../platform/capture-record';
import type { CaptureStore } from '../platform/capture-store';
import { currentLocation } from '../platform/geolocation';
import { imageDataToBlob } from '../platform/image-blob';
import type { BarFailure } from './bar-failure';
import type { CaptureDetail } from './crackcam-live-view';
import { panelStyles } from './shared-styles';
import { classDisplayName } from './class-names';

/**
 * One-tap labelled capture under the live view: a button per class ("crack", "nocrack", user
 * classes) that asks the live view for a capture and stores it with that label; a capture taken by
 * tapping the viewfinder gets the last chosen label (or the one chosen with the live view's *Label this*). Stores the 227x227 crop (PNG), the full frame
 * (JPEG) and, when the user switched it on and allowed it, the location. A tap that captures nothing
 * (camera blocked or not running) says why; a failed save replaces the previous "Saved as" notice.
 *
 * Test hooks: `[data-testid="capture-error"]` with `data-kind`: `camera-denied`, `camera-off`, or a
 * {@link CaptureStoreError} kind (`quota`, `write`, ...), `unknown` for other failures.
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
  /** The last failure, worded at render. */
  @state() private failure?: BarFailure;
  @state() private lastSaved = '';
  @state() private withLocation = localStorage.getItem('crackcam.captureLocation') === '1';
  /** Counts `capture` events, so that a capture request can tell whether one followed. */
  private captures = 0;

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
    this.captures++;
    void this.save(e.detail, e.detail.label ?? this.label);
  };

  /**
   * The capture store, waiting for it when a capture comes before the app has opened it (the shell and
   * camera start before the rest of the app loads): a capture taken that early is saved, not lost.
   */
  private async openedStore(): Promise<CaptureStore> {
    for (let waited = 0; !this.store; waited += 100) {
      if (waited >= 30_000) throw new Error('the capture store did not open within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.store;
  }

  private async save(detail: CaptureDetail, label: string): Promise<void> {
    try {
      const store = await this.openedStore();
      const [crop, frame, location] = await Promise.all([
        imageDataToBlob(detail.crop, 'image/png'),
        imageDataToBlob(detail.frame, 'image/jpeg', 0.9),
        this.withLocation ? currentLocation() : Promise.resolve(undefined),
      ]);
      const record: CaptureRecord = await store.add({
        label,
        takenAt: detail.takenAt,
        source: 'camera',
        crop,
        frame,
        location,
        verdict: detail.verdict && { label: detail.verdict.label, probability: detail.verdict.probability },
        model: detail.model,
      });
      this.failure = undefined;
      this.lastSaved = label;
      await this.refresh();
      this.dispatchEvent(
        new CustomEvent<CaptureRecord>('capture-stored', { detail: record, bubbles: true, composed: true }),
      );
    } catch (e) {
      this.lastSaved = ''; // only the error shows: the earlier "Saved as" is not about this capture
      if (e instanceof CaptureStoreError) this.failure = { kind: e.kind, text: e.message };
      else this.failure = { kind: 'unknown', detail: (e as Error).message };
    }
  }

  /** The failure in the UI's current language (so a language switch rewords it). */
  private failureText(failure: BarFailure): string {
    if (failure.text !== undefined) return failure.text;
    switch (failure.kind) {
      case 'camera-denied':
        return msg(
          "Nothing was captured: camera access is blocked. Allow the camera for this site in the browser's site settings, then press Try again above.",
        );
      case 'camera-off':
        return msg(
          'Nothing was captured: the camera is not running. Wait until the picture shows (or press Try again above), then tap again.',
        );
      default:
        return msg(str`The capture could not be saved: ${failure.detail ?? ''}`);
    }
  }

  /** Asks for a capture with `label`; when none follows (camera blocked or off), says why. */
  private async pick(label: string): Promise<void> {
    this.label = label;
    const before = this.captures;
    this.dispatchEvent(new CustomEvent('capture-request', { bubbles: true, composed: true }));
    await new Promise((resolve) => setTimeout(resolve)); // the live view answers at once, or not at all
    if (this.captures !== before) return;
    this.lastSaved = '';
    this.failure = { kind: (await cameraPermission()) === 'denied' ? 'camera-denied' : 'camera-off' };
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
              @click=${() => void this.pick(c)}
            >
              ${classDisplayName(c)} <span data-testid="capture-count" data-label=${c}>${this.count?.[c] ?? 0}</span>
            </button>`,
        )}
        <button
          aria-pressed=${this.withLocation ? 'true' : 'false'}
          @click=${this.toggleLocation}
          title=${msg('Record the location with each capture')}
        >
          ${msg('Location')}
        </button>
        ${this.lastSaved ? html`<span role="status" data-testid="capture-saved">${msg(str`Saved as ${classDisplayName(this.lastSaved)}`)}</span>` : nothing}
      </div>
      ${this.failure ? html`<div class="error" role="alert" data-testid="capture-error" data-kind=${this.failure.kind}>${this.failureText(this.failure)}</div>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-capture-bar': CrackcamCaptureBar;
  }
}
