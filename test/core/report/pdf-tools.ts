/** poppler-utils (pdftotext, pdfinfo, pdfimages, pdftoppm) over a PDF in a scratch folder, for the report tests. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Fails with the install command when poppler-utils is missing (`npm test`'s pretest installs it as root). */
export function requirePoppler(): void {
  const found = spawnSync('pdftotext', ['-v']);
  if (found.error) throw new Error('pdftotext not found: apt-get install -y poppler-utils');
}

/** The PDF's text in reading order (UTF-8). */
export function pdfText(pdf: Uint8Array): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
}

/** pdfinfo's fields (Pages, Page size, Title, ...). */
export function pdfInfo(pdf: Uint8Array): Record<string, string> {
  const out = execFileSync('pdfinfo', ['-'], { input: pdf, encoding: 'utf8' });
  const fields = out.split('\n').map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
  });
  return Object.fromEntries(fields.filter(([name]) => name !== ''));
}

/** The URLs of the PDF's link annotations (pdfinfo -url: page, type, URL). */
export function pdfLinks(pdf: Uint8Array): string[] {
  const out = execFileSync('pdfinfo', ['-url', '-'], { input: pdf, encoding: 'utf8' });
  return out
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells[1] === 'Annotation')
    .map((cells) => cells[2]);
}

/** Renders every page with pdftoppm at `dpi`; returns the PNG file count and whatever pdftoppm wrote to stderr. */
export function renderPages(pdf: Uint8Array, dpi = 30): { pages: number; stderr: string; status: number | null } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crackcam-pdf-'));
  try {
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const run = spawnSync('pdftoppm', ['-png', '-r', String(dpi), file, path.join(dir, 'page')], { encoding: 'utf8' });
    const pages = readdirSync(dir).filter((f) => f.endsWith('.png')).length;
    return { pages, stderr: run.stderr, status: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How many images each page draws (pdfimages -list), by page number from 1. */
export function pdfImagesPerPage(pdf: Uint8Array): Map<number, number> {
  const out = execFileSync('pdfimages', ['-list', '-'], { input: pdf, encoding: 'utf8' });
  const counts = new Map<number, number>();
  for (const line of out.split('\n').slice(2)) {
    const page = Number(line.trim().split(/\s+/)[0]);
    if (Number.isInteger(page) && page > 0) counts.set(page, (counts.get(page) ?? 0) + 1);
  }
  return counts;
}
