/**
 * The export zip: `photos/`, then `report.pdf`, `findings.csv` and `findings.geojson` at the top,
 * streamed with fflate's `Zip` ({@link ReportZipWriter}). The zip is named after the inspection
 * ({@link reportZipName}).
 */
import { strToU8, Zip, ZipDeflate, ZipPassThrough } from 'fflate';

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

/** Receives the zip's bytes in order, a chunk at a time. */
export type ZipChunkSink = (chunk: Uint8Array) => void;

/**
 * Writes the zip as its files come, handing each chunk to `sink` at once, so a caller that moves the
 * chunks out of memory (the page folds them into a Blob) never holds the whole zip. Images and the PDF
 * (already compressed) are stored, text files deflated. Call {@link end} once, after the last file.
 */
export class ReportZipWriter {
  private readonly zip: Zip;
  private failure: Error | undefined;
  private ended = false;

  constructor(
    sink: ZipChunkSink,
    private readonly modified = new Date(),
  ) {
    this.zip = new Zip((error, chunk, final) => {
      if (error) this.failure ??= error;
      else sink(chunk);
      if (final) this.ended = true;
    });
  }

  /** Adds a file as it is (JPEG, PNG, PDF). */
  addStored(path: string, bytes: Uint8Array): void {
    const file = new ZipPassThrough(path);
    file.mtime = this.modified;
    this.zip.add(file);
    file.push(bytes, true);
    this.check();
  }

  /** Adds a text file, deflated. */
  addText(path: string, text: string): void {
    const file = new ZipDeflate(path, { level: 6 });
    file.mtime = this.modified;
    this.zip.add(file);
    file.push(strToU8(text), true);
    this.check();
  }

  /** Writes the central directory; the sink has every byte when this returns. */
  end(): void {
    this.zip.end();
    this.check();
    if (!this.ended) throw new Error('the zip did not finish writing');
  }

  private check(): void {
    if (this.failure)
      throw new Error(`the zip could not be written (${this.failure.message})`, { cause: this.failure });
  }
}
