/**
 * The whole export of one inspection, without I/O: given the findings' fields and a way to load each
 * finding's images, builds the zip (report.pdf, findings.csv, findings.geojson, photos/). Findings are
 * loaded and drawn one at a time, oldest first, with progress and cancellation between them. Runs in
 * the page and in Node alike.
 */
import { validateFindingFields, type FindingFields } from '../finding';
import { yieldToEventLoop } from '../yield';
import { findingRow, type FindingRow } from './finding-row';
import { findingsCsv } from './findings-csv';
import { findingsGeojson } from './findings-geojson';
import { findingPhotoPaths, validateReportImage, type ReportFinding } from './report-finding';
import { ReportPdf, type ReportPdfOptions } from './report-pdf';
import { summariseFindings } from './report-summary';
import { reportZip, reportZipName } from './report-zip';

export interface InspectionReportOptions extends ReportPdfOptions {
  signal?: AbortSignal;
  /** Called after each finding: how many are done of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** The export: the zip's file name and bytes. */
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
}

/** Builds the export of the findings of `inspection` (`findings` must all belong to it). */
export async function buildInspectionReport(
  inspection: string,
  findings: readonly FindingFields[],
  load: LoadReportFinding,
  options: InspectionReportOptions,
): Promise<InspectionReport> {
  const ordered = [...findings].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  for (const f of ordered) {
    validateFindingFields(f);
    if (f.context.inspection !== inspection)
      throw new Error(`finding ${f.id} belongs to inspection '${f.context.inspection}', not '${inspection}'`);
  }
  const pdf = await ReportPdf.start(summariseFindings(inspection, ordered), ordered, options);
  const rows: { fields: FindingFields; row: FindingRow }[] = [];
  const photos = new Map<string, Uint8Array>();
  for (const [i, fields] of ordered.entries()) {
    options.signal?.throwIfAborted();
    const finding = await load(fields);
    checkFinding(finding);
    const paths = findingPhotoPaths(finding);
    await pdf.addFinding(finding, i + 1, paths);
    rows.push({ fields, row: findingRow(fields, paths, finding.downscaledStill) });
    photos.set(paths.still, finding.still.bytes).set(paths.overlay, finding.overlay.bytes);
    photos.set(paths.crop, finding.crop.bytes);
    options.onProgress?.(i + 1, ordered.length);
    await yieldToEventLoop();
  }
  options.signal?.throwIfAborted();
  const zip = reportZip({
    pdf: await pdf.save(),
    csv: findingsCsv(rows.map((r) => r.row)),
    geojson: findingsGeojson(rows),
    photos,
  });
  return { fileName: reportZipName(inspection), zip };
}
