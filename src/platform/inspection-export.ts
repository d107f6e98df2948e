/**
 * Exports one inspection from the findings store as a zip (report.pdf, findings.csv,
 * findings.geojson, photos/) and downloads it. Loaded on demand (the export button imports this module
 * dynamically), so pdf-lib, fontkit, papaparse and the Noto Sans JP font are fetched only when an
 * inspector exports; the service worker precaches them with the rest of the build (every file in dist/,
 * see scripts/vite-pwa.ts), so the export works offline.
 */
import fontUrl from '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf?url';
import { writeInspectionReport } from '../core/report/inspection-report';
import {
  REPORT_IMAGE_TYPES,
  type ReportFinding,
  type ReportImage,
  type ReportImageType,
} from '../core/report/report-finding';
import type { ReportLabels } from '../core/report/report-labels';
import type { PageSize } from '../core/report/pdf-page-flow';
import type { FindingFields } from '../core/finding';
import { BlobChunks } from './blob-chunks';
import type { FindingStore } from './finding-store';

/** Longest side of the still as printed in the PDF, pixels (the full still goes into photos/). */
export const PDF_STILL_MAX_SIDE = 1024;
/** Longest side of the earlier record's still printed beside a finding's, pixels. */
export const PDF_EARLIER_STILL_MAX_SIDE = 512;

export interface InspectionExportOptions {
  /** Default A4. */
  pageSize?: PageSize;
  /** The report's words in the UI's language (default English). */
  labels?: ReportLabels;
  signal?: AbortSignal;
  /** Called after each finding: done of total. */
  onProgress?: (done: number, total: number) => void;
}

let fontBytes: Promise<Uint8Array> | undefined;

/** The report font's bytes (fetched once; from the service worker's precache when offline). */
export function loadReportFont(): Promise<Uint8Array> {
  fontBytes ??= fetch(fontUrl)
    .then(async (response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    })
    .catch((e: unknown) => {
      fontBytes = undefined;
      throw new Error(`the report font could not be loaded (${(e as Error).message}); reload the app and try again`, {
        cause: e,
      });
    });
  return fontBytes;
}

/** A stored image Blob as report bytes; the error names the finding, the image and the valid types. */
async function reportImage(blob: Blob, findingId: string, name: string): Promise<ReportImage> {
  const type = blob.type as ReportImageType;
  if (!REPORT_IMAGE_TYPES.includes(type))
    throw new Error(
      `finding ${findingId}: the ${name} image is '${blob.type}'; the report takes ${REPORT_IMAGE_TYPES.join(', ')}`,
    );
  return { type, bytes: new Uint8Array(await blob.arrayBuffer()) };
}

/**
 * A JPEG copy of `image` for the PDF, its longest side at most `maxSide` pixels (pdf-lib embeds JPEG as
 * it is, while PNG costs a decode and a recompression in JavaScript). Undefined when `image` is a JPEG
 * that is small enough already.
 */
async function pdfJpeg(image: Blob, maxSide: number): Promise<ReportImage | undefined> {
  const bitmap = await createImageBitmap(image);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && image.type === 'image/jpeg') {
    bitmap.close();
    return undefined;
  }
  const [width, height] = [Math.round(bitmap.width * scale), Math.round(bitmap.height * scale)];
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas to prepare the photos for the PDF');
  context.fillStyle = '#fff'; // under any transparency: JPEG has none
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  return { type: 'image/jpeg', bytes: new Uint8Array(await blob.arrayBuffer()) };
}

/** The pixel size of a still (the downscaled copy of a finding without its full still). */
async function stillSize(image: Blob, findingId: string): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(image).catch(unreadable(findingId, 'still'));
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}

/** Rethrows an image decoding failure naming the finding and the image. */
const unreadable =
  (findingId: string, name: string) =>
  (e: unknown): never => {
    throw new Error(`finding ${findingId}: the ${name} image could not be decoded (${(e as Error).message})`, {
      cause: e,
    });
  };

/** Loads a finding's images from `store` for the report. */
function findingLoader(store: FindingStore): (fields: FindingFields) => Promise<ReportFinding> {
  return async (fields) => {
    const record = await store.get(fields.id);
    if (!record) throw new Error(`finding ${fields.id} was deleted during the export; export again`);
    const [still, crop, overlay] = await Promise.all([
      reportImage(record.still, fields.id, 'still'),
      reportImage(record.crop, fields.id, 'crop'),
      reportImage(record.overlay, fields.id, 'overlay'),
    ]);
    const [pdfStill, pdfOverlay] = await Promise.all([
      // The store's downscaled copy (1600 px) decodes several times faster than a phone's full still.
      pdfJpeg(record.stillCopy ?? record.still, PDF_STILL_MAX_SIDE).catch(unreadable(fields.id, 'still')),
      pdfJpeg(record.overlay, PDF_STILL_MAX_SIDE).catch(unreadable(fields.id, 'overlay')),
    ]);
    const downscaled =
      record.stillIsFull === false ? { downscaledStill: await stillSize(record.still, fields.id) } : {};
    const earlierStill = await earlierRecordStill(store, record.fields);
    return { fields: record.fields, still, crop, overlay, pdfStill, pdfOverlay, ...downscaled, ...earlierStill };
  };
}

/**
 * A small JPEG of the still of the earlier finding `fields` names, for the PDF; nothing when it names
 * none, the device lacks it, or its still cannot be decoded (the report's text still gives its width).
 */
async function earlierRecordStill(store: FindingStore, fields: FindingFields): Promise<{ earlierStill?: ReportImage }> {
  if (fields.earlierFindingId === undefined) return {};
  const earlier = await store.get(fields.earlierFindingId);
  if (!earlier) return {};
  const still = earlier.stillCopy ?? earlier.still;
  try {
    // undefined: a JPEG that decoded and is small enough as it is
    const copy = await pdfJpeg(still, PDF_EARLIER_STILL_MAX_SIDE);
    return { earlierStill: copy ?? (await reportImage(still, earlier.fields.id, 'still')) };
  } catch {
    return {};
  }
}

/** The export of an inspection in the page: the zip's file name and the zip as a Blob. */
export interface InspectionExport {
  fileName: string;
  zip: Blob;
}

/**
 * Builds the export zip of `inspection`, streamed into a Blob (the page never holds the whole zip,
 * only the PDF being drawn and one finding's photos); the error says when it has no findings.
 */
export async function buildInspectionExport(
  store: FindingStore,
  inspection: string,
  options: InspectionExportOptions = {},
): Promise<InspectionExport> {
  const all = await store.list();
  const findings = all.filter((f) => f.context.inspection === inspection);
  if (findings.length === 0) {
    const names = await store.inspections();
    throw new Error(
      `inspection '${inspection}' has no findings to export${names.length ? `; inspections with findings: ${names.join(', ')}` : ''}`,
    );
  }
  options.onProgress?.(0, findings.length);
  const font = await loadReportFont();
  const chunks = new BlobChunks();
  const earlierFindings = new Map(all.map((f) => [f.id, f]));
  const fileName = await writeInspectionReport(
    inspection,
    findings,
    findingLoader(store),
    { ...options, font, earlierFindings },
    (c) => chunks.push(c),
  );
  return { fileName, zip: chunks.toBlob('application/zip') };
}

/** Starts the browser download of the export (an anchor with the download attribute). */
export function downloadReport(report: InspectionExport): void {
  const url = URL.createObjectURL(report.zip);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = report.fileName;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Builds the export of `inspection` and downloads it; resolves with the export (file name, zip). */
export async function exportInspection(
  store: FindingStore,
  inspection: string,
  options: InspectionExportOptions = {},
): Promise<InspectionExport> {
  const report = await buildInspectionExport(store, inspection, options);
  options.signal?.throwIfAborted();
  downloadReport(report);
  return report;
}
