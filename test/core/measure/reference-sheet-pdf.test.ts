import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/cli/node-io';
import { findMarker } from '../../../src/core/measure/marker';
import { DEFAULT_MARKER } from '../../../src/core/measure/marker-spec';
import { toGrey } from '../../../src/core/measure/pixels';
import { referenceSheetPdf } from '../../../src/core/measure/reference-sheet-pdf';
import { pdfInfo, pdfText, requirePoppler } from '../report/pdf-tools';

/** Render resolution: 254 dpi is 10 pixels a millimetre. */
const DPI = 254;
const PX_PER_MM = DPI / 25.4;

let pdf: Uint8Array;
let page: { width: number; height: number; data: Buffer };
let dir: string;

beforeAll(async () => {
  requirePoppler();
  pdf = await referenceSheetPdf();
  dir = mkdtempSync(path.join(os.tmpdir(), 'crackcam-sheet-'));
  writeFileSync(path.join(dir, 'sheet.pdf'), pdf);
  execFileSync('pdftoppm', ['-png', '-gray', '-r', String(DPI), '-singlefile', 'sheet.pdf', 'sheet'], { cwd: dir });
  const { data, info } = await sharp(path.join(dir, 'sheet.png'))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  page = { width: info.width, height: info.height, data };
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reference sheet PDF', () => {
  it('is one A4 page with the sheet’s words', () => {
    const info = pdfInfo(pdf);
    expect(info.Pages).toBe('1');
    expect(info['Page size']).toMatch(/\(A4\)/);
    const text = pdfText(pdf);
    for (const words of ['CrackCam reference sheet', 'Print at 100 %', 'Crack comparator (line width, mm)', '50 mm'])
      expect(text).toContain(words);
    expect(text).toContain('ARUCO_MIP_36h12 id 0, black square 40.0 mm');
  });

  it('prints the marker at its stated size: the finder reads 0.1 mm a pixel at 254 dpi', () => {
    const found = findMarker(toGrey({ ...page, channels: 1 }), DEFAULT_MARKER);
    expect(found).toBeDefined();
    expect(Math.abs((found?.mmPerPx ?? 0) * PX_PER_MM - 1)).toBeLessThan(0.01);
  });

  it('draws the 50 mm scale bar 50 mm long', () => {
    // The bar runs from x = 130 mm, y = 135-137 mm: count dark pixels along its middle row.
    const row = Math.round(136 * PX_PER_MM);
    let dark = 0;
    for (let x = Math.round(120 * PX_PER_MM); x < Math.round(190 * PX_PER_MM); x++)
      if (page.data[row * page.width + x] < 128) dark++;
    expect(Math.abs(dark - 50 * PX_PER_MM)).toBeLessThanOrEqual(2);
  });

  it('gives the same bytes every time, the file committed in public/ (npm run reference-sheet writes it)', async () => {
    expect(Buffer.compare(Buffer.from(await referenceSheetPdf()), Buffer.from(pdf))).toBe(0);
    expect(Buffer.compare(readFileSync(path.join(PROJECT_ROOT, 'public/reference-sheet.pdf')), Buffer.from(pdf))).toBe(
      0,
    );
  });
});
