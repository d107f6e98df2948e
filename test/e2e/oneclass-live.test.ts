/**
 * Normal-only mode in the app, end to end: a one-class model trained in Node on 16 sound-concrete
 * photos (the core trainer, written as `npm run oneclass -- --out DIR` writes it) is imported
 * through the Models screen (as a zip, and by its model.json URL), becomes active, and the live view
 * runs it on the fake camera: the mode badge says so, a crack photo is an anomaly with its heatmap
 * peak where the Node model puts it, a sound-concrete photo is normal. A broken file is rejected
 * with a message naming the problem. Runs against the vite dev server (no build: keeps it fast).
 */
import { zipSync } from 'fflate';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile, fsReader, initNodeBackend } from '../../src/cli/node-io';
import { argMax } from '../../src/core/colormap';
import {
  loadOneClassModel,
  oneClassMetadata,
  serializeOneClassModel,
  trainOneClass,
  type OneClassModel,
} from '../../src/core/oneclass';
import { sharedBase } from '../helpers';
import {
  DATA_DIR,
  hookCam,
  hookMemory,
  launchChromium,
  openApp,
  sampleVerdicts,
  shadowText,
  startDevServer,
  type AppServer,
} from './harness';
import { writeY4m } from './y4m';

const FRAME = { width: 640, height: 480 };
const TRAIN_PHOTOS = 16;

let server: AppServer;
let scratch: string;
/** The model folder, as the CLI's --out writes it (model.json, weights.bin, seen.json). */
let modelDir: string;
let reference: OneClassModel;
let crackPhoto: { file: string; ratio: number; heatmap: Float32Array };
let normalPhoto: { file: string; ratio: number; heatmap: Float32Array };

const photosOf = (label: string) =>
  readdirSync(path.join(DATA_DIR, 'concrete', label))
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => path.join(DATA_DIR, 'concrete', label, f));

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-oneclass-e2e-'));
  const started = startDevServer();
  await initNodeBackend('wasm');
  const base = await sharedBase();
  const normal = photosOf('nocrack');
  const train = normal.slice(0, TRAIN_PHOTOS);
  const result = await trainOneClass({
    base,
    preprocessing: 'caffe-bgr',
    train: train.map((f) => ({ id: path.basename(f), load: () => decodeImageFile(f) })),
    seed: 42,
  });
  const metadata = oneClassMetadata(result, base, {
    name: 'site-normal',
    preprocessing: 'caffe-bgr',
    training: { data: 'concrete/nocrack', n: TRAIN_PHOTOS },
  });
  const files = await serializeOneClassModel(result.scorer, metadata);
  result.scorer.dispose();
  modelDir = path.join(scratch, 'site-normal');
  mkdirSync(modelDir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(modelDir, name), bytes);
  writeFileSync(
    path.join(modelDir, 'seen.json'),
    JSON.stringify({ data: 'concrete', files: train.map((f) => `nocrack/${path.basename(f)}`) }),
  );
  // The reference is the saved folder reloaded, as the app will see it.
  reference = await loadOneClassModel({ reader: fsReader, modelJson: path.join(modelDir, 'model.json'), base });
  // The clearest cases among a few unseen photos: the e2e test checks that the app reproduces the
  // model through camera, YUV, crop and resize, not how good a 16-photo model is.
  const scored = async (file: string) => {
    const img = await decodeImageFile(file);
    const r = await reference.detect(img);
    img.dispose();
    return { file, ratio: r.ratio, heatmap: r.heatmap };
  };
  const cracks = await Promise.all(photosOf('crack').slice(0, 8).map(scored));
  const normals = await Promise.all(normal.slice(TRAIN_PHOTOS, TRAIN_PHOTOS + 8).map(scored));
  crackPhoto = cracks.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  normalPhoto = normals.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  server = await started;
});

afterAll(async () => {
  reference?.dispose();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function video(name: string, photo: string): Promise<string> {
  const file = path.join(scratch, `${name}.y4m`);
  await writeY4m([photo], file, { ...FRAME, fps: 30, framesPerImage: 2 });
  return file;
}

/** The model folder as a zip, as a user would zip the CLI's output folder. */
function zipOf(dir: string, edit: (files: Record<string, Uint8Array>) => void = () => undefined): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(dir)) files[`site-normal/${f}`] = new Uint8Array(readFileSync(path.join(dir, f)));
  edit(files);
  return Buffer.from(zipSync(files));
}

/** Serves `dir` with CORS, as a model hosted on another origin would be. */
async function serveModel(dir: string): Promise<AppServer> {
  const s = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(decodeURIComponent((req.url ?? '/').split('?')[0])));
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Access-Control-Allow-Origin': '*',
      'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
}

const modeOf = (page: Page) => page.locator('[data-testid="mode"]').getAttribute('data-mode');
const modelKind = (page: Page) => page.locator('crackcam-app').getAttribute('data-model-kind');

/** Waits for the first verdict of the one-class model (after the switch from the classifier). */
async function waitForOneClassVerdict(page: Page): Promise<void> {
  await page.waitForFunction(() => ['normal', 'anomaly'].includes(window.__crackcam?.verdict?.label ?? ''), undefined, {
    timeout: 60_000,
    polling: 100,
  });
}

async function showLive(page: Page): Promise<void> {
  await page.locator('[data-testid="tab-live"]').click();
  await waitForOneClassVerdict(page);
}

describe('a one-class model in the live view', () => {
  it('picked test photos the Node model calls anomaly and normal with a margin', () => {
    expect(crackPhoto.ratio, path.basename(crackPhoto.file)).toBeGreaterThan(1.5);
    expect(normalPhoto.ratio, path.basename(normalPhoto.file)).toBeLessThan(0.8);
    console.info(
      `threshold ${reference.threshold.toFixed(1)}; crack ${path.basename(crackPhoto.file)} at x${crackPhoto.ratio.toFixed(2)}, nocrack ${path.basename(normalPhoto.file)} at x${normalPhoto.ratio.toFixed(2)}`,
    );
  });

  describe('imported as a zip; crack photo on the camera', () => {
    let browser: Browser;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      browser = await launchChromium({ fakeVideo: await video('crack', crackPhoto.file) });
      ({ page } = await openApp(browser, server.url, { errors }));
      await page.waitForFunction(
        () => window.__crackcam?.verdict?.label === 'crack' || window.__crackcam?.verdict?.label === 'nocrack',
        undefined,
        {
          timeout: 90_000,
          polling: 100,
        },
      );
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('starts with the built-in classifier and says so', async () => {
      expect(await modeOf(page)).toBe('classifier');
      expect(await page.locator('[data-testid="mode"]').textContent()).toContain('Crack classifier');
      expect(await modelKind(page)).toBe('classifier');
    });

    it('rejects a one-class zip with truncated weights, naming the problem, and keeps the classifier', async () => {
      await page.locator('[data-testid="tab-models"]').click();
      const broken = zipOf(
        modelDir,
        (f) => (f['site-normal/weights.bin'] = f['site-normal/weights.bin'].slice(0, 1000)),
      );
      await page
        .locator('[data-testid="import-model-zip"]')
        .setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: broken });
      const error = page.locator('[data-testid="models-error"]');
      await error.waitFor({ timeout: 30_000 });
      expect(await error.textContent()).toMatch(/broken\.zip was not imported: .*weight/);
      expect(await page.locator('[data-testid="model"]').count()).toBe(1); // only the built-in row
      expect(await modelKind(page)).toBe('classifier');
    });

    it('imports the CLI-style folder as a zip, lists it as normal-only and makes it active', async () => {
      await page
        .locator('[data-testid="import-model-zip"]')
        .setInputFiles({ name: 'site-normal.zip', mimeType: 'application/zip', buffer: zipOf(modelDir) });
      const notice = page.locator('[data-testid="models-notice"]');
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.textContent()).toContain('Imported site-normal v1 (Normal, Anomaly)');
      await expect.poll(() => modelKind(page), { timeout: 30_000 }).toBe('oneclass');
      expect(await page.locator('crackcam-app').getAttribute('data-model-name')).toBe('site-normal');
      expect(await page.locator('[data-testid="model"][data-active="true"]').textContent()).toContain(
        'normal-only (anomaly)',
      );
    });

    it('the trainer says why it cannot fine-tune the active normal-only model', async () => {
      await page.locator('[data-testid="tab-train"]').click();
      await page.locator('[data-testid="train-normal-only"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-testid="train-start"]').isDisabled()).toBe(true);
    });

    it('shows the normal-only mode badge and calls the crack photo an anomaly on every sampled frame', async () => {
      await showLive(page);
      expect(await modeOf(page)).toBe('oneclass');
      expect(await page.locator('[data-testid="mode"]').textContent()).toContain('Normal-only (anomaly)');
      const verdicts = await sampleVerdicts(page, 12);
      expect(verdicts.map((v) => v.label)).toEqual(verdicts.map(() => 'anomaly'));
      const ratio = Number(await page.locator('[data-testid="verdict"]').getAttribute('data-ratio'));
      expect(ratio).toBeGreaterThan(1);
      const text = await shadowText(page, 'verdict');
      expect(text).toContain('Anomaly');
      expect(text).toMatch(/×\d+\.\d\d/);
    });

    it('paints the anomaly heatmap with its peak where the Node model puts it', async () => {
      const cam = await hookCam(page);
      expect([cam.height, cam.width]).toEqual([13, 13]);
      const peak = argMax(cam.raw);
      expect(peak.value).toBeGreaterThan(0.5);
      // Camera, YUV 4:2:0 and canvas scaling resample the photo; the app's hottest cell must still be
      // a hot cell of the reference (as the Grad-CAM test in live-view.test.ts requires).
      const refPeak = Math.max(...crackPhoto.heatmap);
      expect(crackPhoto.heatmap[peak.index] / refPeak, `app peak at cell ${peak.index}`).toBeGreaterThanOrEqual(0.5);
      // The painted canvas is jet: red at the peak.
      const px = await page.evaluate(async () => {
        // The canvas's pixels with the map they show (read in the inference worker when it paints).
        const heat = await window.__crackcam?.heatmap?.();
        if (!heat) throw new Error('no heatmap painted');
        const shown = Array.from(heat.shown);
        const i = shown.indexOf(Math.max(...shown));
        const x = Math.floor((((i % 13) + 0.5) / 13) * heat.canvasWidth);
        const y = Math.floor(((Math.floor(i / 13) + 0.5) / 13) * heat.canvasHeight);
        const at = (y * heat.canvasWidth + x) * 4;
        return Array.from(heat.rgba.subarray(at, at + 4));
      });
      expect(px[0]).toBeGreaterThan(px[2]);
    });

    it('leaks no tensors from frame to frame and logs no errors', async () => {
      const start = await page.evaluate(() => window.__crackcam?.frames ?? 0);
      const before = await hookMemory(page);
      await page.waitForFunction((n) => (window.__crackcam?.frames ?? 0) >= n, start + 15, { timeout: 60_000 });
      const after = await hookMemory(page);
      expect(after.numTensors).toBe(before.numTensors);
      expect(errors).toEqual([]);
    });

    it('runs the active one-class model on the page with the main-thread fallback (?inference=main)', async () => {
      const url = new URL(page.url());
      url.searchParams.set('inference', 'main');
      await page.goto(url.href);
      await waitForOneClassVerdict(page);
      expect(await page.locator('[data-testid="inference"]').getAttribute('data-inference')).toBe('main');
      expect(await modeOf(page)).toBe('oneclass');
      const verdicts = await sampleVerdicts(page, 8);
      expect(verdicts.map((v) => v.label)).toEqual(verdicts.map(() => 'anomaly'));
      expect(errors).toEqual([]);
    });
  });

  describe('imported by its model.json URL; sound concrete on the camera; Japanese UI', () => {
    let browser: Browser;
    let page: Page;
    let modelServer: AppServer;

    beforeAll(async () => {
      modelServer = await serveModel(modelDir);
      browser = await launchChromium({ fakeVideo: await video('normal', normalPhoto.file) });
      ({ page } = await openApp(browser, server.url, { lang: 'ja' }));
      await page.locator('crackcam-app[data-model-kind="classifier"]').waitFor({ timeout: 90_000 });
    });

    afterAll(async () => {
      await browser?.close();
      await modelServer?.close();
    });

    it('imports from the URL and calls the sound surface normal, with a cool map', async () => {
      await page.locator('[data-testid="tab-models"]').click();
      await page.locator('[data-testid="import-model-url"]').fill(`${modelServer.url}model.json`);
      await page.locator('[data-testid="import-model-url"]').press('Enter');
      await expect.poll(() => modelKind(page), { timeout: 60_000 }).toBe('oneclass');
      await showLive(page);
      expect(await modeOf(page)).toBe('oneclass');
      expect(await page.locator('[data-testid="mode"]').textContent()).toContain('正常のみ（異常検知）');
      const verdicts = await sampleVerdicts(page, 12);
      expect(verdicts.map((v) => v.label)).toEqual(verdicts.map(() => 'normal'));
      expect(Number(await page.locator('[data-testid="verdict"]').getAttribute('data-ratio'))).toBeLessThan(1);
      expect(await shadowText(page, 'verdict')).toContain('正常');
      const cam = await hookCam(page);
      const mean = (m: ArrayLike<number>) => Array.from(m).reduce((a, b) => a + b, 0) / m.length;
      expect(mean(cam.raw)).toBeLessThan(mean(crackPhoto.heatmap));
    });
  });
});
