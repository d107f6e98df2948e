/**
 * Team sync in real Chromium: two browser contexts (two inspectors' phones) and the sync server
 * (scripts/sync-server.ts, a child process with a user, on 127.0.0.1 with a temporary folder). Sync is
 * started through the settings panel; findings are written as `finding:` documents into each page's
 * local database. A finding saved on A appears on B (its full still only on demand, with B's Download full
 * photo); a capture saved
 * on A appears in B's captures list with its crop (its frame stays on A) and B's relabel reaches A;
 * offline edits on both sides converge; the server SIGKILLed mid-sync and restarted loses nothing; a
 * model shared on A enters B's library, a broken one is shown as rejected, one deleted on B stays
 * out of it, and A can stop sharing it and share it again; 40 findings with realistic
 * photos sync with a bounded heap; a wrong password and an unreachable server give clear errors and
 * keep local data.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, launchChromium, openApp, startDevServer, type AppServer } from './harness';
import {
  docIds,
  heapAfterGc,
  installPageHelpers,
  putFindings,
  REALISTIC_PHOTOS,
  sampleHeap,
  spawnSyncServer,
  startSyncInUi,
  syncStatus,
  SYNC_USER,
  waitForDocs,
  waitForSyncReason,
  waitForSyncState,
  type SyncServerProcess,
} from './sync-harness';

let app: AppServer;
let sync: SyncServerProcess;
let dir: string;
let browser: Browser;
let a: { context: BrowserContext; page: Page };
let b: { context: BrowserContext; page: Page };
let dbUrl: string;
/** The sync server's credentials, for the test's own requests to it. */
const serverAuth = { Authorization: `Basic ${btoa(`${SYNC_USER.name}:${SYNC_USER.password}`)}` };

async function openPhone(): Promise<{ context: BrowserContext; page: Page }> {
  const phone = await openApp(browser, app.url, { grantCamera: false });
  await phone.page.waitForFunction(
    () => !!(document.querySelector('crackcam-app') as unknown as { teamSync?: object })?.teamSync,
  );
  await installPageHelpers(phone.page);
  return phone;
}

/** Calls a method of the page's TeamSync (the app shell's `teamSync`). */
function teamSyncCall(page: Page, method: 'shareTrained', arg?: string): Promise<unknown> {
  return page.evaluate(
    ({ method, arg }) => {
      const sync = (
        document.querySelector('crackcam-app') as unknown as { teamSync: Record<string, (a?: string) => unknown> }
      ).teamSync;
      return sync[method](arg);
    },
    { method, arg },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'crackcam-sync-e2e-'));
  app = await startDevServer();
  sync = await spawnSyncServer({ dir, origin: new URL(app.url).origin });
  dbUrl = `${sync.url}crackcam`;
  browser = await launchChromium({ fakeDevice: false, autoAcceptCamera: false });
  [a, b] = await Promise.all([openPhone(), openPhone()]);
});

afterAll(async () => {
  await browser?.close();
  await sync?.stop();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('team sync', () => {
  it('a finding saved on A appears on B; its full still only on demand', async () => {
    await startSyncInUi(a.page, dbUrl);
    await startSyncInUi(b.page, dbUrl);
    await waitForSyncState(a.page, 'up-to-date');
    // Through the findings store: the finding with its downscaled still, the full still in its own document.
    await a.page.evaluate(async () => {
      const fs = (await window.__load(
        '/src/platform/finding-store.ts',
      )) as typeof import('../../src/platform/finding-store');
      const image = window.__image;
      const store = await fs.openFindingStore();
      await store.put({
        fields: {
          id: 'first-0',
          createdAt: Date.UTC(2026, 4, 1, 8),
          updatedAt: Date.UTC(2026, 4, 1, 8),
          context: { inspection: 'Sync', structure: 'Bridge 9', element: 'Pier 1', inspector: 'A' },
          defectType: 'crack',
          orientation: 'vertical',
          conditionState: 2,
          notes: 'saved on A',
          verdict: { label: 'crack', probability: 0.9, unfamiliar: false },
          model: { name: 'crackcam-default', version: 1 },
          positionMissing: 'denied',
          still: { source: 'take-photo', width: 2400, height: 1800 },
        },
        still: await image(2400, 1800, 'image/jpeg'),
        crop: await image(227, 227, 'image/png'),
        overlay: await image(227, 227, 'image/png'),
      });
      store.close();
    });
    await waitForDocs(b.page, 'finding:', 1);
    expect(await docIds(b.page, 'finding:')).toEqual(['finding:first-0']);
    await waitForSyncState(b.page, 'up-to-date');
    expect(await docIds(b.page, 'finding-still:')).toEqual([]);
    const onB = () =>
      b.page.evaluate(async () => {
        const fs = (await window.__load(
          '/src/platform/finding-store.ts',
        )) as typeof import('../../src/platform/finding-store');
        const store = await fs.openFindingStore();
        const record = await store.get('first-0');
        store.close();
        return { notes: record?.fields.notes, stillIsFull: record?.stillIsFull ?? true };
      });
    expect(await onB()).toEqual({ notes: 'saved on A', stillIsFull: false });
    // B's findings list offers the full photo; the server has none while A is set to "never".
    await b.page.locator('[data-testid="tab-findings"]').click();
    const rowOnB = b.page.locator('crackcam-findings [data-testid="finding-item"][data-id="first-0"]');
    const fetchFull = rowOnB.locator('[data-testid="finding-fetch-full"]');
    const fetchStatus = rowOnB.locator('[data-testid="finding-fetch-status"]');
    await fetchFull.click();
    await expect.poll(() => fetchStatus.getAttribute('data-kind')).toBe('absent');
    // The full still goes to the server only under "always"; B fetches it when asked.
    await a.page.locator('[data-testid="sync-photos"]').selectOption('always');
    // The chip may still say "up to date" from before the change: wait until the server has the still.
    await expect
      .poll(() => fetch(`${dbUrl}/finding-still:first-0`, { headers: serverAuth }).then((r) => r.status), {
        timeout: 20_000,
      })
      .toBe(200);
    await fetchFull.click();
    await fetchFull.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await docIds(b.page, 'finding-still:')).toEqual(['finding-still:first-0']);
    expect(await onB()).toEqual({ notes: 'saved on A', stillIsFull: true });
    await a.page.locator('[data-testid="sync-photos"]').selectOption('never');
  });

  it('a capture saved on A appears in B list with its crop, not its frame; a relabel on B reaches A', async () => {
    await b.page.locator('[data-testid="tab-captures"]').click();
    const saved = await a.page.evaluate(async () => {
      const cs = (await window.__load(
        '/src/platform/capture-store.ts',
      )) as typeof import('../../src/platform/capture-store');
      const image = window.__image;
      const store = await cs.openCaptureStore();
      const crop = await image(227, 227, 'image/png');
      const record = await store.add({
        label: 'efflorescence',
        source: 'camera',
        crop,
        frame: await image(1280, 960, 'image/jpeg'),
        verdict: { label: 'nocrack', probability: 0.7 },
      });
      store.close();
      return { id: record.id, crop: crop.size };
    });
    // B's captures list follows its store: the capture appears without a refresh.
    const onB = b.page.locator(`[data-testid="capture-item"][data-id="${saved.id}"]`);
    await onB.waitFor({ timeout: 20_000 });
    expect(await onB.getAttribute('data-label')).toBe('efflorescence');
    await waitForSyncState(b.page, 'up-to-date');
    const received = await b.page.evaluate(async (id) => {
      const cs = (await window.__load(
        '/src/platform/capture-store.ts',
      )) as typeof import('../../src/platform/capture-store');
      const store = await cs.openCaptureStore();
      const record = await store.get(id);
      const classes = await store.classes();
      store.close();
      return { crop: record?.crop.size, frame: record?.frame?.size ?? 'none', classes };
    }, saved.id);
    expect(received).toEqual({ crop: saved.crop, frame: 'none', classes: expect.arrayContaining(['efflorescence']) });
    expect(await docIds(b.page, 'capture-frame:')).toEqual([]);
    expect(await docIds(a.page, 'capture-frame:')).toEqual([`capture-frame:${saved.id}`]);
    // Relabelled in B's list, the capture changes class on A.
    await onB.click();
    await b.page.locator('crackcam-captures [data-testid="relabel"]').selectOption('crack');
    await expect.poll(() => onB.getAttribute('data-label'), { timeout: 10_000 }).toBe('crack');
    const labelOnA = () =>
      a.page.evaluate(async (id) => {
        const db = await window.__syncDb();
        return (await db.get<{ label: string }>(`capture:${id}`)).label;
      }, saved.id);
    await expect.poll(labelOnA, { timeout: 20_000 }).toBe('crack');
  });

  it('offline edits on both sides converge', async () => {
    const edit = (page: Page, notes: string) =>
      page.evaluate(async (notes) => {
        const fs = (await window.__load(
          '/src/platform/finding-store.ts',
        )) as typeof import('../../src/platform/finding-store');
        const store = await fs.openFindingStore();
        await store.update('first-0', { notes });
        store.close();
      }, notes);
    const read = (page: Page) =>
      page.evaluate(async () => {
        const db = await window.__syncDb();
        const doc = await db.get<{ notes: string }>('finding:first-0', { conflicts: true });
        return { rev: doc._rev, note: doc.notes, conflicts: doc._conflicts ?? [] };
      });
    await Promise.all([a.context.setOffline(true), b.context.setOffline(true)]);
    await Promise.all([waitForSyncState(a.page, 'offline'), waitForSyncState(b.page, 'offline')]);
    await edit(a.page, 'edited on A');
    await edit(b.page, 'edited on B');
    await putFindings(b.page, 'offline-b', 1, { still: 1000, crop: 1000, overlay: 1000 });
    await Promise.all([a.context.setOffline(false), b.context.setOffline(false)]);
    await waitForDocs(a.page, 'finding:offline-b', 1);
    await expect
      .poll(
        async () => {
          const [ra, rb] = [await read(a.page), await read(b.page)];
          return ra.rev === rb.rev && ra.conflicts.length === 1 && rb.conflicts.length === 1;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const [ra, rb] = [await read(a.page), await read(b.page)];
    expect(ra.note).toBe(rb.note);
    expect(['edited on A', 'edited on B']).toContain(ra.note);
  });

  it('the server SIGKILLed mid-sync and restarted loses nothing', async () => {
    const ids = await putFindings(a.page, 'crash', 30, { still: 60_000, crop: 10_000, overlay: 10_000 });
    await sync.kill();
    await waitForSyncReason(a.page, 'unreachable');
    sync = await spawnSyncServer({ dir, port: sync.port, origin: new URL(app.url).origin });
    await waitForDocs(b.page, 'finding:crash-', ids.length, 40_000);
    await waitForSyncState(a.page, 'up-to-date', 20_000);
    const onServer = await fetch(`${dbUrl}/_all_docs?startkey="finding:crash-"&endkey="finding:crash-\uffff"`, {
      headers: serverAuth,
    }).then((r) => r.json() as Promise<{ rows: unknown[] }>);
    expect(onServer.rows).toHaveLength(ids.length);
  });

  it('a model shared on A appears in B library; a broken one is shown as rejected', async () => {
    const model = {
      json: readFileSync(path.join(DEFAULT_MODEL_DIR, 'model.json'), 'utf8'),
      weights: [...readFileSync(path.join(DEFAULT_MODEL_DIR, 'weights.bin'))],
    };
    // B checks team models on its base: wait until the app has loaded it.
    await b.page.waitForFunction(() => document.querySelector('crackcam-app')?.dataset.modelId !== undefined, null, {
      timeout: 120_000,
    });
    const shared = await a.page.evaluate(async (model) => {
      const load = window.__load;
      const store = (await load('/src/platform/model-store.ts')) as typeof import('../../src/platform/model-store');
      const sharing = (await load(
        '/src/platform/model-sharing.ts',
      )) as typeof import('../../src/platform/model-sharing');
      const files = {
        'model.json': new TextEncoder().encode(model.json),
        'weights.bin': new Uint8Array(model.weights),
      };
      const library = await store.openModelStore();
      const saved = await library.save(files, { origin: 'trained', activate: false });
      library.close();
      // A broken model: its weights cut short.
      const broken = {
        ...saved,
        id: `${saved.id}-broken`,
        files: { ...files, 'weights.bin': files['weights.bin'].slice(0, 100) },
      };
      await sharing.shareModel(await window.__syncDb(), broken);
      return saved.id;
    }, model);
    await teamSyncCall(a.page, 'shareTrained');
    await b.page.locator('[data-testid="tab-models"]').click(); // the model library is defined when first shown
    const row = b.page.locator(`crackcam-models [data-testid="model"][data-id="${shared}"]`);
    await row.waitFor({ state: 'attached', timeout: 30_000 });
    expect(await row.getAttribute('data-active')).toBe('false');
    const rejected = b.page.locator(`crackcam-models [data-testid="model-rejected"][data-id="${shared}-broken"]`);
    await rejected.waitFor({ state: 'attached', timeout: 30_000 });
    expect(await rejected.textContent()).toMatch(/rejected: .+/);
    // Deleted on B, it stays out of B's library, also when its document changes (A unshares and shares again).
    b.page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button.danger').click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    const hiddenOnB = () =>
      b.page.evaluate(async () => {
        const db = await window.__syncDb();
        return (await db.get<{ hidden: string[] }>('_local/team-model-choices').catch(() => ({ hidden: [] }))).hidden;
      });
    await expect.poll(hiddenOnB).toEqual([shared]);
    await a.page.locator('[data-testid="tab-models"]').click();
    const rowOnA = a.page.locator(`crackcam-models [data-testid="model"][data-id="${shared}"]`);
    const statusOnA = rowOnA.locator('[data-testid="model-share-status"]');
    await rowOnA.locator('[data-testid="unshare-model"]').click();
    await expect.poll(() => statusOnA.getAttribute('data-kind')).toBe('unshared');
    expect(await statusOnA.textContent()).toMatch(/No longer shared/);
    const onB = async () => (await docIds(b.page, 'model:')).includes(`model:${shared}`);
    await expect.poll(onB, { timeout: 10_000 }).toBe(false);
    await rowOnA.locator('[data-testid="share-model"]').click();
    await expect.poll(() => statusOnA.getAttribute('data-kind')).toBe('shared');
    expect(await statusOnA.textContent()).toMatch(/Shared/);
    await rowOnA.locator('[data-testid="unshare-model"]').waitFor();
    await expect.poll(onB, { timeout: 10_000 }).toBe(true);
    await b.page.waitForTimeout(500); // B's check of the new document, had it not been hidden
    expect(await b.page.locator(`crackcam-models [data-testid="model"][data-id="${shared}"]`).count()).toBe(0);
  });

  it('40 findings with realistic photos sync with a bounded heap', async () => {
    const before = await heapAfterGc(b.page);
    const sampler = await sampleHeap(b.page);
    const ids = await putFindings(a.page, 'bulk', 40, REALISTIC_PHOTOS);
    await waitForDocs(b.page, 'finding:bulk-', ids.length, 60_000);
    const { peak } = await sampler.stop();
    const growthMb = (peak - before) / 1e6;
    console.info(
      `sync of 40 findings (${(40 * 0.4).toFixed(0)} MB of photos): B's heap peak +${growthMb.toFixed(1)} MB`,
    );
    // Small batches: far less than the 16 MB of photos (with their base64 copies) is held at once.
    expect(growthMb).toBeLessThan(16);
  });

  it('a wrong password and an unreachable server give clear errors and keep local data', async () => {
    const before = await docIds(b.page, 'finding:');
    await startSyncInUi(b.page, dbUrl, { name: SYNC_USER.name, password: 'wrong' });
    await waitForSyncReason(b.page, 'unauthorized');
    const wrong = await syncStatus(b.page);
    expect(wrong.reason).toBe('unauthorized');
    expect(wrong.text).toMatch(/Wrong user name or password/);
    await startSyncInUi(b.page, 'http://127.0.0.1:9/crackcam');
    await waitForSyncReason(b.page, 'unreachable');
    const unreachable = await syncStatus(b.page);
    expect(unreachable.reason).toBe('unreachable');
    expect(unreachable.text).toMatch(/cannot be reached/);
    expect(await docIds(b.page, 'finding:')).toEqual(before);
  });

  it('after a reload the settings are back and sync starts again, or asks for the password', async () => {
    await a.page.reload();
    await a.page.waitForFunction(
      () => !!(document.querySelector('crackcam-app') as unknown as { teamSync?: object })?.teamSync,
    );
    await installPageHelpers(a.page);
    await a.page.locator('[data-testid="tab-findings"]').click();
    expect(await a.page.locator('[data-testid="sync-url"]').inputValue()).toBe(dbUrl);
    expect(await a.page.locator('[data-testid="sync-user"]').inputValue()).toBe(SYNC_USER.name);
    // Where the browser's password manager gave the password back, sync runs; else the chip asks for it.
    await a.page.waitForFunction(
      () =>
        ['up-to-date', 'password-needed'].some((s) =>
          [window.__syncChip()?.getAttribute('data-state'), window.__syncChip()?.getAttribute('data-reason')].includes(
            s,
          ),
        ),
      null,
      { timeout: 20_000 },
    );
    const status = await syncStatus(a.page);
    console.info(`after a reload: ${status.state} ${status.reason}`);
    if (status.state === 'error') expect(status.text).toMatch(/Enter the password again/);
  });
});
