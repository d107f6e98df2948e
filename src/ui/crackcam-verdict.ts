import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

/** Display name of a class; unknown labels (user-trained models) are shown as they are. */
export function classDisplayName(label: string): string {
  switch (label) {
    case 'crack':
      return msg('Crack', { desc: 'verdict: the surface shows a crack' });
    case 'nocrack':
      return msg('No crack', { desc: 'verdict: no crack visible' });
    case 'normal':
      return msg('Normal', { desc: 'verdict of a normal-only model: the surface looks like the sound surface it learned' });
    case 'anomaly':
      return msg('Anomaly', { desc: 'verdict of a normal-only model: the surface looks unlike the sound surface it learned' });
    default:
      return label;
  }
}

/** Verdicts shown as an alarm (red, ⚠) and as all clear (green, ✓). */
const ALARM = new Set(['crack', 'anomaly']);
const CLEAR = new Set(['nocrack', 'normal']);

/**
 * The verdict: class and probability, large and high-contrast, coded by colour *and* symbol and
 * text. Changes of class are announced through a polite live region (not every frame, which would
 * flood a screen reader). For a one-class model (`ratio` set) the number shown is the anomaly score
 * as a multiple of the threshold (×1.0 is the boundary) instead of a probability, which such a
 * model does not have.
 *
 * Test hooks (stable): `data-testid="verdict"`, `data-label` (class name, e.g. `crack`, `anomaly`),
 * `data-probability` (0..1) and, for a one-class model, `data-ratio` (score / threshold), updated
 * on every frame.
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
    if (this.label !== undefined) {
      this.dataset.label = this.label;
      this.dataset.probability = String(this.probability ?? 0);
      if (this.ratio !== undefined) this.dataset.ratio = String(this.ratio);
      else delete this.dataset.ratio;
    } else {
      delete this.dataset.label;
      delete this.dataset.probability;
      delete this.dataset.ratio;
    }
    if (this.label !== this.announcedLabel) {
      this.announcedLabel = this.label;
      this.announced = this.label === undefined ? '' : `${classDisplayName(this.label)}, ${this.figure()}`;
    }
  }

  override render() {
    const label = this.label;
    const live = html`<div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this.announced}</div>`;
    if (label === undefined) {
      return html`<div class="verdict"><span class="placeholder">${this.placeholder}</span></div>${live}`;
    }
    const symbol = ALARM.has(label) ? '⚠' : CLEAR.has(label) ? '✓' : '•';
    const cls = ALARM.has(label) ? `alarm ${label}` : CLEAR.has(label) ? `clear ${label}` : '';
    const title =
      this.ratio !== undefined
        ? msg('Anomaly score as a multiple of the threshold set on the normal captures (above ×1.0: anomaly)')
        : msg(str`Probability of ${classDisplayName(label)}`);
    return html`<div class="verdict ${cls}">
        <span class="symbol" aria-hidden="true">${symbol}</span>
        <span class="label">${classDisplayName(label)}</span>
        ${this.frozen ? html`<span class="frozen">${msg('Frozen', { desc: 'badge: the live view is paused on one frame' })}</span>` : nothing}
        <span class="probability" title=${title}>${this.figure()}</span>
      </div>
      ${live}`;
  }

  /** The number next to the label: a probability, or score / threshold for a one-class model. */
  private figure(): string {
    return this.ratio !== undefined ? `×${this.ratio.toFixed(this.ratio < 10 ? 2 : 0)}` : percent(this.probability ?? 0);
  }
}

function percent(p: number): string {
  return `${Math.round(p * 100)}%`;
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-verdict': CrackcamVerdict;
  }
}
