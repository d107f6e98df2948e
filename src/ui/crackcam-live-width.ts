import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { sharedMeasureClient } from '../platform/measure-client';
import { runLiveWidth, shownLiveWidth, type LiveWidth } from '../platform/measure-live';
import { loadMeasureSettings } from '../platform/measure-settings';
import { widthClassLabel } from './measure-labels';
import type { WidthCaveat } from '../core/measure/guidance';

/**
 * The crack width under the crop box, live: "0.42 mm · CS2" while the reference marker (or a bank
 * card) is in view ("· model: no crack" added while the verdict names no crack), "No marker or card"
 * without one, "No crack line to measure" when it finds none, "Thin crack: save a finding to measure
 * it" when the crack is under 2 px across in the downscaled video; below, what to do about a blurred or
 * oblique frame, and "Marker in the box: lay it just outside" while the reference lies where the
 * classifier sees it. Samples a few times a second at most in the measurement worker while it is
 * connected and has a video.
 *
 * Test hook: `live-width` (`data-width-mm` and `data-disputed` while the verdict names no crack, or
 * `data-reason`: no-marker, no-crack; `data-caveats`: the width caveats); `live-width-advice`;
 * `reference-in-box` (`data-reference`) while the reference lies in the crop box.
 *
 * @fires reference-in-box - The marker or card came into the crop box or left it; detail `{ inBox }`
 *   (not bubbling). The live view tells the verdict, so that it does not ask to adapt the model.
 */
/** What to do about a blurred or oblique live frame, in a few words. */
function caveatAdvice(caveat: Exclude<WidthCaveat, 'move-closer'>): string {
  return caveat === 'hold-still'
    ? msg('Blurred: hold still', { desc: 'live width: the frame is blurred' })
    : msg('Oblique: face the surface', { desc: 'live width: the view is more than 25 degrees oblique' });
}

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
    // the live frame is downscaled: a crack under 2 px there is no width to show, but the finding's
    // full-resolution still may well read it
    const text = r.caveats?.includes('move-closer')
      ? msg('Thin crack: save a finding to measure it', {
          desc: 'live width: the crack is too thin to read in the live video; the full-resolution photo of a finding measures it',
        })
      : msg(str`${width} mm · ${widthClassLabel(r)}`);
    const advice = (r.caveats ?? []).filter((c) => c !== 'move-closer');
    const caveats = advice.length
      ? html`<span class="placement" data-testid="live-width-advice">${advice.map(caveatAdvice).join(' · ')}</span>`
      : nothing;
    return html`<span
        data-testid="live-width"
        data-width-mm=${r.widthMm}
        data-caveats=${r.caveats?.join(' ') ?? nothing}
        ?data-disputed=${r.disputed === true}
        >${r.disputed ? msg(str`${text} · model: no crack`) : text}</span
      >${caveats}${placement}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-live-width': CrackcamLiveWidth;
  }
}
