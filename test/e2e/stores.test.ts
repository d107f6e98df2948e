/**
 * The capture store and the model library in real Chromium IndexedDB (modules loaded from the vite
 * dev server into the page): add / list / relabel / delete, all-or-nothing writes, and save / activate / rollback of models. (A real QuotaExceededError
 * is provoked in test/e2e/bad-input.test.ts: Storage.overrideQuotaForOrigin takes effect when it is set
 * before the origin first writes; the classification is unit-tested in test/platform/capture-store.test.ts.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startDevServer, type AppServer } from './harness';

let server: AppServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchChromium({ fakeDevice: false, autoAcceptCamera: false });
  const context = await browser.newContext();
  page = await context.newPage();
  await page.goto(`${server.url}?backend=wasm`);
  // The app starts its backend after the shell has painted: the model tests below use it.
  await page.waitForFunction(() => window.__crackcam?.backend !== undefined, null, { timeout: 120_000 });
  // A string, so that vitest does not rewrite the dynamic import: the page imports the modules itself.
  await page.evaluate('window.__load = (p) => import(p)');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('capture store', () => {
  it('adds, lists by label, relabels and deletes; default classes exist', async () => {
    const r = await page.evaluate(async () => {
      const path = '/src/platform/capture-store.ts';
      const m = (await (window as unknown as { __load(p: string): Promise<unknown> }).__load(
        path,
      )) as typeof import('../../src/platform/capture-store');
      const store = await m.openCaptureStore('t-basic');
      const png = (n: number) => new Blob([new Uint8Array(n)], { type: 'image/png' });
      const classesBefore = await store.classes();
      const a = await store.add({
        label: 'crack',
        source: 'camera',
        crop: png(10),
        frame: png(20),
        location: { latitude: 1, longitude: 2, accuracy: 3 },
      });
      await store.addMany([
        { label: 'nocrack', source: 'import', crop: png(11) },
        { label: 'spalling', source: 'import', crop: png(12) },
      ]);
      const counts1 = await store.counts();
      const got = await store.get(a.id);
      const cropSize = got?.crop.size;
      await store.relabel(a.id, 'nocrack');
      const counts2 = await store.counts();
      const nocrack = (await store.list('nocrack')).length;
      await store.delete(a.id);
      const counts3 = await store.counts();
      let invalid = '';
      try {
        await store.add({ label: '../etc', source: 'import', crop: png(1) });
      } catch (e) {
        invalid = `${(e as { kind: string }).kind}: ${(e as Error).message}`;
      }
      const classesAfter = await store.classes();
      store.close();
      return {
        classesBefore,
        classesAfter,
        counts1,
        counts2,
        counts3,
        nocrack,
        cropSize,
        location: got?.location,
        invalid,
      };
    });
    expect(r.classesBefore).toEqual(['crack', 'nocrack']);
    expect(r.classesAfter).toEqual(['crack', 'nocrack', 'spalling']);
    expect(r.counts1).toEqual({ crack: 1, nocrack: 1, spalling: 1 });
    expect(r.cropSize).toBe(10);
    expect(r.location).toEqual({ latitude: 1, longitude: 2, accuracy: 3 });
    expect(r.counts2).toEqual({ crack: 0, nocrack: 2, spalling: 1 });
    expect(r.nocrack).toBe(2);
    expect(r.counts3).toEqual({ crack: 0, nocrack: 1, spalling: 1 });
    expect(r.invalid).toMatch(/^invalid: '\.\.\/etc' is not a valid class name/);
  });

  it('a failed batch stores nothing and loses nothing (duplicate id aborts the transaction)', async () => {
    const r = await page.evaluate(async () => {
      const path = '/src/platform/capture-store.ts';
      const m = (await (window as unknown as { __load(p: string): Promise<unknown> }).__load(
        path,
      )) as typeof import('../../src/platform/capture-store');
      const store = await m.openCaptureStore('t-atomic');
      const png = () => new Blob([new Uint8Array(5)], { type: 'image/png' });
      const first = await store.addMany([
        { label: 'crack', source: 'camera', crop: png() },
        { label: 'crack', source: 'camera', crop: png() },
      ]);
      let error: { kind?: string; message?: string } = {};
      try {
        await store.addMany([
          { id: 'new-one', label: 'efflorescence', source: 'import', crop: png() },
          { id: first[0].id, label: 'nocrack', source: 'import', crop: png() },
        ]);
      } catch (e) {
        error = { kind: (e as { kind: string }).kind, message: (e as Error).message };
      }
      const after = {
        ids: (await store.list()).map((c) => c.id).sort(),
        newOne: await store.get('new-one'),
        classes: await store.classes(),
        label0: (await store.get(first[0].id))?.label,
      };
      store.close();
      return { before: first.map((c) => c.id).sort(), error, after };
    });
    expect(r.error.kind).toBe('write');
    expect(r.error.message).toMatch(/nothing already stored was lost/);
    expect(r.after.ids).toEqual(r.before);
    expect(r.after.newOne).toBeUndefined();
    expect(r.after.classes).toEqual(['crack', 'nocrack']); // the new class of the failed batch was rolled back too
    expect(r.after.label0).toBe('crack');
  });
});

describe('model store', () => {
  it('saves a version and activates it atomically, rolls back, and an import is validated before it is stored', async () => {
    const r = await page.evaluate(async () => {
      const load = async <T>(p: string) =>
        (await (window as unknown as { __load(p: string): Promise<unknown> }).__load(p)) as T;
      const ms = await load<typeof import('../../src/platform/model-store')>('/src/platform/model-store.ts');
      const url = await load<typeof import('../../src/platform/model-url')>('/src/platform/model-url.ts');
      const base = await load<typeof import('../../src/core/base')>('/src/core/base.ts');
      const store = await ms.openModelStore('t-models');
      const files = await ms.filesFromUrl(url.appUrl(url.MODEL_PATHS.head));
      const net = await base.loadBaseNetwork({
        reader: url.fetchReader(),
        modelJson: url.appUrl(url.MODEL_PATHS.base),
      });
      const meta = await ms.validateModelFiles(files, net);
      const active0 = await store.activeId();
      const v1 = await store.save(files, { origin: 'imported' });
      const active1 = await store.activeId();
      const v2 = await store.save(files, { origin: 'trained', parentId: v1.id });
      const active2 = await store.activeId();
      const back = await store.rollback();
      const active3 = await store.activeId();
      const back2 = await store.rollback();
      const back3 = await store.rollback();
      // A broken import: weights truncated -> validation names the problem, nothing stored.
      const broken = { ...files, 'weights.bin': files['weights.bin'].slice(0, 100) };
      let brokenError = '';
      try {
        await ms.validateModelFiles(broken, net);
      } catch (e) {
        brokenError = (e as Error).message;
      }
      // Zip round trip.
      const zip = ms.modelToZip({ files, metadata: meta, origin: 'imported', savedAt: Date.now() });
      const unz = ms.filesFromZip(zip);
      const same =
        unz['weights.bin'].length === files['weights.bin'].length &&
        unz['model.json'].length === files['model.json'].length;
      let notZip = '';
      try {
        ms.filesFromZip(new Uint8Array([1, 2, 3]));
      } catch (e) {
        notZip = (e as Error).message;
      }
      const n = (await store.list()).length;
      net.dispose();
      store.close();
      return {
        active0,
        active1,
        active2,
        active3,
        back,
        back2,
        back3,
        v1: v1.id,
        v2: v2.id,
        brokenError,
        same,
        notZip,
        n,
        labels: meta.labels,
      };
    });
    expect(r.active0).toBe('builtin');
    expect(r.active1).toBe(r.v1);
    expect(r.active2).toBe(r.v2);
    expect(r.back).toBe(r.v1);
    expect(r.active3).toBe(r.v1);
    expect(r.back2).toBe('builtin');
    expect(r.back3).toBeUndefined();
    expect(r.brokenError).toMatch(/weight data is 100 bytes/);
    expect(r.same).toBe(true);
    expect(r.notZip).toMatch(/not a readable zip|no model\.json/);
    expect(r.n).toBe(2);
    expect(r.labels).toContain('crack');
  });
});
