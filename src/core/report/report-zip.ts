/**
 * The export zip: `report.pdf`, `findings.csv`, `findings.geojson` and `photos/` at the top, written
 * with fflate. Images and the PDF (already compressed) are stored, the text files deflated. The zip is
 * named after the inspection ({@link reportZipName}).
 */
import { strToU8, zipSync, type Zippable } from 'fflate';

export const REPORT_PDF = 'report.pdf';
export const FINDINGS_CSV = 'findings.csv';
export const FINDINGS_GEOJSON = 'findings.geojson';

/** Longest zip base name, in characters (file systems allow 255 bytes; Japanese takes 3 bytes a character). */
const MAX_NAME = 80;
/** Names Windows reserves whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * `<inspection>.zip` with white space (line breaks, tabs) made single spaces, characters file systems
 * refuse (`\ / : * ? " < > |`, other control characters) replaced by `_`, no leading or trailing dots
 * or spaces, at most 80 characters; other characters (Japanese too) are kept. `inspection.zip` when
 * nothing is left.
 */
export function reportZipName(inspection: string): string {
  const cleaned = inspection
    .replace(/\s+/g, ' ')
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const short = [...cleaned].slice(0, MAX_NAME).join('').trim();
  const base = short === '' ? 'inspection' : RESERVED.test(short) ? `_${short}` : short;
  return `${base}.zip`;
}

/** The parts of the zip: text files and images by path. */
export interface ReportZipParts {
  pdf: Uint8Array;
  csv: string;
  geojson: string;
  /** `photos/...` path to image bytes. */
  photos: ReadonlyMap<string, Uint8Array>;
}

/** The zip file's bytes. */
export function reportZip(parts: ReportZipParts, modified = new Date()): Uint8Array {
  const stored = { level: 0 as const, mtime: modified };
  const files: Zippable = {
    [REPORT_PDF]: [parts.pdf, stored],
    [FINDINGS_CSV]: [strToU8(parts.csv), { level: 6, mtime: modified }],
    [FINDINGS_GEOJSON]: [strToU8(parts.geojson), { level: 6, mtime: modified }],
  };
  for (const [path, bytes] of parts.photos) files[path] = [bytes, stored];
  return zipSync(files);
}
