import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CaptureRecord, CaptureStore, NewCapture } from '../platform/capture-store';
import { cropBlob } from '../platform/image-blob';
import { capturesToZip, importCapturesZip } from '../platform/capture-zip';
import { fileButtonStyles, panelStyles } from './shared-styles';
import { StoreWatch } from './store-watch';
import { TaskStatus } from './task-status';
import { classDisplayName } from './class-names';
import { dateText } from './dates';

const PAGE = 120;

/** Starts a browser download of bytes. */
export function downloadBytes(bytes: Uint8Array, name: string, type = 'application/zip'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The capture library: browse by class, select, relabel, delete; add classes; import photos (many
 * at once, any size: centre square resized to the model's input) and zips of label folders; export
 * everything as such a zip. The list follows the store's changes (the sync brings captures in).
 *
 * @fires captures-changed - after any change to the stored captures or classes (bubbles, composed).
 */
@localized()
@customElement('crackcam-captures')
export class CrackcamCaptures extends LitElement {
  @property({ attribute: false }) store?: CaptureStore;
  /** Side of imported crops (the model's input size). */
  @property({ type: Number }) inputSize = 227;
  @state() private classes: string[] = [];
  @state() private counts: Record<string, number> = {};
  @state() private filter = '';
  @state() private items: CaptureRecord[] = [];
  @state() private selected = new Set<string>();
  @state() private shown = PAGE;
  private readonly task = new TaskStatus(this);
  private urls = new Map<string, string>();
  private readonly watch = new StoreWatch(
    this,
    () => this.refresh(),
    (e) => console.warn(`the captures could not be read: ${(e as Error).message}`),
  );

  static override styles = [
    panelStyles,
    fileButtonStyles,
    css`
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(7rem, 1fr));
        gap: 0.4rem;
        padding: 0.5rem 0.8rem;
      }
      figure {
        margin: 0;
        position: relative;
        border: 3px solid transparent;
        border-radius: 0.3rem;
        cursor: pointer;
      }
      figure[aria-selected='true'] {
        border-color: #ffb300;
      }
      img {
        width: 100%;
        aspect-ratio: 1;
        display: block;
        border-radius: 0.2rem;
      }
      figcaption {
        font-size: 0.8rem;
        padding: 0.1rem 0.2rem;
      }
    `,
  ];

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('store')) {
      this.watch.watch(this.store);
      void this.refresh();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.urls.forEach((u) => URL.revokeObjectURL(u));
    this.urls.clear();
  }

  /** Re-reads classes, counts and the listed captures. */
  async refresh(): Promise<void> {
    if (!this.store) return;
    this.classes = await this.store.classes();
    this.counts = await this.store.counts();
    this.items = await this.store.list(this.filter || undefined);
    const keep = new Set(this.items.map((c) => c.id));
    for (const [id, url] of this.urls) {
      if (!keep.has(id)) {
        URL.revokeObjectURL(url);
        this.urls.delete(id);
      }
    }
    this.selected = new Set([...this.selected].filter((id) => keep.has(id)));
  }

  private url(c: CaptureRecord): string {
    let u = this.urls.get(c.id);
    if (!u) {
      u = URL.createObjectURL(c.crop);
      this.urls.set(c.id, u);
    }
    return u;
  }

  private changed(): void {
    this.dispatchEvent(new CustomEvent('captures-changed', { bubbles: true, composed: true }));
  }

  private async run(label: string, work: () => Promise<string | void>): Promise<void> {
    await this.task.run(label, work, async () => {
      await this.refresh();
      this.changed();
    });
  }

  private toggle(id: string): void {
    const s = new Set(this.selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    this.selected = s;
  }

  private setFilter(label: string): void {
    this.filter = label;
    this.shown = PAGE;
    this.selected = new Set();
    void this.refresh();
  }

  private relabel(e: Event): void {
    const select = e.target as HTMLSelectElement;
    const label = select.value;
    select.value = '';
    if (!label || this.selected.size === 0 || !this.store) return;
    const ids = [...this.selected];
    void this.run(msg('Relabelling…'), async () => {
      await this.store!.relabel(ids, label);
      return msg(str`${ids.length} captures moved to ${classDisplayName(label)}`);
    });
  }

  private removeSelected(): void {
    const ids = [...this.selected];
    if (!this.store || ids.length === 0) return;
    if (!confirm(msg(str`Delete ${ids.length} captures?`))) return;
    void this.run(msg('Deleting…'), async () => {
      await this.store!.delete(ids);
      return msg(str`${ids.length} captures deleted`);
    });
  }

  private addClass(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('cls') as HTMLInputElement;
    const name = input.value;
    void this.run(msg('Adding class…'), async () => {
      const n = await this.store!.addClass(name);
      input.value = '';
      return msg(str`Class ${n} added`);
    });
  }

  private importPhotos(e: Event): void {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    const label = this.filter || this.classes[0];
    if (!this.store || files.length === 0 || !label) return;
    void this.run(msg(str`Importing ${files.length} photos…`), async () => {
      const captures: NewCapture[] = [];
      const failed: string[] = [];
      for (const [i, f] of files.entries()) {
        this.task.busy = msg(str`Importing photo ${i + 1} of ${files.length}…`);
        try {
          const { crop } = await cropBlob(f, this.inputSize);
          // The original photo is kept as the frame (it is already compressed).
          captures.push({
            label,
            source: 'import',
            takenAt: f.lastModified || Date.now(),
            name: f.name,
            crop,
            frame: f.type === 'image/jpeg' ? f : undefined,
          });
        } catch {
          failed.push(f.name);
        }
      }
      await this.store!.addMany(captures);
      return (
        msg(str`${captures.length} photos imported as ${classDisplayName(label)}`) +
        (failed.length ? ' ' + msg(str`(not images or unreadable: ${failed.join(', ')})`) : '')
      );
    });
  }

  private importZip(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!this.store || !file) return;
    void this.run(msg('Importing zip…'), async () => {
      const counts = await importCapturesZip(this.store!, new Uint8Array(await file.arrayBuffer()), {
        size: this.inputSize,
        onProgress: (d, t) => (this.task.busy = msg(str`Importing ${d} of ${t}…`)),
      });
      return msg(
        str`Imported: ${Object.entries(counts)
          .map(([l, n]) => `${classDisplayName(l)} ${n}`)
          .join(', ')}`,
      );
    });
  }

  private exportZip(): void {
    if (!this.store) return;
    void this.run(msg('Exporting…'), async () => {
      const all = await this.store!.list();
      const zip = await capturesToZip(all);
      downloadBytes(zip, `crackcam-captures-${new Date().toISOString().slice(0, 10)}.zip`);
      return msg(str`${all.length} captures exported`);
    });
  }

  override render() {
    const total = Object.values(this.counts).reduce((a, b) => a + b, 0);
    const busy = !!this.task.busy;
    return html`
      <h2>${msg('Captures')}</h2>
      <div class="row" role="tablist" aria-label=${msg('Show class')}>
        <button
          role="tab"
          aria-selected=${this.filter === '' ? 'true' : 'false'}
          aria-pressed=${this.filter === '' ? 'true' : 'false'}
          @click=${() => this.setFilter('')}
        >
          ${msg('All')} ${total}
        </button>
        ${this.classes.map(
          (c) =>
            html`<button
              role="tab"
              data-testid="filter"
              data-label=${c}
              aria-selected=${this.filter === c ? 'true' : 'false'}
              aria-pressed=${this.filter === c ? 'true' : 'false'}
              @click=${() => this.setFilter(c)}
            >
              ${classDisplayName(c)} <span data-testid="class-count" data-label=${c}>${this.counts[c] ?? 0}</span>
            </button>`,
        )}
        <form @submit=${this.addClass} class="row" style="padding:0">
          <input
            type="text"
            name="cls"
            placeholder=${msg('New class')}
            aria-label=${msg('New class name')}
            data-testid="new-class"
            required
          />
          <button type="submit" ?disabled=${busy}>${msg('Add class')}</button>
        </form>
      </div>
      <div class="row">
        <label class="file"
          >${this.filter ? msg(str`Import photos as ${classDisplayName(this.filter)}`) : msg(str`Import photos as ${classDisplayName(this.classes[0] ?? '')}`)}
          <input
            type="file"
            accept="image/*"
            multiple
            data-testid="import-photos"
            ?disabled=${busy}
            @change=${this.importPhotos}
        /></label>
        <label class="file"
          >${msg('Import zip')}
          <input
            type="file"
            accept=".zip,application/zip"
            data-testid="import-zip"
            ?disabled=${busy}
            @change=${this.importZip}
        /></label>
        <button data-testid="export-zip" ?disabled=${busy || total === 0} @click=${this.exportZip}>
          ${msg('Export all (zip)')}
        </button>
      </div>
      <div class="row">
        <span>${msg(str`${this.selected.size} selected`)}</span>
        <select
          aria-label=${msg('Move selected to class')}
          data-testid="relabel"
          ?disabled=${busy || this.selected.size === 0}
          @change=${this.relabel}
        >
          <option value="">${msg('Move to…')}</option>
          ${this.classes.map((c) => html`<option value=${c}>${classDisplayName(c)}</option>`)}
        </select>
        <button
          class="danger"
          data-testid="delete"
          ?disabled=${busy || this.selected.size === 0}
          @click=${this.removeSelected}
        >
          ${msg('Delete')}
        </button>
        <button
          ?disabled=${this.items.length === 0}
          @click=${() => (this.selected = new Set(this.items.slice(0, this.shown).map((c) => c.id)))}
        >
          ${msg('Select all')}
        </button>
      </div>
      ${this.task.render('captures')}
      <div class="grid">
        ${this.items.slice(0, this.shown).map(
          (c) =>
            html`<figure
              data-testid="capture-item"
              data-id=${c.id}
              data-label=${c.label}
              role="checkbox"
              tabindex="0"
              aria-checked=${this.selected.has(c.id) ? 'true' : 'false'}
              aria-selected=${this.selected.has(c.id) ? 'true' : 'false'}
              @click=${() => this.toggle(c.id)}
              @keydown=${(e: KeyboardEvent) => (e.key === ' ' || e.key === 'Enter') && this.toggle(c.id)}
            >
              <img src=${this.url(c)} alt=${c.label} loading="lazy" />
              <figcaption>
                ${c.label} ·
                ${dateText(c.takenAt)}${c.source === 'import' ? ' · ' + msg('import') : ''}
              </figcaption>
            </figure>`,
        )}
      </div>
      ${this.items.length > this.shown ? html`<div class="row"><button @click=${() => (this.shown += PAGE)}>${msg('Show more')}</button></div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-captures': CrackcamCaptures;
  }
}
