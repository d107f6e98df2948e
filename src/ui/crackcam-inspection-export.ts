import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PageSize } from '../core/report/pdf-page-flow';
import type { ReportLabels } from '../core/report/report-labels';
import { getLocale } from '../locales/localization';
import type { FindingStore } from '../platform/finding-store';
import { NAMED_CLASSES, classDisplayName } from './class-names';
import { widthClassLabel } from './measure-labels';
import { panelStyles } from './shared-styles';
import { taskErrorMessage } from './task-status';

/** The report's words in the UI's language. */
function reportLabels(): ReportLabels {
  return {
    language: getLocale(),
    title: msg('Inspection report'),
    inspection: msg('Inspection', { id: 'report-inspection' }),
    structure: msg('Structure', { id: 'report-structure' }),
    element: msg('Element', { id: 'report-element' }),
    inspector: msg('Inspector', { id: 'report-inspector' }),
    dateRange: msg('Dates', { id: 'report-dates' }),
    findings: msg('Findings', { id: 'report-findings' }),
    withPosition: msg('with GPS position'),
    byType: msg('By defect type'),
    byState: msg('By condition state'),
    unrated: msg('Not rated', { id: 'report-unrated' }),
    summary: msg('Summary', { id: 'report-summary' }),
    finding: msg('Finding', { id: 'report-finding' }),
    time: msg('Time', { id: 'report-time' }),
    type: msg('Defect', { id: 'report-defect' }),
    orientation: msg('Orientation', { id: 'report-orientation' }),
    state: msg('Condition state', { id: 'report-condition-state' }),
    stateShort: msg('CS', { desc: 'narrow table heading: condition state' }),
    notes: msg('Notes', { id: 'report-notes' }),
    verdict: msg('Model verdict'),
    classNames: Object.fromEntries(NAMED_CLASSES.map((label) => [label, classDisplayName(label)])),
    unfamiliar: msg('unfamiliar surface', { id: 'report-unfamiliar' }),
    model: msg('Model', { id: 'report-model' }),
    position: msg('GPS', { id: 'report-gps' }),
    noPosition: msg('no position', { id: 'report-no-position' }),
    measurement: msg('Width / length'),
    width: msg('Width', { id: 'report-width', desc: 'summary table heading: maximum crack width and its class' }),
    mean: msg('mean', { id: 'report-mean', desc: 'the mean crack width, as in "mean 0.21 mm"' }),
    // the class words the findings list shows; '{lo}' and '{hi}' pass through them as they are
    uncertainClass: widthClassLabel({ widthClass: 'uncertain', between: ['{lo}', '{hi}'] }),
    limitClasses: {
      within: widthClassLabel({ widthClass: 'within' }),
      exceeds: widthClassLabel({ widthClass: 'exceeds' }),
    },
    scaleSources: {
      marker: msg('scale: printed marker', { id: 'report-scale-marker' }),
      card: msg('scale: bank card', { id: 'report-scale-card' }),
      given: msg('scale: given by hand', { id: 'report-scale-given' }),
    },
    unreliableWidth: msg('width not reliable: {reasons}', {
      id: 'report-width-unreliable',
      desc: 'after a crack width in the report; {reasons} stays as it is (replaced by the reasons)',
    }),
    widthCaveats: {
      'move-closer': msg('the crack is under 2 px wide in the photo', { id: 'report-caveat-move-closer' }),
      'hold-still': msg('the photo is blurred', { id: 'report-caveat-hold-still' }),
      'face-surface': msg('the photo is too oblique', { id: 'report-caveat-face-surface' }),
    },
    unreliableMark: msg('* width not reliable (see the finding)', {
      id: 'report-width-unreliable-mark',
      desc: 'note under the report summary table; * marks a width',
    }),
    trendMarks: msg('↑ wider, ↓ narrower than at the earlier record of the same defect (beyond the ±)', {
      id: 'report-trend-marks',
      desc: 'note under the report summary table; ↑ and ↓ mark a width there',
    }),
    earlierRecord: msg('Earlier record', {
      id: 'report-earlier-record',
      desc: 'the earlier finding of the same crack and how its width changed since',
    }),
    widthTrends: {
      wider: msg('wider', { id: 'report-trend-wider', desc: 'a crack width that grew since the earlier record' }),
      narrower: msg('narrower', { id: 'report-trend-narrower' }),
      unchanged: msg('no change beyond the ±', {
        id: 'report-trend-unchanged',
        desc: 'a width change within the measurement uncertainty (±)',
      }),
    },
    changeUnreliable: msg('a width not reliable', { id: 'report-change-unreliable' }),
    earlierUnmeasured: msg('no widths to compare', { id: 'report-earlier-unmeasured' }),
    earlierMissing: msg('finding {id}, not on the exporting device', {
      id: 'report-earlier-missing',
      desc: '{id} stays as it is (replaced by the finding id)',
    }),
    photo: msg('Photo', { id: 'report-photo' }),
    overlay: msg('Heatmap', { id: 'report-heatmap' }),
    map: msg('Map', { id: 'report-map', desc: 'link to a map of the finding' }),
    files: msg('Files', { id: 'report-files' }),
    page: msg('Page', { id: 'report-page' }),
    defectTypes: {
      crack: msg('Crack', { id: 'report-type-crack' }),
      'salt-damage': msg('Salt damage / efflorescence', { id: 'report-type-salt-damage' }),
      spalling: msg('Spalling', { id: 'report-type-spalling' }),
      'exposed-rebar': msg('Exposed rebar', { id: 'report-type-exposed-rebar' }),
      other: msg('Other', { id: 'report-type-other' }),
    },
    orientations: {
      horizontal: msg('Horizontal', { id: 'report-orientation-horizontal' }),
      vertical: msg('Vertical', { id: 'report-orientation-vertical' }),
      diagonal: msg('Diagonal', { id: 'report-orientation-diagonal' }),
      map: msg('Map cracking', { id: 'report-orientation-map' }),
    },
    states: {
      1: msg('Good', { id: 'report-state-1' }),
      2: msg('Fair', { id: 'report-state-2' }),
      3: msg('Poor', { id: 'report-state-3' }),
      4: msg('Severe', { id: 'report-state-4' }),
    },
    positionMissing: {
      denied: msg('location denied', { id: 'report-position-denied' }),
      unavailable: msg('location unavailable', { id: 'report-position-unavailable' }),
      timeout: msg('location timed out', { id: 'report-position-timeout' }),
    },
  };
}

/** Where an export stands: findings done of total. */
interface ExportProgress {
  done: number;
  total: number;
}

/**
 * Exports one inspection as a zip (report.pdf, findings.csv, findings.geojson, photos/) named after it:
 * page size choice (A4 / Letter), progress while it runs, cancel, and what went wrong. The export code
 * (PDF library, font) is loaded only when the button is pressed.
 *
 * @fires inspection-exported - detail `{ fileName, findings }`: a zip was downloaded (bubbles, composed).
 */
@localized()
@customElement('crackcam-inspection-export')
export class CrackcamInspectionExport extends LitElement {
  @property({ attribute: false }) store?: FindingStore;
  /** Name of the inspection to export. */
  @property() inspection = '';
  @state() private pageSize: PageSize = 'A4';
  @state() private progress?: ExportProgress;
  @state() private notice = '';
  @state() private error = '';
  private abort?: AbortController;

  static override styles = [
    panelStyles,
    css`
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        padding: 0.4rem 0.8rem;
      }
      progress {
        flex: 1;
        min-width: 8rem;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  private async export(): Promise<void> {
    if (!this.store || !this.inspection) return;
    this.abort = new AbortController();
    [this.notice, this.error, this.progress] = ['', '', { done: 0, total: 0 }];
    try {
      const { exportInspection } = await import('../platform/inspection-export');
      const total = await this.runExport(exportInspection);
      this.notice = msg(str`Exported ${total.findings} findings as ${total.fileName}`);
      this.dispatchEvent(new CustomEvent('inspection-exported', { detail: total, bubbles: true, composed: true }));
    } catch (e) {
      this.error = this.abort.signal.aborted
        ? msg('Export cancelled; nothing was downloaded.')
        : msg(str`Export failed: ${taskErrorMessage(e)}`);
    } finally {
      this.progress = undefined;
      this.abort = undefined;
    }
  }

  private async runExport(
    exportInspection: typeof import('../platform/inspection-export').exportInspection,
  ): Promise<{ fileName: string; findings: number }> {
    let findings = 0;
    const report = await exportInspection(this.store!, this.inspection, {
      pageSize: this.pageSize,
      labels: reportLabels(),
      signal: this.abort!.signal,
      onProgress: (done, total) => {
        findings = total;
        this.progress = { done, total };
      },
    });
    return { fileName: report.fileName, findings };
  }

  private renderProgress() {
    const p = this.progress;
    if (!p) return nothing;
    const text = p.total ? msg(str`Exporting ${p.done} of ${p.total} findings…`) : msg('Preparing the export…');
    return html`<div class="row" role="status">
      <progress data-testid="export-progress" max=${p.total || 1} value=${p.done}></progress>
      <span>${text}</span>
      <button data-testid="export-cancel" @click=${() => this.abort?.abort()}>${msg('Cancel')}</button>
    </div>`;
  }

  override render() {
    const busy = !!this.progress;
    return html`<div class="row">
        <label
          >${msg('Page size')}
          <select
            data-testid="export-page-size"
            .value=${this.pageSize}
            ?disabled=${busy}
            @change=${(e: Event) => (this.pageSize = (e.target as HTMLSelectElement).value as PageSize)}
          >
            <option value="A4">A4</option>
            <option value="Letter">${msg('Letter', { desc: 'US Letter paper size' })}</option>
          </select></label
        >
        <button
          class="primary"
          data-testid="export-inspection"
          ?disabled=${busy || !this.store || !this.inspection}
          @click=${() => void this.export()}
        >
          ${msg('Export report')}
        </button>
      </div>
      ${this.renderProgress()}
      ${this.notice ? html`<div class="note" role="status" data-testid="export-notice">${this.notice}</div>` : nothing}
      ${this.error ? html`<div class="error" role="alert" data-testid="export-error">${this.error}</div>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crackcam-inspection-export': CrackcamInspectionExport;
  }
}
