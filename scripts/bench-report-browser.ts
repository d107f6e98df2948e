/**
 * `npx tsx scripts/bench-report-browser.ts [--findings 200] [--still 4000x3000]`
 *
 * The inspection export in the real page: starts the vite dev server and headless Chromium, writes
 * --findings findings into the findings store (one phone-sized JPEG still of --still pixels with
 * camera-like noise, PNG crop and overlay, all findings sharing them), then clicks the export button of
 * <crackcam-inspection-export> and waits for the download. Prints one JSON line: the time from the
 * click to the download, the zip's size, the export progress seen on the way, and the peak resident
 * memory of the page's renderer process and of the browser process above their level before the
 * click (read from /proc for the pids CDP's SystemInfo.getProcessInfo names, every 100 ms).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium, startDevServer } from '../test/e2e/harness';

const { values } = parseArgs({
  options: { findings: { type: 'string', default: '200' }, still: { type: 'string', default: '4000x3000' } },
  strict: true,
});
const count = Number(values.findings);
const [stillWidth, stillHeight] = values.still.split('x').map(Number);
if (!Number.isInteger(count) || count < 1)
  throw new Error(`--findings must be an integer >= 1, got '${values.findings}'`);
if (!(stillWidth > 0 && stillHeight > 0)) throw new Error(`--still must be WIDTHxHEIGHT, got '${values.still}'`);

const INSPECTION = 'Bench bridge 2026';
const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

/** Resident bytes of a process (0 once it is gone). */
function rss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Samples the summed resident memory of the browser's renderer processes and of the browser process. */
async function sampleRss(browser: Browser): Promise<{ stop(): Promise<{ renderer: number; browser: number }> }> {
  const cdp = await browser.newBrowserCDPSession();
  const pids = async () => {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: { type: string; id: number }[];
    };
    return processInfo;
  };
  const read = async () => {
    let renderer = 0;
    let main = 0;
    for (const p of await pids()) {
      if (p.type === 'renderer') renderer += rss(p.id);
      if (p.type === 'browser') main += rss(p.id);
    }
    return { renderer, browser: main };
  };
  const base = await read();
  const peak = { ...base };
  let running = true;
  const loop = (async () => {
    while (running) {
      const now = await read().catch(() => base);
      peak.renderer = Math.max(peak.renderer, now.renderer);
      peak.browser = Math.max(peak.browser, now.browser);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await cdp.detach();
      return { renderer: peak.renderer - base.renderer, browser: peak.browser - base.browser };
    },
  };
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-bench-report-'));
  const server = await startDevServer();
  const browser = await launchChromium({ fakeDevice: false, autoAcceptCamera: false });
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${server.url}?backend=wasm`);
    // Strings, so that tsx does not rewrite the dynamic import or wrap the callbacks in __name.
    await page.evaluate('window.__load = (p) => import(p); window.__name ??= (f) => f;');
    const fillStarted = Date.now();
    const stillBytes = await page.evaluate(
      async ({ inspection, count, width, height }) => {
        const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
        const fs = (await load('/src/platform/finding-store.ts')) as typeof import('../src/platform/finding-store');
        const image = async (w: number, h: number, type: string) => {
          const canvas = new OffscreenCanvas(w, h);
          const g = canvas.getContext('2d')!;
          const pixels = g.createImageData(w, h);
          for (let i = 0; i < pixels.data.length; i += 4) {
            const v = 140 + Math.floor(Math.random() * 40);
            pixels.data.set([v, v, v - 6, 255], i);
          }
          g.putImageData(pixels, 0, 0);
          g.strokeStyle = '#222';
          g.lineWidth = Math.max(2, w / 300);
          g.beginPath();
          g.moveTo(w * 0.2, 0);
          g.lineTo(w * 0.55, h * 0.5);
          g.lineTo(w * 0.45, h);
          g.stroke();
          return canvas.convertToBlob({ type, quality: 0.9 });
        };
        const [still, crop, overlay] = [
          await image(width, height, 'image/jpeg'),
          await image(227, 227, 'image/png'),
          await image(227, 227, 'image/png'),
        ];
        const store = await fs.openFindingStore();
        const t0 = Date.UTC(2026, 4, 1, 8);
        for (let i = 0; i < count; i++) {
          await store.put({
            fields: {
              id: `bench-${String(i).padStart(4, '0')}`,
              createdAt: t0 + i * 60_000,
              updatedAt: t0 + i * 60_000,
              context: { inspection, structure: '第9号橋', element: `Pier ${(i % 6) + 1}`, inspector: '山田 花子' },
              defectType: 'crack',
              orientation: 'diagonal',
              conditionState: ((i % 4) + 1) as 1 | 2 | 3 | 4,
              notes: i % 2 ? '北側の橋脚に幅0.3mmのひび割れ' : 'Hairline crack near the bearing',
              verdict: { label: 'crack', probability: 0.9, unfamiliar: false },
              model: { name: 'crackcam-default', version: 1 },
              position: { latitude: 35.6812 + i / 10000, longitude: 139.7671, accuracy: 8 },
              still: { source: 'take-photo', width, height },
            },
            still,
            crop,
            overlay,
          });
        }
        store.close();
        return still.size;
      },
      { inspection: INSPECTION, count, width: stillWidth, height: stillHeight },
    );
    const fillMs = Date.now() - fillStarted;
    await page.evaluate(async (inspection) => {
      const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
      await load('/src/ui/crackcam-inspection-export.ts');
      const fs = (await load('/src/platform/finding-store.ts')) as typeof import('../src/platform/finding-store');
      const element = document.createElement('crackcam-inspection-export');
      element.id = 'under-bench';
      element.store = await fs.openFindingStore();
      element.inspection = inspection;
      document.body.prepend(element);
      await element.updateComplete;
    }, INSPECTION);
    const progressSeen = new Set<number>();
    let watching = true;
    const progressLoop = (async () => {
      while (watching) {
        const value = await page
          .locator('[data-testid="export-progress"]')
          .getAttribute('value', { timeout: 200 })
          .catch(() => null);
        if (value !== null) progressSeen.add(Number(value));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const memory = await sampleRss(browser);
    const started = Date.now();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30 * 60_000 }),
      page.locator('#under-bench [data-testid="export-inspection"]').click(),
    ]);
    const seconds = (Date.now() - started) / 1000;
    const peak = await memory.stop();
    watching = false;
    await progressLoop;
    const file = path.join(scratch, 'export.zip');
    await download.saveAs(file);
    console.log(
      JSON.stringify({
        findings: count,
        still: `${stillWidth}x${stillHeight}`,
        stillMb: mb(stillBytes),
        photoMb: mb(count * stillBytes),
        fillMs,
        seconds,
        zipMb: mb(statSync(file).size),
        progressValuesSeen: progressSeen.size,
        rendererRssGrowthMb: mb(peak.renderer),
        browserRssGrowthMb: mb(peak.browser),
        cpus: os.cpus().length,
        loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      }),
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
