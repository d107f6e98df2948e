import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { BaseNetwork } from '../core/base';
import type { ModelSurfaces } from '../core/metadata';
import { modelSurfaces } from '../core/model-surfaces';
import type { RoutingInfo } from '../core/routing-info';
import {
  BUILTIN_MODEL_ID,
  filesFromUrl,
  filesFromZip,
  modelToZip,
  validateModelFiles,
  type ModelStore,
  type ModelSummary,
} from '../platform/model-store';
import type { RejectedModel } from '../platform/model-sharing';
import type { ModelShareStatus } from '../platform/sync/team-sync';
import { downloadBytes } from './crackcam-captures';
import { fileButtonStyles, panelStyles } from './shared-styles';
import { TaskStatus } from './task-status';
import { classDisplayName, surfaceDisplayName } from './class-names';
import { dateTimeText } from './dates';

/** What a model row says about its last share or unshare. */
function shareStatusText(status: ModelShareStatus): string {
  if ('message' in status) return msg(str`Not done: ${status.message}`);
  return status.kind === 'shared' ? msg('Shared') : msg('No longer shared');
}

/**
 * The model library: every trained or imported model with version, labels, training summary and
 * date; the active one marked. Activate any, roll back to the previous one with one tap, delete,
 * export as a zip (TF.js files + metadata), import from a zip or a model.json URL. An import is
 * loaded on the base first (labels, shapes, base compatibility) and only stored when that works.
 * Both kinds of model import: crack classifiers and one-class ("normal-only") models, e.g. a folder
 * written by `npm run oneclass -- --out DIR` (zipped, or served with its model.json URL).
 * Each model says which surfaces it was trained and rehearsed on when its metadata records them
 * (`[data-testid="model-surfaces"]`).
 *
 * @fires model-activated - detail `{ id }`: the active model changed (bubbles, composed).
 * While team sync is on, a model trained or imported here has "Share with team", or "Stop sharing"
 * once it is shared, and the row says what the last of them did (`model-share-status`, `data-kind`).
 *
 * @fires model-share-request - detail `{ id }`: share this model with the team (team sync; bubbles, composed).
 * @fires model-unshare-request - detail `{ id }`: stop sharing this model with the team (bubbles, composed).
 * @fires model-deleted - detail `{ id }`: the model was deleted from the library (bubbles, composed).
 */
@localized()
@customElement('crackcam-models')
export class CrackcamModels extends LitElement {
  @property({ attribute: false }) store?: ModelStore;
  /**
   * The base network imports are validated on, as the app's load of it (it starts when this screen
   * opens). Not owned.
   */
  @property({ attribute: false }) base?: Promise<BaseNetwork | undefined>;
  /** Name and version of the built-in model, for its row. */
  @property({ attribute: false }) builtin?: {
    name: string;
    version: number;
    labels: readonly string[];
    surfaces?: ModelSurfaces;
  };
  /** Team models that failed the check on this device (team sync): listed with the reason, never usable. */
  @property({ attribute: false }) rejected: readonly RejectedModel[] = [];
  /** Team sync is on: models trained or imported here get a "Share with team" button. */
  @property({ type: Boolean }) canShare = false;
  /** Library ids of the models shared with the team. */
  @property({ attribute: false }) shared: ReadonlySet<string> = new Set();
  /** By library id: what the last share or unshare did. */
  @property({ attribute: false }) shareStatus: ReadonlyMap<string, ModelShareStatus> = new Map();
  @state() private models: ModelSummary[] = [];
  @state() private active = BUILTIN_MODEL_ID;
  @state() private canRollback = false;
  private readonly task = new TaskStatus(this);

  static override styles = [
    panelStyles,
    fileButtonStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0 0.8rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.8rem;
        align-items: center;
        padding: 0.5rem 0;
        border-bottom: 1px solid #37474f;
      }
      li[data-active='true'] .name::after {
        content: ' ✓';
        color: #66bb6a;
      }
      .name {
        font-weight: 700;
        min-width: 12rem;
      }
      .meta,
      .surfaces {
        flex: 1;
        opacity: 0.85;
        font-size: 0.9rem;
      }
      /* On a phone each description takes a line of its own, the buttons a row below them. */
      @media (max-width: 40rem) {
        .meta,
        .surfaces {
          flex-basis: 100%;
        }
      }
      input[type='url'] {
        flex: 1;
        min-width: 14rem;
      }
    `,
  ];

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('store')) void this.refresh();
  }

  /** Re-reads the library. */
  async refresh(): Promise<void> {
    if (!this.store) return;
    this.models = await this.store.list();
    this.active = await this.store.activeId();
    this.canRollback = (await this.store.history()).length > 0;
  }

  private async run(label: string, work: () => Promise<string | void>, activated = false): Promise<void> {
    const ok = await this.task.run(label, work, () => this.refresh());
    if (ok && activated)
      this.dispatchEvent(
        new CustomEvent('model-activated', { detail: { id: this.active }, bubbles: true, composed: true }),
      );
  }

  private activate(id: string): void {
    void this.run(msg('Switching model…'), () => this.store!.activate(id), true);
  }

  private rollback(): void {
    void this.run(
      msg('Rolling back…'),
      async () => {
        const id = await this.store!.rollback();
        if (id === undefined) throw new Error(msg('There is no previous model to go back to.'));
      },
      true,
    );
  }

  private removeModel(m: ModelSummary): void {
    if (!confirm(msg(str`Delete ${m.name} v${m.version}?`))) return;
    const wasActive = m.id === this.active;
    void this.run(
      msg('Deleting…'),
      async () => {
        await this.store!.delete(m.id);
        this.emit('model-deleted', m.id);
      },
      wasActive,
    );
  }

  private emit(name: 'model-share-request' | 'model-unshare-request' | 'model-deleted', id: string): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { id }, bubbles: true, composed: true }));
  }

  /** "Share with team" or "Stop sharing", and what the last of them did. */
  private renderShare(m: ModelSummary) {
    if (!this.canShare || m.origin === 'team') return nothing;
    const status = this.shareStatus.get(m.id);
    const button = this.shared.has(m.id)
      ? html`<button data-testid="unshare-model" @click=${() => this.emit('model-unshare-request', m.id)}>
          ${msg('Stop sharing')}
        </button>`
      : html`<button data-testid="share-model" @click=${() => this.emit('model-share-request', m.id)}>
          ${msg('Share with team')}
        </button>`;
    return html`${button}${
      status
        ? html`<span class="note" role="status" data-testid="model-share-status" data-kind=${status.kind}
            >${shareStatusText(status)}</span
          >`
        : nothing
    }`;
  }

  private exportModel(m: ModelSummary): void {
    void this.run(msg('Exporting…'), async () => {
      const full = await this.store!.get(m.id);
      if (!full) throw new Error(`model ${m.id} is gone`);
      downloadBytes(modelToZip(full), `${m.name}-v${m.version}.zip`);
    });
  }

  private async importFiles(files: Record<string, Uint8Array>, source: string): Promise<string> {
    const base = await this.base;
    if (!base) throw new Error(msg('The base network is not loaded yet.'));
    let metadata;
    try {
      metadata = await validateModelFiles(files, base);
    } catch (e) {
      throw new Error(msg(str`${source} was not imported: ${(e as Error).message}`), { cause: e });
    }
    await this.store!.save(files, { origin: 'imported', activate: true });
    return msg(
      str`Imported ${metadata.name} v${metadata.version} (${metadata.labels.map(classDisplayName).join(', ')}) and made it active.`,
    );
  }

  private importZip(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    void this.run(
      msg('Checking the model…'),
      async () => this.importFiles(filesFromZip(new Uint8Array(await file.arrayBuffer())), file.name),
      true,
    );
  }

  private importUrl(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('url') as HTMLInputElement;
    const url = input.value.trim();
    if (!url) return;
    void this.run(
      msg('Downloading and checking the model…'),
      async () => this.importFiles(await filesFromUrl(url), url),
      true,
    );
  }

  /** "trained on brick · rehearsed on concrete, asphalt" (nothing when the metadata does not say). */
  private renderSurfaces(surfaces: ModelSurfaces | undefined) {
    if (!surfaces) return nothing;
    const parts = [
      surfaces.trained.length ? msg(str`trained on ${surfaces.trained.map(surfaceDisplayName).join(', ')}`) : '',
      surfaces.rehearsed.length ? msg(str`rehearsed on ${surfaces.rehearsed.map(surfaceDisplayName).join(', ')}`) : '',
    ].filter((p) => p);
    if (!parts.length) return nothing;
    return html`<span
      class="surfaces"
      data-testid="model-surfaces"
      data-trained=${surfaces.trained.join(',')}
      data-rehearsed=${surfaces.rehearsed.join(',')}
      >${parts.join(' · ')}</span
    >`;
  }

  /** "off this site: answers as crackcam-default v2" for a model that keeps its old head (src/core/routing-info.ts). */
  private renderRouting(routing: RoutingInfo | undefined) {
    if (!routing) return nothing;
    const old = `${routing.parent.name} v${routing.parent.version}`;
    return html`<span class="surfaces" data-testid="model-routing" data-parent=${old}
      >${msg(str`off this site: answers as ${old}`)}</span
    >`;
  }

  private summary(m: ModelSummary): string {
    const t = m.metadata.training as
      | {
          valAccuracy?: number;
          n?: { train?: number; validation?: number };
          epochs?: number;
          mode?: unknown;
          trunk?: unknown;
        }
      | undefined;
    const parts = [
      m.labels.map(classDisplayName).join(' / '),
      dateTimeText(m.savedAt),
      m.origin === 'imported' ? msg('imported') : m.origin === 'team' ? msg('from the team') : msg('trained here'),
    ];
    // A one-class model runs the live view in another mode: say so before it is made active.
    if (m.metadata.kind === 'oneclass')
      parts.unshift(
        msg('normal-only (anomaly)', { desc: 'model list: a one-class model trained on sound surface only' }),
      );
    if (t?.mode === 'deep') {
      const fires = Array.isArray(t.trunk) ? t.trunk.join(', ') : 'fire9';
      parts.push(
        msg(str`deep (own fine-tuned ${fires})`, {
          desc: 'model list: the model carries its own fine-tuned copies of the last SqueezeNet modules, e.g. fire8, fire9',
        }),
      );
    }
    if (typeof t?.valAccuracy === 'number') parts.push(msg(str`validation ${(t.valAccuracy * 100).toFixed(1)}%`));
    if (t?.n?.train !== undefined) parts.push(msg(str`${t.n.train} + ${t.n.validation ?? 0} captures`));
    return parts.join(' · ');
  }

  override render() {
    const busy = !!this.task.busy;
    const b = this.builtin;
    return html`
      <h2>${msg('Models')}</h2>
      <div class="row">
        <button class="primary" data-testid="rollback" ?disabled=${busy || !this.canRollback} @click=${this.rollback}>
          ${msg('Roll back to the previous model')}
        </button>
        <label class="file"
          >${msg('Import zip')}
          <input type="file" accept=".zip,application/zip" data-testid="import-model-zip" @change=${this.importZip}
        /></label>
      </div>
      <form class="row" @submit=${this.importUrl}>
        <input
          type="url"
          name="url"
          placeholder="https://…/model.json"
          aria-label=${msg('Model URL')}
          data-testid="import-model-url"
          required
        />
        <button type="submit" ?disabled=${busy}>${msg('Import from URL')}</button>
      </form>
      ${this.task.render('models')}
      <ul data-testid="model-list" data-active=${this.active}>
        ${this.models.map(
          (m) =>
            html`<li
              data-testid="model"
              data-id=${m.id}
              data-version=${m.version}
              data-active=${m.id === this.active ? 'true' : 'false'}
            >
              <span class="name">${m.name} v${m.version}</span>
              <span class="meta">${this.summary(m)}</span>
              ${this.renderSurfaces(modelSurfaces(m.metadata))}
              ${this.renderRouting(m.metadata.routing)}
              <button ?disabled=${busy || m.id === this.active} @click=${() => this.activate(m.id)}>
                ${msg('Use')}
              </button>
              <button @click=${() => this.exportModel(m)}>${msg('Export')}</button>
              ${this.renderShare(m)}
              <button class="danger" ?disabled=${busy} @click=${() => this.removeModel(m)}>${msg('Delete')}</button>
            </li>`,
        )}
        <li
          data-testid="model"
          data-id=${BUILTIN_MODEL_ID}
          data-active=${this.active === BUILTIN_MODEL_ID ? 'true' : 'false'}
        >
          <span class="name">${b ? `${b.name} v${b.version}` : msg('Built-in model')}</span>
          <span class="meta">${b ? b.labels.map(classDisplayName).join(' / ') + ' · ' : ''}${msg('shipped with the app')}</span>
          ${this.renderSurfaces(b?.surfaces)}
          <button ?disabled=${busy || this.active === BUILTIN_MODEL_ID} @click=${() => this.activate(BUILTIN_MODEL_ID)}>
            ${msg('Use')}
          </button>
        </li>
        ${this.rejected.map(
          (r) =>
            html`<li data-testid="model-rejected" data-id=${r.id}>
              <span class="name">${r.name} v${r.version}</span>
              <span class="meta">${msg(str`from the team, rejected: ${r.reason}`)}</span>
            </li>`,
        )}
      </ul>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-models': CrackcamModels;
  }
}
