/**
 * The capture store (PouchDB) and the model library in real Chromium IndexedDB (modules loaded from the
 * vite dev server into the page): add / list / relabel / delete with the documents they make, all-or-nothing
 * writes, the move of a legacy capture database written by the earlier release's writer (interrupted,
 * resumed, byte for byte, a damaged record left behind), and save / activate / rollback of models. (A real QuotaExceededError
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
  // A string, so that vitest does not rewrite the dynamic import: the page imports the modules itself.
  await page.evaluate('window.__load = (p) => import(p)');
  // The page starts its own TF.js backend only for a screen that needs it: the model tests below do.
  await page.evaluate(async () => {
    const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
    const backend = (await load('/src/platform/backend.ts')) as typeof import('../../src/platform/backend');
    await backend.selectBrowserBackend('?backend=wasm');
  });
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
      const store = await m.openCaptureStore({ name: 't-basic', legacyName: 't-none' });
      const sharedDb = (await (window as unknown as { __load(p: string): Promise<unknown> }).__load(
        '/src/platform/finding-shared-db.ts',
      )) as typeof import('../../src/platform/finding-shared-db');
      const shared = sharedDb.borrowSharedDb('t-basic');
      const heard: string[] = [];
      const stop = store.onChange((ids) => heard.push(...ids));
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
      const frameSize = got?.frame?.size;
      const bytes = await store.bytes();
      const docIds = (await shared.db.allDocs()).rows.map((row) => row.id.replace(a.id, 'A'));
      const cropDoc = await shared.db.get<{ hasFrame: boolean }>(`capture:${a.id}`);
      const listed = (await store.list()).map((c) => [c.label, c.crop.size, c.frame === undefined]);
      await store.relabel(a.id, 'nocrack');
      const counts2 = await store.counts();
      const nocrack = (await store.list('nocrack')).length;
      await store.delete(a.id);
      const counts3 = await store.counts();
      const tombstones = await Promise.all(
        [`capture:${a.id}`, `capture-frame:${a.id}`].map((id) =>
          shared.db.get(id).catch((e: { reason?: string }) => e.reason),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop();
      await sharedDb.releaseSharedDb(shared);
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
        frameSize,
        bytes,
        docIds,
        hasFrame: cropDoc.hasFrame,
        cropAttachment: cropDoc._attachments?.crop?.content_type,
        listed,
        tombstones,
        heard: [...new Set(heard)].map((id) => id.replace(a.id, 'A')).sort(),
        location: got?.location,
        invalid,
      };
    });
    expect(r.classesBefore).toEqual(['crack', 'nocrack']);
    expect(r.classesAfter).toEqual(['crack', 'nocrack', 'spalling']);
    expect(r.counts1).toEqual({ crack: 1, nocrack: 1, spalling: 1 });
    expect(r.cropSize).toBe(10);
    expect(r.frameSize).toBe(20);
    expect(r.bytes).toBe(10 + 20 + 11 + 12);
    // One document per capture (crop attached), its frame apart, one per class.
    expect(r.docIds.filter((id) => !id.startsWith('capture:')).sort()).toEqual([
      'capture-class:crack',
      'capture-class:nocrack',
      'capture-class:spalling',
      'capture-frame:A',
    ]);
    expect(r.docIds.filter((id) => id.startsWith('capture:'))).toHaveLength(3);
    expect(r.hasFrame).toBe(true);
    expect(r.cropAttachment).toBe('image/png');
    expect(r.listed).toContainEqual(['crack', 10, true]); // the list carries crops, not frames
    expect(r.tombstones).toEqual(['deleted', 'deleted']);
    expect(r.heard).toContain('A');
    expect(r.heard).toContain('capture-class:spalling');
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
      const store = await m.openCaptureStore({ name: 't-atomic', legacyName: 't-none' });
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
  it('refuses a write that does not fit before PouchDB makes it, storing nothing', async () => {
    const r = await page.evaluate(async () => {
      const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
      const m = (await load('/src/platform/capture-store.ts')) as typeof import('../../src/platform/capture-store');
      let full = false;
      const probeRoom = () =>
        full
          ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
          : Promise.resolve();
      const store = await m.openCaptureStore({ name: 't-full', legacyName: 't-none', probeRoom });
      full = true;
      const png = new Blob([new Uint8Array(50)], { type: 'image/png' });
      const error = await store.add({ label: 'spalling', source: 'camera', crop: png, frame: png }).then(
        () => '',
        (e: { kind: string; message: string }) => `${e.kind}: ${e.message}`,
      );
      const after = { n: (await store.list()).length, classes: await store.classes(), bytes: await store.bytes() };
      store.close();
      return { error, after };
    });
    expect(r.error).toMatch(/^quota: Storage is full: the capture was not saved/);
    expect(r.after).toEqual({ n: 0, classes: ['crack', 'nocrack'], bytes: 0 });
  });

  it('moves a legacy database in, resuming after an interruption, byte for byte; a damaged record stays', async () => {
    const r = await page.evaluate(async () => {
      const load = (window as unknown as { __load(p: string): Promise<unknown> }).__load;
      const m = (await load('/src/platform/capture-store.ts')) as typeof import('../../src/platform/capture-store');
      const legacy = (await load(
        '/src/platform/legacy-capture-db.ts',
      )) as typeof import('../../src/platform/legacy-capture-db');
      const image = async (size: number, type: string, shade: number) => {
        const canvas = new OffscreenCanvas(size, size);
        const g = canvas.getContext('2d')!;
        g.fillStyle = `rgb(${shade},${shade},${shade - 10})`;
        g.fillRect(0, 0, size, size);
        g.fillStyle = '#222';
        g.fillRect(size * 0.4, 0, 3 + shade / 40, size);
        return canvas.convertToBlob({ type, quality: 0.9 });
      };
      const canon = (o: object) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
      const bytes = async (blob?: Blob) => (blob ? [...new Uint8Array(await blob.arrayBuffer())].join(',') : '');
      // The earlier release's writer: four captures, a custom class with none, a damaged record.
      const old = await legacy.openLegacyCaptureStore('t-cmig-legacy');
      await old.addClass('efflorescence');
      const written = await old.addMany([
        {
          label: 'crack',
          source: 'camera',
          crop: await image(227, 'image/png', 200),
          frame: await image(640, 'image/jpeg', 180),
          location: { latitude: 35.68, longitude: 139.76, accuracy: 12 },
          verdict: { label: 'crack', probability: 0.91 },
          model: { name: 'crackcam-default', version: 3 },
        },
        { label: 'spalling', source: 'import', name: 'IMG_1.jpg', crop: await image(227, 'image/jpeg', 150) },
        {
          label: 'nocrack',
          source: 'camera',
          crop: await image(227, 'image/png', 120),
          frame: await image(480, 'image/jpeg', 110),
        },
        { label: 'spalling', source: 'camera', crop: await image(227, 'image/png', 90), takenAt: 1000 },
      ]);
      old.close();
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('t-cmig-legacy');
        open.onsuccess = () => {
          const tx = open.result.transaction('captures', 'readwrite');
          tx.objectStore('captures').put({ id: 'damaged', label: 'crack', takenAt: 5, source: 'camera' });
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      });
      // The first move is stopped after two captures (the tab was closed): nothing may be lost.
      const stop = new AbortController();
      let writes = 0;
      const probeRoom = async () => {
        if (++writes === 3) stop.abort(new DOMException('the tab was closed', 'AbortError')); // classes, 2 captures
      };
      const opts = { name: 't-cmig', legacyName: 't-cmig-legacy' };
      const interrupted = await m.openCaptureStore({ ...opts, probeRoom, signal: stop.signal }).then(
        () => 'opened',
        (e: { kind: string; message: string }) => `${e.kind}: ${e.message}`,
      );
      const leftAfterStop = await legacy.openLegacyCaptureStore('t-cmig-legacy').then(async (l) => {
        const ids = await l.ids();
        l.close();
        return ids.length;
      });
      const store = await m.openCaptureStore(opts);
      const listed = await store.list();
      const same: boolean[] = [];
      for (const source of written) {
        const copy = await store.get(source.id);
        const { crop, frame, ...fields } = source;
        const { crop: copyCrop, frame: copyFrame, ...copyFields } = copy!;
        same.push(canon(copyFields) === canon(fields));
        same.push((await bytes(copyCrop)) === (await bytes(crop)), (await bytes(copyFrame)) === (await bytes(frame)));
        same.push(copyCrop.type === crop.type);
      }
      const result = {
        interrupted,
        leftAfterStop,
        ids: listed.map((c) => c.id).sort(),
        expectedIds: written.map((c) => c.id).sort(),
        same,
        classes: await store.classes(),
        counts: await store.counts(),
        problems: store.legacyProblems,
        legacyLeft: await legacy.openLegacyCaptureStore('t-cmig-legacy').then(async (l) => {
          const ids = await l.ids();
          l.close();
          return ids;
        }),
      };
      store.close();
      return result;
    });
    expect(r.interrupted).toMatch(
      /^write: The captures of the earlier version could not all be moved .*AbortError: the tab was closed.*kept in the old database/,
    );
    expect(r.leftAfterStop).toBe(3); // two moved (and deleted there), two captures and the damaged record left
    expect(r.ids).toEqual(r.expectedIds); // no duplicates, none lost
    expect(r.same).toEqual(Array(16).fill(true));
    expect(r.classes).toEqual(['crack', 'nocrack', 'efflorescence', 'spalling']);
    expect(r.counts).toEqual({ crack: 1, nocrack: 1, efflorescence: 0, spalling: 2 });
    expect(r.problems).toEqual(['capture damaged: its crop image is missing or empty']);
    expect(r.legacyLeft).toEqual(['damaged']);
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
