import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { classDisplayName } from './class-names';

/** Verdicts shown as an alarm (red, ⚠) and as all clear (green, ✓). */
const ALARM = new Set(['crack', 'anomaly']);
const CLEAR = new Set(['nocrack', 'normal']);

/** `data-label` of the verdict while the surface is unfamiliar to the classifier. */
export const UNFAMILIAR_LABEL = 'unfamiliar';

/**
 * The verdict: class and probability, large and high-contrast, coded by colour *and* symbol and
 * text. Changes of class are announced through a polite live region (not every frame, which would
 * flood a screen reader). For a one-class model (`ratio` set) the number shown is the anomaly score
 * as a multiple of the threshold (×1.0 is the boundary) instead of a probability, which such a
 * model does not have.
 *
 * When `unfamiliar` is set (a classifier with a novelty model does not know the surface), no
 * verdict is shown as if it were sure: an amber bar with "?" says *Unfamiliar surface*, hints to
 * capture photos here and adapt the model, and offers an *Adapt* button; while `referenceInBox`, it
 * asks for the marker outside the box instead. The change is announced like any other.
 *
 * Test hooks (stable): `data-testid="verdict"`, `data-label` (class name, e.g. `crack`, `anomaly`,
 * or `unfamiliar`), `data-probability` (0..1, the probability of the classifier's own top class,
 * also while unfamiliar), `data-class` (only while unfamiliar: the classifier's label) and, for a
 * one-class model, `data-ratio` (score / threshold), updated on every frame; the Adapt button is
 * `data-testid="adapt-model"`; the marker hint `data-testid="unfamiliar-reference"`.
 *
 * @fires adapt-model - The user asks to adapt the model to an unfamiliar surface (Adapt button);
 *   no detail (bubbles, composed). The app shows the Train screen.
 */
@localized()
@customElement('crackcam-verdict')
export class CrackcamVerdict extends LitElement {
  /** Class name of the latest frame; undefined before the first result. */
  @property() label?: string;
  /** Probability of {@link label}, 0..1. */
  @property({ type: Number }) probability?: number;
  /** Anomaly score / threshold of a one-class model; when set it is shown instead of the probability. */
  @property({ type: Number }) ratio?: number;
  /** Shown instead of a verdict while there is none (e.g. "Loading model"). */
  @property() placeholder = '';
  /** The view is frozen on one frame. */
  @property({ type: Boolean }) frozen = false;
  /** The classifier does not know this surface: say so instead of {@link label} (which stays in `data-class`). */
  @property({ type: Boolean }) unfamiliar = false;
  /**
   * The reference marker or card lies in the crop box: an unfamiliar verdict then asks for it outside
   * the box instead of offering to adapt the model (which would teach the model the marker).
   */
  @property({ type: Boolean }) referenceInBox = false;
  /**
   * For a model adapted to a site that keeps its old head: true when the site's head gave this verdict
   * (a *site* tag is shown), false when the old head did; undefined for other models.
   */
  @property({ attribute: false }) siteHead?: boolean;

  @state() private announced = '';
  private announcedLabel?: string;

  static override styles = css`
    :host {
      display: block;
    }
    .verdict {
      display: flex;
      align-items: center;
      gap: 0.6rem;
      padding: 0.5rem 1rem;
      min-height: 3.6rem;
      color: #fff;
      background: #37474f;
      font-weight: 700;
      line-height: 1.1;
    }
    .verdict.alarm {
      background: #b71c1c;
    }
    .verdict.clear {
      background: #1b5e20;
    }
    .verdict.unfamiliar {
      flex-wrap: wrap;
      color: #000;
      background: #ffb300;
    }
    .hint {
      flex-basis: 100%;
      font-size: 1.05rem;
      font-weight: 600;
    }
    .adapt {
      font: inherit;
      font-size: 1.1rem;
      min-height: 2.75rem;
      padding: 0 1rem;
      border: 2px solid #000;
      border-radius: 0.3rem;
      color: #fff;
      background: #000;
      cursor: pointer;
    }
    .symbol {
      font-size: clamp(1.8rem, 7vw, 2.8rem);
      width: 1.2em;
      text-align: center;
    }
    .label {
      font-size: clamp(1.8rem, 7vw, 2.8rem);
      flex: 1;
    }
    .probability {
      font-size: clamp(1.6rem, 6vw, 2.4rem);
      font-variant-numeric: tabular-nums;
    }
    .frozen {
      font-size: 1rem;
      font-weight: 600;
      border: 2px solid currentColor;
      border-radius: 0.3rem;
      padding: 0.1rem 0.4rem;
    }
    .placeholder {
      font-size: 1.3rem;
      font-weight: 600;
    }
    .sr-only {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.dataset.testid = 'verdict';
  }

  protected override willUpdate(): void {
    const shown = this.shownLabel();
    if (this.label !== undefined && shown !== undefined) {
      this.dataset.label = shown;
      this.dataset.probability = String(this.probability ?? 0);
      if (this.ratio !== undefined) this.dataset.ratio = String(this.ratio);
      else delete this.dataset.ratio;
      if (shown === UNFAMILIAR_LABEL) this.dataset.class = this.label;
      else delete this.dataset.class;
      if (this.siteHead !== undefined) this.dataset.head = this.siteHead ? 'site' : 'previous';
      else delete this.dataset.head;
    } else {
      delete this.dataset.head;
      delete this.dataset.label;
      delete this.dataset.probability;
      delete this.dataset.ratio;
      delete this.dataset.class;
    }
    if (shown !== this.announcedLabel) {
      this.announcedLabel = shown;
      this.announced = this.announcement(shown);
    }
  }

  /** What the bar shows: the class, or {@link UNFAMILIAR_LABEL}; undefined before the first result. */
  private shownLabel(): string | undefined {
    if (this.label === undefined) return undefined;
    return this.unfamiliar ? UNFAMILIAR_LABEL : this.label;
  }

  /** The live region's text for a newly shown verdict. */
  private announcement(shown: string | undefined): string {
    if (shown === undefined) return '';
    if (shown === UNFAMILIAR_LABEL)
      return msg('Unfamiliar surface: capture some photos here and adapt the model', {
        desc: 'screen-reader announcement of the unfamiliar-surface verdict',
      });
    return `${classDisplayName(shown)}, ${this.figure()}`;
  }

  override render() {
    const label = this.label;
    const live = html`<div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.announced}</div>`;
    if (label === undefined) {
      return html`<div class="verdict"><span class="placeholder">${this.placeholder}</span></div>
        ${live}`;
    }
    if (this.unfamiliar) return html`${this.renderUnfamiliar(label)}${live}`;
    const symbol = ALARM.has(label) ? '⚠' : CLEAR.has(label) ? '✓' : '•';
    const cls = ALARM.has(label) ? `alarm ${label}` : CLEAR.has(label) ? `clear ${label}` : '';
    const title =
      this.ratio !== undefined
        ? msg('Anomaly score as a multiple of the threshold set on the normal captures (above ×1.0: anomaly)')
        : msg(str`Probability of ${classDisplayName(label)}`);
    return html`<div class="verdict ${cls}">
        <span class="symbol" aria-hidden="true">${symbol}</span>
        <span class="label">${classDisplayName(label)}</span>
        ${this.siteHead ? html`<span class="frozen" title=${msg('Answered by the model adapted to this site')}>${msg('site', { desc: 'badge: the verdict comes from the head adapted to this site' })}</span>` : nothing}
        ${this.frozen ? html`<span class="frozen">${msg('Frozen', { desc: 'badge: the live view is paused on one frame' })}</span>` : nothing}
        <span class="probability" title=${title}>${this.figure()}</span>
      </div>
      ${live}`;
  }

  /** The amber bar of an unfamiliar surface: what it is, what to do, and the Adapt button. */
  private renderUnfamiliar(label: string) {
    const title = msg(
      str`The model would say ${classDisplayName(label)} (${percent(this.probability ?? 0)}), but it was not trained on a surface like this`,
      {
        desc: 'tooltip of the unfamiliar-surface verdict: the class the classifier would give',
      },
    );
    return html`<div class="verdict unfamiliar">
      <span class="symbol" aria-hidden="true">?</span>
      <span class="label" title=${title}
        >${msg('Unfamiliar surface', { desc: 'verdict: the classifier was not trained on a surface like this' })}</span
      >
      ${this.frozen ? html`<span class="frozen">${msg('Frozen', { desc: 'badge: the live view is paused on one frame' })}</span>` : nothing}
      ${this.referenceInBox ? this.renderReferenceHint() : this.renderAdapt()}
    </div>`;
  }

  /** What to do on an unfamiliar surface: capture photos and adapt the model. */
  private renderAdapt() {
    return html`<button class="adapt" data-testid="adapt-model" @click=${this.onAdapt}>
        ${msg('Adapt', { desc: 'button: open the trainer to adapt the model to this surface' })}
      </button>
      <span class="hint"
        >${msg('Capture some photos here and adapt the model', { desc: 'hint under the unfamiliar-surface verdict' })}</span
      >`;
  }

  /** What to do when the marker in the box may be what the model does not know: move it out. */
  private renderReferenceHint() {
    return html`<span class="hint" data-testid="unfamiliar-reference"
      >${msg('The marker or card is in the box: lay it just outside, then the model sees only the surface', {
        desc: 'hint under the unfamiliar-surface verdict while the reference marker lies in the crop box',
      })}</span
    >`;
  }

  private readonly onAdapt = (): void => {
    this.dispatchEvent(new Event('adapt-model', { bubbles: true, composed: true }));
  };

  /** The number next to the label: a probability, or score / threshold for a one-class model. */
  private figure(): string {
    return this.ratio !== undefined
      ? `×${this.ratio.toFixed(this.ratio < 10 ? 2 : 0)}`
      : percent(this.probability ?? 0);
  }
}

function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-verdict': CrackcamVerdict;
  }
  interface HTMLElementEventMap {
    'adapt-model': Event;
  }
}
