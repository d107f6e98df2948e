/**
 * The summary table: one line per finding (number, time, element, defect, condition state, maximum crack
 * width with its class, verdict, notes).
 */
import type { FindingFields } from '../finding';
import { MUTED, PageFlow } from './pdf-page-flow';
import { fitLine, textWidth } from './pdf-text';
import { reportTime, verdictText, widthCell } from './report-format';
import type { ReportLabels } from './report-labels';

const SIZE = 8;
const ROW = PageFlow.lineHeight(SIZE) + 2;

/** Column widths as shares of the content width. */
const SHARES = [0.04, 0.17, 0.15, 0.12, 0.04, 0.13, 0.13, 0.22];

function cells(flow: PageFlow, values: string[], muted = false): void {
  const width = textWidth(flow.font, SIZE);
  let x = flow.left;
  SHARES.forEach((share, i) => {
    const columnWidth = share * flow.contentWidth;
    flow.text(fitLine(values[i], width, columnWidth - 4), { size: SIZE, color: muted ? MUTED : undefined }, x);
    x += columnWidth;
  });
  flow.skip(ROW);
}

function header(flow: PageFlow, labels: ReportLabels): void {
  const { time, element, type, stateShort, width, verdict, notes } = labels;
  cells(flow, ['#', time, element, type, stateShort, width, verdict, notes], true);
  flow.page.drawLine({
    start: { x: flow.left, y: flow.y + 2 },
    end: { x: flow.left + flow.contentWidth, y: flow.y + 2 },
    thickness: 0.5,
    color: MUTED,
  });
}

/** Draws the table from a new page; rows in `findings` order, numbered from 1; header repeated on each page. */
export function drawSummaryTable(flow: PageFlow, findings: readonly FindingFields[], labels: ReportLabels): void {
  flow.newPage();
  flow.line(labels.summary, { size: 16 });
  flow.skip(4);
  header(flow, labels);
  findings.forEach((f, i) => {
    if (flow.y - ROW < 56) {
      flow.newPage();
      header(flow, labels);
    }
    cells(flow, [
      String(i + 1),
      reportTime(f.createdAt),
      f.context.element,
      labels.defectTypes[f.defectType],
      f.conditionState === undefined ? '–' : String(f.conditionState),
      widthCell(f.measurement, labels),
      verdictText(f, labels),
      f.notes,
    ]);
  });
  if (findings.some((f) => f.measurement?.caveats?.length)) {
    flow.skip(4);
    flow.line(labels.unreliableMark, { size: 8 });
  }
}
