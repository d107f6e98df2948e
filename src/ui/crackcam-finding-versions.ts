import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FindingVersion } from '../platform/finding-versions';
import { conditionStateLabel, defectTypeLabel } from './finding-labels';
import { panelStyles } from './shared-styles';
import { dateTimeText } from './dates';

/** What {@link CrackcamFindingVersions} asks to restore. */
export interface FindingVersionRestoreDetail {
  id: string;
  rev: string;
}

/**
 * The versions of a finding that was edited on two devices before they synced: the shown one (edited
 * last) and, for each other version, what it says and a Restore button that keeps it instead.
 *
 * The shown version has "Keep this version", which removes the others the same way.
 *
 * Test hooks: `finding-versions` (the panel, `data-id`), `finding-version` (`data-rev`, one per other
 * version), `finding-version-restore` (`data-rev`), `finding-version-keep` (`data-rev`: the shown
 * version), `finding-versions-close`, `finding-versions-error`.
 *
 * @fires finding-version-restore - {@link FindingVersionRestoreDetail}: keep this version (shown or other), remove the others (bubbles, composed).
 * @fires finding-versions-close - the panel was closed (bubbles, composed).
 */
@localized()
@customElement('crackcam-finding-versions')
export class CrackcamFindingVersions extends LitElement {
  /** The finding's versions, newest first (the first is the one shown). */
  @property({ attribute: false }) versions: FindingVersion[] = [];
  @property({ type: Boolean }) busy = false;
  @property() error = '';

  static override styles = [
    panelStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        gap: 0.6rem;
        align-items: center;
        padding: 0.3rem 0;
        border-top: 1px solid #37474f;
      }
      .what {
        flex: 1;
        display: grid;
      }
    `,
  ];

  private emit(name: string, detail?: FindingVersionRestoreDetail): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private renderVersion(v: FindingVersion) {
    const f = v.fields;
    const state = f.conditionState ? `${f.conditionState} ${conditionStateLabel(f.conditionState).name}` : '–';
    const edited = dateTimeText(f.updatedAt);
    return html`<li data-testid="finding-version" data-rev=${v.rev}>
      <span class="what">
        <strong>${defectTypeLabel(f.defectType)} · ${msg('State')}: ${state}</strong>
        <span>${f.context.element || f.context.structure || '–'}</span>
        <span>${f.notes || msg('(no notes)')}</span>
        <time datetime=${new Date(f.updatedAt).toISOString()}>${msg(str`Edited ${edited}`)}</time>
      </span>
      <button
        data-testid="finding-version-restore"
        data-rev=${v.rev}
        ?disabled=${this.busy}
        @click=${() => this.emit('finding-version-restore', { id: f.id, rev: v.rev })}
      >
        ${msg('Restore')}
      </button>
    </li>`;
  }

  override render() {
    const [shown, ...others] = this.versions;
    if (!shown) return nothing;
    const edited = dateTimeText(shown.fields.updatedAt);
    return html`<section data-testid="finding-versions" data-id=${shown.fields.id} aria-label=${msg('Versions of this finding')}>
      <p class="note">
        ${msg(
          str`This finding was edited on more than one device before they synced. The version edited last (${edited}) is shown: keep it, or restore another to keep that one instead. The others are then removed on every device.`,
        )}
      </p>
      <button
        data-testid="finding-version-keep"
        data-rev=${shown.rev}
        ?disabled=${this.busy}
        @click=${() => this.emit('finding-version-restore', { id: shown.fields.id, rev: shown.rev })}
      >
        ${msg('Keep this version')}
      </button>
      ${this.error ? html`<div class="error" role="alert" data-testid="finding-versions-error">${this.error}</div>` : nothing}
      <ul>
        ${others.map((v) => this.renderVersion(v))}
      </ul>
      <button data-testid="finding-versions-close" @click=${() => this.emit('finding-versions-close')}>${msg('Close')}</button>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-finding-versions': CrackcamFindingVersions;
  }
}
