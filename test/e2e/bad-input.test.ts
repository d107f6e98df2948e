/**
 * Bad input in the app, in real headless Chromium over the vite dev server: a capture tapped while
 * the camera is blocked says why (English and Japanese), a save refused because storage is full
 * replaces the earlier "Saved as" notice and the storage panel says "full" with real figures, and a
 * model whose weights are NaN is refused at import while the previous model stays active.
 *
 * Storage full is real: the origin's quota is set low (CDP Storage.overrideQuotaForOrigin, before the
 * app first writes) and the page fills it with a filler database until the browser refuses more.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillStorage,
  launchChromium,
  openApp,
  shadowText,
  startDevServer,
  testModelDir,
  type AppServer,
} from './harness';

/** The origin's quota while storage-full is tested: the app's databases fit, a few captures more do not. */
const QUOTA_BYTES = 4_000_000;

let server: AppServer;

beforeAll(async () => {
  server = await startDevServer();
});

afterAll(async () => {
  await server?.close();
});

const captureAs = (page: Page, label: string) => page.locator(`[data-testid="capture-as"][data-label="${label}"]`);
const captureCount = (page: Page, label: string) =>
  page.locator(`[data-testid="capture-count"][data-label="${label}"]`).textContent();

describe('capture while the camera is blocked', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium({ autoAcceptCamera: false });
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const { lang, expected, english } of [
    { lang: 'en', expected: /camera access is blocked.*Try again/, english: true },
    { lang: 'ja', expected: /カメラ/, english: false },
  ]) {
    it(`says why nothing was captured (${lang})`, async () => {
      // The translations are held back until the message shows, so the tap surely comes before them.
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const holdTranslations = (context: BrowserContext) =>
        context.route(/\/locales\/generated\/ja\.ts/, async (route) => {
          await held;
          await route.continue();
        });
      const beforeOpen = english ? undefined : holdTranslations;
      const { context, page } = await openApp(browser, server.url, { grantCamera: false, lang, beforeOpen });
      try {
        await page.locator('[data-testid="camera-message"][data-kind="denied"]').waitFor({ timeout: 60_000 });
        await captureAs(page, 'crack').click();
        const error = page.locator('[data-testid="capture-error"]');
        await error.waitFor({ timeout: 10_000 });
        expect(await error.getAttribute('data-kind')).toBe('camera-denied');
        // Shown before the translations came, the message follows the language once they have (<html lang>).
        release();
        await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(lang);
        const text = (await error.textContent()) ?? '';
        expect(text).toMatch(expected);
        expect(text.includes('Nothing was captured')).toBe(english);
        expect(await page.locator('[data-testid="capture-saved"]').count()).toBe(0);
        expect(await captureCount(page, 'crack')).toBe('0');
      } finally {
        await context.close();
      }
    });
  }
});

/** Opens the app in a context whose origin may store only `quota` bytes (set before the app writes anything). */
async function openWithQuota(browser: Browser, quota: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 800, height: 900 },
    locale: 'en-US',
    permissions: ['camera'],
    serviceWorkers: 'block',
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: quota });
  await page.goto(`${server.url}?backend=wasm`);
  return { context, page };
}

describe('storage full', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    ({ context, page } = await openWithQuota(browser, QUOTA_BYTES));
    await page.locator('[data-testid="capture"]:not([disabled])').waitFor({ timeout: 60_000 });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('a refused save shows only the error, not the earlier "Saved as"', async () => {
    await captureAs(page, 'crack').click();
    await expect
      .poll(() => page.locator('[data-testid="capture-saved"]').textContent(), { timeout: 20_000 })
      .toContain('Saved as Crack');
    await expect.poll(() => captureCount(page, 'crack'), { timeout: 10_000 }).toBe('1');
    expect(await fillStorage(page)).toBeGreaterThan(0);

    await captureAs(page, 'crack').click();
    const error = page.locator('[data-testid="capture-error"]');
    await error.waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid="capture-saved"]').count()).toBe(0);
    expect(await error.textContent()).toMatch(/Storage is full: the capture was not saved/);
    expect(await error.getAttribute('data-kind')).toBe('quota');
    expect(await captureCount(page, 'crack')).toBe('1');
  });

  it('the storage panel says full, with the real usage and a quota', async () => {
    const summary = page.locator('[data-testid="storage-usage"]');
    await expect.poll(() => summary.getAttribute('data-full'), { timeout: 20_000 }).toBe('true');
    const usage = Number(await summary.getAttribute('data-usage'));
    const quota = Number(await summary.getAttribute('data-quota'));
    // At least the stored capture (crop + frame); the filler makes it near the emulated quota.
    // A string, so that vitest does not rewrite the dynamic import: the page imports the module itself.
    await page.evaluate('window.__load = (p) => import(p)');
    const storedCapture = await page.evaluate(async () => {
      const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
      const m = (await load('/src/platform/capture-store.ts')) as typeof import('../../src/platform/capture-store');
      const store = await m.openCaptureStore();
      const bytes = await store.bytes();
      store.close();
      return bytes;
    });
    expect(storedCapture).toBeGreaterThan(1_000);
    expect(usage).toBeGreaterThanOrEqual(storedCapture);
    expect(quota).toBeGreaterThanOrEqual(usage);
    const text = await shadowText(page, 'storage-usage');
    expect(text).toMatch(/^Storage: full, \d[\d.]* [kMG]?B of \d[\d.]* [kMG]?B$/);
    expect(text).not.toMatch(/\b0 B\b/);
    expect(await page.locator('[data-testid="storage-full"]').textContent()).toMatch(
      /The last save \(\d[\d.]* [kM]B\) did not fit/,
    );
  });
});

/** The default model's files as a zip, every weight overwritten with NaN. */
function nanModelZip(): Buffer {
  const dir = testModelDir();
  const modelJson = readFileSync(path.join(dir, 'model.json'));
  const manifest = JSON.parse(modelJson.toString('utf8')) as { weightsManifest: { paths: string[] }[] };
  const files: Record<string, Uint8Array> = { 'model.json': new Uint8Array(modelJson) };
  for (const file of manifest.weightsManifest.flatMap((g) => g.paths)) {
    const bytes = readFileSync(path.join(dir, file));
    const weights = new Float32Array(bytes.byteLength / 4); // every weight float32, as model.json declares
    weights.fill(Number.NaN);
    files[file] = new Uint8Array(weights.buffer);
  }
  return Buffer.from(zipSync(files));
}

describe('model import with NaN weights', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('is refused with a clear error and the previous model stays active', async () => {
    const { context, page } = await openApp(browser, server.url);
    try {
      const app = page.locator('crackcam-app');
      await expect.poll(() => app.getAttribute('data-model-id'), { timeout: 60_000 }).toBe('builtin');
      const before = {
        name: await app.getAttribute('data-model-name'),
        version: await app.getAttribute('data-model-version'),
      };
      await page.locator('[data-testid="tab-models"]').click();
      await page
        .locator('[data-testid="import-model-zip"]')
        .setInputFiles({ name: 'nan-weights.zip', mimeType: 'application/zip', buffer: nanModelZip() });
      const error = page.locator('[data-testid="models-error"]');
      await error.waitFor({ timeout: 60_000 });
      expect(await error.textContent()).toMatch(/nan-weights\.zip was not imported: .*(NaN|finite)/i);
      expect(await page.locator('[data-testid="models-notice"]').count()).toBe(0);
      expect(await page.locator('[data-testid="model-list"]').getAttribute('data-active')).toBe('builtin');
      expect(await page.locator('[data-testid="model"]').count()).toBe(1); // only the built-in row: nothing was stored
      expect(await app.getAttribute('data-model-id')).toBe('builtin');
      expect({
        name: await app.getAttribute('data-model-name'),
        version: await app.getAttribute('data-model-version'),
      }).toEqual(before);
    } finally {
      await context.close();
    }
  });
});
