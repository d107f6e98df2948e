/**
 * The on-device trainer end to end in headless Chromium (WASM backend, fake camera): capture with a
 * one-tap label, train on the captures, see the new verdict, reload (the new model is still
 * active), roll back (the old verdict returns).
 *
 * The camera shows one concrete photo the default model calls `nocrack`; the test labels its
 * captures `crack` on purpose, so that a working pipeline (capture -> store -> train -> save ->
 * activate -> live view) must flip the live verdict, and rollback must flip it back.
 * Runs against the vite dev server (CRACKCAM_E2E_SERVER=build: the production build), serving the
 * test model with 2 photos per surface, label and use of its rehearsal pack: every training run
 * compares the old and new model on the pack's eval photos, and the whole pack would make each run a
 * minute longer (adaptation.test.ts covers the comparison itself).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  DATA_DIR,
  launchChromium,
  openApp,
  sampleVerdicts,
  saveTrainedModel,
  seenFiles,
  startDevServer,
  startStaticServer,
  testModelDir,
  waitForFrames,
  type AppServer,
  trainerSwitch,
} from './harness';
import { writeModelWithSmallPack } from '../small-pack';
import { writeY4m } from './y4m';

/** Rehearsal pack photos served per surface, label and use. */
const PACK_PER_GROUP = 2;

let server: AppServer;
let scratch: string;
let browser: Browser;
let page: Page;
const errors: string[] = [];

/** Majority label of `n` live verdicts. */
async function liveLabel(n = 8): Promise<string> {
  const v = await sampleVerdicts(page, n);
  const counts = new Map<string, number>();
  for (const x of v) counts.set(x.label, (counts.get(x.label) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

const app = () => page.locator('crackcam-app');

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-trainer-e2e-'));
  const modelDir = testModelDir();
  if (process.env.CRACKCAM_E2E_SERVER === 'build') {
    await buildApp(path.join(scratch, 'dist'), process.env.CRACKCAM_TEST_MODEL ? modelDir : undefined);
    server = await startStaticServer(path.join(scratch, 'dist'), '/t/');
  } else {
    const served = path.join(scratch, 'model');
    mkdirSync(served);
    writeModelWithSmallPack(modelDir, served, PACK_PER_GROUP);
    server = await startDevServer({ headModelDir: served });
  }
  const seen = seenFiles(modelDir);
  const dir = path.join(DATA_DIR, 'concrete', 'nocrack');
  const photo = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg') && !seen.has(`nocrack/${f}`))
    .sort()[0];
  const video = path.join(scratch, 'nocrack.y4m');
  await writeY4m([path.join(dir, photo)], video, { width: 640, height: 480, fps: 30, framesPerImage: 30 });
  browser = await launchChromium({ fakeVideo: video });
  ({ page } = await openApp(browser, server.url, { errors }));
  await waitForFrames(page, 3);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('capture, label, train, activate, reload, roll back', () => {
  let trainedId = '';

  it('the built-in model calls the photo nocrack', async () => {
    expect(await app().getAttribute('data-model-id')).toBe('builtin');
    expect(await liveLabel()).toBe('nocrack');
  });

  it('one-tap "capture as crack" stores captures with that label', async () => {
    const button = page.locator('[data-testid="capture-as"][data-label="crack"]');
    for (let i = 0; i < 6; i++) {
      await button.click();
      await page
        .locator('[data-testid="capture-count"][data-label="crack"]')
        .filter({ hasText: String(i + 1) })
        .waitFor({ timeout: 20_000 });
    }
    await page.locator('[data-testid="tab-captures"]').click();
    await expect
      .poll(() => page.locator('[data-testid="capture-item"][data-label="crack"]').count(), { timeout: 20_000 })
      .toBe(6);
  });

  it('a training interrupted by a reload leaves the active model and the captures untouched', async () => {
    await page.locator('[data-testid="tab-train"]').click();
    await page.locator('[data-testid="train-epochs"]').fill('30');
    await page.locator('[data-testid="train-epochs"]').dispatchEvent('change');
    // Rehearsal (on by default) is covered by adaptation.test.ts; off here, these runs test other things, faster.
    await (await trainerSwitch(page, 'train-rehearse')).uncheck();
    await page.locator('[data-testid="train-start"]').click();
    await page
      .locator(
        '[data-testid="train-status"][data-phase="features"], [data-testid="train-status"][data-phase="training"]',
      )
      .waitFor({ timeout: 30_000 });
    await page.reload();
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 60_000 }).toBe('builtin');
    await page
      .locator('[data-testid="capture-count"][data-label="crack"]')
      .filter({ hasText: '6' })
      .waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="tab-models"]').click();
    await expect.poll(() => page.locator('[data-testid="model"]').count()).toBe(1); // only the built-in model
  });

  it('goes on with frames on the main thread (?inference=main): training, activation, reload and rollback below run there', async () => {
    // The worker path trains and activates in the deep-mode flow below (after the switch back) and in
    // adaptation.test.ts.
    const url = new URL(page.url());
    url.searchParams.set('inference', 'main');
    await page.goto(url.href);
    await waitForFrames(page, 3);
    expect(await page.locator('[data-testid="inference"]').getAttribute('data-inference')).toBe('main');
    expect(await app().getAttribute('data-model-id')).toBe('builtin');
    expect(await liveLabel()).toBe('nocrack');
  });

  it('trains with live progress, shows the result with the old model side by side, and saves a new version', async () => {
    await page.locator('[data-testid="tab-train"]').click();
    await page.locator('[data-testid="train-epochs"]').fill('30');
    await page.locator('[data-testid="train-epochs"]').dispatchEvent('change');
    await page.locator('[data-testid="train-depth"]').selectOption('head'); // deep mode: the flows below
    const started = Date.now();
    // Rehearsal (on by default) is covered by adaptation.test.ts; off here, these runs test other things, faster.
    await (await trainerSwitch(page, 'train-rehearse')).uncheck();
    await page.locator('[data-testid="train-start"]').click();
    await page.locator('[data-testid="train-status"][data-phase="done"]').waitFor({ timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    const newAcc = Number(await page.locator('[data-testid="val-accuracy"]').getAttribute('data-value'));
    const oldAcc = Number(await page.locator('[data-testid="old-accuracy"]').getAttribute('data-value'));
    process.stderr.write(
      `trainer e2e: trained in ${seconds.toFixed(1)} s; validation accuracy new ${newAcc}, old ${oldAcc}\n`,
    );
    expect(newAcc).toBe(1);
    expect(oldAcc).toBe(0); // the old model calls this photo nocrack
    expect(await page.locator('crackcam-train-chart').count()).toBe(2);
    expect(await trainedWhere()).toEqual({
      text: expect.stringMatching(/background worker \(wasm\)/),
      tensorGrowth: 0,
    });
    await saveTrainedModel(page);
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).not.toBe('builtin');
    trainedId = (await app().getAttribute('data-model-id')) ?? '';
    expect(Number(await app().getAttribute('data-model-version'))).toBeGreaterThan(1);
  });

  it('the live view gives the new verdict', async () => {
    await page.locator('[data-testid="tab-live"]').click();
    await waitForFrames(page, 3);
    expect(await liveLabel()).toBe('crack');
  });

  it('after a reload the new model is still active', async () => {
    await page.reload();
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 60_000 }).toBe(trainedId);
    await waitForFrames(page, 3);
    expect(await liveLabel()).toBe('crack');
  });

  it('one tap rolls back to the previous model', async () => {
    await page.locator('[data-testid="tab-models"]').click();
    await page
      .locator(`[data-testid="model"][data-id="${trainedId}"][data-active="true"]`)
      .waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="rollback"]').click();
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).toBe('builtin');
    await page.locator('[data-testid="tab-live"]').click();
    await waitForFrames(page, 3);
    expect(await liveLabel()).toBe('nocrack');
    expect(errors.filter((e) => !/favicon|404/.test(e))).toEqual([]);
  });

  it('goes back to frames in the worker for the flows below', async () => {
    const url = new URL(page.url());
    url.searchParams.delete('inference');
    await page.goto(url.href);
    await waitForFrames(page, 3);
    expect(await page.locator('[data-testid="inference"]').getAttribute('data-inference')).toBe('worker');
  });
});

describe('captures screen', () => {
  it('imports photos of any size, exports a zip of label folders, and imports it back after deleting', async () => {
    page.on('dialog', (d) => void d.accept());
    await page.locator('[data-testid="tab-captures"]').click();
    await page.locator('[data-testid="filter"][data-label="nocrack"]').click();
    // Runs after the flow above (6 crack captures), or alone on an empty store.
    const crack = Number(await page.locator('[data-testid="class-count"][data-label="crack"]').textContent());
    const brick = path.join(DATA_DIR, 'brick', 'nocrack');
    const photos = readdirSync(brick)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .slice(0, 3)
      .map((f) => path.join(brick, f));
    // Plus one large photo (512x512 mask-set image) to show any size is cropped to 227.
    const masks = path.join(DATA_DIR, 'masks', 'images');
    const large = readdirSync(masks)
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()[0];
    await page.locator('[data-testid="import-photos"]').setInputFiles([...photos, path.join(masks, large)]);
    await expect
      .poll(() => page.locator('[data-testid="class-count"][data-label="nocrack"]').textContent(), { timeout: 30_000 })
      .toBe('4');
    // The list may re-render while the thumbnails decode (a replaced image fails to decode): read again then.
    const thumbnailSizes = () =>
      page.evaluate(async () => {
        const imgs = [
          ...document
            .querySelector('crackcam-app')!
            .shadowRoot!.querySelector('crackcam-captures')!
            .shadowRoot!.querySelectorAll('img'),
        ];
        try {
          await Promise.all(imgs.map((i) => i.decode()));
        } catch {
          return null;
        }
        return imgs.map((i) => [i.naturalWidth, i.naturalHeight]);
      });
    let sizes: number[][] | null = null;
    await expect.poll(async () => (sizes = await thumbnailSizes())?.length ?? 0, { timeout: 10_000 }).toBe(4); // the nocrack filter is on
    sizes = sizes!;
    for (const s of sizes) expect(s).toEqual([227, 227]);

    await page.getByRole('tab', { name: /^All/ }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="export-zip"]').click(),
    ]);
    const zipPath = path.join(scratch, 'captures.zip');
    await download.saveAs(zipPath);
    const { unzipSync } = await import('fflate');
    const { readFileSync } = await import('node:fs');
    const names = Object.keys(unzipSync(readFileSync(zipPath))).sort();
    expect(names.filter((n) => n.startsWith('crack/')).length).toBe(crack);
    expect(names.filter((n) => n.startsWith('nocrack/')).length).toBe(4);
    expect(names).toContain('captures.json');

    await expect.poll(() => page.locator('[data-testid="capture-item"]').count(), { timeout: 20_000 }).toBe(crack + 4);
    await page.getByRole('button', { name: 'Select all' }).click();
    await expect.poll(() => page.locator('[data-testid="capture-item"][aria-checked="true"]').count()).toBe(crack + 4);
    await page.locator('[data-testid="delete"]').click();
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid="capture-item"]')
            .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-label')}:${e.getAttribute('data-id')}`)),
        { timeout: 20_000 },
      )
      .toEqual([]);
    await page.locator('[data-testid="import-zip"]').setInputFiles(zipPath);
    await expect.poll(() => page.locator('[data-testid="capture-item"]').count(), { timeout: 30_000 }).toBe(crack + 4);
    expect(await page.locator('[data-testid="class-count"][data-label="crack"]').textContent()).toBe(String(crack));
    expect(await page.locator('[data-testid="capture-item"][data-label="nocrack"]').count()).toBe(4);
  });

  it('trains deep by default for the model’s own classes, the head alone once a capture has a new class', async () => {
    const depth = page.locator('[data-testid="train-depth"]');
    await page.locator('[data-testid="tab-train"]').click();
    await expect.poll(() => depth.inputValue()).toBe('deep'); // crack and nocrack captures only
    await page.locator('[data-testid="tab-captures"]').click();
    await page.locator('[data-testid="new-class"]').fill('efflorescence');
    await page.locator('[data-testid="new-class"]').press('Enter');
    await page.locator('[data-testid="filter"][data-label="efflorescence"]').click();
    const photo = readdirSync(path.join(DATA_DIR, 'brick', 'nocrack'))
      .filter((f) => f.endsWith('.jpg'))
      .sort()[0];
    await page.locator('[data-testid="import-photos"]').setInputFiles(path.join(DATA_DIR, 'brick', 'nocrack', photo));
    const added = page.locator('[data-testid="class-count"][data-label="efflorescence"]');
    await expect.poll(() => added.textContent(), { timeout: 30_000 }).toBe('1');
    await page.locator('[data-testid="tab-train"]').click();
    await expect.poll(() => depth.inputValue()).toBe('head');
    // Without that capture the default is deep again.
    await page.locator('[data-testid="tab-captures"]').click();
    await page.locator('[data-testid="filter"][data-label="efflorescence"]').click();
    await page.getByRole('button', { name: 'Select all' }).click();
    await page.locator('[data-testid="delete"]').click();
    await expect.poll(() => added.textContent(), { timeout: 20_000 }).toBe('0');
    await page.locator('[data-testid="tab-train"]').click();
    await expect.poll(() => depth.inputValue()).toBe('deep');
  });
});

/** The active library model's metadata, read straight from IndexedDB (as the app stored it). */
async function activeMetadata(): Promise<{
  base: { featureLayer: string; featureShape: number[] };
  training?: Record<string, unknown>;
}> {
  const meta = await page.evaluate(
    () =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('crackcam-models');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['settings', 'models']);
          const active = tx.objectStore('settings').get('active');
          active.onsuccess = () => {
            const model = tx.objectStore('models').get((active.result as { value: string }).value);
            model.onsuccess = () => {
              db.close();
              resolve((model.result as { metadata: unknown }).metadata);
            };
          };
        };
      }),
  );
  return meta as Awaited<ReturnType<typeof activeMetadata>>;
}

/** Starts recording the longest gap between 20 ms timer ticks on the page's main thread. */
async function watchStalls(): Promise<void> {
  await page.evaluate(() => {
    const w = window as Window & { __stall?: { last: number; max: number } };
    const stall = { last: performance.now(), max: 0 };
    w.__stall = stall;
    const tick = () => {
      const now = performance.now();
      stall.max = Math.max(stall.max, now - stall.last);
      stall.last = now;
      setTimeout(tick, 20);
    };
    setTimeout(tick, 20);
  });
}

/** The longest main-thread stall (ms) since {@link watchStalls}. */
const longestStall = () => page.evaluate(() => (window as Window & { __stall?: { max: number } }).__stall?.max ?? NaN);

/** Where the last run trained (the screen's note) and the tensors a worker run left behind in the worker. */
async function trainedWhere(): Promise<{ text: string; tensorGrowth: number }> {
  const where = page.locator('[data-testid="train-where"]');
  return {
    text: (await where.textContent()) ?? '',
    tensorGrowth: Number(await where.getAttribute('data-worker-tensor-growth')),
  };
}

/** Sets a number input of the Train screen and commits it. */
async function setNumber(testId: string, value: number): Promise<void> {
  await page.locator(`[data-testid="${testId}"]`).fill(String(value));
  await page.locator(`[data-testid="${testId}"]`).dispatchEvent('change');
}

describe('deep mode and the activation map during training', () => {
  // Enough epochs (one step each on 8 captures) for the deep model to learn the camera photo as crack.
  const epochs = 20;
  let deepId = '';

  it('cancelling a deep run stops the worker at once, stores nothing and keeps the active model', async () => {
    await page.locator('[data-testid="tab-train"]').click();
    await page.locator('[data-testid="watch-choice"]').first().waitFor({ timeout: 20_000 });
    const active = await app().getAttribute('data-model-id');
    await page.locator('[data-testid="tab-models"]').click();
    const models = await page.locator('[data-testid="model"]').count();
    await page.locator('[data-testid="tab-train"]').click();
    await page.locator('[data-testid="train-depth"]').selectOption('deep');
    await setNumber('train-epochs', 200);
    // Rehearsal (on by default) is covered by adaptation.test.ts; off here, these runs test other things, faster.
    await (await trainerSwitch(page, 'train-rehearse')).uncheck();
    await page.locator('[data-testid="train-start"]').click();
    await page.locator('[data-testid="train-status"][data-phase="training"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="train-cancel"]').click();
    await page.locator('[data-testid="train-status"][data-phase="cancelled"]').waitFor({ timeout: 10_000 });
    expect(await app().getAttribute('data-model-id')).toBe(active);
    await page.locator('[data-testid="tab-models"]').click();
    await expect.poll(() => page.locator('[data-testid="model"]').count()).toBe(models);
  });

  it('trains fire8, fire9 and the head, redrawing the watched capture’s Grad-CAM before training and after every epoch', async () => {
    await page.locator('[data-testid="tab-train"]').click();
    // Needs captures of both classes: runs after the captures test (6 crack + 4 nocrack).
    await page.locator('[data-testid="watch-choice"]').first().waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid="watch-choice"][aria-checked="true"]').getAttribute('data-label')).toBe(
      'crack',
    );
    await page.locator('[data-testid="train-depth"]').selectOption('deep');
    await setNumber('train-epochs', epochs);
    const memory = page.locator('[data-testid="train-memory"]');
    await memory.waitFor({ timeout: 10_000 });
    expect(Number(await memory.getAttribute('data-views'))).toBeGreaterThanOrEqual(1);
    await watchStalls();
    const started = Date.now();
    // Rehearsal (on by default) is covered by adaptation.test.ts; off here, these runs test other things, faster.
    await (await trainerSwitch(page, 'train-rehearse')).uncheck();
    await page.locator('[data-testid="train-start"]').click();
    // Training, then the before/after comparison (the new deep model on the rehearsal pack's eval photos).
    await page.locator('[data-testid="train-status"][data-phase="done"]').waitFor({ timeout: 180_000 });
    process.stderr.write(
      `trainer e2e: deep mode in the worker, ${epochs} epochs in ${((Date.now() - started) / 1000).toFixed(1)} s; longest main-thread stall ${(await longestStall()).toFixed(0)} ms\n`,
    );
    expect(await trainedWhere()).toEqual({
      text: expect.stringMatching(/background worker \(wasm\)/),
      tensorGrowth: 0,
    });
    const map = page.locator('crackcam-activation-map');
    expect(await map.getAttribute('data-draws')).toBe(String(epochs + 1));
    expect(await map.getAttribute('data-epoch')).toBe(String(epochs));
    expect(await page.locator('[data-testid="activation-caption"]').textContent()).toMatch(
      new RegExp(`After epoch ${epochs}: (crack|nocrack) \\d+\\.\\d%`),
    );
    await saveTrainedModel(page);
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).not.toBe('builtin');
    deepId = (await app().getAttribute('data-model-id')) ?? '';
    const meta = await activeMetadata();
    expect(meta.base.featureLayer).toBe('fire7/concat');
    expect(meta.base.featureShape).toEqual([13, 13, 384]);
    expect(meta.training?.mode).toBe('deep');
    expect(meta.training?.fineTuned).toEqual(['fire8', 'fire9']);
  });

  it('the deep model stays active after a reload and the live view gives its verdict', async () => {
    await page.reload();
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 60_000 }).toBe(deepId);
    await waitForFrames(page, 3);
    const verdicts = await sampleVerdicts(page, 4);
    for (const v of verdicts) {
      expect(['crack', 'nocrack']).toContain(v.label);
      expect(v.probability).toBeGreaterThanOrEqual(0.5);
      expect(v.probability).toBeLessThanOrEqual(1);
    }
    process.stderr.write(
      `trainer e2e: deep model live verdicts ${verdicts.map((v) => `${v.label} ${v.probability.toFixed(3)}`).join(', ')}\n`,
    );
    // The deep model learned the six captures of this photo as crack; the built-in one says nocrack.
    expect(await liveLabel()).toBe('crack');
  });

  it('head mode from the deep model keeps its fire8 and fire9 copies (frozen) and still reads fire7', async () => {
    await page.locator('[data-testid="tab-train"]').click();
    await setNumber('train-epochs', 1);
    await page.locator('[data-testid="train-depth"]').selectOption('head');
    // The note says the current model's fire copies stay frozen.
    await expect
      .poll(() => page.locator('[data-testid="train-memory"]').textContent(), { timeout: 10_000 })
      .toMatch(/frozen/);
    // Rehearsal (on by default) is covered by adaptation.test.ts; off here, these runs test other things, faster.
    await (await trainerSwitch(page, 'train-rehearse')).uncheck();
    await page.locator('[data-testid="train-start"]').click();
    await page.locator('[data-testid="train-status"][data-phase="done"]').waitFor({ timeout: 120_000 });
    expect(await page.locator('crackcam-activation-map').getAttribute('data-draws')).toBe('2');
    expect((await trainedWhere()).tensorGrowth).toBe(0);
    await saveTrainedModel(page);
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).not.toBe(deepId);
    const meta = await activeMetadata();
    expect(meta.base.featureLayer).toBe('fire7/concat');
    expect(meta.training?.mode).toBe('deep');
    expect(meta.training?.trunk).toEqual(['fire8', 'fire9']);
    expect(meta.training?.fineTuned).toEqual([]);
  });

  it('the deep model exports as a zip that imports back (validated on the shared base) and becomes active', async () => {
    await page.locator('[data-testid="tab-models"]').click();
    const row = page.locator(`[data-testid="model"][data-id="${deepId}"]`);
    await expect.poll(() => row.locator('.meta').textContent(), { timeout: 10_000 }).toMatch(/deep/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Export' }).click(),
    ]);
    const zipPath = path.join(scratch, 'deep-model.zip');
    await download.saveAs(zipPath);
    await page.locator('[data-testid="import-model-zip"]').setInputFiles(zipPath);
    await expect
      .poll(() => page.locator('[data-testid="models-notice"]').textContent(), { timeout: 30_000 })
      .toMatch(/^Imported .* and made it active\.$/);
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).not.toBe(deepId);
    expect((await activeMetadata()).base.featureLayer).toBe('fire7/concat');
    await page.locator('[data-testid="tab-live"]').click();
    await waitForFrames(page, 3);
    expect(await liveLabel()).toBe('crack');
    expect(errors.filter((e) => !/favicon|404/.test(e))).toEqual([]);
  });
  it('with ?train=page the trainer runs in the page and says so (the fallback when a worker cannot start)', async () => {
    const url = new URL(page.url());
    url.searchParams.set('train', 'page');
    await page.goto(url.href);
    await page.locator('[data-testid="tab-train"]').click();
    await page.locator('[data-testid="watch-choice"]').first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="train-depth"]').selectOption('deep');
    await setNumber('train-epochs', 5);
    await watchStalls();
    const started = Date.now();
    // Rehearsal (on by default) is covered by adaptation.test.ts; off here, these runs test other things, faster.
    await (await trainerSwitch(page, 'train-rehearse')).uncheck();
    await page.locator('[data-testid="train-start"]').click();
    await page.locator('[data-testid="train-status"][data-phase="done"]').waitFor({ timeout: 120_000 });
    process.stderr.write(
      `trainer e2e: deep mode in the page, 5 epochs in ${((Date.now() - started) / 1000).toFixed(1)} s; longest main-thread stall ${(await longestStall()).toFixed(0)} ms\n`,
    );
    expect(await trainedWhere()).toEqual({ text: expect.stringMatching(/in the page \(wasm\)/), tensorGrowth: -1 });
    expect(await page.locator('crackcam-activation-map').getAttribute('data-draws')).toBe('6');
    expect(errors.filter((e) => !/favicon|404/.test(e))).toEqual([]);
  });
});
