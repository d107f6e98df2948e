import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  CONDITION_STATES,
  DEFECT_TYPES,
  type ConditionState,
  type DefectType,
  type FindingFields,
  type InspectionContext,
} from '../core/finding';
import { filterFindings, findingFilterValues, type FindingFilter } from '../core/finding-filter';
import {
  earlierFindingChoices,
  earlierFindingLink,
  widthHistory,
  WIDTH_TRENDS,
  type WidthTrend,
} from '../core/width-change';
import type { FindingRecord, FindingStore, FindingVersion } from '../platform/finding-store';
import { FindingStoreError } from '../platform/finding-store-error';
import { sharedMeasureClient } from '../platform/measure-client';
import { measureFinding, type MeasureOutcome } from '../platform/measure-finding';
import { loadMeasureSettings } from '../platform/measure-settings';
import type { FindingEditDetail } from './crackcam-finding-form';
import type { FindingVersionRestoreDetail } from './crackcam-finding-versions';
import type { FullStillSource } from './crackcam-full-still-fetch';
import { conditionStateLabel, defectTypeLabel } from './finding-labels';
import { guidanceText, measurementLine, scaleSourceText } from './measure-labels';
import { panelStyles } from './shared-styles';
import { StoreWatch } from './store-watch';
import './crackcam-finding-form';
import './crackcam-inspection-export';
import './crackcam-finding-versions';
import './crackcam-full-still-fetch';
import { dateTimeText } from './dates';
import { earlierLinkState, earlierLinkText, widthTrendLabel } from './width-change-labels';

/** The text filters, in display order. */
const TEXT_FILTERS = ['inspection', 'structure', 'element'] as const;

/** Each filter's select, as its test hook names it (`filter-<name>`). */
const FILTER_TEST_IDS: Record<keyof FindingFilter, string> = {
  inspection: 'inspection',
  structure: 'structure',
  element: 'element',
  defectType: 'type',
  conditionState: 'state',
  widthTrend: 'trend',
};

/**
 * The findings list: one row per finding (overlay thumbnail, type, condition state, element, crack
 * width, length and class when measured, time),
 * filters by inspection, structure, element, type and state, edit, delete with undo (the exact record
 * is put back), and the report export of the chosen (else the current) inspection.
 *
 * Test hooks: `finding-item` (`data-id`), `finding-thumb`, `finding-item-type`, `finding-item-state`,
 * `finding-item-element`, `finding-item-width` (`data-width-mm`), `finding-item-change` (`data-trend`:
 * the width since the earlier finding of the same defect), `finding-edit-open`, `finding-delete`, `finding-undo`, `findings-error`,
 * filters `filter-inspection`, `filter-structure`, `filter-element`, `filter-type`, `filter-state`, `filter-trend`,
 * `finding-versions-count` (`data-count`: a finding edited on two devices before they synced; opens
 * <crackcam-finding-versions>). The list follows the store's changes (the sync brings findings in).
 * A finding that came by sync without its full-resolution still has "Download full photo"
 * (<crackcam-full-still-fetch>, given a {@link FullStillSource}).
 *
 * @fires findings-changed - a finding was edited, deleted or restored (bubbles, composed).
 */
@localized()
@customElement('crackcam-findings')
export class CrackcamFindings extends LitElement {
  @property({ attribute: false }) store?: FindingStore;
  /** Fetches full stills on demand (team sync); without it there is no "Download full photo". */
  @property({ attribute: false }) stills?: FullStillSource;
  /** The findings whose full still is not on this device. */
  @state() private withoutFullStill: ReadonlySet<string> = new Set();
  @state() private findings: FindingFields[] = [];
  /** The findings by id (an earlier finding of the same defect is looked up here). */
  private byId: ReadonlyMap<string, FindingFields> = new Map();
  @state() private thumbs = new Map<string, string>();
  @state() private filter: FindingFilter = {};
  /** The filters are shown (opened by the inspector, or open while one is set). */
  @state() private filtersOpen = false;
  @state() private context?: InspectionContext;
  @state() private editing?: FindingFields;
  @state() private formError = '';
  @state() private deleted?: FindingRecord;
  @state() private error = '';
  @state() private measuring = false;
  @state() private measureOutcome?: MeasureOutcome;
  @state() private measureError = '';
  /** Findings with more than one version, and how many. */
  @state() private versionCounts = new Map<string, number>();
  /** The versions of the finding whose versions panel is open. */
  @state() private versions?: FindingVersion[];
  @state() private versionsError = '';
  @state() private restoring = false;
  private abort = new AbortController();
  /** Refreshes the list whenever the store changes (here, in another element, or by the sync). */
  private readonly watch = new StoreWatch(
    this,
    () => this.refresh(),
    (e) => (this.error = (e as Error).message),
  );

  static override styles = [
    panelStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0 0.8rem;
      }
      li {
        display: flex;
        gap: 0.6rem;
        align-items: center;
        padding: 0.4rem 0;
        border-bottom: 1px solid #37474f;
      }
      img {
        width: 64px;
        height: 64px;
        object-fit: cover;
        border-radius: 0.2rem;
      }
      .what {
        flex: 1;
        display: grid;
      }
      .caveat {
        color: #ffd54f;
      }
      summary {
        padding: 0.5rem 0.8rem;
        min-height: 2.75rem;
        box-sizing: border-box;
        cursor: pointer;
      }
      .snackbar {
        position: sticky;
        bottom: 0;
        background: #263238;
        border-top: 1px solid #546e7a;
      }
    `,
  ];

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('store')) {
      this.watch.watch(this.store);
      void this.refresh();
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.abort = new AbortController();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort.abort(new DOMException('the findings list was closed', 'AbortError'));
    this.thumbs.forEach((url) => URL.revokeObjectURL(url));
    this.thumbs = new Map();
  }

  /** Re-reads the findings, their thumbnails and the current inspection context. */
  async refresh(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const [findings, context, versionCounts, withoutFullStill] = await Promise.all([
      store.list(),
      store.getContext(),
      store.versionCounts(),
      store.withoutFullStill(),
    ]);
    const thumbs = new Map<string, string>();
    for (const f of findings) {
      const url = this.thumbs.get(f.id);
      if (url) thumbs.set(f.id, url);
      else {
        const record = await store.get(f.id);
        if (record) thumbs.set(f.id, URL.createObjectURL(record.overlay));
      }
    }
    this.thumbs.forEach((url, id) => thumbs.has(id) || URL.revokeObjectURL(url));
    this.byId = new Map(findings.map((f) => [f.id, f]));
    this.findings = findings;
    this.thumbs = thumbs;
    this.context = context;
    this.versionCounts = versionCounts;
    this.withoutFullStill = withoutFullStill;
  }

  private changed(): void {
    this.dispatchEvent(new CustomEvent('findings-changed', { bubbles: true, composed: true }));
  }

  private async deleteFinding(id: string): Promise<void> {
    try {
      this.deleted = await this.store?.delete(id);
      if (this.editing?.id === id) this.editing = undefined;
      this.error = '';
    } catch (e) {
      this.error = (e as Error).message;
    }
    await this.refresh();
    this.changed();
  }

  private async undo(): Promise<void> {
    const record = this.deleted;
    if (!record) return;
    try {
      await this.store?.put(record);
      this.deleted = undefined;
      this.error = '';
    } catch (e) {
      this.error = e instanceof FindingStoreError ? e.message : msg(str`The finding could not be restored: ${e}`);
    }
    await this.refresh();
    this.changed();
  }

  private async onEdit(e: CustomEvent<FindingEditDetail>): Promise<void> {
    try {
      await this.store?.update(e.detail.id, e.detail.patch);
      this.editing = undefined;
      this.formError = '';
    } catch (err) {
      this.formError = (err as Error).message;
    }
    await this.refresh();
    this.changed();
  }

  /** Measures finding `id` on its still (from its edit form); stores the width when the marker gave mm. */
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
      if (this.editing?.id === id) this.editing = fields;
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.measureError = msg(str`The width could not be measured: ${(e as Error).message}`);
    } finally {
      this.measuring = false;
    }
    await this.refresh();
    this.changed();
  }

  /** Opens the versions panel of finding `id`. */
  private async openVersions(id: string): Promise<void> {
    try {
      this.versions = await this.store?.versions(id);
      this.versionsError = '';
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async restoreVersion(e: CustomEvent<FindingVersionRestoreDetail>): Promise<void> {
    const store = this.store;
    if (!store || this.restoring) return;
    this.restoring = true;
    try {
      await store.restoreVersion(e.detail.id, e.detail.rev);
      this.versions = undefined;
      this.versionsError = '';
    } catch (err) {
      this.versionsError = (err as Error).message;
    } finally {
      this.restoring = false;
    }
    await this.refresh();
    this.changed();
  }

  private openEditor(f: FindingFields): void {
    this.editing = f;
    this.formError = '';
    this.measureOutcome = undefined;
    this.measureError = '';
  }

  private setFilter(key: keyof FindingFilter, value: string): void {
    const next: FindingFilter = { ...this.filter };
    if (value === '') delete next[key];
    else if (key === 'conditionState') next.conditionState = Number(value) as ConditionState;
    else if (key === 'defectType') next.defectType = value as DefectType;
    else if (key === 'widthTrend') next.widthTrend = value as WidthTrend;
    else next[key] = value;
    this.filter = next;
    this.filtersOpen = true; // stays open while the inspector works with it, also when the last filter is cleared
  }

  private renderFilterSelect(key: keyof FindingFilter, label: string, options: [string, string][]) {
    const current = this.filter[key];
    return html`<label
      >${label}
      <select data-testid="filter-${FILTER_TEST_IDS[key]}"
        @change=${(e: Event) => this.setFilter(key, (e.target as HTMLSelectElement).value)}>
        <option value="" .selected=${current === undefined}>${msg('All')}</option>
        ${options.map(([value, text]) => html`<option value=${value} .selected=${String(current) === value}>${text}</option>`)}
      </select></label
    >`;
  }

  private renderFilters() {
    const values = findingFilterValues(this.findings);
    const names = { inspection: msg('Inspection'), structure: msg('Structure'), element: msg('Element / member') };
    const set = Object.values(this.filter).filter((v) => v !== undefined).length;
    return html`<details
      data-testid="filters"
      ?open=${this.filtersOpen || set > 0}
      @toggle=${(e: Event) => (this.filtersOpen = (e.target as HTMLDetailsElement).open)}
    >
      <summary>${set ? msg(str`Filter (${set} set)`) : msg('Filter')}</summary>
      <div class="row" role="group" aria-label=${msg('Filter findings')}>
      ${TEXT_FILTERS.map((key) =>
        this.renderFilterSelect(
          key,
          names[key],
          values[key].map((v) => [v, v || msg('(none)')]),
        ),
      )}
      ${this.renderFilterSelect(
        'defectType',
        msg('Defect type'),
        DEFECT_TYPES.map((t) => [t, defectTypeLabel(t)]),
      )}
      ${this.renderFilterSelect(
        'conditionState',
        msg('Condition state'),
        CONDITION_STATES.map((s) => [String(s), `${s} ${conditionStateLabel(s).name}`]),
      )}
      ${this.renderFilterSelect(
        'widthTrend',
        msg('Width since the earlier record'),
        WIDTH_TRENDS.map((t) => [t, widthTrendLabel(t)]),
      )}
      </div>
    </details>`;
  }

  private renderItem(f: FindingFields) {
    const when = dateTimeText(f.createdAt);
    const state = f.conditionState
      ? `${f.conditionState} ${conditionStateLabel(f.conditionState).name}`
      : msg('not set', { desc: "a finding's condition state, not chosen yet" });
    const where = f.context.element || f.context.structure;
    const earlier = earlierFindingLink(f, this.byId);
    return html`<li data-testid="finding-item" data-id=${f.id}>
      <img data-testid="finding-thumb" src=${this.thumbs.get(f.id) ?? ''} alt=${msg('Crop with heatmap')} />
      <span class="what">
        <strong data-testid="finding-item-type">${defectTypeLabel(f.defectType)}</strong>
        <span
          >${msg('State')}: <span data-testid="finding-item-state">${state}</span>${
            where ? html` · <span data-testid="finding-item-element">${where}</span>` : nothing
          }</span
        >
        ${
          f.measurement
            ? html`<span
                data-testid="finding-item-width"
                data-width-mm=${f.measurement.widthMm}
                data-scale=${f.measurement.scale}
                title=${scaleSourceText(f.measurement.scale)}
                >${measurementLine(f.measurement)}${
                  f.measurement.scale === 'card' ? ` (${msg('bank card scale')})` : ''
                }</span
              >`
            : nothing
        }
        ${
          f.measurement?.caveats?.length
            ? html`<span class="caveat" data-testid="finding-item-caveats" data-caveats=${f.measurement.caveats.join(' ')}
                >${msg('Width not reliable:')} ${f.measurement.caveats.map(guidanceText).join(' ')}</span
              >`
            : nothing
        }
        ${
          earlier
            ? html`<span
                data-testid="finding-item-change"
                data-trend=${earlierLinkState(earlier)}
                class=${earlierLinkState(earlier) === 'wider' ? 'caveat' : ''}
                >${earlierLinkText(earlier)}</span
              >`
            : nothing
        }
        <time datetime=${new Date(f.createdAt).toISOString()}>${when}</time>
      </span>
      ${this.renderVersionsCount(f.id)}
      ${
        this.stills && this.withoutFullStill.has(f.id)
          ? html`<crackcam-full-still-fetch
              .findingId=${f.id}
              .source=${this.stills}
              @full-still-fetched=${() => this.refresh()}
            ></crackcam-full-still-fetch>`
          : nothing
      }
      <button data-testid="finding-edit-open" @click=${() => this.openEditor(f)}>
        ${msg('Edit')}
      </button>
      <button class="danger" data-testid="finding-delete" @click=${() => this.deleteFinding(f.id)}>${msg('Delete')}</button>
    </li>`;
  }

  private renderVersionsCount(id: string) {
    const count = this.versionCounts.get(id) ?? 1;
    if (count < 2) return nothing;
    return html`<button data-testid="finding-versions-count" data-count=${count} @click=${() => this.openVersions(id)}>
      ${msg(str`${count} versions`)}
    </button>`;
  }

  override render() {
    const shown = filterFindings(this.findings, this.filter);
    const inspection = this.filter.inspection ?? this.context?.inspection ?? '';
    return html`<h2>${msg('Findings')}</h2>
      <crackcam-inspection-export .store=${this.store} .inspection=${inspection}></crackcam-inspection-export>
      ${this.renderFilters()}
      ${this.error ? html`<div class="error" role="alert" data-testid="findings-error">${this.error}</div>` : nothing}
      ${
        this.editing
          ? html`<crackcam-finding-form
            .fields=${this.editing}
            .earlierChoices=${earlierFindingChoices(this.editing, this.findings)}
            .history=${widthHistory(this.editing, this.byId)}
            .error=${this.formError}
            .measureOutcome=${this.measureOutcome}
            .measureError=${this.measureError}
            ?measuring=${this.measuring}
            @finding-measure=${(e: CustomEvent<string>) => this.measure(e.detail)}
            @finding-edit=${this.onEdit}
            @finding-edit-cancel=${() => (this.editing = undefined)}
          ></crackcam-finding-form>`
          : nothing
      }
      ${
        this.versions
          ? html`<crackcam-finding-versions
            .versions=${this.versions}
            .error=${this.versionsError}
            ?busy=${this.restoring}
            @finding-version-restore=${this.restoreVersion}
            @finding-versions-close=${() => (this.versions = undefined)}
          ></crackcam-finding-versions>`
          : nothing
      }
      <p class="note" data-testid="findings-count">${msg(str`${shown.length} of ${this.findings.length} findings`)}</p>
      <ul>
        ${shown.map((f) => this.renderItem(f))}
      </ul>
      ${
        this.deleted
          ? html`<div class="row snackbar" role="status">
            <span>${msg('Finding deleted.')}</span>
            <button data-testid="finding-undo" @click=${this.undo}>${msg('Undo')}</button>
          </div>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-findings': CrackcamFindings;
  }
}
