/**
 * The summary table: one line per finding (number, time, element, defect, condition state, maximum crack
 * width with its class, verdict, notes).
 */
import type { FindingFields } from '../finding';
import { MUTED, PageFlow } from './pdf-page-flow';
import { fitLine, textWidth } from './pdf-text';
import { reportTime, verdictText, widthCell } from './report-format';
import type { ReportLabels } from './report-labels';
import type { EarlierFindingLink } from '../width-change';

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

/** `↑` or `↓` when the width changed beyond the ± since the earlier record, else nothing. */
function trendMark(link: EarlierFindingLink | undefined): string {
  if (link?.kind !== 'change') return '';
  return link.change.trend === 'wider' ? ' ↑' : link.change.trend === 'narrower' ? ' ↓' : '';
}

/**
 * Draws the table from a new page; rows in `findings` order, numbered from 1; header repeated on each
 * page. `earlier`: each finding's link to an earlier finding of the same defect (by id): a width that
 * changed beyond the ± since is marked `↑` or `↓`, with a note under the table.
 */
export function drawSummaryTable(
  flow: PageFlow,
  findings: readonly FindingFields[],
  labels: ReportLabels,
  earlier: ReadonlyMap<string, EarlierFindingLink | undefined> = new Map(),
): void {
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
      widthCell(f.measurement, labels) + trendMark(earlier.get(f.id)),
      verdictText(f, labels),
      f.notes,
    ]);
  });
  const notes = [
    findings.some((f) => f.measurement?.caveats?.length) ? labels.unreliableMark : '',
    findings.some((f) => trendMark(earlier.get(f.id))) ? labels.trendMarks : '',
  ].filter((note) => note);
  if (notes.length) flow.skip(4);
  for (const note of notes) flow.line(note, { size: 8 });
}
