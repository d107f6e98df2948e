import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/cli/node-io';
import { findMarker } from '../../../src/core/measure/marker';
import { DEFAULT_MARKER } from '../../../src/core/measure/marker-spec';
import { toGrey } from '../../../src/core/measure/pixels';
import { COMPARATOR_WIDTHS_MM, referenceSheetSvg } from '../../../src/core/measure/reference-sheet';

describe('reference sheet', () => {
  const svg = referenceSheetSvg();

  it('is A4 in millimetres with the comparator lines and the 50 mm bar', () => {
    expect(svg).toMatch(/width="210mm" height="297mm" viewBox="0 0 210 297"/);
    for (const w of COMPARATOR_WIDTHS_MM) expect(svg).toContain(`width="30" height="${w}"`);
    expect(svg).toContain('<rect x="130" y="135" width="50" height="2" fill="#000"/>');
  });

  it('prints a marker that the finder reads at the stated size', async () => {
    const { data, info } = await sharp(Buffer.from(svg), { density: 100 })
      .flatten({ background: '#fff' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const found = findMarker(toGrey({ width: info.width, height: info.height, data, channels: 1 }), DEFAULT_MARKER);
    expect(found).toBeDefined();
    // the page is 210 mm wide, whatever dpi the SVG renderer chose
    expect(Math.abs((found?.mmPerPx ?? 0) / (210 / info.width) - 1)).toBeLessThan(0.01);
  });

  it('is the sheet committed in public/ (npm run reference-sheet writes it)', async () => {
    expect(await readFile(path.join(PROJECT_ROOT, 'public/reference-sheet.svg'), 'utf8')).toBe(svg);
  });
});
