import { beforeAll, describe, expect, it } from 'vitest';
import { ENGLISH_REPORT_LABELS } from '../../../src/core/report/report-labels';
import { findingPhotoPaths } from '../../../src/core/report/report-finding';
import { ReportPdf, validatePageSize } from '../../../src/core/report/report-pdf';
import { summariseFindings } from '../../../src/core/report/report-summary';
import { fieldsOf, fixtureImages, reportFinding, reportFont, type FixtureImages } from './report-fixtures';
import { pdfImagesPerPage, pdfInfo, pdfLinks, pdfText, renderPages, requirePoppler } from './pdf-tools';

let images: FixtureImages;
let font: Uint8Array;

beforeAll(async () => {
  requirePoppler();
  images = await fixtureImages();
  font = reportFont();
});

async function buildPdf(count: number, pageSize: 'A4' | 'Letter' = 'A4'): Promise<Uint8Array> {
  const fields = Array.from({ length: count }, (_, i) => fieldsOf(i));
  if (count > 1) fields[1].notes = '北側の橋脚に幅0.3mmのひび割れ。錆汁と遊離石灰あり。';
  const pdf = await ReportPdf.start(summariseFindings('Route 9 bridge 2026', fields), fields, {
    font,
    pageSize,
    now: new Date(Date.UTC(2026, 4, 2)),
  });
  for (const [i, f] of fields.entries()) {
    const finding = reportFinding(f, images);
    await pdf.addFinding(finding, i + 1, findingPhotoPaths(finding));
  }
  return pdf.save();
}

describe('report.pdf', () => {
  let pdf: Uint8Array;
  let text: string;
  beforeAll(async () => {
    pdf = await buildPdf(4);
    text = pdfText(pdf);
  });

  it('has the cover: inspection, structure, dates, inspector and counts by type and state', () => {
    const cover = text.split('\f')[0];
    expect(cover).toContain('Inspection report');
    expect(cover).toContain('Route 9 bridge 2026');
    expect(cover).toContain('第9号橋 (Route 9)');
    expect(cover).toContain('山田 花子');
    expect(cover).toContain('2026-05-01');
    expect(cover).toMatch(/Crack\s+2/); // findings 0 and 3
    expect(cover).toMatch(/Spalling\s+1/);
    expect(cover).toMatch(/4 Severe\s+1/); // finding 3
    expect(cover).toMatch(/4 \(3 with GPS position\)/);
  });

  it('prints every finding with its Japanese notes, fields, files and map link', () => {
    expect(text).toContain('北側の橋脚に幅0.3mmのひび割れ。錆汁と遊離石灰あり。');
    expect(text).toContain('ひび割れ幅 0.1 mm, 漏水あり');
    for (const i of [1, 2, 3, 4]) expect(text).toContain(`Finding ${i} ·`);
    expect(text).toContain('photos/f-0003-still.jpg');
    expect(text).toContain('Pier 3, north face');
    expect(text).toContain('location denied'); // finding 2 has no position
    expect(text).toContain('https://www.openstreetmap.org/?mlat=35.681200&mlon=-139.767100');
    expect(text).toContain('2026-05-01 09:00 UTC');
  });

  it('has a URI link annotation per located finding', () => {
    const links = pdfLinks(pdf);
    expect(links).toHaveLength(3);
    expect(links[0]).toBe(
      'https://www.openstreetmap.org/?mlat=35.681200&mlon=-139.767100#map=18/35.681200/-139.767100',
    );
  });

  it('renders every page with pdftoppm without an error, metadata set, A4 by default', () => {
    const info = pdfInfo(pdf);
    const pages = Number(info.Pages);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(info['Page size']).toMatch(/^595\.2\d* x 841\.8\d* pts \(A4\)/);
    expect(info.Title).toBe('Inspection report: Route 9 bridge 2026');
    const rendered = renderPages(pdf);
    expect(rendered.status).toBe(0);
    expect(rendered.stderr).toBe('');
    expect(rendered.pages).toBe(pages);
  });

  it('embeds the font as a subset (a few kB, not the 5 MB font)', () => {
    expect(pdf.length).toBeLessThan(font.length / 2);
  });

  it('makes Letter pages when asked and refuses an unknown size naming the valid ones', async () => {
    const letter = await buildPdf(1, 'Letter');
    expect(pdfInfo(letter)['Page size']).toMatch(/^612 x 792 pts \(letter\)/);
    expect(() => validatePageSize('A3')).toThrow("page size must be one of A4, Letter; got 'A3'");
  });

  it('prints Japanese labels when given them', async () => {
    const fields = [fieldsOf(0)];
    const labels = { ...ENGLISH_REPORT_LABELS, language: 'ja', title: '点検調書', findings: '損傷' };
    const pdf = await ReportPdf.start(summariseFindings('橋梁点検', fields), fields, { font, labels });
    const text = pdfText(await pdf.save());
    expect(text).toContain('点検調書');
    expect(text).toContain('橋梁点検');
  });

  it('puts the maximum crack width and its class in the summary table and the finding', async () => {
    const measured = {
      ...fieldsOf(0),
      measurement: {
        widthMm: 0.423,
        meanWidthMm: 0.311,
        lengthMm: 51.6,
        uncertainMm: 0.08,
        mmPerPx: 0.08,
        scale: 'marker' as const,
        standard: 'aashto-rc',
        widthClass: 'CS2',
      },
    };
    const fields = [measured, fieldsOf(1)];
    const pdf = await ReportPdf.start(summariseFindings('Route 9 bridge 2026', fields), fields, { font });
    for (const [i, f] of fields.entries()) {
      const finding = reportFinding(f, images);
      await pdf.addFinding(finding, i + 1, findingPhotoPaths(finding));
    }
    const pages = pdfText(await pdf.save()).split('\f');
    expect(pages[1]).toMatch(/Width/);
    expect(pages[1]).toContain('Crack 50 %'); // the class's name, not the label
    expect(pages[1]).toMatch(/1\s+2026-05-01 08:00 UTC.*0\.42 mm CS2/);
    expect(pages[1]).toMatch(/2\s+2026-.*\s–\s/); // no measurement: a dash
    expect(pages.slice(2).join('')).toContain(
      '0.42 mm (± 0.08), mean 0.31 mm / 52 mm, AASHTO RC: CS2; scale: printed marker',
    );
    expect(pages[1]).not.toContain('width not reliable');
    expect(pages[1]).not.toMatch(/[↑↓]/); // no earlier records named
  });

  it('marks a width the still could not give reliably, in the table with a note and in the finding', async () => {
    const m = { widthMm: 0.15, meanWidthMm: 0.1, lengthMm: 40, uncertainMm: 0.07, mmPerPx: 0.1 };
    const caveats: 'move-closer'[] = ['move-closer'];
    const measurement = { ...m, scale: 'marker' as const, standard: 'aashto-rc', widthClass: 'CS1', caveats };
    const fields = [{ ...fieldsOf(0), measurement }];
    const pdf = await ReportPdf.start(summariseFindings('Route 9 bridge 2026', fields), fields, { font });
    const finding = reportFinding(fields[0], images);
    await pdf.addFinding(finding, 1, findingPhotoPaths(finding));
    const pages = pdfText(await pdf.save()).split('\f');
    expect(pages[1]).toMatch(/0\.15 mm CS1 \*/);
    expect(pages[1]).toContain('* width not reliable (see the finding)');
    expect(pages.slice(2).join('').replace(/\s+/g, ' ')).toContain(
      'width not reliable: the crack is under 2 px wide in the photo',
    );
  });

  it('prints the earlier record of the same defect: its still, captioned, beside the finding’s', async () => {
    const fields = [fieldsOf(0)];
    const pdf = await ReportPdf.start(summariseFindings('Route 9 bridge 2026', fields), fields, { font });
    const finding = {
      ...reportFinding(fields[0], images),
      earlierStill: { type: 'image/jpeg' as const, bytes: images.still },
    };
    await pdf.addFinding(finding, 1, findingPhotoPaths(finding));
    const bytes = await pdf.save();
    expect(pdfImagesPerPage(bytes).get(3)).toBe(3); // cover, summary, then the block: earlier still, still, overlay
    expect(pdfText(bytes).split('\f')[2]).toContain('Earlier record');
    expect(renderPages(bytes).stderr).toBe('');
  });
});
