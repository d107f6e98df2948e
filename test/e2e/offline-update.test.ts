/**
 * Update from build A to build B of the production app, at the same URL: A is visited (offline-capable;
 * a capture is stored, the UI language set, a model imported from another origin and made active), then
 * the server deploys B. The new service worker waits; the app offers "Update"; accepting reloads the page
 * under B. Afterwards the capture, the setting and the model are all there, A's outdated precache entries
 * are gone, and B starts offline with the imported model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserTestsCanRun,
  buildAppWithId,
  cacheContents,
  captureAndWait,
  controllerBuildId,
  launchOnUnseenCrack,
  readPrecacheManifest,
  startVisit,
  storedCaptures,
  waitForController,
  waitForVerdict,
  type PrecacheEntry,
} from './offline-harness';
import { sharedBuild } from './shared-build';

const BROWSER = browserTestsCanRun('update browser test');

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
  const ids = { A: '', B: `B-${Date.now()}` };
  const dist = { A: '', B: '' };
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'crackcam-update-'));
    ({ dist: dist.A, buildId: ids.A } = await sharedBuild());
    dist.B = path.join(tmp, 'B');
    await buildAppWithId(dist.B, ids.B);
    browser = await launchOnUnseenCrack(tmp);
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

    const { server, base, remote, remoteBase, context, page, errors, close } = await startVisit(browser, dist.A);
    try {
      // --- build A, first visit: a capture, a setting (UI language) and a model imported from a URL
      await page.goto(`${base}?backend=wasm`);
      await waitForController(page);
      await waitForVerdict(page);
      expect(await controllerBuildId(page)).toBe(ids.A);
      expect(await page.getByTestId('app-version').getAttribute('data-build-id')).toBe(ids.A);
      await captureAndWait(page);
      const captures = await storedCaptures(page);
      expect(captures).toHaveLength(1);
      await page.getByTestId('language').selectOption('ja');
      await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('ja');
      await page.getByTestId('tab-models').click();
      const imported = `${remoteBase}model.json`;
      await page.getByTestId('import-model-url').fill(imported);
      await page.getByTestId('import-model-url').press('Enter');
      await page.getByTestId('models-notice').waitFor({ timeout: 120_000 });
      const importedId = await page.getByTestId('model-list').getAttribute('data-active');
      expect(importedId).toMatch(/\S/);
      expect(importedId).not.toBe('builtin');
      await expect
        .poll(async () => (await cacheContents(page))['crackcam-models'])
        .toEqual([`${remoteBase}model.json`, `${remoteBase}weights.bin`]);

      // --- deploy B at the same URL. The network drops and comes back: on `online` the app checks for an
      // update itself. (The Models screen suspends the live view. While the WASM frame loop keeps the main
      // thread ~85% busy, Chromium fetches sw.js for an update() only after ~55 s, see docs/offline.md.)
      server.root = dist.B;
      const served = server.requests.length;
      await context.setOffline(true);
      await context.setOffline(false);
      const t0 = Date.now();
      await expect.poll(() => server.requests.slice(served), { timeout: 60_000 }).toContain('/sw.js');
      process.stderr.write(`update e2e: sw.js fetched ${Date.now() - t0} ms after coming back online\n`);
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

      // captures, settings and models kept
      expect(await storedCaptures(page)).toEqual(captures);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
      await page.getByTestId('tab-models').click(); // the model library is rendered when first shown
      await expect.poll(() => page.getByTestId('model-list').getAttribute('data-active')).toBe(importedId);
      expect(await page.locator(`[data-testid="model"][data-id="${importedId}"]`).count()).toBe(1);
      // old caches cleaned: the precache holds exactly B's files; the models cache is untouched
      const precacheNames = (c: Record<string, string[]>) => Object.keys(c).filter((n) => n.includes('precache'));
      await expect.poll(async () => precacheNames(await cacheContents(page)).length).toBe(1);
      await expect
        .poll(async () => {
          const c = await cacheContents(page);
          return c[precacheNames(c)[0]];
        })
        .toEqual(expectedPrecache(base, manifestB));
      const caches = await cacheContents(page);
      expect(Object.keys(caches).sort()).toEqual(['crackcam-models', ...precacheNames(caches)].sort());
      expect(caches['crackcam-models']).toEqual([`${remoteBase}model.json`, `${remoteBase}weights.bin`]);

      // --- B works offline, with the imported model active
      await server.stop();
      await remote.stop();
      await context.setOffline(true);
      await page.reload();
      const verdict = await waitForVerdict(page);
      expect(verdict.label).toBe('crack');
      expect(await page.getByTestId('app-version').getAttribute('data-build-id')).toBe(ids.B);
      expect(await page.locator('crackcam-app').getAttribute('data-model-id')).toBe(importedId); // what runs
      expect(await storedCaptures(page)).toEqual(captures);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
