import { strFromU8, unzipSync } from 'fflate';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildInspectionReport, writeInspectionReport } from '../../../src/core/report/inspection-report';
import { reportZipName } from '../../../src/core/report/report-zip';
import { FINDING_COLUMNS } from '../../../src/core/report/finding-row';
import type { FindingMeasurement } from '../../../src/core/finding';
import { pdfText, requirePoppler } from './pdf-tools';
import { fieldsOf, fixtureImages, reportFinding, reportFont, type FixtureImages } from './report-fixtures';

let images: FixtureImages;
let font: Uint8Array;

beforeAll(async () => {
  images = await fixtureImages();
  font = reportFont();
});

const INSPECTION = 'Route 9 bridge 2026';
const fields = (n: number) => Array.from({ length: n }, (_, i) => fieldsOf(i, INSPECTION));

describe('reportZipName', () => {
  it('keeps Japanese, replaces what file systems refuse and never comes out empty', () => {
    expect(reportZipName('Route 9 / 橋梁 2026')).toBe('Route 9 _ 橋梁 2026.zip');
    expect(reportZipName('a:b*c?"d"<e>|f\\g')).toBe('a_b_c__d__e__f_g.zip');
    expect(reportZipName('  ..hidden.  ')).toBe('hidden.zip');
    expect(reportZipName('line\nbreak\ttab')).toBe('line break tab.zip');
    expect(reportZipName('...')).toBe('inspection.zip');
    expect(reportZipName('CON')).toBe('_CON.zip');
    expect([...reportZipName('橋'.repeat(200)).replace(/\.zip$/, '')]).toHaveLength(80);
  });
});

describe('buildInspectionReport', () => {
  it('zips the report, CSV, GeoJSON and every image, oldest finding first, with progress', async () => {
    const progress: string[] = [];
    const list = fields(3).reverse(); // the store lists newest first
    const report = await buildInspectionReport(INSPECTION, list, async (f) => reportFinding(f, images), {
      font,
      onProgress: (done, total) => progress.push(`${done}/${total}`),
    });
    expect(report.fileName).toBe('Route 9 bridge 2026.zip');
    const files = unzipSync(report.zip);
    expect(Object.keys(files).sort()).toEqual(
      [
        'findings.csv',
        'findings.geojson',
        'report.pdf',
        ...[0, 1, 2].flatMap((i) => ['crop.png', 'overlay.png', 'still.jpg'].map((s) => `photos/f-000${i}-${s}`)),
      ].sort(),
    );
    expect(files['photos/f-0001-still.jpg']).toEqual(images.still);
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
    const csvIds = strFromU8(files['findings.csv'])
      .split('\r\n')
      .slice(1, 4)
      .map((line) => line.split(',')[0]);
    expect(csvIds).toEqual(['f-0000', 'f-0001', 'f-0002']);
    expect(strFromU8(files['report.pdf'].subarray(0, 5))).toBe('%PDF-');
  });

  it('stops with the abort reason between findings and loads no more', async () => {
    const controller = new AbortController();
    const loaded: string[] = [];
    const build = buildInspectionReport(
      INSPECTION,
      fields(4),
      async (f) => {
        loaded.push(f.id);
        if (loaded.length === 2) controller.abort(new Error('cancelled by the inspector'));
        return reportFinding(f, images);
      },
      { font, signal: controller.signal },
    );
    await expect(build).rejects.toThrow('cancelled by the inspector');
    expect(loaded).toEqual(['f-0000', 'f-0001']);
  });

  it('names the finding and the valid types when an image is neither JPEG nor PNG', async () => {
    const build = buildInspectionReport(
      INSPECTION,
      fields(1),
      async (f) => ({
        ...reportFinding(f, images),
        overlay: { type: 'image/webp' as 'image/png', bytes: images.crop },
      }),
      { font },
    );
    await expect(build).rejects.toThrow(
      'finding f-0000: the overlay image is image/webp; valid types are image/jpeg, image/png',
    );
  });

  it('refuses a finding of another inspection and a font that is not TrueType, saying so', async () => {
    const other = [fieldsOf(0, 'Another inspection')];
    await expect(
      buildInspectionReport(INSPECTION, other, async (f) => reportFinding(f, images), { font }),
    ).rejects.toThrow("finding f-0000 belongs to inspection 'Another inspection', not 'Route 9 bridge 2026'");
    await expect(
      buildInspectionReport(INSPECTION, fields(1), async (f) => reportFinding(f, images), { font: images.crop }),
    ).rejects.toThrow('the report font could not be read (a TrueType .ttf file is needed)');
  });

  it('streams each finding’s photos into the sink before the next finding is loaded', async () => {
    const chunks: Uint8Array[] = [];
    const bytesBeforeLoad: number[] = [];
    const written = () => chunks.reduce((n, c) => n + c.length, 0);
    const fileName = await writeInspectionReport(
      INSPECTION,
      fields(3),
      async (f) => {
        bytesBeforeLoad.push(written());
        return reportFinding(f, images);
      },
      { font },
      (chunk) => chunks.push(chunk),
    );
    const photoBytes = images.still.length + images.crop.length + images.overlay.length;
    expect(bytesBeforeLoad[0]).toBe(0);
    expect(bytesBeforeLoad[1]).toBeGreaterThan(photoBytes);
    expect(bytesBeforeLoad[2]).toBeGreaterThan(2 * photoBytes);
    expect(fileName).toBe('Route 9 bridge 2026.zip');
    const zip = new Uint8Array(written());
    chunks.reduce((offset, c) => (zip.set(c, offset), offset + c.length), 0);
    const files = unzipSync(zip);
    expect(files['photos/f-0002-still.jpg']).toEqual(images.still);
    expect(strFromU8(files['findings.csv']).split('\r\n')).toHaveLength(5); // header, 3 rows, final line end
  });
});

describe('the earlier record of the same defect', () => {
  const width = (widthMm: number): FindingMeasurement => ({
    widthMm,
    meanWidthMm: widthMm / 2,
    lengthMm: 80,
    uncertainMm: 0.04,
    mmPerPx: 0.08,
    scale: 'marker',
    standard: 'aashto-rc',
    widthClass: 'CS1',
  });

  it('gives the width change since a finding of an earlier inspection, and the id of one it lacks', async () => {
    requirePoppler();
    const earlier = { ...fieldsOf(0, 'Route 9 bridge 2021'), id: 'old-1', measurement: width(0.2) };
    const [grown, orphan] = fields(2);
    const list = [
      { ...grown, measurement: width(0.45), earlierFindingId: 'old-1' },
      { ...orphan, earlierFindingId: 'old-gone' },
    ];
    const report = await buildInspectionReport(INSPECTION, list, async (f) => reportFinding(f, images), {
      font,
      earlierFindings: new Map([earlier, ...list].map((f) => [f.id, f])),
    });
    const files = unzipSync(report.zip);
    const parsed = Papa.parse<string[]>(strFromU8(files['findings.csv']).slice(1), { skipEmptyLines: true });
    const col = (name: (typeof FINDING_COLUMNS)[number]) => FINDING_COLUMNS.indexOf(name);
    const cells = parsed.data.slice(1);
    expect(cells[0][col('earlier_finding_id')]).toBe('old-1');
    expect(cells[0][col('earlier_width_mm')]).toBe('0.2');
    expect(Number(cells[0][col('width_change_mm')])).toBeCloseTo(0.25, 12);
    expect(cells[0][col('width_trend')]).toBe('wider');
    expect(cells[1][col('earlier_finding_id')]).toBe('old-gone');
    expect(cells[1][col('width_change_mm')]).toBe('');
    const text = pdfText(files['report.pdf']).replace(/\s+/g, ' ');
    expect(text).toContain('Earlier record');
    expect(text).toMatch(/\d{4}-\d\d-\d\d: 0\.20 mm, \+0\.25 mm \(± 0\.06\) wider/);
    expect(text).toContain('finding old-gone, not on the exporting device');
    // the summary table marks the wider crack, with the note under it
    expect(text).toMatch(/0\.45 mm CS1 ↑/);
    expect(text).toContain('↑ wider, ↓ narrower than at the earlier record of the same defect (beyond the ±)');
  });
});
