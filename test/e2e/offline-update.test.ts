/**
 * Update from build A to build B of the production app, at the same URL: A is visited (offline-capable,
 * with data in IndexedDB, localStorage and the imported-models cache), then the server deploys B. The new
 * service worker waits; the app offers "Update"; accepting reloads the page under B. Afterwards the data is
 * all there, A's outdated precache entries are gone, and B starts offline.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAppWithId,
  cacheContents,
  controllerBuildId,
  idbGetBlob,
  idbPutBlob,
  readPrecacheManifest,
  StaticServer,
  waitForController,
  waitForVerdict,
  unseenCrackVideo,
  type PrecacheEntry,
} from './offline-harness';
import { CHROMIUM, DATA_DIR, launchChromium } from './harness';

// the browser part needs Chromium and the shared photos; the build itself must always work
const BROWSER = existsSync(CHROMIUM) && existsSync(path.join(DATA_DIR, 'concrete/crack'));
if (!BROWSER) process.stderr.write(`NOTE: update browser test skipped: needs ${CHROMIUM} and ${DATA_DIR}/concrete/crack\n`);

/** Precache cache content expected for a manifest: absolute URLs, revisioned ones with workbox's query. */
function expectedPrecache(base: string, manifest: PrecacheEntry[]): string[] {
  return manifest
    .map(({ url, revision }) => {
      const u = new URL(url, base);
      if (revision) u.searchParams.set('__WB_REVISION__', revision);
      return u.href;
    })
    .sort();
}

describe.skipIf(!BROWSER)('update from build A to build B', () => {
  let tmp: string;
  const ids = { A: `A-${Date.now()}`, B: `B-${Date.now()}` };
  const dist = { A: '', B: '' };
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'crackcam-update-'));
    dist.A = path.join(tmp, 'A');
    dist.B = path.join(tmp, 'B');
    await buildAppWithId(dist.A, ids.A);
    await buildAppWithId(dist.B, ids.B);
    const { file } = await unseenCrackVideo(path.join(tmp, 'camera.y4m'));
    browser = await launchChromium({ fakeVideo: file });
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('waits, offers the update, reloads under B and keeps captures, settings and models', async () => {
    const manifestA = readPrecacheManifest(path.join(dist.A, 'sw.js'));
    const manifestB = readPrecacheManifest(path.join(dist.B, 'sw.js'));
    const onlyA = manifestA.filter((a) => !manifestB.some((b) => b.url === a.url && b.revision === a.revision));
    // the builds differ in their code, not only in sw.js (the build id is compiled into the page)
    expect(onlyA.some((e) => e.url.endsWith('.js'))).toBe(true);

    const server = new StaticServer(dist.A);
    const base = await server.start();
    const remote = new StaticServer(path.join(dist.A, 'models/crackcam-default'));
    remote.headers = { 'Access-Control-Allow-Origin': '*' };
    const remoteBase = await remote.start();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      // --- build A, first visit
      await page.goto(`${base}?backend=wasm`);
      await waitForController(page);
      await waitForVerdict(page);
      expect(await controllerBuildId(page)).toBe(ids.A);
      expect(await page.getByTestId('app-version').getAttribute('data-build-id')).toBe(ids.A);
      const capture = Array.from({ length: 4096 }, (_, i) => (i * 31) % 256);
      await idbPutBlob(page, 'capture-1', capture);
      await page.evaluate(() => localStorage.setItem('crackcam.e2e-setting', 'kept'));
      const imported = `${remoteBase}weights.bin`;
      await page.evaluate(async (u) => void (await fetch(u)).arrayBuffer(), imported);
      await expect.poll(async () => (await cacheContents(page))['crackcam-models']).toEqual([imported]);

      // --- deploy B at the same URL; the page checks for an update.
      // The live view is paused first: while the WASM frame loop keeps the page's main thread ~85% busy,
      // Chromium starts the update check only after ~55 s (measured; same with a synthetic busy loop and no
      // camera), which would only make this test slow.
      await page.getByTestId('freeze').click();
      server.root = dist.B;
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      const accept = page.getByTestId('update-accept');
      await accept.waitFor({ state: 'visible', timeout: 60_000 });
      // B waits: A still controls the page until the user accepts
      expect(await controllerBuildId(page)).toBe(ids.A);

      const reloaded = page.waitForEvent('load', { timeout: 60_000 });
      await accept.click();
      await reloaded;
      await waitForController(page);
      expect(await controllerBuildId(page)).toBe(ids.B);
      await expect.poll(() => page.getByTestId('app-version').getAttribute('data-build-id')).toBe(ids.B);
      expect(await page.getByTestId('update-banner').count()).toBe(0);
      await waitForVerdict(page);

      // data kept
      expect(await idbGetBlob(page, 'capture-1')).toEqual(capture);
      expect(await page.evaluate(() => localStorage.getItem('crackcam.e2e-setting'))).toBe('kept');
      // old caches cleaned: the precache holds exactly B's files; the models cache is untouched
      const precacheName = (c: Record<string, string[]>) => Object.keys(c).filter((n) => n.includes('precache'));
      await expect.poll(async () => precacheName(await cacheContents(page)).length).toBe(1);
      await expect
        .poll(async () => {
          const c = await cacheContents(page);
          return c[precacheName(c)[0]];
        })
        .toEqual(expectedPrecache(base, manifestB));
      expect(Object.keys(await cacheContents(page)).sort()).toEqual(['crackcam-models', ...precacheName(await cacheContents(page))].sort());
      expect((await cacheContents(page))['crackcam-models']).toEqual([imported]);

      // --- B works offline
      await server.stop();
      await remote.stop();
      await context.setOffline(true);
      await page.reload();
      const verdict = await waitForVerdict(page);
      expect(verdict.label).toBe('crack');
      expect(await page.getByTestId('app-version').getAttribute('data-build-id')).toBe(ids.B);
      expect(await idbGetBlob(page, 'capture-1')).toEqual(capture);
      expect(await page.evaluate(async (u) => (await (await fetch(u)).arrayBuffer()).byteLength, imported)).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.stop();
      await remote.stop();
    }
  });
});
