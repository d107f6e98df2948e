import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { sharedMeasureClient } from '../platform/measure-client';
import { runLiveWidth, type LiveWidth } from '../platform/measure-live';
import { loadMeasureSettings } from '../platform/measure-settings';
import { widthClassLabel } from './measure-labels';

/**
 * The crack width under the crop box, live: "0.42 mm · CS2" while the reference marker (or a bank
 * card) is in view, "No marker or card" otherwise. Samples a few times a second at most in the
 * measurement worker while it is connected and has a video.
 *
 * Test hook: `live-width` (`data-width-mm`, or `data-reason`: no-marker, no-crack).
 */
@localized()
@customElement('crackcam-live-width')
export class CrackcamLiveWidth extends LitElement {
  @property({ attribute: false }) video?: HTMLVideoElement;
  @property({ type: Number }) cropFraction = 1;
  @state() private reading?: LiveWidth | { error: string };
  private abort?: AbortController;

  static override styles = css`
    :host {
      position: absolute;
      left: 50%;
      bottom: 0.5rem;
      transform: translateX(-50%);
      padding: 0.2rem 0.6rem;
      border-radius: 0.3rem;
      background: rgb(0 0 0 / 60%);
      color: #fff;
      font-size: 0.9rem;
      pointer-events: none;
    }
  `;

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('video')) this.restart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
    this.abort = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.restart();
  }

  private restart(): void {
    this.abort?.abort();
    const video = this.video;
    if (!video) return;
    const abort = (this.abort = new AbortController());
    void runLiveWidth(
      video,
      () => this.cropFraction,
      loadMeasureSettings, // each sample: a changed standard applies at once
      sharedMeasureClient(),
      (r) => (this.reading = r),
      abort.signal,
    );
  }

  override render() {
    const r = this.reading;
    if (!r || 'error' in r) return nothing;
    if ('reason' in r) {
      const text = r.reason === 'no-marker' ? msg('No marker or card') : msg('No crack under the box');
      return html`<span data-testid="live-width" data-reason=${r.reason}>${text}</span>`;
    }
    const width = r.widthMm.toFixed(2);
    return html`<span data-testid="live-width" data-width-mm=${r.widthMm}
      >${msg(str`${width} mm · ${widthClassLabel(r)}`)}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-live-width': CrackcamLiveWidth;
  }
}
