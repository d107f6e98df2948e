/**
 * Inspection findings in real headless Chromium (vite dev server, fake camera, WASM backend):
 *
 * - with location allowed at a fixed position: set the inspection context, save a finding (position
 *   stored; the still comes from ImageCapture.takePhoto when this Chromium's fake camera gives a
 *   photo, else from the video frame: the test finds out which, independently of the app), edit its
 *   fields, delete and undo (the exact record comes back), reload (everything kept);
 * - without location permission, without ImageCapture (deleted by an init script) and with a small
 *   origin quota: the finding is saved without a position and says so, its still is the video frame
 *   at the track's size; once storage is full a save is refused as `quota` and nothing is half-written.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingFields } from '../../src/core/finding';
import { byTestId, saveFinding } from './finding-save';
import { fillStorage, launchChromium, startDevServer, waitForFrames, type AppServer } from './harness';

const POSITION = { latitude: 35.6812, longitude: 139.7671, accuracy: 15 };
/** The origin's quota in the storage-full case: the app and one finding fit, filler takes the rest. */
const QUOTA_BYTES = 4_000_000;

let server: AppServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the app in `page`; with `frames`, waits until the model has judged that many (so a finding has a verdict). */
async function openApp(page: Page, frames = 0): Promise<Page> {
  await page.goto(`${server.url}?backend=wasm`);
  if (frames > 0) await waitForFrames(page, frames);
  // A string, so that vitest does not rewrite the dynamic import: the page imports the modules itself.
  await page.evaluate('window.__load = (p) => import(p)');
  return page;
}

/** A stored finding's fields and image sizes, read from IndexedDB by the page (null if absent). */
function storedFinding(
  page: Page,
  id: string,
): Promise<{ fields: FindingFields; still: number; crop: number; overlay: number; stillType: string } | null> {
  return page.evaluate(async (id) => {
    const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
    const m = (await load('/src/platform/finding-store.ts')) as typeof import('../../src/platform/finding-store');
    const store = await m.openFindingStore();
    const r = await store.get(id);
    store.close();
    if (!r) return null;
    return {
      fields: r.fields,
      still: r.still.size,
      crop: r.crop.size,
      overlay: r.overlay.size,
      stillType: r.still.type,
    };
  }, id);
}

/** Whether this browser's camera gives a photo through ImageCapture.takePhoto (asked apart from the app). */
function cameraTakesPhotos(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    if (typeof ImageCapture !== 'function') return false;
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    try {
      const photo = await new ImageCapture(stream.getVideoTracks()[0]).takePhoto();
      return photo.size > 0;
    } catch {
      return false;
    } finally {
      stream.getTracks().forEach((t) => t.stop());
    }
  });
}

describe('findings with location allowed', () => {
  let context: BrowserContext;
  let page: Page;
  let id: string;

  beforeAll(async () => {
    context = await browser.newContext({
      viewport: { width: 800, height: 1100 },
      locale: 'en-US',
      permissions: ['camera', 'geolocation'],
      geolocation: POSITION,
      serviceWorkers: 'block',
    });
    page = await openApp(await context.newPage(), 2);
  });

  afterAll(async () => {
    await context?.close();
  });

  it('saves a finding with the context, the verdict, the position and the still', async () => {
    await byTestId(page, 'context-edit').click();
    await byTestId(page, 'context-inspection').fill('Route 9 periodic 2026');
    await byTestId(page, 'context-structure').fill('Bridge 12');
    await byTestId(page, 'context-element').fill('Pier 2 north face');
    await byTestId(page, 'context-inspector').fill('A. Sato');
    await byTestId(page, 'context-save').click();
    await expect.poll(() => byTestId(page, 'context-summary').textContent()).toContain('Route 9 periodic 2026');

    const takesPhotos = await cameraTakesPhotos(page);
    id = await saveFinding(page);
    expect(await byTestId(page, 'finding-position').getAttribute('data-missing')).toBeNull();
    expect(await byTestId(page, 'finding-position').textContent()).toMatch(/Position ±15 m/);
    const stored = await storedFinding(page, id);
    expect(stored).not.toBeNull();
    const f = stored!.fields;
    expect(f.context).toEqual({
      inspection: 'Route 9 periodic 2026',
      structure: 'Bridge 12',
      element: 'Pier 2 north face',
      inspector: 'A. Sato',
    });
    expect(f.position).toEqual(POSITION);
    expect(f.positionMissing).toBeUndefined();
    const modelName = await page.locator('crackcam-app').getAttribute('data-model-name');
    expect(f.model.name).toBe(modelName);
    expect(['crack', 'nocrack']).toContain(f.verdict.label);
    expect(f.verdict.probability).toBeGreaterThan(0);
    expect(f.still.source).toBe(takesPhotos ? 'take-photo' : 'video-frame');
    expect(stored!.stillType).toBe('image/jpeg');
    expect(f.still.width * f.still.height).toBeGreaterThan(227 * 227);
    expect(stored!.crop).toBeGreaterThan(1000);
    expect(stored!.overlay).toBeGreaterThan(1000);
  });

  it('edits the new finding from the form shown after saving, then from the list', async () => {
    await byTestId(page, 'finding-type').selectOption('spalling');
    await byTestId(page, 'finding-orientation').selectOption('diagonal');
    await page.locator('[data-testid="finding-state"][value="3"]').check();
    await byTestId(page, 'finding-notes').fill('Near the bearing; rust stains');
    expect(await page.locator('crackcam-finding-form').textContent()).toBe(''); // all in its shadow root
    await byTestId(page, 'finding-form-save').click();
    await expect.poll(async () => (await storedFinding(page, id))?.fields.conditionState).toBe(3);
    const f = (await storedFinding(page, id))!.fields;
    expect(f).toMatchObject({
      defectType: 'spalling',
      orientation: 'diagonal',
      notes: 'Near the bearing; rust stains',
    });
    expect(f.updatedAt).toBeGreaterThanOrEqual(f.createdAt);

    await byTestId(page, 'tab-findings').click();
    const row = page.locator(`[data-testid="finding-item"][data-id="${id}"]`);
    await expect.poll(() => row.locator('[data-testid="finding-item-type"]').textContent()).toBe('Spalling');
    expect(await row.locator('[data-testid="finding-item-state"]').textContent()).toBe('3 Poor');
    expect(await row.locator('[data-testid="finding-item-element"]').textContent()).toBe('Pier 2 north face');
    await row.locator('[data-testid="finding-edit-open"]').click();
    await byTestId(page, 'finding-element').fill('Pier 3');
    await byTestId(page, 'finding-form-save').click();
    await expect.poll(() => row.locator('[data-testid="finding-item-element"]').textContent()).toBe('Pier 3');
    expect((await storedFinding(page, id))!.fields.context.element).toBe('Pier 3');
  });

  it('filters by state and type; deletes and undoes to the exact record', async () => {
    await byTestId(page, 'tab-live').click();
    const second = await saveFinding(page);
    await byTestId(page, 'finding-form-cancel').click();
    await byTestId(page, 'tab-findings').click();
    const items = byTestId(page, 'finding-item');
    await expect.poll(() => items.count()).toBe(2);
    // The filters are folded away until opened, so that the list comes first on a phone.
    expect(await byTestId(page, 'filter-state').isVisible()).toBe(false);
    await page.locator('[data-testid="filters"] summary').click();
    await byTestId(page, 'filter-state').selectOption('3');
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.getAttribute('data-id')).toBe(id);
    await byTestId(page, 'filter-state').selectOption('');
    await byTestId(page, 'filter-type').selectOption('spalling');
    await expect.poll(() => items.count()).toBe(1);
    await byTestId(page, 'filter-type').selectOption('');
    await expect.poll(() => items.count()).toBe(2);

    const before = await storedFinding(page, id);
    await page.locator(`[data-testid="finding-item"][data-id="${id}"] [data-testid="finding-delete"]`).click();
    await expect.poll(() => items.count()).toBe(1);
    expect(await storedFinding(page, id)).toBeNull();
    await byTestId(page, 'finding-undo').click();
    await expect.poll(() => items.count()).toBe(2);
    expect(await storedFinding(page, id)).toEqual(before);
    expect(await items.first().getAttribute('data-id')).toBe(second); // newest first
  });

  it('keeps findings and the inspection context over a reload', async () => {
    const before = await storedFinding(page, id);
    await page.reload();
    await waitForFrames(page, 1);
    await page.evaluate('window.__load = (p) => import(p)');
    await expect
      .poll(() => byTestId(page, 'context-summary').textContent())
      .toMatch(/Route 9 periodic 2026 · Bridge 12/);
    await byTestId(page, 'tab-findings').click();
    await expect.poll(() => byTestId(page, 'finding-item').count()).toBe(2);
    expect(await storedFinding(page, id)).toEqual(before);
    const thumb = page.locator(`[data-testid="finding-item"][data-id="${id}"] [data-testid="finding-thumb"]`);
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(227);
  });
});

describe('findings without location, without takePhoto, until storage is full', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await browser.newContext({
      viewport: { width: 800, height: 1100 },
      locale: 'en-US',
      permissions: ['camera'],
      serviceWorkers: 'block',
    });
    await context.addInitScript(() => {
      delete (window as unknown as { ImageCapture?: unknown }).ImageCapture;
    });
    page = await context.newPage();
    // Set before the origin first writes, on the page's own session (the override ends with the session).
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: QUOTA_BYTES });
    await openApp(page);
  });

  afterAll(async () => {
    await context?.close();
  });

  it('saves without a position, says why, and keeps the video frame at the track size', async () => {
    const id = await saveFinding(page);
    const where = byTestId(page, 'finding-position');
    expect(await where.getAttribute('data-missing')).toBe('denied');
    expect(await where.textContent()).toMatch(/Saved without a position: location access is blocked/);
    const f = (await storedFinding(page, id))!.fields;
    expect(f.position).toBeUndefined();
    expect(f.positionMissing).toBe('denied');
    expect(f.context.inspection).toMatch(/^Inspection \d{4}-\d{2}-\d{2}$/);
    const video = await page
      .locator('crackcam-live-view video')
      .evaluate((v: HTMLVideoElement) => ({ width: v.videoWidth, height: v.videoHeight }));
    expect(f.still).toEqual({ source: 'video-frame', ...video, view: video });

    // Listed without a condition state or an element: it says so, with no placeholder dashes.
    expect(f.conditionState).toBeUndefined();
    await byTestId(page, 'tab-findings').click();
    const row = page.locator(`[data-testid="finding-item"][data-id="${id}"]`);
    await expect.poll(() => row.locator('[data-testid="finding-item-state"]').textContent()).toBe('not set');
    expect(await row.locator('[data-testid="finding-item-element"]').count()).toBe(f.context.element ? 1 : 0);
    await byTestId(page, 'tab-live').click();
  });

  it('refuses a finding when storage is full, naming it, and stores nothing of it', async () => {
    // The last finding's width measurement writes to the store when it ends: fill after it, not before.
    await byTestId(page, 'measure-result').or(byTestId(page, 'measure-none')).waitFor({ timeout: 60_000 });
    expect(await fillStorage(page)).toBeGreaterThan(0);
    const savedBefore = await byTestId(page, 'finding-saved').getAttribute('data-id');
    await byTestId(page, 'finding-save').click();
    const error = byTestId(page, 'finding-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.getAttribute('data-kind')).toBe('quota');
    expect(await error.textContent()).toMatch(/Storage is full: the finding was not saved/);
    const ids = await page.evaluate(async () => {
      const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
      const m = (await load('/src/platform/finding-store.ts')) as typeof import('../../src/platform/finding-store');
      const store = await m.openFindingStore();
      const list = await store.list();
      const images = await Promise.all(list.map(async (f) => (await store.get(f.id)) !== undefined));
      store.close();
      return { ids: list.map((f) => f.id), complete: images };
    });
    expect(ids.ids).toEqual([savedBefore]);
    expect(ids.complete).toEqual([true]);
  });
});
