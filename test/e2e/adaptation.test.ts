/**
 * Adapting the model to a site, the inspector's side, end to end in headless Chromium (WASM, dev
 * server, fake camera): *Label this* on an uncertain frame stores it as a capture; a training run's
 * result compares the current and the new model on the held-out captures of the site and on the
 * rehearsal pack's old surfaces; and making the new model active needs a confirmation when an old
 * surface got worse; the model library says which surfaces a model was trained on, and which model a
 * routed model answers as off the site. With routing (the default) the old surfaces keep the current
 * model's answers; the run that makes concrete worse turns routing off.
 *
 * The app's default model is served with a small subset of its rehearsal pack (4 photos per surface,
 * label and use), so the comparison stays short. The camera shows a photo of a surface the default
 * model does not know (it scores above 1.5 times its novelty threshold in Node), so the live view is
 * unsure of it. The site's captures contradict the pack on purpose: unseen concrete `nocrack`
 * photos imported as `crack` and `crack` photos as `nocrack`, so the new model must get worse on the
 * concrete of the pack, which is what the confirmation is for.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile, fsReader, initNodeBackend } from '../../src/cli/node-io';
import { loadCrackClassifier } from '../../src/core/classifier';
import { sharedBase } from '../helpers';
import {
  DATA_DIR,
  DEFAULT_MODEL_DIR,
  launchChromium,
  openApp,
  seenFiles,
  startDevServer,
  waitForFrames,
  type AppServer,
  trainerSwitch,
} from './harness';
import { writeModelWithSmallPack, type PackItem } from '../small-pack';
import { writeY4m } from './y4m';

/** Photos of every surface, label and use kept from the shipped pack. */
const PACK_PER_GROUP = 4;
/** Concrete photos per label imported with the other label. */
const CONTRADICTING_PER_LABEL = 5;
/** Folders searched, in order, for the camera's photo of a surface the default model does not know. */
/** Surfaces the default model was not trained on (it knows concrete, asphalt and sound walls). */
const UNFAMILIAR_FOLDERS = ['brick/nocrack', 'brick/crack', 'defects/salt-damage'];

let server: AppServer;
let scratch: string;
let browser: Browser;
let page: Page;
let packItems: PackItem[];
const errors: string[] = [];

/** Sorted photo paths of a data folder. */
function photosIn(folder: string): string[] {
  return readdirSync(path.join(DATA_DIR, folder))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => path.join(DATA_DIR, folder, f));
}

/** The first photo the default model finds clearly unfamiliar (novelty score over 1.5 times its threshold). */
async function unfamiliarPhoto(modelJson: string): Promise<string> {
  await initNodeBackend('wasm');
  const classifier = await loadCrackClassifier({ reader: fsReader, modelJson, base: await sharedBase() });
  try {
    for (const file of UNFAMILIAR_FOLDERS.flatMap(photosIn)) {
      const image = await decodeImageFile(file);
      const r = await classifier.classify(image, { fineMap: false });
      image.dispose();
      if (!r.familiarity) throw new Error(`${modelJson} has no novelty model: nothing is flagged unfamiliar`);
      if (r.familiarity.score > 1.5 * r.familiarity.threshold) return file;
    }
  } finally {
    classifier.dispose();
  }
  throw new Error(`no photo in ${UNFAMILIAR_FOLDERS.join(', ')} scores over 1.5 times the novelty threshold`);
}

/** Concrete photos of `label` the default model never saw and the pack does not hold. */
function unseenConcrete(label: string, n: number): string[] {
  const seen = seenFiles(DEFAULT_MODEL_DIR);
  const inPack = new Set(packItems.map((i) => i.source));
  return photosIn(`concrete/${label}`)
    .filter((f) => !seen.has(`${label}/${path.basename(f)}`) && !inPack.has(`${label}/${path.basename(f)}`))
    .slice(0, n);
}

const app = () => page.locator('crackcam-app');
/** The model the run with routing saved. */
let routedModelId = '';

/** Trains with the Train screen's settings, waits for the comparison, and returns its rows. */
async function trainAndCompare(): Promise<{ set: string | null; n: number; old: number; new: number }[]> {
  const started = Date.now();
  await page.getByTestId('train-start').click();
  await page.locator('[data-testid="train-status"][data-phase="comparing"]').waitFor({ timeout: 120_000 });
  await page.locator('[data-testid="train-status"][data-phase="done"]').waitFor({ timeout: 120_000 });
  process.stderr.write(`adaptation e2e: trained and compared in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return page.getByTestId('compare-row').evaluateAll((trs) =>
    trs.map((tr) => ({
      set: tr.getAttribute('data-set'),
      n: Number(tr.getAttribute('data-n')),
      old: Number(tr.getAttribute('data-old')),
      new: Number(tr.getAttribute('data-new')),
    })),
  );
}
const count = (label: string) => page.locator(`[data-testid="capture-count"][data-label="${label}"]`);

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-adaptation-e2e-'));
  const modelDir = path.join(scratch, 'model');
  mkdirSync(modelDir);
  packItems = writeModelWithSmallPack(DEFAULT_MODEL_DIR, modelDir, PACK_PER_GROUP);
  const started = startDevServer({ headModelDir: modelDir });
  const photo = await unfamiliarPhoto(path.join(modelDir, 'model.json'));
  const video = path.join(scratch, 'unfamiliar.y4m');
  await writeY4m([photo], video, { width: 640, height: 480, fps: 30, framesPerImage: 30 });
  server = await started;
  browser = await launchChromium({ fakeVideo: video });
  ({ page } = await openApp(browser, server.url, { errors }));
  await waitForFrames(page, 3);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('adapting to a site: label this, before / after, confirmation', () => {
  it('offers Label this on an uncertain frame and stores the frame with the chosen label', async () => {
    await page.getByTestId('label-this').click({ timeout: 30_000 });
    expect(await page.getByTestId('freeze').getAttribute('aria-pressed')).toBe('true'); // the frame is held
    await page.locator('[data-testid="label-this-as"][data-label="nocrack"]').click();
    await count('nocrack').filter({ hasText: '1' }).waitFor({ timeout: 20_000 });
    expect(await count('crack').textContent()).toBe('0'); // the capture bar's own label (crack) was not used
    await expect.poll(() => page.getByTestId('freeze').getAttribute('aria-pressed')).toBe('false');
  });

  it('compares the current and new model on the site and the old surfaces; routing keeps them, without it Save asks', async () => {
    // One capture so far: the Train screen says what to capture, and Train cannot start.
    await page.getByTestId('tab-train').click();
    await expect.poll(() => page.getByTestId('train-shortfall').getAttribute('data-kind')).toBe('few');
    expect(await page.getByTestId('train-shortfall').textContent()).toContain('Capture at least 2 photos of No crack');
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true);

    await page.getByTestId('tab-captures').click();
    for (const [label, other] of [
      ['crack', 'nocrack'],
      ['nocrack', 'crack'],
    ]) {
      const before = Number(await page.locator(`[data-testid="class-count"][data-label="${label}"]`).textContent());
      await page.locator(`[data-testid="filter"][data-label="${label}"]`).click();
      await page.getByTestId('import-photos').setInputFiles(unseenConcrete(other, CONTRADICTING_PER_LABEL));
      await page
        .locator(`[data-testid="class-count"][data-label="${label}"]`)
        .filter({ hasText: String(before + CONTRADICTING_PER_LABEL) })
        .waitFor({ timeout: 30_000 });
    }
    await page.getByTestId('tab-train').click();
    await expect.poll(() => page.getByTestId('train-shortfall').count()).toBe(0);
    await page.getByTestId('train-depth').selectOption('head');
    await page.getByTestId('train-epochs').fill('20');
    await page.getByTestId('train-epochs').dispatchEvent('change');

    // With the defaults the new model keeps the default model's head off the site: concrete is not lost.
    expect(await (await trainerSwitch(page, 'train-route')).isChecked()).toBe(true);
    expect(await (await trainerSwitch(page, 'train-rehearse')).isChecked()).toBe(false); // routing keeps them instead
    const routed = await trainAndCompare();
    expect(await page.getByTestId('train-rehearsed').count()).toBe(0);
    const evalPhotos = (surface: string) => packItems.filter((i) => i.surface === surface && i.use === 'eval').length;
    const surfaces = [...new Set(packItems.map((i) => i.surface))];
    expect(routed.map((r) => [r.set, r.n])).toEqual([
      ['site', 2], // one held-out capture of each class (6 nocrack, 5 crack)
      ...surfaces.map((s) => [s, evalPhotos(s)]),
    ]);
    for (const r of routed.filter((r) => r.set !== 'site'))
      expect(r.new, r.set ?? '').toBeGreaterThanOrEqual(r.old - 0.01);
    const concrete = routed.find((r) => r.set === 'concrete')!;
    expect(concrete.old).toBeGreaterThanOrEqual(0.75); // the default model knows concrete
    await page.locator('[data-testid="uncertain-capture"], [data-testid="uncertain-none"]').first().waitFor();
    await page.getByTestId('save-model').click(); // nothing got worse: no question
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).not.toBe('builtin');
    routedModelId = (await app().getAttribute('data-model-id')) as string;

    // Without routing the new head answers concrete too, and the contradicting captures cost it.
    await (await trainerSwitch(page, 'train-route')).uncheck();
    expect(await (await trainerSwitch(page, 'train-rehearse')).isChecked()).toBe(true); // a run that does not route rehearses
    const plain = await trainAndCompare();
    // Every `train` photo of the pack (crack and nocrack) trained with the captures.
    const packTrain = packItems.filter((i) => i.use === 'train').length;
    expect(Number(await page.getByTestId('train-rehearsed').getAttribute('data-n'))).toBe(packTrain);
    const plainConcrete = plain.find((r) => r.set === 'concrete')!;
    expect(plainConcrete.old).toBeCloseTo(concrete.old, 5); // the routed model answers concrete as the default one did
    expect(plainConcrete.new).toBeLessThan(plainConcrete.old - 0.01);

    // Save asks first, names the surface; "keep" keeps the current model.
    await page.getByTestId('save-model').click();
    const dialog = page.getByTestId('activate-confirm-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await dialog.textContent()).toMatch(/concrete −\d+\.\d points/);
    await page.getByTestId('activate-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await app().getAttribute('data-model-id')).toBe(routedModelId);
    await page.getByTestId('save-model').click();
    await page.getByTestId('activate-confirm').click();
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).not.toBe(routedModelId);
  });

  it('a new class rehearses, by default, the pack’s surface the site’s photos look like', async () => {
    // The site: the concrete captures above, and salt damage as a new class.
    await page.getByTestId('tab-captures').click();
    await page.getByTestId('new-class').fill('salt-damage');
    await page.getByTestId('new-class').press('Enter');
    await page.locator('[data-testid="filter"][data-label="salt-damage"]').click();
    await page.getByTestId('import-photos').setInputFiles(photosIn('defects/salt-damage').slice(0, 3));
    await page
      .locator('[data-testid="class-count"][data-label="salt-damage"]')
      .filter({ hasText: '3' })
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('tab-train').click();
    await (await trainerSwitch(page, 'train-route')).check();
    expect(await (await trainerSwitch(page, 'train-rehearse')).isChecked()).toBe(true);
    await trainAndCompare();
    const note = page.getByTestId('train-rehearsed');
    expect(await note.getAttribute('data-surfaces')).toBe('concrete');
    const concreteTrain = packItems.filter((i) => i.surface === 'concrete' && i.use === 'train').length;
    expect(Number(await note.getAttribute('data-n'))).toBe(concreteTrain);
    expect(await note.textContent()).toMatch(/concrete, the surface your captures look like/);
  });

  it('says in the model library which surfaces a model was trained on, and what a routed model answers as', async () => {
    await page.getByTestId('tab-models').click();
    const builtin = page.locator('[data-testid="model"][data-id="builtin"] [data-testid="model-surfaces"]');
    expect(await builtin.getAttribute('data-trained')).toBe('asphalt,concrete,walls');
    expect(await builtin.textContent()).toMatch(/trained on asphalt, concrete, walls/);
    const routing = (id: string) =>
      page.locator(`[data-testid="model"][data-id="${id}"] [data-testid="model-routing"]`);
    expect(await routing(routedModelId).getAttribute('data-parent')).toMatch(/^crackcam-default v\d+$/);
    expect(await routing(routedModelId).textContent()).toMatch(/off this site: answers as crackcam-default v\d+/);
    expect(await routing('builtin').count()).toBe(0);
    expect(await routing((await app().getAttribute('data-model-id')) as string).count()).toBe(0); // trained without routing
    // Back to the routed model: the live verdict says which head answered each frame.
    await page.getByTestId('rollback').click();
    await expect.poll(() => app().getAttribute('data-model-id'), { timeout: 30_000 }).toBe(routedModelId);
    await page.getByTestId('tab-live').click();
    await expect
      .poll(() => page.getByTestId('verdict').getAttribute('data-head'), { timeout: 60_000 })
      .toMatch(/^(site|previous)$/);
    expect(errors).toEqual([]);
  });
});
