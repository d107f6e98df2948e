import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { FULL_PHOTO_POLICIES, type FullPhotoPolicy } from '../platform/sync/photo-policy';
import type { SyncState } from '../platform/sync/sync-state';
import type { TeamSync } from '../platform/sync/team-sync';
import { ChangeListener } from './change-listener';
import { fullPhotoLabel, syncErrorText, syncStateLabel } from './crackcam-sync-labels';
import { panelStyles } from './shared-styles';

/**
 * Team sync settings: the team database's URL (a CouchDB 3 database, e.g. https://couch.example.org/team
 * or `npm run sync-server`'s http://127.0.0.1:5984/crackcam), user name and password, when
 * full-resolution photos travel, and Start / Stop. The URL and user are remembered on this device; the
 * password only for this run, and by the browser's password manager where it offers one.
 *
 * Test hooks: `sync-url`, `sync-user`, `sync-password` (inputs), `sync-photos` (select), `sync-start`,
 * `sync-stop` (buttons), `sync-settings-state` (the state, as the header chip).
 *
 * @fires sync-started - detail `{ url }`: sync was started from this panel (bubbles, composed).
 * @fires sync-stopped - sync was stopped from this panel (bubbles, composed).
 */
@localized()
@customElement('crackcam-sync-settings')
export class CrackcamSyncSettings extends LitElement {
  /** The team sync to set up. Not owned. */
  @property({ attribute: false }) sync?: TeamSync;
  @state() private syncState: SyncState = { kind: 'off' };
  @state() private url = '';
  @state() private user = '';
  @state() private photos: FullPhotoPolicy = 'never';

  private readonly listener = new ChangeListener<TeamSync>(() => {
    this.syncState = this.sync?.state ?? { kind: 'off' };
    if (!this.sync) return;
    this.url ||= this.sync.settings.url;
    this.user ||= this.sync.settings.user;
    this.photos = this.sync.settings.photos;
  });

  static override styles = [
    panelStyles,
    css`
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 0.8rem;
        align-items: end;
        padding: 0.6rem 0.8rem;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 0.2rem;
        font-size: 0.9rem;
      }
      input[type='url'] {
        min-width: 18rem;
      }
      .state {
        padding: 0 0.8rem 0.6rem;
        font-size: 0.9rem;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.listener.follow(this.sync);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.listener.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('sync') && this.isConnected) this.listener.follow(this.sync);
  }

  private field(name: string): string {
    return (this.renderRoot.querySelector(`[name="${name}"]`) as HTMLInputElement | null)?.value ?? '';
  }

  private start(e: Event): void {
    e.preventDefault();
    if (!this.sync) return;
    this.url = this.field('url').trim();
    this.user = this.field('user').trim();
    const password = this.field('password');
    void this.sync
      .start({ url: this.url, user: this.user, password, photos: this.photos })
      .then(() =>
        this.dispatchEvent(
          new CustomEvent('sync-started', { detail: { url: this.url }, bubbles: true, composed: true }),
        ),
      );
  }

  private stop(): void {
    void this.sync
      ?.stop()
      .then(() => this.dispatchEvent(new CustomEvent('sync-stopped', { bubbles: true, composed: true })));
  }

  private changePhotos(e: Event): void {
    this.photos = (e.target as HTMLSelectElement).value as FullPhotoPolicy;
    void this.sync?.setPhotos(this.photos);
  }

  override render() {
    const s = this.syncState;
    const on = s.kind !== 'off';
    return html`<h2>${msg('Team sync')}</h2>
      <form @submit=${this.start} autocomplete="on">
        <label
          >${msg('Database URL')}
          <input
            type="url"
            name="url"
            data-testid="sync-url"
            placeholder="https://couch.example.org/team"
            .value=${this.url}
            required
        /></label>
        <label
          >${msg('User')}
          <input type="text" name="user" autocomplete="username" data-testid="sync-user" .value=${this.user}
        /></label>
        <label
          >${msg('Password')}
          <input type="password" name="password" autocomplete="current-password" data-testid="sync-password"
        /></label>
        <label
          >${msg('Full-resolution photos')}
          <select data-testid="sync-photos" @change=${this.changePhotos}>
            ${FULL_PHOTO_POLICIES.map(
              (p) => html`<option value=${p} .selected=${p === this.photos}>${fullPhotoLabel(p)}</option>`,
            )}
          </select></label
        >
        <button class="primary" type="submit" data-testid="sync-start" ?disabled=${!this.sync}>
          ${on ? msg('Restart sync') : msg('Start sync')}
        </button>
        <button type="button" data-testid="sync-stop" ?disabled=${!on} @click=${this.stop}>${msg('Stop sync')}</button>
      </form>
      <div class="state" data-testid="sync-settings-state" data-state=${s.kind}>
        ${syncStateLabel(s.kind)}${s.kind === 'error' ? html`: ${syncErrorText(s.reason)} (${s.detail})` : nothing}
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-sync-settings': CrackcamSyncSettings;
  }
}
