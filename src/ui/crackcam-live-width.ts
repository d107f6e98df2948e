import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { sharedMeasureClient } from '../platform/measure-client';
import { runLiveWidth, shownLiveWidth, type LiveWidth } from '../platform/measure-live';
import { loadMeasureSettings } from '../platform/measure-settings';
import { widthClassLabel } from './measure-labels';

/**
 * The crack width under the crop box, live: "0.42 mm · CS2" while the reference marker (or a bank
 * card) is in view ("· model: no crack" added while the verdict names no crack), "No marker or card"
 * without one, "No crack line to measure" when it finds none; below, "Marker in the box: lay it just
 * outside" while the reference lies where the classifier sees it. Samples a few times a second at
 * most in the measurement worker while it is connected and has a video.
 *
 * Test hook: `live-width` (`data-width-mm` and `data-disputed` while the verdict names no crack, or
 * `data-reason`: no-marker, no-crack); `reference-in-box` while the reference lies in the crop box.
 *
 * @fires reference-in-box - The marker or card came into the crop box or left it; detail `{ inBox }`
 *   (not bubbling). The live view tells the verdict, so that it does not ask to adapt the model.
 */
@localized()
@customElement('crackcam-live-width')
export class CrackcamLiveWidth extends LitElement {
  @property({ attribute: false }) video?: HTMLVideoElement;
  @property({ type: Number }) cropFraction = 1;
  /** The live verdict's label (undefined before the first verdict). */
  @property({ attribute: false }) label?: string;
  /** Whether the live view calls the surface unfamiliar. */
  @property({ type: Boolean }) unfamiliar = false;
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
      text-align: center;
    }
    .placement {
      display: block;
      color: #ffd54f;
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
      (r) => this.onReading(r),
      abort.signal,
    );
  }

  private onReading(r: LiveWidth | { error: string }): void {
    const inBox = !('error' in r) && r.referenceInBox !== undefined;
    const wasInBox =
      this.reading !== undefined && !('error' in this.reading) && this.reading.referenceInBox !== undefined;
    this.reading = r;
    if (inBox !== wasInBox) {
      this.dispatchEvent(new CustomEvent('reference-in-box', { detail: { inBox } }));
    }
  }

  override render() {
    if (!this.reading || 'error' in this.reading) return nothing;
    const r = shownLiveWidth(this.reading, { label: this.label, unfamiliar: this.unfamiliar });
    const placement = r.referenceInBox
      ? html`<span class="placement" data-testid="reference-in-box" data-reference=${r.referenceInBox}
          >${
            r.referenceInBox === 'card'
              ? msg('Card in the box: lay it just outside')
              : msg('Marker in the box: lay it just outside')
          }</span
        >`
      : nothing;
    if ('reason' in r) {
      const text = r.reason === 'no-marker' ? msg('No marker or card') : msg('No crack line to measure');
      return html`<span data-testid="live-width" data-reason=${r.reason}>${text}</span>${placement}`;
    }
    const width = r.widthMm.toFixed(2);
    const text = msg(str`${width} mm · ${widthClassLabel(r)}`);
    return html`<span data-testid="live-width" data-width-mm=${r.widthMm} ?data-disputed=${r.disputed === true}
        >${r.disputed ? msg(str`${text} · model: no crack`) : text}</span
      >${placement}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-live-width': CrackcamLiveWidth;
  }
}
