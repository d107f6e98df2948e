/**
 * The unfamiliar-surface verdict, end to end. The test model (the committed default model, which
 * carries a calibration and a novelty model from `npm run calibrate`) is served as the app's default
 * model by the vite dev server. The same model, loaded in Node, picks a photo of a surface it was not trained on
 * (brick or salt damage) that it flags as unfamiliar and an unseen concrete photo it knows. Through
 * the fake camera, the app then shows the concrete photo's class, and for the other photo says
 * *Unfamiliar surface* (only after a few frames: the live view's hysteresis), keeps the classifier's
 * class in `data-class`, and its Adapt button opens the Train screen; in Japanese the text is
 * Japanese.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile, fsReader, initNodeBackend } from '../../src/cli/node-io';
import { loadCrackClassifier, type CrackClassifier } from '../../src/core/classifier';
import { UNFAMILIAR_HYSTERESIS_FRAMES } from '../../src/ui/crackcam-live-view';
import { sharedBase } from '../helpers';
import {
  DATA_DIR,
  launchChromium,
  openApp,
  sampleVerdicts,
  seenFiles,
  shadowText,
  startDevServer,
  testModelDir,
  type AppServer,
} from './harness';
import { writeY4m } from './y4m';
import { photoWithMarker } from '../../scripts/marker-photo';

const FRAME = { width: 640, height: 480 };
/**
 * The test photos are clear cases: the unfamiliar one scores at least this many times the novelty
 * threshold, the familiar one at most its 1/CLEAR_MARGIN, so that the camera's YUV round trip
 * cannot move them across it (the test checks the app, not where the threshold lies).
 */
const CLEAR_MARGIN = 1.5;
/** Folders searched, in order, for a surface the default model was not trained on. */
const UNFAMILIAR_FOLDERS = ['brick/nocrack', 'brick/crack', 'defects/salt-damage'];
/** The concrete label the familiar photo is taken from. */
const FAMILIAR_LABEL = 'nocrack';

/** A test photo with what the Node model says about it. */
interface ScoredPhoto {
  file: string;
  label: string;
  score: number;
}

let server: AppServer;
let scratch: string;
let modelDir: string;
let threshold: number;
let unfamiliarPhoto: ScoredPhoto;
let familiarPhoto: ScoredPhoto;
let markerPhoto: ScoredPhoto;
/** The marker's side in the crack photo with the marker laid in the box, as a share of the photo's side. */
const MARKER_SIDE = 0.25;
/** How many unseen concrete crack photos are tried for one that the marker makes clearly unfamiliar. */
const MARKER_TRIES = 40;

/** Sorted photo files of a data folder. */
function photosIn(folder: string): string[] {
  return readdirSync(path.join(DATA_DIR, folder))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => path.join(DATA_DIR, folder, f));
}

/** The first of `files` (in order) that passes `accept`, classified by the Node model. */
async function firstPhoto(
  classifier: CrackClassifier,
  files: readonly string[],
  accept: (score: number, limit: number) => boolean,
): Promise<ScoredPhoto | undefined> {
  for (const file of files) {
    const image = await decodeImageFile(file);
    const result = await classifier.classify(image, { fineMap: false });
    image.dispose();
    if (!result.familiarity) throw new Error(`${modelDir} has no novelty model: run npm run calibrate on it`);
    if (accept(result.familiarity.score, result.familiarity.threshold))
      return { file, label: result.label, score: result.familiarity.score };
  }
  return undefined;
}

async function pickPhotos(classifier: CrackClassifier): Promise<void> {
  const strange = await firstPhoto(
    classifier,
    UNFAMILIAR_FOLDERS.flatMap(photosIn),
    (score, limit) => score > limit * CLEAR_MARGIN,
  );
  const seen = seenFiles(modelDir);
  const unseen = photosIn(`concrete/${FAMILIAR_LABEL}`).filter(
    (f) => !seen.has(`${FAMILIAR_LABEL}/${path.basename(f)}`),
  );
  const known = await firstPhoto(classifier, unseen, (score, limit) => score < limit / CLEAR_MARGIN);
  if (!strange)
    throw new Error(`no photo in ${UNFAMILIAR_FOLDERS.join(', ')} scores above ${CLEAR_MARGIN}x the novelty threshold`);
  if (!known)
    throw new Error(
      `no unseen concrete/${FAMILIAR_LABEL} photo scores below 1/${CLEAR_MARGIN} of the novelty threshold`,
    );
  [unfamiliarPhoto, familiarPhoto] = [strange, known];
  const cracks = photosIn('concrete/crack').filter((f) => !seen.has(`crack/${path.basename(f)}`));
  const withMarker = [];
  for (const file of cracks.slice(0, MARKER_TRIES)) {
    const out = path.join(scratch, `marker-${path.basename(file, path.extname(file))}.png`);
    writeFileSync(out, await photoWithMarker(file, MARKER_SIDE));
    withMarker.push(out);
  }
  const marked = await firstPhoto(classifier, withMarker, (score, limit) => score > limit * CLEAR_MARGIN);
  if (!marked)
    throw new Error(`none of ${MARKER_TRIES} concrete cracks with the marker in the box is clearly unfamiliar`);
  markerPhoto = marked;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-unfamiliar-e2e-'));
  modelDir = testModelDir();
  const started = startDevServer({ headModelDir: modelDir });
  await initNodeBackend('wasm');
  const base = await sharedBase();
  const classifier = await loadCrackClassifier({
    reader: fsReader,
    modelJson: path.join(modelDir, 'model.json'),
    base,
  });
  threshold = classifier.metadata.novelty?.threshold ?? NaN;
  await pickPhotos(classifier);
  classifier.dispose();
  server = await started;
});

afterAll(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function video(name: string, photo: string): Promise<string> {
  const file = path.join(scratch, `${name}.y4m`);
  await writeY4m([photo], file, { ...FRAME, fps: 30, framesPerImage: 2 });
  return file;
}

const verdict = (page: Page) => page.locator('[data-testid="verdict"]');
const hookVerdict = (page: Page) => page.evaluate(() => window.__crackcam?.verdict);

/** A change of the verdict's data-label, with the frame count and the frame's own flag at that moment. */
interface LabelChange {
  label: string | null;
  frames: number;
  unfamiliar?: boolean;
}

/**
 * Before the app's scripts run: records every change of the verdict's data-label (a mutation
 * observer, so in the same task as the frame that caused it) in `window.__labelChanges`.
 */
async function recordLabelChanges(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const changes: { label: string | null; frames: number; unfamiliar?: boolean }[] = [];
    (window as unknown as { __labelChanges: typeof changes }).__labelChanges = changes;
    const find = (root: Document | ShadowRoot): Element | null => {
      const hit = root.querySelector('[data-testid="verdict"]');
      if (hit) return hit;
      for (const e of root.querySelectorAll('*')) {
        const inner = e.shadowRoot ? find(e.shadowRoot) : null;
        if (inner) return inner;
      }
      return null;
    };
    const timer = setInterval(() => {
      const element = find(document);
      if (!element) return;
      clearInterval(timer);
      new MutationObserver(() => {
        const label = element.getAttribute('data-label');
        if (label === changes.at(-1)?.label) return;
        changes.push({
          label,
          frames: window.__crackcam?.frames ?? 0,
          unfamiliar: window.__crackcam?.verdict?.unfamiliar,
        });
      }).observe(element, { attributes: true, attributeFilter: ['data-label'] });
    }, 5);
  });
}

const labelChanges = (page: Page) =>
  page.evaluate(() => (window as unknown as { __labelChanges: LabelChange[] }).__labelChanges);

describe('the unfamiliar-surface verdict', () => {
  it('picked photos the Node model finds clearly unfamiliar and clearly familiar', () => {
    console.info(
      `crack with the marker in the box: ${path.basename(markerPhoto.file)} (${markerPhoto.label}, score ${markerPhoto.score.toFixed(0)})`,
    );
    console.info(
      `novelty threshold ${threshold.toFixed(0)}; unfamiliar ${path.relative(DATA_DIR, unfamiliarPhoto.file)} (${unfamiliarPhoto.label}, score ${unfamiliarPhoto.score.toFixed(0)}), ` +
        `familiar ${path.relative(DATA_DIR, familiarPhoto.file)} (${familiarPhoto.label}, score ${familiarPhoto.score.toFixed(0)})`,
    );
    expect(unfamiliarPhoto.score).toBeGreaterThan(threshold * CLEAR_MARGIN);
    expect(familiarPhoto.score).toBeLessThan(threshold / CLEAR_MARGIN);
    expect(markerPhoto.score).toBeGreaterThan(threshold * CLEAR_MARGIN);
  });

  describe('a concrete photo the model knows', () => {
    let browser: Browser;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      browser = await launchChromium({ fakeVideo: await video('familiar', familiarPhoto.file) });
      ({ page } = await openApp(browser, server.url, { backend: 'wasm', errors }));
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('shows its class on every frame, the flag off, and no Adapt button', async () => {
      const verdicts = await sampleVerdicts(page, 2 * UNFAMILIAR_HYSTERESIS_FRAMES + 2);
      expect(verdicts.map((v) => v.label)).toEqual(verdicts.map(() => familiarPhoto.label));
      expect(await hookVerdict(page)).toMatchObject({ label: familiarPhoto.label, unfamiliar: false });
      expect(await verdict(page).getAttribute('data-class')).toBeNull();
      expect(await page.locator('[data-testid="adapt-model"]').count()).toBe(0);
      expect(errors).toEqual([]);
    });
  });

  describe('a surface the model was not trained on', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium({ fakeVideo: await video('unfamiliar', unfamiliarPhoto.file) });
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('says "Unfamiliar surface" after the hysteresis, keeps the class, and Adapt opens the Train screen', async () => {
      const errors: string[] = [];
      const context = await browser.newContext({
        viewport: { width: 800, height: 900 },
        locale: 'en-US',
        permissions: ['camera'],
        serviceWorkers: 'block',
      });
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await recordLabelChanges(page);
      await page.goto(`${server.url}?backend=wasm`);

      await expect.poll(() => verdict(page).getAttribute('data-label'), { timeout: 120_000 }).toBe('unfamiliar');
      expect(await verdict(page).getAttribute('data-class')).toBe(unfamiliarPhoto.label);
      expect(Number(await verdict(page).getAttribute('data-probability'))).toBeGreaterThan(0.5);
      expect(await hookVerdict(page)).toMatchObject({ label: unfamiliarPhoto.label, unfamiliar: true });
      const text = await shadowText(page, 'verdict');
      expect(text).toContain('Unfamiliar surface');
      expect(text).toContain('Capture some photos here and adapt the model');
      await expect.poll(() => verdict(page).locator('[role="status"]').textContent()).toContain('Unfamiliar surface');

      // The first frame was flagged but still showed the class; the verdict turned only after the hysteresis.
      const changes = await labelChanges(page);
      expect(changes[0], JSON.stringify(changes)).toEqual({
        label: unfamiliarPhoto.label,
        frames: 1,
        unfamiliar: true,
      });
      const turned = changes.find((c) => c.label === 'unfamiliar');
      expect(turned?.frames, JSON.stringify(changes)).toBeGreaterThanOrEqual(UNFAMILIAR_HYSTERESIS_FRAMES);
      // and it stays, frame after frame
      expect((await sampleVerdicts(page, 2 * UNFAMILIAR_HYSTERESIS_FRAMES)).map((v) => v.label)).toEqual(
        Array(2 * UNFAMILIAR_HYSTERESIS_FRAMES).fill('unfamiliar'),
      );

      await page.locator('[data-testid="adapt-model"]').click();
      await expect.poll(() => page.locator('[data-testid="tab-train"]').getAttribute('aria-selected')).toBe('true');
      // The Train screen's code (with TF.js) is a lazy chunk: the dev server serves it module by module.
      await expect.poll(() => page.locator('crackcam-trainer').isVisible(), { timeout: 60_000 }).toBe(true);
      expect(await page.locator('crackcam-live-view').isVisible()).toBe(false);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('says it in Japanese with ?lang=ja', async () => {
      const { context, page } = await openApp(browser, server.url, { backend: 'wasm', lang: 'ja' });
      await expect.poll(() => verdict(page).getAttribute('data-label'), { timeout: 120_000 }).toBe('unfamiliar');
      const text = await shadowText(page, 'verdict');
      expect(text).toContain('見慣れない表面');
      expect(text).toContain('ここで写真を何枚か撮影して、モデルを適応させてください');
      expect(text).not.toContain('Unfamiliar');
      expect(await page.locator('[data-testid="adapt-model"]').textContent()).toContain('モデルを適応');
      await context.close();
    });
  });

  describe('a crack with the marker laid in the box', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium({ fakeVideo: await video('marker', markerPhoto.file) });
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('asks for the marker outside the box instead of offering to adapt the model', async () => {
      const errors: string[] = [];
      const { context, page } = await openApp(browser, server.url, { backend: 'wasm', errors });
      await expect.poll(() => verdict(page).getAttribute('data-label'), { timeout: 120_000 }).toBe('unfamiliar');
      // the live width finds the marker in the box (a sample every 0.7 s in the measurement worker)
      await page.locator('[data-testid="reference-in-box"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="unfamiliar-reference"]').waitFor({ timeout: 10_000 });
      expect(await shadowText(page, 'verdict')).toContain('The marker or card is in the box: lay it just outside');
      expect(await page.locator('[data-testid="adapt-model"]').count()).toBe(0);
      // no "Label this" either (an offer made before the marker was found lapses after its hold)
      await expect.poll(() => page.locator('crackcam-label-this').count(), { timeout: 10_000 }).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    });
  });
});
