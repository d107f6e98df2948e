import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { FindingFields, InspectionContext } from '../core/finding';
import { cameraPermission } from '../platform/camera-permission';
import { recordFinding, type FindingSnapshot } from '../platform/finding-capture';
import { earlierFindingChoices, earlierFindingLink } from '../core/width-change';
import type { FindingStore } from '../platform/finding-store';
import { FindingStoreError } from '../platform/finding-store-error';
import { sharedMeasureClient } from '../platform/measure-client';
import { measureFinding, type MeasureOutcome } from '../platform/measure-finding';
import { loadMeasureSettings } from '../platform/measure-settings';
import type { BarFailure } from './bar-failure';
import type { FindingEditDetail } from './crackcam-finding-form';
import { positionMissingText } from './finding-labels';
import { panelStyles } from './shared-styles';
import { earlierLinkState, earlierLinkText } from './width-change-labels';
import './crackcam-finding-form';
import './crackcam-inspection-context';

/** The context new findings get until the inspector sets one: today's date as the inspection name. */
function defaultContext(now: Date): InspectionContext {
  const day = now.toISOString().slice(0, 10);
  return { inspection: msg(str`Inspection ${day}`), structure: '', element: '', inspector: '' };
}

/**
 * Saving findings under the live view: the inspection context (set once, remembered, editable), the
 * one-tap *Save finding* button, what was saved (with or without a position, and why) and the new
 * finding's edit form (defect type, orientation, condition state, notes, the earlier finding of the
 * same crack). Each saved finding's crack width is then measured on its still, in the measurement
 * worker, under the standard in the settings; once the form names an earlier finding, the width's
 * change since is said under the saved notice.
 *
 * Test hooks: `finding-save`, `finding-saved` (`data-id`, `data-still-source`), `finding-saved-change`
 * (`data-trend`), `finding-position`
 * (`data-missing`: denied, unavailable, timeout; absent with a fix), `finding-error` (`data-kind`:
 * camera-denied, camera-off, a FindingStoreError kind, unknown), `context-summary`, `context-edit`.
 *
 * @fires finding-request - asks the live view for a snapshot (the app calls its `captureFinding()`).
 * @fires finding-stored - detail: the stored finding's fields (bubbles, composed).
 */
@localized()
@customElement('crackcam-finding-bar')
export class CrackcamFindingBar extends LitElement {
  @property({ attribute: false }) store?: FindingStore;
  @state() private context?: InspectionContext;
  @state() private editingContext = false;
  @state() private saving = false;
  @state() private saved?: FindingFields;
  @state() private editing?: FindingFields;
  /** What the saved finding may name as its earlier record of the same defect. */
  @state() private earlierChoices: FindingFields[] = [];
  /** The last failure, worded at render. */
  @state() private failure?: BarFailure;
  @state() private formError = '';
  @state() private measuring = false;
  @state() private measureOutcome?: MeasureOutcome;
  @state() private measureError = '';
  /** Counts snapshots, so that a request can tell whether one followed. */
  private snapshots = 0;
  private abort = new AbortController();

  static override styles = [
    panelStyles,
    css`
      .summary {
        flex: 1;
        opacity: 0.9;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.abort = new AbortController();
    document.addEventListener('finding-capture', this.onSnapshot);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('finding-capture', this.onSnapshot);
    this.abort.abort(new DOMException('the finding bar was closed', 'AbortError'));
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('store')) void this.loadContext();
  }

  private async loadContext(): Promise<void> {
    this.context = await this.store?.getContext();
  }

  private readonly onSnapshot = (e: CustomEvent<FindingSnapshot>): void => {
    this.snapshots++;
    void this.save(e.detail);
  };

  /** The failure in the UI's current language (so a language switch rewords it). */
  private failureText(failure: BarFailure): string {
    if (failure.text !== undefined) return failure.text;
    switch (failure.kind) {
      case 'camera-denied':
        return msg('Nothing was saved: camera access is blocked.');
      case 'camera-off':
        return msg('Nothing was saved: the camera is not running. Wait until the picture shows.');
      default:
        return msg(str`The finding could not be saved: ${failure.detail ?? ''}`);
    }
  }

  /** The stored context, or a new default one (stored, so every finding of the day shares it). */
  private async contextForFinding(store: FindingStore): Promise<InspectionContext> {
    if (this.context) return this.context;
    const context = defaultContext(new Date());
    await store.setContext(context);
    this.context = context;
    return context;
  }

  private async save(snapshot: FindingSnapshot): Promise<void> {
    const store = this.store;
    if (!store || this.saving) return;
    this.saving = true;
    this.saved = undefined;
    this.editing = undefined;
    try {
      const context = await this.contextForFinding(store);
      const record = await recordFinding(store, snapshot, context, this.abort.signal);
      this.failure = undefined;
      this.saved = record.fields;
      this.editing = record.fields;
      this.earlierChoices = [];
      void this.loadEarlierChoices(store, record.fields);
      this.formError = '';
      this.dispatchEvent(new CustomEvent('finding-stored', { detail: record.fields, bubbles: true, composed: true }));
      void this.measure(record.fields.id);
    } catch (e) {
      if (this.abort.signal.aborted) return;
      if (e instanceof FindingStoreError) this.failure = { kind: e.kind, text: e.message };
      else this.failure = { kind: 'unknown', detail: (e as Error).message };
    } finally {
      this.saving = false;
    }
  }

  /** Lists the findings `fields` may name as its earlier record (for the form; none when the list fails). */
  private async loadEarlierChoices(store: FindingStore, fields: FindingFields): Promise<void> {
    try {
      const choices = earlierFindingChoices(fields, await store.list());
      if (this.editing?.id === fields.id) this.earlierChoices = choices;
    } catch {
      // the form still saves the finding's details; it offers no earlier finding
    }
  }

  /** Measures finding `id` on its still; shows the measurement, or why there is none. */
  private async measure(id: string): Promise<void> {
    const store = this.store;
    if (!store || this.measuring) return;
    this.measuring = true;
    this.measureOutcome = undefined;
    this.measureError = '';
    try {
      const settings = loadMeasureSettings();
      const { fields, outcome } = await measureFinding(store, id, sharedMeasureClient(), settings, this.abort.signal);
      this.measureOutcome = outcome;
      if (this.saved?.id === id) this.saved = fields;
      if (this.editing?.id === id) this.editing = fields;
      if (outcome.measurement)
        this.dispatchEvent(new CustomEvent('finding-stored', { detail: fields, bubbles: true, composed: true }));
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.measureError = msg(str`The width could not be measured: ${(e as Error).message}`);
    } finally {
      this.measuring = false;
    }
  }

  /** Asks for a snapshot; when none follows (camera blocked or off), says why. */
  private async request(): Promise<void> {
    const before = this.snapshots;
    this.dispatchEvent(new CustomEvent('finding-request', { bubbles: true, composed: true }));
    await new Promise((resolve) => setTimeout(resolve)); // the live view answers at once, or not at all
    if (this.snapshots !== before) return;
    this.saved = undefined;
    this.failure = { kind: (await cameraPermission()) === 'denied' ? 'camera-denied' : 'camera-off' };
  }

  private async onContextChange(e: CustomEvent<InspectionContext>): Promise<void> {
    try {
      await this.store?.setContext(e.detail);
      this.context = e.detail;
      this.editingContext = false;
      this.failure = undefined;
    } catch (err) {
      const kind = err instanceof FindingStoreError ? err.kind : 'unknown';
      this.failure = { kind, text: (err as Error).message };
    }
  }

  private async onEdit(e: CustomEvent<FindingEditDetail>): Promise<void> {
    try {
      const fields = await this.store?.update(e.detail.id, e.detail.patch);
      this.saved = fields;
      this.editing = undefined;
      this.formError = '';
    } catch (err) {
      this.formError = (err as Error).message;
    }
  }

  private renderContext() {
    const c = this.context;
    const summary = c
      ? [c.inspection, c.structure, c.element, c.inspector].filter((s) => s).join(' · ')
      : msg('No inspection set: findings go under today’s date until you set one.');
    return html`<div class="row">
        <span class="summary" data-testid="context-summary">${summary}</span>
        <button data-testid="context-edit" @click=${() => (this.editingContext = !this.editingContext)}>
          ${msg('Inspection details')}
        </button>
        <button class="primary" data-testid="finding-save" ?disabled=${this.saving || !this.store} @click=${this.request}>
          ${this.saving ? msg('Saving…') : msg('Save finding')}
        </button>
      </div>
      ${
        this.editingContext
          ? html`<crackcam-inspection-context
            .context=${c}
            @context-change=${this.onContextChange}
            @context-cancel=${() => (this.editingContext = false)}
          ></crackcam-inspection-context>`
          : nothing
      }`;
  }

  private renderSaved() {
    const f = this.saved;
    if (!f) return nothing;
    const where = f.position
      ? html`<span data-testid="finding-position"
          >${msg(str`Position ±${Math.round(f.position.accuracy)} m`)}</span
        >`
      : html`<span data-testid="finding-position" data-missing=${f.positionMissing ?? 'unavailable'}
          >${positionMissingText(f.positionMissing ?? 'unavailable')}</span
        >`;
    // Named in the form: the change since, on site (the earlier finding is one of the form's choices).
    const earlier = earlierFindingLink(f, new Map(this.earlierChoices.map((c) => [c.id, c])));
    return html`<div class="row" role="status">
      <span data-testid="finding-saved" data-id=${f.id} data-still-source=${f.still.source}
        >${msg(str`Finding saved (${f.still.width} x ${f.still.height} photo).`)}</span
      >
      ${where}
      ${
        earlier && earlier.kind !== 'missing'
          ? html`<span
              data-testid="finding-saved-change"
              data-trend=${earlierLinkState(earlier)}
              >${earlierLinkText(earlier)}</span
            >`
          : nothing
      }
    </div>`;
  }

  override render() {
    return html`${this.renderContext()} ${this.renderSaved()}
    ${
      this.failure
        ? html`<div class="error" role="alert" data-testid="finding-error" data-kind=${this.failure.kind}>${this.failureText(this.failure)}</div>`
        : nothing
    }
    ${
      this.editing
        ? html`<crackcam-finding-form
          .fields=${this.editing}
          .earlierChoices=${this.earlierChoices}
          .error=${this.formError}
          .measureOutcome=${this.measureOutcome}
          .measureError=${this.measureError}
          ?measuring=${this.measuring}
          @finding-measure=${(e: CustomEvent<string>) => this.measure(e.detail)}
          @finding-edit=${this.onEdit}
          @finding-edit-cancel=${() => (this.editing = undefined)}
        ></crackcam-finding-form>`
        : nothing
    }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-finding-bar': CrackcamFindingBar;
  }
  /** The live view's finding snapshot bubbles out of the shadow roots up to the document. */
  interface DocumentEventMap {
    'finding-capture': CustomEvent<FindingSnapshot>;
  }
}
