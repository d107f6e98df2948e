/**
 * Offline-first on the production build: `vite build` into a temporary folder, then
 *  1. the precache manifest in dist/sw.js lists every file the app needs offline (computed from the build);
 *  2. in headless Chromium: first visit online (service worker installs, Chromium finds the app installable,
 *     a model imported from another origin is fetched once), then the server is stopped and the context set offline, and a reload starts
 *     the app from the caches: the fake camera (a crack photo) is classified as a crack by the default model
 *     on the WASM backend, a capture is stored (and is still there after another offline start), a model is
 *     trained on the captures and saved, and the imported model still loads;
 *  3. a server that stops answering while the browser still reports a network (a hotspot with no internet):
 *     the app says Offline from its own probe, and online again once the server answers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserTestsCanRun,
  cacheContents,
  captureAndWait,
  launchOnUnseenCrack,
  listFiles,
  readPrecacheManifest,
  startVisit,
  storedCaptures,
  waitForController,
  waitForVerdict,
  type PrecacheEntry,
} from './offline-harness';
import { md5, requiredOffline } from './offline-precache';
import { saveTrainedModel, trainerSwitch } from './harness';
import { sharedBuild } from './shared-build';

const BROWSER = browserTestsCanRun('offline browser test');

describe('offline-first production build', () => {
  let tmp: string;
  let dist: string;
  let manifest: PrecacheEntry[];
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'crackcam-offline-'));
    ({ dist } = await sharedBuild());
    manifest = readPrecacheManifest(path.join(dist, 'sw.js'));
    // the camera shows a crack photo the default model has not seen in training
    if (BROWSER) browser = await launchOnUnseenCrack(tmp);
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('precaches every file the app needs offline, with content revisions', () => {
    const urls = manifest.map((e) => e.url);
    expect(new Set(urls).size, 'duplicate precache URLs').toBe(urls.length);
    const inManifest = new Set(urls);

    const required = requiredOffline(dist);
    for (const [reason, files] of Object.entries(required)) {
      expect(files.length, reason).toBeGreaterThan(0);
      const missing = files.filter((f) => !inManifest.has(f));
      expect(missing, `not precached (${reason})`).toEqual([]);
    }
    // the base weights are over workbox's default 2 MiB limit: make sure that is what we check
    const baseShards = required['model base'].filter((f) => !f.endsWith('.json'));
    expect(Math.max(...baseShards.map((f) => readFileSync(path.join(dist, f)).byteLength))).toBeGreaterThan(
      2 * 1024 * 1024,
    );

    const files = new Set(listFiles(dist));
    for (const { url, revision } of manifest) {
      expect(files.has(url), `${url} is precached but not in the build`).toBe(true);
      if (revision === null) {
        // unrevisioned entries must carry a content hash in their name (vite's assets/)
        expect(url, 'unrevisioned entry outside assets/').toMatch(/^assets\/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/);
      } else {
        expect(revision, `revision of ${url}`).toBe(md5(path.join(dist, url)));
      }
    }
    expect(inManifest.has('sw.js')).toBe(false);
    expect(urls.filter((u) => u.endsWith('.map'))).toEqual([]);
  });

  it.skipIf(!BROWSER)(
    'after one visit, starts offline, classifies the fake camera with the default model, stores a capture and trains',
    async () => {
      // the remote origin (CORS) stands in for a model imported from a URL
      const { server, base, remote, remoteBase, context, page, errors, close } = await startVisit(browser, dist);
      try {
        await page.goto(`${base}?backend=wasm`);
        await waitForController(page);
        const online = await waitForVerdict(page);
        expect(online.backend).toBe('wasm');

        // installable: Chromium parses the manifest without errors and reports no installability problem
        const cdp = await context.newCDPSession(page);
        const appManifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
        expect(appManifest.url).toBe(`${base}manifest.webmanifest`);
        expect(appManifest.errors).toEqual([]);
        const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
          installabilityErrors: Array<{ errorId: string }>;
        };
        // Playwright's contexts are off-the-record profiles, which can never install: not the app's doing
        expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([]);
        await cdp.detach();
        const imported = [`${remoteBase}model.json`, `${remoteBase}weights.bin`];
        const onlineBytes = await page.evaluate(
          async (urls) => Promise.all(urls.map(async (u) => (await (await fetch(u)).arrayBuffer()).byteLength)),
          imported,
        );
        expect(onlineBytes).toEqual(
          ['model.json', 'weights.bin'].map(
            (f) => readFileSync(path.join(dist, 'models/crackcam-default', f)).byteLength,
          ),
        );
        expect((await cacheContents(page))['crackcam-models']).toEqual([...imported].sort());

        // network gone: both servers down and the browser offline
        await server.stop();
        await remote.stop();
        await context.setOffline(true);
        const served = server.requests.length;
        await page.reload();

        const verdict = await waitForVerdict(page);
        // the camera shows a photo from the "crack" folder; the default model knows that label
        const head = JSON.parse(readFileSync(path.join(dist, 'models/crackcam-default/model.json'), 'utf8')) as {
          userDefinedMetadata: { crackcam: { labels: string[] } };
        };
        expect(head.userDefinedMetadata.crackcam.labels).toContain('crack');
        expect(verdict.label).toBe('crack');
        expect(verdict.backend).toBe('wasm');
        expect(server.requests.length, 'a request reached the stopped server').toBe(served);
        await expect.poll(() => page.getByTestId('offline-indicator').textContent()).toContain('Offline');
        // some Chromium versions report navigator.onLine = true in a page started offline from the service
        // worker (150 does, 156 does not): the chip must not depend on it
        expect(await page.locator('crackcam-offline-indicator').getAttribute('offline-reason')).toMatch(
          /^(browser|unreachable)$/,
        );

        // a capture is stored offline, and is still there after another offline start
        expect(await storedCaptures(page)).toEqual([]);
        await captureAndWait(page);
        const captures = await storedCaptures(page);
        expect(captures).toHaveLength(1);
        expect(captures[0]).toMatchObject({
          label: 'crack',
          verdict: { label: 'crack' },
          cropWidth: 227,
          cropHeight: 227,
        });
        await expect
          .poll(() => page.locator('[data-testid="capture-count"][data-label="crack"]').textContent())
          .toBe('1');
        await page.reload();
        await waitForVerdict(page);
        expect(await storedCaptures(page)).toEqual(captures);

        // the main-thread fallback starts offline too: the page's TF.js, backend and model from the precache;
        // the training below runs from this start
        await page.goto(`${base}?backend=wasm&inference=main`);
        expect((await waitForVerdict(page)).label).toBe('crack');
        expect(await page.getByTestId('inference').getAttribute('data-inference')).toBe('main');
        expect(server.requests.length, 'a request reached the stopped server').toBe(served);

        // training works offline too: a few more captures, a short training, saved as the active model
        for (let i = 0; i < 3; i++) await captureAndWait(page);
        await page.getByTestId('tab-train').click();
        await page.getByTestId('train-epochs').fill('5');
        await page.getByTestId('train-epochs').dispatchEvent('change');
        // Rehearsal (on by default) is covered by adaptation.test.ts; off here, these runs test other things, faster.
        await (await trainerSwitch(page, 'train-rehearse')).uncheck();
        await page.getByTestId('train-start').click();
        await page.locator('[data-testid="train-status"][data-phase="done"]').waitFor({ timeout: 180_000 });
        // in the background worker, whose script and base came from the precache
        expect(await page.getByTestId('train-where').textContent()).toMatch(/background worker/);
        await saveTrainedModel(page);
        await expect
          .poll(() => page.locator('crackcam-app').getAttribute('data-model-id'), { timeout: 30_000 })
          .not.toBe('builtin');
        await page.getByTestId('tab-live').click();

        // the imported model is served from its cache
        const offlineBytes = await page.evaluate(
          async (urls) => Promise.all(urls.map(async (u) => (await (await fetch(u)).arrayBuffer()).byteLength)),
          imported,
        );
        expect(offlineBytes).toEqual(onlineBytes);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  it.skipIf(!BROWSER)(
    'says offline when the server stops answering while the browser still reports a network, and online when it answers again',
    async () => {
      // a site hotspot with no internet behind it: navigator.onLine stays true, no request gets through
      const { server, base, page, errors, close } = await startVisit(browser, dist);
      const chip = page.locator('crackcam-offline-indicator');
      try {
        await page.goto(`${base}?backend=wasm`);
        await waitForController(page);
        await waitForVerdict(page);
        expect(await chip.getAttribute('online')).not.toBeNull();

        await server.stop();
        await page.reload();
        await waitForVerdict(page);
        expect(await page.evaluate(() => navigator.onLine)).toBe(true);
        await expect.poll(() => chip.getAttribute('offline-reason')).toBe('unreachable');
        expect(await page.getByTestId('offline-indicator').textContent()).toContain('Offline');
        expect(await chip.getAttribute('online')).toBeNull();

        // the server is back at the same address: the app's own re-probe (5 s after going offline) finds it
        await server.start(Number(new URL(base).port));
        await expect.poll(() => chip.getAttribute('online'), { timeout: 30_000 }).not.toBeNull();
        expect(await chip.getAttribute('offline-reason')).toBeNull();
        expect(await page.getByTestId('offline-indicator').count()).toBe(0);
        expect(server.requests.some((r) => r === '/manifest.webmanifest')).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await close();
      }
    },
  );
});
