/**
 * Team sync in the browser tests and the sync benchmark: the sync server (scripts/sync-server.ts) as a
 * child process that a test can SIGKILL and start again on the same port and folder; starting sync
 * through the settings panel; findings written as `finding:<id>` documents with photo attachments of
 * a chosen size into a page's local database; and the page's JS heap sampled over CDP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { ROOT } from './harness';

/** The sync server's user in the tests. */
export const SYNC_USER = { name: 'inspector', password: 'bridge-9' };

/** A sync server running as a child process. */
export interface SyncServerProcess {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL: the server dies mid-request, as a crash or a power cut would leave it. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts `scripts/sync-server.ts` in a child process; resolves once it prints its listening line. */
export function spawnSyncServer(options: { dir: string; origin: string; port?: number }): Promise<SyncServerProcess> {
  const args = [
    '--import',
    'tsx',
    path.join(ROOT, 'scripts/sync-server.ts'),
    ...['--port', String(options.port ?? 0), '--dir', options.dir, '--origin', options.origin],
    ...['--user', SYNC_USER.name, '--password', SYNC_USER.password],
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string) => reject(new Error(`the sync server did not start (${why}):\n${out}`));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      const { url, port, dir } = JSON.parse(line) as { url: string; port: number; dir: string };
      resolve({ url, port, dir, kill: () => ended(child, 'SIGKILL'), stop: () => ended(child, 'SIGTERM') });
    });
    child.on('error', (e) => fail(e.message));
    child.on('exit', (code) => fail(`exit ${code}`));
  });
}

function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Starts sync from the settings panel (Findings screen) and waits for the chip to leave `off`. */
export async function startSyncInUi(
  page: Page,
  databaseUrl: string,
  credentials: { name: string; password: string } = SYNC_USER,
): Promise<void> {
  await page.locator('[data-testid="tab-findings"]').click();
  await page.locator('[data-testid="sync-url"]').fill(databaseUrl);
  await page.locator('[data-testid="sync-user"]').fill(credentials.name);
  await page.locator('[data-testid="sync-password"]').fill(credentials.password);
  await page.locator('[data-testid="sync-start"]').click();
  await page.waitForFunction(() => window.__syncChip()?.getAttribute('data-state') !== 'off', null, {
    timeout: 10_000,
  });
}

/** The chip's state and text. */
export async function syncStatus(page: Page): Promise<{ state: string | null; reason: string | null; text: string }> {
  return page.evaluate(() => {
    const chip = window.__syncChip();
    return {
      state: chip?.getAttribute('data-state') ?? null,
      reason: chip?.getAttribute('data-reason') ?? null,
      text: chip?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
    };
  });
}

/** Waits until the chip shows an error with this reason. */
export async function waitForSyncReason(page: Page, reason: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction((r) => window.__syncChip()?.getAttribute('data-reason') === r, reason, {
    timeout: timeoutMs,
    polling: 100,
  });
}

/** Waits until the chip shows `state`. */
export async function waitForSyncState(page: Page, state: string, timeoutMs = 20_000): Promise<void> {
  await page.waitForFunction((s) => window.__syncChip()?.getAttribute('data-state') === s, state, {
    timeout: timeoutMs,
    polling: 100,
  });
}

declare global {
  /** Installed by {@link installPageHelpers}. */
  interface Window {
    __syncChip(): Element | null;
    __syncDb(): Promise<PouchDB.Database>;
    /** `import(path)` in the page (a module of the dev server). */
    __load(path: string): Promise<unknown>;
    /** A grey photo with a dark crack across it, `width` x `height`, encoded as `type`. */
    __image(width: number, height: number, type: string): Promise<Blob>;
  }
}

/**
 * In the page: `__syncChip()` (the header chip inside the app's shadow DOM), `__load(path)`, `__syncDb()` (the local
 * PouchDB database, opened with the app's own module from the dev server) and `__image(width, height, type)`.
 * Call after the page loaded.
 */
export async function installPageHelpers(page: Page): Promise<void> {
  // Strings, so that vitest does not rewrite the dynamic import: the page imports the modules itself.
  // __name: tsx (esbuild's keepNames) wraps named functions of callbacks sent to page.evaluate in it (bench-sync.ts).
  await page.evaluate(`
    window.__name ??= (f) => f;
    window.__syncChip = () =>
      document.querySelector('crackcam-app')?.shadowRoot
        ?.querySelector('crackcam-sync-status')?.shadowRoot?.querySelector('[data-testid="sync-status"]') ?? null;
    window.__load = (p) => import(p);
    window.__syncDb = async () => {
      window.__db ??= (await import('/src/platform/local-db.ts')).openLocalDb();
      return window.__db;
    };
    window.__image = (width, height, type) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d');
      g.fillStyle = '#888';
      g.fillRect(0, 0, width, height);
      g.fillStyle = '#222';
      g.fillRect(width * 0.4, 0, width * 0.05, height);
      return canvas.convertToBlob({ type, quality: 0.85 });
    };
  `);
}

/** Sizes of a finding's photo attachments in bytes. */
export interface FindingPhotoSizes {
  still: number;
  crop: number;
  overlay: number;
}

/** Realistic sizes: a downscaled still ~300 KB, crop and overlay ~50 KB. */
export const REALISTIC_PHOTOS: FindingPhotoSizes = { still: 300_000, crop: 50_000, overlay: 50_000 };

/**
 * Writes `count` findings (ids `${prefix}-${i}`) as `finding:` documents (the findings store's layout, few
 * fields: many at once, faster than the store's own checks and downscaling) with random (incompressible)
 * photo attachments, `batch` per bulkDocs call; returns the ids.
 */
export function putFindings(
  page: Page,
  prefix: string,
  count: number,
  sizes: FindingPhotoSizes = REALISTIC_PHOTOS,
  batch = 10,
): Promise<string[]> {
  return page.evaluate(
    async ({ prefix, count, sizes, batch }) => {
      const db = await window.__syncDb();
      const blob = (bytes: number, type: string) => {
        const data = new Uint8Array(bytes);
        for (let i = 0; i < bytes; i += 65_536) crypto.getRandomValues(data.subarray(i, Math.min(bytes, i + 65_536)));
        return new Blob([data], { type });
      };
      const ids: string[] = [];
      for (let start = 0; start < count; start += batch) {
        const docs = [];
        for (let i = start; i < Math.min(count, start + batch); i++) {
          const id = `${prefix}-${i}`;
          ids.push(id);
          docs.push({
            _id: `finding:${id}`,
            // The findings store's layout (src/platform/finding-doc.ts), with only the fields the tests read.
            type: 'finding',
            stillDownscaled: true,
            id,
            notes: `finding ${i}`,
            updatedAt: Date.now(),
            _attachments: {
              'still.jpg': { content_type: 'image/jpeg', data: blob(sizes.still, 'image/jpeg') },
              'crop.png': { content_type: 'image/png', data: blob(sizes.crop, 'image/png') },
              'overlay.png': { content_type: 'image/png', data: blob(sizes.overlay, 'image/png') },
            },
          });
        }
        await db.bulkDocs(docs);
      }
      return ids;
    },
    { prefix, count, sizes, batch },
  );
}

/** The ids of the page's documents with this `_id` prefix. */
export function docIds(page: Page, prefix: string): Promise<string[]> {
  return page.evaluate(async (prefix) => {
    const db = await window.__syncDb();
    const all = await db.allDocs({ startkey: prefix, endkey: `${prefix}\uffff` });
    return all.rows.map((r) => r.id).sort();
  }, prefix);
}

/** Waits until the page has at least `count` documents with this prefix; resolves with how long it took. */
export async function waitForDocs(page: Page, prefix: string, count: number, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  while ((await docIds(page, prefix)).length < count) {
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `only ${(await docIds(page, prefix)).length} of ${count} '${prefix}' documents in ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  return Date.now() - started;
}

/** Samples the page's used JS heap over CDP (Runtime.getHeapUsage) every `intervalMs` until stopped. */
export async function sampleHeap(
  page: Page,
  intervalMs = 100,
): Promise<{ stop(): Promise<{ peak: number; first: number }> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const read = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const first = await read();
  let peak = first;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await read().catch(() => 0));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await cdp.detach();
      return { peak, first };
    },
  };
}

/** The page's used JS heap after garbage collection (needs --js-flags=--expose-gc, as launchChromium sets). */
export async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}
