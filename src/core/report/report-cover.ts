/** The report's first page: inspection, structure, date range, inspector, counts by defect type and condition state. */
import { CONDITION_STATES, DEFECT_TYPES } from '../finding';
import { MUTED, PageFlow } from './pdf-page-flow';
import { wrapText, textWidth } from './pdf-text';
import { reportDateRange } from './report-format';
import type { ReportLabels } from './report-labels';
import type { ReportSummary } from './report-summary';

const BODY = { size: 11 };

/** Draws "label: value" with the value wrapped beside the label. */
function field(flow: PageFlow, label: string, value: string): void {
  const labelWidth = 120;
  const lines = wrapText(value || '–', textWidth(flow.font, BODY.size), flow.contentWidth - labelWidth);
  flow.text(label, { ...BODY, color: MUTED }, flow.left);
  for (const line of lines) flow.line(line, BODY, flow.left + labelWidth);
}

/** A two-column count table under a heading. */
function counts(flow: PageFlow, heading: string, rows: [string, number][]): void {
  flow.skip(10);
  flow.line(heading, { size: 13 });
  for (const [name, count] of rows) {
    flow.text(name, BODY, flow.left + 12);
    flow.line(String(count), BODY, flow.left + 260);
  }
}

export function drawCover(flow: PageFlow, summary: ReportSummary, labels: ReportLabels): void {
  flow.line(labels.title, { size: 24 });
  flow.skip(4);
  for (const line of wrapText(summary.inspection, textWidth(flow.font, 16), flow.contentWidth))
    flow.line(line, { size: 16 });
  flow.skip(12);
  field(flow, labels.structure, summary.structures.join(', '));
  field(flow, labels.element, summary.elements.join(', '));
  field(flow, labels.dateRange, reportDateRange(summary.from, summary.to));
  field(flow, labels.inspector, summary.inspectors.join(', '));
  field(flow, labels.findings, `${summary.total} (${summary.withPosition} ${labels.withPosition})`);
  counts(
    flow,
    labels.byType,
    DEFECT_TYPES.map((t) => [labels.defectTypes[t], summary.byType[t]]),
  );
  counts(flow, labels.byState, [
    ...CONDITION_STATES.map((s): [string, number] => [`${s} ${labels.states[s]}`, summary.byState[s]]),
    [labels.unrated, summary.byState.unrated],
  ]);
}
