import { localized, msg, str } from '@lit/localize';
import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

/** Where a finding's full-resolution still comes from on demand (team sync's `fetchFullStill`). */
export interface FullStillSource {
  /** Resolves true when the full still is on this device now, false when the server has none. */
  fetchFullStill(findingId: string, signal?: AbortSignal): Promise<boolean>;
}

type FetchState = { kind: 'idle' | 'fetching' | 'absent' } | { kind: 'error'; message: string };

/**
 * "Download full photo" for a finding that came by sync without its full-resolution still: fetches
 * it from the team database and says how that goes (downloading, not on the server yet, the error).
 *
 * Test hooks: `finding-fetch-full` (the button), `finding-fetch-status` (`data-kind`: fetching,
 * absent, error).
 *
 * @fires full-still-fetched - detail: the finding's id; its full still is on this device now (bubbles, composed).
 */
@localized()
@customElement('crackcam-full-still-fetch')
export class CrackcamFullStillFetch extends LitElement {
  @property() findingId = '';
  @property({ attribute: false }) source?: FullStillSource;
  @state() private fetchState: FetchState = { kind: 'idle' };
  private abort = new AbortController();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort.abort();
    this.abort = new AbortController();
  }

  private async fetch(): Promise<void> {
    if (!this.source || this.fetchState.kind === 'fetching') return;
    this.fetchState = { kind: 'fetching' };
    try {
      const here = await this.source.fetchFullStill(this.findingId, this.abort.signal);
      this.fetchState = { kind: here ? 'idle' : 'absent' };
      if (here)
        this.dispatchEvent(
          new CustomEvent('full-still-fetched', { detail: this.findingId, bubbles: true, composed: true }),
        );
    } catch (e) {
      if (!this.abort.signal.aborted) this.fetchState = { kind: 'error', message: (e as Error).message };
    }
  }

  private statusText(): string {
    const s = this.fetchState;
    if (s.kind === 'error') return msg(str`The full photo could not be downloaded: ${s.message}`);
    if (s.kind === 'absent') return msg('The full photo is not on the server (yet).');
    return msg('Downloading the full photo…');
  }

  override render() {
    const kind = this.fetchState.kind;
    return html`<button data-testid="finding-fetch-full" ?disabled=${kind === 'fetching'} @click=${this.fetch}>
        ${msg('Download full photo')}</button
      >${
        kind === 'idle'
          ? nothing
          : html`<span role="status" data-testid="finding-fetch-status" data-kind=${kind}>${this.statusText()}</span>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-full-still-fetch': CrackcamFullStillFetch;
  }
}
