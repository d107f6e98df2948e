/**
 * The PouchDB findings store in real Chromium (modules loaded from the vite dev server into the page,
 * one browser for the file):
 *
 * - put / get / list / edit / delete / undo with images: the full still comes back byte for byte, the
 *   finding document carries a still downscaled to 1600 px, deletions leave tombstones, onChange hears
 *   the writes, and a device without the full still gets the downscaled one and is told so;
 * - migration from a legacy database written by the legacy writer: an interrupted move keeps the old
 *   database and resumes; afterwards every image is byte-identical, the context is copied and the old
 *   database is deleted;
 * - a conflict made by two databases replicating into each other: the version edited last is shown even
 *   when PouchDB's winner is the other one; the findings list marks it and restores the other version
 *   through its panel (restoreVersion), which replicates; a finding replicated in appears in the list;
 *   "Keep this version" keeps the shown version and removes the other everywhere.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startDevServer, type AppServer } from './harness';

let server: AppServer;
let browser: Browser;
let page: Page;

/** Page-side helpers: module loading and canvas-made images. */
interface PageHelpers {
  __load(p: string): Promise<unknown>;
  __image(width: number, height: number, type: string, shade: number): Promise<Blob>;
  __fields(id: string, createdAt: number, notes?: string): import('../../src/core/finding').FindingFields;
  __bytes(blob: Blob): Promise<number[]>;
  __size(blob: Blob): Promise<[number, number]>;
}

beforeAll(async () => {
  server = await startDevServer();
  browser = await launchChromium({ fakeDevice: false, autoAcceptCamera: false });
  page = await (await browser.newContext()).newPage();
  // Any page of the server's origin will do: the app itself (camera, model) is not needed here.
  await page.goto(`${server.url}src/core/finding.ts`);
  // Strings, so that vitest does not rewrite the dynamic import: the page imports the modules itself.
  await page.evaluate(`window.__load = (p) => import(p);
    window.__image = async (width, height, type, shade) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d');
      g.fillStyle = 'rgb(' + shade + ',' + shade + ',' + (shade - 8) + ')';
      g.fillRect(0, 0, width, height);
      g.strokeStyle = '#222';
      g.lineWidth = 6;
      g.beginPath(); g.moveTo(width * 0.2, 0); g.lineTo(width * 0.55, height * 0.5); g.lineTo(width * 0.45, height); g.stroke();
      return canvas.convertToBlob({ type, quality: 0.9 });
    };
    window.__fields = (id, createdAt, notes = '') => ({
      id, createdAt, updatedAt: createdAt,
      context: { inspection: 'Route 9 2026', structure: 'Bridge 12', element: 'Pier 2', inspector: 'A. Sato' },
      defectType: 'crack', notes,
      verdict: { label: 'crack', probability: 0.93, unfamiliar: false },
      model: { name: 'crackcam-default', version: 3 },
      still: { source: 'take-photo', width: 2400, height: 1800 },
    });
    window.__bytes = async (blob) => Array.from(new Uint8Array(await blob.arrayBuffer()));
    window.__size = async (blob) => { const b = await createImageBitmap(blob); const s = [b.width, b.height]; b.close(); return s; };`);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Stores = typeof import('../../src/platform/finding-store');
type Legacy = typeof import('../../src/platform/legacy-finding-db');
type Shared = typeof import('../../src/platform/finding-shared-db');

describe('PouchDB finding store', () => {
  it('stores, reads, edits, deletes and undoes a finding with its images', async () => {
    const r = await page.evaluate(async () => {
      const w = window as unknown as PageHelpers;
      const m = (await w.__load('/src/platform/finding-store.ts')) as Stores;
      const shared = (await w.__load('/src/platform/finding-shared-db.ts')) as Shared;
      const store = await m.openFindingStore({ name: 't-roundtrip', legacyName: 't-roundtrip-legacy' });
      const heard: string[] = [];
      const stop = store.onChange((ids) => heard.push(...ids));
      const big = {
        still: await w.__image(2400, 1800, 'image/jpeg', 180),
        crop: await w.__image(227, 227, 'image/png', 120),
        overlay: await w.__image(227, 227, 'image/png', 90),
      };
      const small = { still: await w.__image(800, 600, 'image/jpeg', 160), crop: big.crop, overlay: big.overlay };
      await store.put({ fields: w.__fields('a', 1000), ...big });
      await store.put({ fields: w.__fields('b', 2000), ...small });
      const order = (await store.list()).map((f) => f.id);
      const a = await store.get('a');
      const stillSame = JSON.stringify(await w.__bytes(a!.still)) === JSON.stringify(await w.__bytes(big.still));
      const cropSame = JSON.stringify(await w.__bytes(a!.crop)) === JSON.stringify(await w.__bytes(big.crop));
      const sharedDb = shared.borrowSharedDb('t-roundtrip');
      const db = sharedDb.db;
      const carried = await w.__size(await db.getAttachment('finding:a', 'still.jpg'));
      const copySize = a!.stillCopy ? await w.__size(a!.stillCopy) : null;
      const docA = await db.get<{ type: string }>('finding:a');
      const revBefore = docA._rev;
      const edited = await store.update('a', { notes: 'wider at the bearing' });
      const revAfter = (await db.get('finding:a'))._rev;
      const deleted = await store.delete('b');
      const afterDelete = (await store.list()).map((f) => f.id);
      const tombstone = await db.get('finding:b').catch((e: { reason?: string }) => e.reason);
      await store.put(deleted);
      const undone = (await store.list()).map((f) => f.id);
      const smallStill = await store.get('b');
      const missingBefore = [...(await store.withoutFullStill())];
      await db.remove('finding-still:a', (await db.get('finding-still:a'))._rev!); // as on a device that synced without it
      const missingAfter = [...(await store.withoutFullStill())];
      const noFull = await store.get('a');
      const noFullSize = await w.__size(noFull!.still);
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop();
      await shared.releaseSharedDb(sharedDb);
      store.close();
      return {
        order,
        stillSame,
        cropSame,
        stillIsFull: a!.stillIsFull,
        stillType: a!.still.type,
        carried,
        copySize,
        type: docA.type,
        revs: [revBefore, revAfter],
        edited: edited.notes,
        editedGet: noFull!.fields.notes,
        afterDelete,
        tombstone,
        undone,
        smallFull: smallStill!.stillIsFull,
        smallCopy: smallStill!.stillCopy ?? null,
        smallSize: smallStill!.still.size,
        smallOriginal: small.still.size,
        noFull: noFull!.stillIsFull,
        noFullSize,
        missing: [missingBefore, missingAfter],
        heard: [...new Set(heard)].sort(),
      };
    });
    expect(r.order).toEqual(['b', 'a']);
    expect(r.stillSame).toBe(true);
    expect(r.cropSame).toBe(true);
    expect(r.stillIsFull).toBe(true);
    expect(r.stillType).toBe('image/jpeg');
    expect(r.carried).toEqual([1600, 1200]);
    expect(r.copySize).toEqual([1600, 1200]); // the record offers the carried copy beside the full still
    expect(r.smallCopy).toBeNull(); // a still small enough has no copy
    expect(r.type).toBe('finding');
    expect(r.revs[0]).toMatch(/^1-/);
    expect(r.revs[1]).toMatch(/^2-/);
    expect(r.edited).toBe('wider at the bearing');
    expect(r.editedGet).toBe('wider at the bearing');
    expect(r.afterDelete).toEqual(['a']);
    expect(r.tombstone).toBe('deleted');
    expect(r.undone).toEqual(['b', 'a']);
    expect(r.smallFull).toBe(true);
    expect(r.smallSize).toBe(r.smallOriginal);
    expect(r.noFull).toBe(false);
    expect(r.noFullSize).toEqual([1600, 1200]);
    expect(r.missing).toEqual([[], ['a']]);
    expect(r.heard).toEqual(['a', 'b']);
  });

  it('moves a legacy database in, resuming after an interruption, byte for byte', async () => {
    const r = await page.evaluate(async () => {
      const w = window as unknown as PageHelpers;
      const m = (await w.__load('/src/platform/finding-store.ts')) as Stores;
      const legacy = (await w.__load('/src/platform/legacy-finding-db.ts')) as Legacy;
      const old = await legacy.openLegacyFindingStore('t-mig-legacy');
      const records = [];
      for (let i = 0; i < 3; i++) {
        const record = {
          fields: w.__fields(`m${i}`, 1000 * (i + 1), `note ${i}`),
          still: await w.__image(i === 1 ? 640 : 2000, i === 1 ? 480 : 1500, 'image/jpeg', 150 + i * 20),
          crop: await w.__image(227, 227, 'image/png', 100 + i),
          overlay: await w.__image(227, 227, 'image/png', 60 + i),
        };
        await old.put(record);
        records.push(record);
      }
      const context = {
        inspection: '国道9号 橋梁点検',
        structure: 'Bridge 12',
        element: 'Pier 2',
        inspector: 'K. Ito',
      };
      await old.setContext(context);
      old.close();
      // The first move stops at the second finding (as when storage runs out): nothing may be lost.
      let calls = 0;
      const failing = async (still: Blob) => {
        if (++calls === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return { blob: still, downscaled: false };
      };
      const opts = { name: 't-mig', legacyName: 't-mig-legacy' };
      const stopped = new AbortController();
      stopped.abort(new DOMException('the tab was closed', 'AbortError'));
      const aborted = await m.openFindingStore({ ...opts, signal: stopped.signal }).then(
        () => 'opened',
        (e: { kind: string; message: string }) => `${e.kind}: ${e.message}`,
      );
      const interrupted = await m.openFindingStore({ ...opts, downscale: failing }).then(
        () => 'opened',
        (e: { kind: string; message: string }) => `${e.kind}: ${e.message}`,
      );
      const oldKept = (await indexedDB.databases()).some((d) => d.name === 't-mig-legacy');
      const store = await m.openFindingStore(opts);
      const ids = (await store.list()).map((f) => f.id);
      const same: boolean[] = [];
      for (const source of records) {
        const copy = await store.get(source.fields.id);
        for (const image of ['still', 'crop', 'overlay'] as const)
          same.push(JSON.stringify(await w.__bytes(copy![image])) === JSON.stringify(await w.__bytes(source[image])));
        same.push(JSON.stringify(copy!.fields) === JSON.stringify(source.fields));
      }
      const copiedContext = await store.getContext();
      let oldGone = false;
      for (let i = 0; i < 20 && !oldGone; i++) {
        oldGone = !(await indexedDB.databases()).some((d) => d.name === 't-mig-legacy');
        if (!oldGone) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      store.close();
      return { aborted, interrupted, oldKept, ids, same, copiedContext, context, oldGone };
    });
    expect(r.aborted).toMatch(/^write: .*\(AbortError: the tab was closed\).*the move resumes/);
    expect(r.interrupted).toMatch(
      /^quota: The findings of the earlier version could not all be moved.*kept in the old database/,
    );
    expect(r.oldKept).toBe(true);
    expect(r.ids).toEqual(['m2', 'm1', 'm0']);
    expect(r.same).toEqual(Array(12).fill(true));
    expect(r.copiedContext).toEqual(r.context);
    expect(r.oldGone).toBe(true);
  });

  it('keeps both versions of a finding edited on two devices, shows the newer; the list restores the other', async () => {
    const r = await page.evaluate(async () => {
      const w = window as unknown as PageHelpers & { __conflict: unknown };
      const m = (await w.__load('/src/platform/finding-store.ts')) as Stores;
      const shared = (await w.__load('/src/platform/finding-shared-db.ts')) as Shared;
      const one = await m.openFindingStore({ name: 't-dev1', legacyName: 't-none' });
      const two = await m.openFindingStore({ name: 't-dev2', legacyName: 't-none' });
      const shared1 = shared.borrowSharedDb('t-dev1');
      const shared2 = shared.borrowSharedDb('t-dev2');
      const [db1, db2] = [shared1.db, shared2.db];
      const still = await w.__image(2000, 1500, 'image/jpeg', 170);
      const crop = await w.__image(227, 227, 'image/png', 110);
      await one.put({ fields: w.__fields('x', 1000), still, crop, overlay: crop });
      await db1.replicate.to(db2);
      // Device 1 edits twice (its branch is longer: PouchDB's winner), device 2 once, later.
      await one.update('x', { notes: 'first device' });
      await one.update('x', { conditionState: 2 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await two.update('x', { notes: 'second device, later' });
      await db1.replicate.to(db2);
      await db2.replicate.to(db1);
      w.__conflict = { one, two, db1, db2, shared1, shared2 };
      await w.__load('/src/ui/crackcam-findings.ts');
      const list = document.createElement('crackcam-findings');
      list.id = 'under-test';
      list.store = one;
      document.body.prepend(list);
      return {
        pouchWinner: ((await db1.get('finding:x')) as { notes?: string }).notes,
        shown: (await one.list())[0].notes,
        got: (await one.get('x'))!.fields.notes,
        notes: (await one.versions('x')).map((v) => v.fields.notes),
        counts: [...(await one.versionCounts())],
      };
    });
    expect(r.pouchWinner).toBe('first device');
    expect(r.shown).toBe('second device, later');
    expect(r.got).toBe('second device, later');
    expect(r.notes).toEqual(['second device, later', 'first device']);
    expect(r.counts).toEqual([['x', 2]]);

    const inList = (id: string) => page.locator(`#under-test [data-testid="${id}"]`);
    await inList('finding-versions-count').click();
    await expect.poll(() => inList('finding-version').count()).toBe(1);
    await inList('finding-version-restore').click();
    await inList('finding-versions-count').waitFor({ state: 'detached' });
    expect(await inList('finding-versions').count()).toBe(0);

    const after = await page.evaluate(async () => {
      type Conflict = Record<'one' | 'two', import('../../src/platform/finding-store').PouchFindingStore> &
        Record<'db1' | 'db2', PouchDB.Database> &
        Record<'shared1' | 'shared2', import('../../src/platform/finding-shared-db').SharedDb>;
      const w = window as unknown as PageHelpers & { __conflict: Conflict };
      const { one, two, db1, db2, shared1, shared2 } = w.__conflict;
      const shared = (await w.__load('/src/platform/finding-shared-db.ts')) as Shared;
      await db1.replicate.to(db2);
      // A finding made on device 2 arrives by replication: the list shows it without being told.
      const x = (await one.get('x'))!;
      await two.put({ ...x, fields: w.__fields('z', 5000) });
      await db2.replicate.to(db1);
      const items = document.querySelector('#under-test')!.shadowRoot!;
      for (let i = 0; i < 50 && !items.querySelector('[data-id="z"]'); i++)
        await new Promise((r) => setTimeout(r, 100));
      const arrived = items.querySelector('[data-id="z"]') !== null;
      let bad = '';
      await one
        .restoreVersion('x', '9-nope')
        .catch((e: { kind: string; message: string }) => (bad = `${e.kind}: ${e.message}`));
      const result = {
        one: (await one.versions('x')).map((v) => v.fields.notes),
        two: (await two.versions('x')).map((v) => v.fields.notes),
        counts: [...(await two.versionCounts())],
        arrived,
        bad,
      };
      document.querySelector('#under-test')?.remove();
      await Promise.all([shared.releaseSharedDb(shared1), shared.releaseSharedDb(shared2)]);
      one.close();
      two.close();
      return result;
    });
    expect(after.one).toEqual(['first device']);
    expect(after.two).toEqual(['first device']);
    expect(after.counts).toEqual([]);
    expect(after.arrived).toBe(true);
    expect(after.bad).toMatch(
      /^invalid: no version was restored: '9-nope' is not a version of finding x; its versions are /,
    );
  });

  it('keeps the shown version of a conflicted finding from its versions panel', async () => {
    await page.evaluate(async () => {
      const w = window as unknown as PageHelpers & { __keep: unknown };
      const m = (await w.__load('/src/platform/finding-store.ts')) as Stores;
      const shared = (await w.__load('/src/platform/finding-shared-db.ts')) as Shared;
      const one = await m.openFindingStore({ name: 'k-dev1', legacyName: 'k-none' });
      const two = await m.openFindingStore({ name: 'k-dev2', legacyName: 'k-none' });
      const [shared1, shared2] = [shared.borrowSharedDb('k-dev1'), shared.borrowSharedDb('k-dev2')];
      const crop = await w.__image(227, 227, 'image/png', 110);
      await one.put({ fields: w.__fields('k', 1000), still: crop, crop, overlay: crop });
      await shared1.db.replicate.to(shared2.db);
      await one.update('k', { notes: 'first device' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await two.update('k', { notes: 'second device, later' });
      await shared2.db.replicate.to(shared1.db);
      w.__keep = { one, two, shared1, shared2 };
      await w.__load('/src/ui/crackcam-findings.ts');
      const list = document.createElement('crackcam-findings');
      list.id = 'under-test';
      list.store = one;
      document.body.prepend(list);
    });
    const inList = (id: string) => page.locator(`#under-test [data-testid="${id}"]`);
    await inList('finding-versions-count').click();
    await inList('finding-version-keep').click();
    await inList('finding-versions-count').waitFor({ state: 'detached' });
    const after = await page.evaluate(async () => {
      type Keep = Record<'one' | 'two', import('../../src/platform/finding-store').PouchFindingStore> &
        Record<'shared1' | 'shared2', import('../../src/platform/finding-shared-db').SharedDb>;
      const w = window as unknown as PageHelpers & { __keep: Keep };
      const { one, two, shared1, shared2 } = w.__keep;
      const shared = (await w.__load('/src/platform/finding-shared-db.ts')) as Shared;
      await shared1.db.replicate.to(shared2.db);
      const result = {
        one: (await one.versions('k')).map((v) => v.fields.notes),
        two: (await two.versions('k')).map((v) => v.fields.notes),
        counts: [...(await two.versionCounts())],
      };
      document.querySelector('#under-test')?.remove();
      await Promise.all([shared.releaseSharedDb(shared1), shared.releaseSharedDb(shared2)]);
      one.close();
      two.close();
      return result;
    });
    expect(after).toEqual({ one: ['second device, later'], two: ['second device, later'], counts: [] });
  });
});
