/**
 * The whole export of one inspection, without I/O: given the findings' fields and a way to load each
 * finding's images, builds the zip (report.pdf, findings.csv, findings.geojson, photos/). Findings are
 * loaded and drawn one at a time, oldest first, with progress and cancellation between them. Runs in
 * the page and in Node alike.
 */
import { validateFindingFields, type FindingFields } from '../finding';
import { yieldToEventLoop } from '../yield';
import { earlierFindingLink } from '../width-change';
import { findingRow, type FindingRow } from './finding-row';
import { findingsCsv } from './findings-csv';
import { findingsGeojson } from './findings-geojson';
import { findingPhotoPaths, validateReportImage, type ReportFinding } from './report-finding';
import { ReportPdf, type ReportPdfOptions } from './report-pdf';
import { summariseFindings } from './report-summary';
import {
  FINDINGS_CSV,
  FINDINGS_GEOJSON,
  REPORT_PDF,
  ReportZipWriter,
  reportZipName,
  type ZipChunkSink,
} from './report-zip';

export interface InspectionReportOptions extends ReportPdfOptions {
  /**
   * Findings the exported ones may name as their earlier record of the same defect (by id; e.g.
   * every finding on the device): their widths give the change. Without it, or where a named
   * finding is not in it, the report gives the earlier finding's id only.
   */
  earlierFindings?: ReadonlyMap<string, FindingFields>;
  signal?: AbortSignal;
  /** Called after each finding: how many are done of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** The export in memory: the zip's file name and bytes. */
export interface InspectionReport {
  fileName: string;
  zip: Uint8Array;
}

/** Loads a finding's images (and checks they are the finding's). */
export type LoadReportFinding = (fields: FindingFields) => Promise<ReportFinding>;

function checkFinding(finding: ReportFinding): void {
  for (const name of ['still', 'crop', 'overlay'] as const) validateReportImage(finding.fields.id, name, finding[name]);
  if (finding.pdfStill) validateReportImage(finding.fields.id, 'PDF still', finding.pdfStill);
  if (finding.pdfOverlay) validateReportImage(finding.fields.id, 'PDF overlay', finding.pdfOverlay);
  if (finding.earlierStill) validateReportImage(finding.fields.id, 'earlier still', finding.earlierStill);
}

/**
 * Writes the export of the findings of `inspection` (`findings` must all belong to it) as a zip into
 * `sink`: each finding's photos go out as soon as it is drawn, so only the PDF (with its reduced copies
 * of the photos) grows with the inspection. Resolves with the zip's file name. On an error or abort
 * the sink has received part of a zip, to be thrown away.
 */
export async function writeInspectionReport(
  inspection: string,
  findings: readonly FindingFields[],
  load: LoadReportFinding,
  options: InspectionReportOptions,
  sink: ZipChunkSink,
): Promise<string> {
  const ordered = [...findings].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  for (const f of ordered) {
    validateFindingFields(f);
    if (f.context.inspection !== inspection)
      throw new Error(`finding ${f.id} belongs to inspection '${f.context.inspection}', not '${inspection}'`);
  }
  const byId = options.earlierFindings ?? new Map<string, FindingFields>();
  const earlierLinks = new Map(ordered.map((f) => [f.id, earlierFindingLink(f, byId)]));
  const pdf = await ReportPdf.start(summariseFindings(inspection, ordered), ordered, options, earlierLinks);
  const zip = new ReportZipWriter(sink);
  const rows: { fields: FindingFields; row: FindingRow }[] = [];
  for (const [i, fields] of ordered.entries()) {
    options.signal?.throwIfAborted();
    const finding = await load(fields);
    checkFinding(finding);
    const paths = findingPhotoPaths(finding);
    const earlier = earlierLinks.get(fields.id);
    await pdf.addFinding(finding, i + 1, paths, earlier);
    rows.push({ fields, row: findingRow(fields, paths, finding.downscaledStill, earlier) });
    zip.addStored(paths.still, finding.still.bytes);
    zip.addStored(paths.overlay, finding.overlay.bytes);
    zip.addStored(paths.crop, finding.crop.bytes);
    options.onProgress?.(i + 1, ordered.length);
    await yieldToEventLoop();
  }
  options.signal?.throwIfAborted();
  zip.addStored(REPORT_PDF, await pdf.save());
  zip.addText(FINDINGS_CSV, findingsCsv(rows.map((r) => r.row)));
  zip.addText(FINDINGS_GEOJSON, findingsGeojson(rows));
  zip.end();
  return reportZipName(inspection);
}

/** The export of the findings of `inspection` in memory (Node, tests); the page streams it instead. */
export async function buildInspectionReport(
  inspection: string,
  findings: readonly FindingFields[],
  load: LoadReportFinding,
  options: InspectionReportOptions,
): Promise<InspectionReport> {
  const chunks: Uint8Array[] = [];
  const fileName = await writeInspectionReport(inspection, findings, load, options, (c) => chunks.push(c));
  const zip = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    zip.set(c, offset);
    offset += c.length;
  }
  return { fileName, zip };
}
