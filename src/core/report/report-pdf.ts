/**
 * report.pdf, built with pdf-lib: a cover (inspection, structure, dates, inspector, counts by type and
 * condition state), a summary table, then one block per finding (photo, heatmap overlay, fields, map
 * link). Text is set in the given TrueType font (Noto Sans JP in the app, so Japanese renders), embedded
 * as a subset. Built step by step ({@link ReportPdf.start}, {@link ReportPdf.addFinding},
 * {@link ReportPdf.save}) so the caller can load one finding's images at a time and report progress.
 */
import { PDFDocument } from 'pdf-lib';
import type { FindingFields } from '../finding';
import { embedSubsetFont } from './pdf-font';
import { MARGIN, MUTED, PAGE_SIZES, PageFlow, type PageSize } from './pdf-page-flow';
import { fitLine, textWidth } from './pdf-text';
import { drawCover } from './report-cover';
import type { FindingPhotoPaths, ReportFinding } from './report-finding';
import { drawFindingBlock } from './report-finding-block';
import { reportDateRange } from './report-format';
import { ENGLISH_REPORT_LABELS, type ReportLabels } from './report-labels';
import { drawSummaryTable } from './report-summary-table';
import type { ReportSummary } from './report-summary';
import type { EarlierFindingLink } from '../width-change';

export interface ReportPdfOptions {
  /** TrueType font file (.ttf) with the glyphs of every language the fields use. */
  font: Uint8Array;
  /** Default A4. */
  pageSize?: PageSize;
  labels?: ReportLabels;
  /** Creation date written into the PDF's metadata (default now). */
  now?: Date;
}

/** Checks a page size; the error names the valid ones. */
export function validatePageSize(size: string): PageSize {
  if (!(size in PAGE_SIZES))
    throw new Error(`page size must be one of ${Object.keys(PAGE_SIZES).join(', ')}; got '${size}'`);
  return size as PageSize;
}

export class ReportPdf {
  private constructor(
    private readonly flow: PageFlow,
    private readonly labels: ReportLabels,
    private readonly summary: ReportSummary,
  ) {}

  /**
   * A new report with its cover and the summary table of `findings` (in the order their blocks will
   * follow); `earlier`: each finding's link to an earlier finding of the same defect, by id.
   */
  static async start(
    summary: ReportSummary,
    findings: readonly FindingFields[],
    options: ReportPdfOptions,
    earlier?: ReadonlyMap<string, EarlierFindingLink | undefined>,
  ): Promise<ReportPdf> {
    const pageSize = validatePageSize(options.pageSize ?? 'A4');
    const labels = options.labels ?? ENGLISH_REPORT_LABELS;
    const doc = await PDFDocument.create();
    const font = await embedSubsetFont(doc, options.font);
    setMetadata(doc, summary, labels, options.now ?? new Date());
    const flow = new PageFlow(doc, font, pageSize);
    drawCover(flow, summary, labels);
    drawSummaryTable(flow, findings, labels, earlier);
    if (findings.length > 0) flow.newPage();
    return new ReportPdf(flow, labels, summary);
  }

  /**
   * Adds the block of finding number `index` (from 1) whose images have the zip paths `paths`;
   * `earlier`: what its link to an earlier finding of the same defect gives.
   */
  async addFinding(
    finding: ReportFinding,
    index: number,
    paths: FindingPhotoPaths,
    earlier?: EarlierFindingLink,
  ): Promise<void> {
    await drawFindingBlock(this.flow, finding, index, paths, this.labels, earlier);
  }

  /** Numbers the pages and returns the PDF file. */
  async save(): Promise<Uint8Array> {
    drawFooters(this.flow, this.summary, this.labels);
    return this.flow.doc.save();
  }
}

function setMetadata(doc: PDFDocument, summary: ReportSummary, labels: ReportLabels, now: Date): void {
  doc.setTitle(`${labels.title}: ${summary.inspection}`, { showInWindowTitleBar: true });
  doc.setAuthor(summary.inspectors.join(', '));
  doc.setSubject(`${summary.structures.join(', ')} ${reportDateRange(summary.from, summary.to)}`);
  doc.setCreator('CrackCam');
  doc.setLanguage(labels.language);
  doc.setCreationDate(now);
  doc.setModificationDate(now);
}

/** "inspection · Page i / n" at the bottom of every page. */
function drawFooters(flow: PageFlow, summary: ReportSummary, labels: ReportLabels): void {
  const pages = flow.doc.getPages();
  const size = 8;
  const width = textWidth(flow.font, size);
  pages.forEach((page, i) => {
    const number = ` · ${labels.page} ${i + 1} / ${pages.length}`;
    const name = fitLine(summary.inspection, width, flow.contentWidth - width(number));
    page.drawText(`${name}${number}`, {
      x: MARGIN,
      y: MARGIN / 2,
      size,
      font: flow.font,
      color: MUTED,
    });
  });
}
