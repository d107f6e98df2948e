/**
 * The inspection export in real Chromium: findings are written into the findings store through the
 * page (modules loaded from the vite dev server), <crackcam-inspection-export> exports them, and the
 * downloaded zip is opened: report.pdf (pdftotext finds the fields, pdftoppm renders every page),
 * findings.csv (BOM, parsed back), findings.geojson ([lon, lat] points, null geometry without GPS) and
 * photos/. A second export in Japanese on Letter paper, and an inspection without findings (error).
 * With CRACKCAM_UPDATE_SCREENSHOT=1 (`npm run screenshot`-style), writes the first page of the
 * English report to docs/images/report-first-page.png (`pdftoppm -png -r 60 -f 1 -l 1`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import Papa from 'papaparse';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfImagesPerPage, pdfInfo, pdfLinks, pdfText, renderPages, requirePoppler } from '../core/report/pdf-tools';
import { ROOT, launchChromium, startDevServer, type AppServer } from './harness';

const INSPECTION = 'Route 9 / 橋梁 2026';
const DOCS_IMAGE = path.join(ROOT, 'docs/images/report-first-page.png');

let server: AppServer;
let browser: Browser;
let page: Page;
let scratch: string;

/**
 * Writes three findings (the third without GPS, and without its full still as if it came by sync) with
 * canvas-made images into the page's findings store.
 */
async function seedFindings(page: Page): Promise<void> {
  await page.evaluate(async (inspection) => {
    const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
    const fs = (await load('/src/platform/finding-store.ts')) as typeof import('../../src/platform/finding-store');
    const store = await fs.openFindingStore();
    const image = async (width: number, height: number, type: string, shade: number) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d')!;
      g.fillStyle = `rgb(${shade},${shade},${shade - 8})`;
      g.fillRect(0, 0, width, height);
      g.strokeStyle = '#222';
      g.lineWidth = Math.max(2, width / 100);
      g.beginPath();
      g.moveTo(width * 0.2, 0);
      g.lineTo(width * 0.55, height * 0.5);
      g.lineTo(width * 0.45, height);
      g.stroke();
      return canvas.convertToBlob({ type, quality: 0.85 });
    };
    const t0 = Date.UTC(2026, 4, 1, 8);
    const notes = [
      '北側の橋脚に幅0.3mmのひび割れ、漏水あり',
      'Spalling near the bearing, "about 20 cm", rebar visible',
      'メモ',
    ];
    const measurement = (widthMm: number) => ({
      widthMm,
      meanWidthMm: widthMm / 2,
      lengthMm: 60,
      uncertainMm: 0.04,
      mmPerPx: 0.08,
      scale: 'marker' as const,
      standard: 'aashto-rc',
      widthClass: 'CS2',
    });
    // The first finding's crack at an earlier inspection, which the first finding names.
    await store.put({
      fields: {
        id: 'e2e-2021',
        createdAt: Date.UTC(2021, 4, 1, 8),
        updatedAt: Date.UTC(2021, 4, 1, 8),
        context: { inspection: 'Route 9 2021', structure: '第9号橋', element: 'Pier 1', inspector: '山田 花子' },
        defectType: 'crack',
        notes: '',
        verdict: { label: 'crack', probability: 0.9, unfamiliar: false },
        model: { name: 'crackcam-default', version: 1 },
        positionMissing: 'denied',
        still: { source: 'take-photo', width: 1600, height: 1200 },
        measurement: measurement(0.3),
      },
      still: await image(1600, 1200, 'image/jpeg', 170),
      crop: await image(227, 227, 'image/png', 140),
      overlay: await image(227, 227, 'image/png', 120),
    });
    for (let i = 0; i < 3; i++) {
      const located = i < 2;
      await store.put({
        fields: {
          id: `e2e-${i}`,
          createdAt: t0 + i * 600_000,
          updatedAt: t0 + i * 600_000,
          context: { inspection, structure: '第9号橋', element: `Pier ${i + 1}`, inspector: '山田 花子' },
          defectType: (['crack', 'spalling', 'salt-damage'] as const)[i],
          orientation: 'diagonal',
          conditionState: ([2, 3, 4] as const)[i],
          notes: notes[i],
          verdict: { label: 'crack', probability: 0.9, unfamiliar: false },
          model: { name: 'crackcam-default', version: 1 },
          ...(located
            ? { position: { latitude: 35.6812 + i / 1000, longitude: 139.7671, accuracy: 8 } }
            : { positionMissing: 'denied' as const }),
          // The third came by sync without its full still: taken at 2400 x 1800, here as its 1600 px copy.
          still: { source: 'take-photo', width: located ? 1600 : 2400, height: located ? 1200 : 1800 },
          ...(i === 0 ? { measurement: measurement(0.45), earlierFindingId: 'e2e-2021' } : {}),
        },
        ...(located ? {} : { stillIsFull: false }),
        still: await image(1600, 1200, 'image/jpeg', 150),
        crop: await image(227, 227, 'image/png', 140),
        overlay: await image(227, 227, 'image/png', 120),
      });
    }
    store.close();
  }, INSPECTION);
}

/** The export element the test mounts (the app's findings tab may show one too). */
const UNDER_TEST = '#under-test';
const testid = (id: string) => `${UNDER_TEST} [data-testid="${id}"]`;

/** Mounts the export element for `inspection` on the page (replacing one mounted before). */
async function mountExport(page: Page, inspection: string): Promise<void> {
  await page.evaluate(async (inspection) => {
    const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
    await load('/src/ui/crackcam-inspection-export.ts');
    const fs = (await load('/src/platform/finding-store.ts')) as typeof import('../../src/platform/finding-store');
    document.querySelector('#under-test')?.remove();
    const element = document.createElement('crackcam-inspection-export');
    element.id = 'under-test';
    element.store = await fs.openFindingStore();
    element.inspection = inspection;
    document.body.prepend(element);
    await element.updateComplete;
  }, inspection);
}

/** Clicks export and returns the downloaded file's name and the zip's entries. */
async function exportZip(page: Page): Promise<{ name: string; files: Record<string, Uint8Array> }> {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.locator(testid('export-inspection')).click(),
  ]);
  const file = path.join(scratch, download.suggestedFilename());
  await download.saveAs(file);
  return { name: download.suggestedFilename(), files: unzipSync(new Uint8Array(readFileSync(file))) };
}

beforeAll(async () => {
  requirePoppler();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-report-'));
  server = await startDevServer();
  browser = await launchChromium({ fakeDevice: false, autoAcceptCamera: false });
  const context = await browser.newContext({ acceptDownloads: true });
  page = await context.newPage();
  await page.goto(`${server.url}?backend=wasm`);
  // A string, so that vitest does not rewrite the dynamic import: the page imports the modules itself.
  await page.evaluate('window.__load = (p) => import(p)');
  await seedFindings(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('inspection export', () => {
  it('downloads one zip named after the inspection with the report, CSV, GeoJSON and photos', async () => {
    await mountExport(page, INSPECTION);
    const { name, files } = await exportZip(page);
    expect(name).toBe('Route 9 _ 橋梁 2026.zip');
    expect(Object.keys(files).sort()).toEqual([
      'findings.csv',
      'findings.geojson',
      'photos/e2e-0-crop.png',
      'photos/e2e-0-overlay.png',
      'photos/e2e-0-still.jpg',
      'photos/e2e-1-crop.png',
      'photos/e2e-1-overlay.png',
      'photos/e2e-1-still.jpg',
      'photos/e2e-2-crop.png',
      'photos/e2e-2-overlay.png',
      'photos/e2e-2-still.jpg',
      'report.pdf',
    ]);
    expect([...files['photos/e2e-0-still.jpg'].subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    await expect
      .poll(() => page.locator(testid('export-notice')).textContent())
      .toContain('Exported 3 findings as Route 9 _ 橋梁 2026.zip');

    const pdf = files['report.pdf'];
    const text = pdfText(pdf);
    for (const field of [
      INSPECTION,
      '第9号橋',
      '山田 花子',
      'Pier 2',
      '北側の橋脚に幅0.3mmのひび割れ、漏水あり',
      'location denied',
    ])
      expect(text).toContain(field);
    expect(text).toMatch(/3 Poor\s+1/);
    expect(pdfInfo(pdf)['Page size']).toMatch(/\(A4\)/);
    expect(pdfLinks(pdf)).toHaveLength(2);
    const rendered = renderPages(pdf);
    expect(rendered.status).toBe(0);
    expect(rendered.stderr).toBe('');
    expect(rendered.pages).toBe(Number(pdfInfo(pdf).Pages));

    const csv = Buffer.from(files['findings.csv']).toString('utf8'); // keeps the BOM (TextDecoder drops it)
    expect([...files['findings.csv'].subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = Papa.parse<Record<string, string>>(csv.slice(1), { header: true, skipEmptyLines: true });
    expect(rows.errors).toEqual([]);
    expect(rows.data.map((r) => r.id)).toEqual(['e2e-0', 'e2e-1', 'e2e-2']);
    expect(rows.data[1].notes).toBe('Spalling near the bearing, "about 20 cm", rebar visible');
    expect(rows.data[0].still_file).toBe('photos/e2e-0-still.jpg');
    // still_width/height describe the file in photos/: the downscaled copy for the third.
    expect(rows.data.map((r) => [r.still_width, r.still_height, r.still_downscaled])).toEqual([
      ['1600', '1200', 'false'],
      ['1600', '1200', 'false'],
      ['1600', '1200', 'true'],
    ]);

    const geo = JSON.parse(strFromU8(files['findings.geojson'])) as {
      type: string;
      features: { geometry: { coordinates: number[] } | null; properties: Record<string, unknown> }[];
    };
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.features.map((f) => f.geometry?.coordinates ?? null)).toEqual([
      [139.7671, 35.6812],
      [139.7671, 35.6812 + 1 / 1000],
      null,
    ]);
    expect(geo.features[2].properties.position_missing).toBe('denied');

    // The first finding names its crack at the 2021 inspection: the change, and that still beside its own.
    expect([rows.data[0].earlier_finding_id, rows.data[0].earlier_width_mm, rows.data[0].width_trend]).toEqual([
      'e2e-2021',
      '0.3',
      'wider',
    ]);
    expect(text.replace(/\s+/g, ' ')).toContain('Earlier record 2021-05-01: 0.30 mm, +0.15 mm (± 0.06) wider');
    const pages = text.split('\f');
    const first = pages.findIndex((p) => p.includes('Finding 1 ·'));
    const blocks = (pages[first].match(/Finding \d+ ·/g) ?? []).length;
    expect(pdfImagesPerPage(pdf).get(first + 1)).toBe(2 * blocks + 1); // each block's still and overlay, and 2021's

    if (process.env.CRACKCAM_UPDATE_SCREENSHOT === '1') {
      const pdfFile = path.join(scratch, 'report.pdf');
      writeFileSync(pdfFile, pdf);
      const prefix = path.join(scratch, 'first-page');
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfFile, prefix]);
      copyFileSync(`${prefix}.png`, DOCS_IMAGE);
    }
  });

  it('makes a Japanese report on Letter paper when the UI is Japanese and Letter is picked', async () => {
    const ja = await page.context().newPage();
    await ja.goto(`${server.url}?backend=wasm&lang=ja`);
    await ja.evaluate('window.__load = (p) => import(p)');
    await mountExport(ja, INSPECTION);
    await ja.locator(testid('export-page-size')).selectOption('Letter');
    const { files } = await exportZip(ja);
    const pdf = files['report.pdf'];
    expect(pdfInfo(pdf)['Page size']).toMatch(/^612 x 792 pts/);
    const text = pdfText(pdf);
    expect(text).toContain('点検調書');
    expect(text).toContain('はく離・はく落');
    // the earlier record of the first finding, and the summary's mark, in Japanese
    expect(text.replace(/\s+/g, ' ')).toContain('前回の記録 2021-05-01: 0.30 mm, +0.15 mm (± 0.06) 拡大');
    expect(text).toContain('↑ 拡大、↓ 縮小');
    expect(renderPages(pdf).stderr).toBe('');
    await ja.close();
  });

  it('says which inspections have findings when the one asked for has none', async () => {
    await mountExport(page, 'No such inspection');
    await page.locator(testid('export-inspection')).click();
    const error = page.locator(testid('export-error'));
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain(`'No such inspection' has no findings to export`);
    expect(await error.textContent()).toContain(INSPECTION);
  });
});
