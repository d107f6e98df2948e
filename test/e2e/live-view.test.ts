/**
 * The live inspection view in real headless Chromium with a fake camera playing y4m videos built
 * from the shared photos. WASM backend unless a test says otherwise (fast on a CPU-only machine).
 *
 * The app under test is the production build (`vite build` into a scratch folder, as `npm run
 * build`) served by a plain static server from a sub-path, so the tests also show that dist/ works
 * from any static host. One test checks the dev server (`npm start`). Set CRACKCAM_E2E_SERVER=dev to
 * run everything against the dev server instead.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { camMaskScores } from '../../src/core/cam-metrics';
import { centreCrop } from '../../src/core/preprocess';
import { loadCliClassifier } from '../../src/cli/model-cli';
import { decodeImageFile, initNodeBackend } from '../../src/cli/node-io';
import { argMax, rampAlpha } from '../../src/core/colormap';
import type { CrackClassifier } from '../../src/core/classifier';
import {
  DATA_DIR,
  hookCam,
  hookMemory,
  hookPageMemory,
  hookState,
  launchChromium,
  openApp,
  sampleVerdicts,
  seenFiles,
  shadowText,
  buildApp,
  startDevServer,
  startStaticServer,
  testModelDir,
  waitForFrames,
  type AppServer,
} from './harness';
import { sharedBuild } from './shared-build';
import { photoFrame, writeY4m } from './y4m';

const FRAME = { width: 640, height: 480 };
/** Photos per class video, and how many frames each is shown (at 30 fps). */
const PHOTOS_PER_VIDEO = 3;
const FRAMES_PER_PHOTO = 15;

let server: AppServer;
let scratch: string;
let modelDir: string;

beforeAll(async () => {
  modelDir = testModelDir();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-e2e-'));
  if (process.env.CRACKCAM_E2E_SERVER === 'dev') {
    server = await startDevServer();
  } else if (process.env.CRACKCAM_TEST_MODEL) {
    const dist = path.join(scratch, 'dist');
    await buildApp(dist, modelDir);
    server = await startStaticServer(dist, '/inspect/crackcam/');
  } else {
    server = await startStaticServer((await sharedBuild()).dist, '/inspect/crackcam/');
  }
});

afterAll(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The first `n` photos of a class (sorted by name) that the model under test never saw in training. */
function unseenPhotos(label: string, n: number): string[] {
  const seen = seenFiles(modelDir);
  const dir = path.join(DATA_DIR, 'concrete', label);
  const files = readdirSync(dir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f) && !seen.has(`${label}/${f}`))
    .sort()
    .slice(0, n);
  if (files.length < n) throw new Error(`only ${files.length} unseen ${label} photos in ${dir}`);
  return files.map((f) => path.join(dir, f));
}

async function video(name: string, photos: string[], framesPerPhoto = FRAMES_PER_PHOTO): Promise<string> {
  const file = path.join(scratch, `${name}.y4m`);
  await writeY4m(photos, file, { ...FRAME, fps: 30, framesPerImage: framesPerPhoto });
  return file;
}

/** The photo as the model should see it: the centred square at 227x227, RGB. */
async function expectedCrop(photo: string): Promise<Buffer> {
  return sharp(photo).rotate().removeAlpha().resize(227, 227, { fit: 'cover' }).raw().toBuffer();
}

function meanAbsDiffRgb(rgba: number[], rgb: Buffer): number {
  let sum = 0;
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    sum += Math.abs(rgba[i] - rgb[j]) + Math.abs(rgba[i + 1] - rgb[j + 1]) + Math.abs(rgba[i + 2] - rgb[j + 2]);
  }
  return sum / rgb.length;
}

/** Geometry of the video content, the crop box and the heatmap canvas, in CSS pixels. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const view = document.querySelector('crackcam-app')?.shadowRoot?.querySelector('crackcam-live-view')?.shadowRoot;
    const video = view?.querySelector('video');
    const heat = view?.querySelector('[data-testid="heatmap"]') as HTMLCanvasElement | null;
    const box = view?.querySelector('[data-testid="cropbox"]');
    if (!video || !heat || !box) throw new Error('live view elements not found');
    const r = (e: Element) => {
      const b = e.getBoundingClientRect();
      return { x: b.x, y: b.y, width: b.width, height: b.height };
    };
    return {
      video: r(video),
      videoWidth: video.videoWidth,
      videoHeight: video.videoHeight,
      heatmap: r(heat),
      cropbox: r(box),
      hidden: heat.hidden,
    };
  });
}

/**
 * In one task: the painted map (after smoothing) and the heatmap canvas's RGBA at its hottest and
 * coldest cells.
 */
function probeHotAndCold(page: Page): Promise<{ hot: number[]; cold: number[]; max: number; min: number }> {
  return page.evaluate(async () => {
    // The canvas's pixels and the map they show, read together (in the inference worker, which
    // paints the canvas, when the frames run there).
    const cam = await window.__crackcam?.heatmap?.();
    if (!cam) throw new Error('no map');
    const shown = Array.from(cam.shown);
    const canvas = { width: cam.canvasWidth, height: cam.canvasHeight };
    const hot = shown.indexOf(Math.max(...shown));
    const cold = shown.indexOf(Math.min(...shown));
    // Cell k is painted centred on its receptive-field centre, crop pixel first + k * stride of 227
    // (16k + 15 on the 13x13 Grad-CAM, 4k + 3 on the 56x56 fine map; squeezenetCells).
    let [size, first, stride] = [227, 0, 1];
    while (size > cam.width) [size, first, stride] = [Math.floor((size - 3) / 2) + 1, first + stride, stride * 2];
    const px = (i: number) => {
      const x = Math.floor((((i % cam.width) * stride + first + 0.5) / 227) * canvas.width);
      const y = Math.floor(((Math.floor(i / cam.width) * stride + first + 0.5) / 227) * canvas.height);
      return Array.from(cam.rgba.subarray((y * canvas.width + x) * 4, (y * canvas.width + x) * 4 + 4));
    };
    return { hot: px(hot), cold: px(cold), max: shown[hot], min: shown[cold] };
  });
}

describe('crack photos through the fake camera', () => {
  let browser: Browser;
  let page: Page;
  let photos: string[];
  const errors: string[] = [];

  beforeAll(async () => {
    photos = unseenPhotos('crack', PHOTOS_PER_VIDEO);
    browser = await launchChromium({ fakeVideo: await video('crack', photos) });
    ({ page } = await openApp(browser, server.url, { errors }));
    await waitForFrames(page, 5);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('runs on the requested WASM backend and reports fps and latency', async () => {
    const badge = page.locator('[data-testid="backend"]');
    expect(await badge.getAttribute('data-backend')).toBe('wasm');
    const state = await hookState(page);
    expect(state.backend).toBe('wasm');
    expect(state.fps).toBeGreaterThan(0);
    expect(state.latencyMs).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="fps"]').textContent()).toMatch(/^\d+\.\d fps$/);
  });

  it('shows the shell whole: nothing on screen moves from the first paint to the running verdict', async () => {
    // The shell renders in parts, one frame apart, unseen until the last (crackcam-app.ts, LIVE_PARTS);
    // a part shown before the others would move them. The HTML's app name gives way to the shell then.
    const shifts = await page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const values: number[] = [];
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) values.push((e as PerformanceEntry & { value: number }).value);
          }).observe({ type: 'layout-shift', buffered: true });
          setTimeout(() => resolve(values), 500);
        }),
    );
    expect(shifts.reduce((a, b) => a + b, 0)).toBeLessThan(0.01);
    expect(await page.locator('crackcam-app').getAttribute('ready')).toBe('');
    for (const part of ['crackcam-live-view', 'crackcam-capture-bar', 'crackcam-finding-bar'])
      expect(await page.locator(part).isVisible(), part).toBe(true);
    expect(await page.locator('.boot').isVisible()).toBe(false);
  });

  it('says crack, with the probability, on every sampled frame', async () => {
    const verdicts = await sampleVerdicts(page, 40);
    const labels = verdicts.map((v) => v.label);
    expect(labels.filter((l) => l === 'crack').length, `labels: ${labels.join(' ')}`).toBe(labels.length);
    for (const v of verdicts) expect(v.probability).toBeGreaterThan(0.5);
    await expect.poll(() => shadowText(page, 'verdict')).toContain('Crack');
  });

  it('paints the heatmap exactly over the crop box, from the current map', async () => {
    const l = await layout(page);
    expect([l.videoWidth, l.videoHeight]).toEqual([FRAME.width, FRAME.height]);
    // object-fit: contain, then the centred square of the frame.
    const scale = Math.min(l.video.width / l.videoWidth, l.video.height / l.videoHeight);
    const side = Math.min(l.videoWidth, l.videoHeight) * scale;
    const want = {
      x: l.video.x + (l.video.width - side) / 2,
      y: l.video.y + (l.video.height - side) / 2,
      width: side,
      height: side,
    };
    for (const k of ['x', 'y', 'width', 'height'] as const) {
      expect(Math.abs(l.heatmap[k] - want[k]), `heatmap ${k}`).toBeLessThan(1);
      expect(Math.abs(l.cropbox[k] - want[k]), `crop box ${k}`).toBeLessThan(1);
    }
    expect(l.hidden).toBe(false);
    const probe = await probeHotAndCold(page);
    expect(probe.max - probe.min).toBeGreaterThan(0.5);
    // Highlight (the default, opacity 0.7): hot is red (r > b) and clearly opaque, cold is transparent.
    const opacity = 0.7 * 255;
    expect(probe.hot[0]).toBeGreaterThan(probe.hot[2]);
    expect(probe.hot[3]).toBeGreaterThan(0.5 * opacity * rampAlpha(probe.max));
    expect(probe.hot[3]).toBeLessThanOrEqual(opacity + 2);
    expect(rampAlpha(probe.min), `coldest value ${probe.min}`).toBe(0);
    expect(probe.cold[3], 'alpha at the coldest cell').toBeLessThanOrEqual(2);
  });

  it('paints the jet veil when the style picker says Jet: cold is blue, every pixel at the opacity', async () => {
    const style = page.locator('[data-testid="heatmap-style"]');
    expect(await style.inputValue()).toBe('highlight');
    await style.selectOption('jet');
    try {
      await waitForFrames(page, (await waitForFrames(page, 0)) + 3);
      const probe = await probeHotAndCold(page);
      expect(probe.max - probe.min).toBeGreaterThan(0.5);
      expect(probe.hot[0]).toBeGreaterThan(probe.hot[2]);
      expect(probe.cold[2]).toBeGreaterThan(probe.cold[0]);
      for (const px of [probe.hot, probe.cold]) expect(Math.abs(px[3] - 0.7 * 255)).toBeLessThanOrEqual(2);
    } finally {
      await style.selectOption('highlight');
    }
  });

  it('hides and shows the heatmap', async () => {
    await page.locator('[data-testid="heatmap-toggle"]').click();
    expect((await layout(page)).hidden).toBe(true);
    await page.locator('[data-testid="heatmap-toggle"]').click();
    expect((await layout(page)).hidden).toBe(false);
  });

  it('paints the 56x56 fine map by default and the 13x13 Grad-CAM when the fine map is switched off', async () => {
    const toggle = page.locator('[data-testid="fine-map-toggle"]');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect((await hookCam(page)).width).toBe(56);
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await page.waitForFunction(() => window.__crackcam?.cam()?.width === 13, undefined, {
      timeout: 60_000,
      polling: 100,
    });
    expect((await hookCam(page)).height).toBe(13);
    await toggle.click();
    await page.waitForFunction(() => window.__crackcam?.cam()?.width === 56, undefined, {
      timeout: 60_000,
      polling: 100,
    });
  });

  it('captures: a capture event carries the 227x227 crop the model sees and the full frame', async () => {
    const detail = await page.evaluate(async () => {
      const got = new Promise<{
        crop: ImageData;
        frame: ImageData;
        cropBox: { x: number; y: number; size: number };
        label?: string;
      }>((resolve) =>
        document.addEventListener('capture', (e) => resolve({ ...e.detail, label: e.detail.verdict?.label }), {
          once: true,
        }),
      );
      const view = document.querySelector('crackcam-app')?.shadowRoot?.querySelector('crackcam-live-view')?.shadowRoot;
      (view?.querySelector('[data-testid="capture"]') as HTMLButtonElement).click();
      const d = await got;
      return {
        crop: { width: d.crop.width, height: d.crop.height, data: Array.from(d.crop.data) },
        frame: { width: d.frame.width, height: d.frame.height },
        cropBox: d.cropBox,
        label: d.label,
      };
    });
    expect([detail.crop.width, detail.crop.height]).toEqual([227, 227]);
    expect([detail.frame.width, detail.frame.height]).toEqual([FRAME.width, FRAME.height]);
    expect(detail.cropBox).toEqual({ x: 80, y: 0, size: 480 });
    expect(detail.label).toBe('crack');
    // The crop is one of the photos (which one depends on timing), through YUV 4:2:0 and two resizes.
    const diffs = await Promise.all(photos.map(async (p) => meanAbsDiffRgb(detail.crop.data, await expectedCrop(p))));
    const grey = meanAbsDiffRgb(detail.crop.data, Buffer.alloc(227 * 227 * 3, 128));
    expect(
      Math.min(...diffs),
      `diffs ${diffs.map((d) => d.toFixed(1)).join(', ')}; vs grey ${grey.toFixed(1)}`,
    ).toBeLessThan(12);
    expect(Math.min(...diffs)).toBeLessThan(grey / 2);
  });

  it('leaves no tensor or memory growth over 250 frames', async () => {
    // Warm up first, so buffers that are made once (staging, painter, compiled code) are in both figures.
    const start = await waitForFrames(page, (await hookState(page)).frames + 50);
    const m0 = await hookMemory(page);
    const end = await waitForFrames(page, start + 250, 240_000);
    const m1 = await hookMemory(page);
    expect(end - start).toBeGreaterThanOrEqual(250);
    expect(m1.numTensors).toBe(m0.numTensors);
    expect(m1.numBytes).toBe(m0.numBytes);
    expect(m1.wasmHeapBytes).toBe(m0.wasmHeapBytes);
    expect(m0.jsHeapBytes).toBeGreaterThan(0);
    const growth = (m1.jsHeapBytes ?? 0) - (m0.jsHeapBytes ?? 0);
    console.info(
      `250 frames: ${end - start} frames; tensors ${m0.numTensors} -> ${m1.numTensors}, tensor bytes ${m0.numBytes} -> ${m1.numBytes}, WASM heap ${m0.wasmHeapBytes} -> ${m1.wasmHeapBytes}, JS heap ${m0.jsHeapBytes} -> ${m1.jsHeapBytes}`,
    );
    // A leak of even 8 KB per frame would show as 2 MB here (tensors and the WASM heap must not grow at all).
    expect(growth, `JS heap ${m0.jsHeapBytes} -> ${m1.jsHeapBytes}`).toBeLessThan(2_000_000);
    expect(errors).toEqual([]);
  });
});

describe('no-crack photos through the fake camera', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium({ fakeVideo: await video('nocrack', unseenPhotos('nocrack', PHOTOS_PER_VIDEO)) });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('says nocrack on every sampled frame', async () => {
    const { page, context } = await openApp(browser, server.url);
    await waitForFrames(page, 3);
    const labels = (await sampleVerdicts(page, 40)).map((v) => v.label);
    expect(labels.filter((l) => l === 'nocrack').length, `labels: ${labels.join(' ')}`).toBe(labels.length);
    await expect.poll(() => shadowText(page, 'verdict')).toContain('No crack');
    await context.close();
  });

  it('speaks Japanese for a Japanese browser, and switches to English', async () => {
    const { page, context } = await openApp(browser, server.url, { locale: 'ja-JP' });
    await waitForFrames(page, 2);
    await expect.poll(() => page.locator('[data-testid="capture"]').textContent()).toContain('撮影');
    await expect.poll(() => shadowText(page, 'verdict')).toContain('ひび割れなし');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
    await page.locator('[data-testid="language"]').selectOption('en');
    await expect.poll(() => page.locator('[data-testid="capture"]').textContent()).toContain('Capture');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    // The choice is remembered over the browser language.
    await page.reload();
    await expect.poll(() => page.locator('[data-testid="capture"]').textContent()).toContain('Capture');
    await context.close();
  });

  it('picks a non-emulated backend by itself and names valid values for a bad override', async () => {
    const { page, context } = await openApp(browser, server.url, { backend: null });
    await waitForFrames(page, 1);
    const badge = page.locator('[data-testid="backend"]');
    // Headless Chromium here has only SwiftShader for WebGL/WebGPU: the selector must pass it over.
    expect(await badge.getAttribute('data-software')).toBe('false');
    expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(await badge.getAttribute('data-backend'));
    const bad = await openApp(browser, server.url, { backend: 'cuda' });
    await expect
      .poll(() => bad.page.locator('[data-testid="app-error"]').textContent())
      .toContain('valid: webgpu, webgl, wasm, cpu');
    await Promise.all([context.close(), bad.context.close()]);
  });

  it('runs frames in the inference worker, on the main thread with ?inference=main (and captures there), and names valid places', async () => {
    const { page, context } = await openApp(browser, server.url);
    const place = page.locator('[data-testid="inference"]');
    await waitForFrames(page, 2);
    expect(await place.getAttribute('data-inference')).toBe('worker');
    const url = new URL(page.url());
    url.searchParams.set('inference', 'main');
    await page.goto(url.href);
    await waitForFrames(page, 2);
    expect(await place.getAttribute('data-inference')).toBe('main');
    expect(await page.locator('[data-testid="verdict"]').getAttribute('data-label')).toBe('nocrack');
    expect((await hookMemory(page)).numTensors).toBeGreaterThan(0); // the page's TF.js holds the model here
    // One-tap capture on the main-thread path: stored, with the page's verdict.
    await page.locator('[data-testid="capture-as"][data-label="nocrack"]').click();
    await page
      .locator('[data-testid="capture-count"][data-label="nocrack"]')
      .filter({ hasText: '1' })
      .waitFor({ timeout: 20_000 });
    url.searchParams.set('inference', 'gpu');
    await page.goto(url.href);
    await expect.poll(() => shadowText(page, 'verdict'), { timeout: 60_000 }).toContain('valid: worker, main');
    await context.close();
  });

  it("holds no model on the page while the worker runs the frames, and loads the page's copy for the Models screen", async () => {
    const { page, context } = await openApp(browser, server.url);
    await waitForFrames(page, 3);
    expect(await page.locator('[data-testid="inference"]').getAttribute('data-inference')).toBe('worker');
    expect(await page.locator('[data-testid="mode"]').getAttribute('data-mode')).toBe('classifier');
    const app = page.locator('crackcam-app');
    expect(await app.getAttribute('data-model-id')).toBe('builtin');
    expect(await app.getAttribute('data-model-name')).toBe('crackcam-default'); // as the worker reported it
    expect((await hookPageMemory(page)).numTensors).toBe(0); // neither the base nor the model on the page
    await page.getByTestId('tab-models').click();
    await expect.poll(async () => (await hookPageMemory(page)).numTensors, { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByTestId('tab-live').click();
    const frames = (await hookState(page)).frames;
    await waitForFrames(page, frames + 3); // the worker keeps running the frames
    await context.close();
  });

  it('runs on WebGL (SwiftShader) when forced', async () => {
    const { page, context } = await openApp(browser, server.url, { backend: 'webgl' });
    await waitForFrames(page, 2, 120_000);
    const badge = page.locator('[data-testid="backend"]');
    expect(await badge.getAttribute('data-backend')).toBe('webgl');
    const v = await page.locator('[data-testid="verdict"]').getAttribute('data-label');
    expect(v).toBe('nocrack');
    await context.close();
  });
});

/** Mask pixels (non-zero) as the model's 227 crop, and their share of it. */
async function maskCrop(file: string): Promise<{ mask: tf.Tensor3D; area: number }> {
  const decoded = await decodeImageFile(file);
  const mask = tf.tidy(
    () => tf.greater(tf.max(centreCrop(decoded, 227, 1, 'nearest'), -1), 0).toFloat() as tf.Tensor3D,
  ); // [1, 227, 227]
  decoded.dispose();
  const area = (await tf.mean(mask).data())[0];
  return { mask, area };
}

describe('heatmap on photos with crack masks', () => {
  let classifier: CrackClassifier;

  beforeAll(async () => {
    await initNodeBackend('wasm');
    ({ classifier } = await loadCliClassifier(modelDir, undefined, 'the live-view test'));
  });

  afterAll(() => classifier?.dispose());

  /** Pointing-game hit, energy and dilated-mask area of a [h * w] map, as `npm run cam-eval` scores it. */
  async function score(
    cam: ArrayLike<number>,
    h: number,
    w: number,
    mask: tf.Tensor3D,
  ): Promise<{ hit: number; energy: number; area: number }> {
    const scores = tf.tidy(() => camMaskScores(tf.tensor3d(Array.from(cam), [1, h, w]), mask, 7));
    const [hit, energy, area] = await scores.data();
    scores.dispose();
    return { hit, energy, area };
  }

  /**
   * Per mask source, the first photo (sorted by name) whose crack covers 1-15% of the crop (thin
   * cracks, so a hotspot on the crack is not a matter of chance) and on which the model's own map,
   * computed by the core in Node on the camera frame the fake camera is fed (the photo scaled into
   * 640x480, centreCrop to 227 as the CLIs do), points at the crack. The app must show the same
   * through camera, YUV, crop and resize.
   */
  async function pickMaskedPhotos() {
    const images = path.join(DATA_DIR, 'masks/images');
    const masks = path.join(DATA_DIR, 'masks/masks');
    const picked: { image: string; mask: string; reference: Float32Array }[] = [];
    for (const source of ['dimitrisdais', 'fredyGabriel']) {
      for (const f of readdirSync(images)
        .filter((x) => x.startsWith(source))
        .sort()) {
        const maskFile = path.join(masks, `${path.parse(f).name}.png`);
        if (!existsSync(maskFile)) continue;
        const { mask, area } = await maskCrop(maskFile);
        if (area >= 0.01 && area <= 0.15) {
          const rgb = await photoFrame(path.join(images, f), FRAME.width, FRAME.height);
          const img = tf.tensor3d(new Int32Array(rgb), [FRAME.height, FRAME.width, 3], 'int32');
          const ref = await classifier.classify(img, { camClass: 'crack' });
          img.dispose();
          // The map the live view paints: the fine map when the model has a fine head.
          const map = ref.fineCam ?? ref.cam;
          const { hit } = await score(map, ref.fineHeight ?? ref.camHeight, ref.fineWidth ?? ref.camWidth, mask);
          if (hit === 1) picked.push({ image: path.join(images, f), mask: maskFile, reference: map });
        }
        mask.dispose();
        if (picked.length && picked.at(-1)?.image.includes(source)) break;
      }
    }
    return picked;
  }

  it('puts the hottest point on the crack, where the model computes it', async () => {
    const picked = await pickMaskedPhotos();
    expect(picked.length).toBe(2);
    for (const p of picked) {
      const browser = await launchChromium({ fakeVideo: await video(path.parse(p.image).name, [p.image], 2) });
      try {
        const { page } = await openApp(browser, server.url);
        await waitForFrames(page, 3);
        const cam = await hookCam(page);
        const { mask } = await maskCrop(p.mask);
        const s = await score(cam.raw, cam.height, cam.width, mask);
        mask.dispose();
        const name = path.basename(p.image);
        expect(s.hit, `${name}: energy in mask ${s.energy.toFixed(2)}, dilated mask area ${s.area.toFixed(2)}`).toBe(1);
        // Same place as the reference: a crack gives a ridge of near-equal cells, so the exact argmax
        // could move along it with the camera's YUV rounding; the app's hottest cell must be a hot
        // cell of the reference (at least 0.9 of its peak; maps are rescaled to [0, 1]; measured 1.0).
        const a = argMax(cam.raw).index;
        const cell = (i: number) => [Math.floor(i / cam.width), i % cam.width];
        expect(
          p.reference[a],
          `${name}: app's hottest cell (${cell(a).join(', ')}) is at ${p.reference[a].toFixed(2)} of the reference peak`,
        ).toBeGreaterThanOrEqual(0.9);
        const r = pearson(cam.raw, p.reference);
        console.info(
          `${name}: hit, energy in mask ${s.energy.toFixed(2)} (dilated mask ${s.area.toFixed(2)} of the crop), correlation with the Node map ${r.toFixed(3)}`,
        );
        // Not 1: YUV 4:2:0 rounding of the camera frame (the app stages the crop with centreCrop's own
        // filter, cropResizeRgba; measured 0.999). A flipped, shifted or wrong-class map correlates far lower.
        expect(r).toBeGreaterThan(0.95);
      } finally {
        await browser.close();
      }
    }
  });
});

function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('camera handling (two fake pattern cameras)', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium({
      fakeDevice: false,
      extraArgs: ['--use-fake-device-for-media-stream=device-count=2'],
    });
    ({ page } = await openApp(browser, server.url));
    await waitForFrames(page, 2);
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** State of the video element's camera track. */
  const track = () =>
    page.evaluate(() => {
      const video = document
        .querySelector('crackcam-app')
        ?.shadowRoot?.querySelector('crackcam-live-view')
        ?.shadowRoot?.querySelector('video');
      const t = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      return { state: t?.readyState, deviceId: t?.getSettings().deviceId };
    });

  it('offers a camera picker and switches cameras', async () => {
    const select = page.locator('[data-testid="camera-select"]');
    await select.waitFor();
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toHaveLength(2);
    const before = await track();
    const other = options.find((id) => id !== before.deviceId);
    expect(other).toBeDefined();
    await select.selectOption(other as string);
    await expect.poll(async () => (await track()).deviceId).toBe(other);
    const frames = (await hookState(page)).frames;
    await waitForFrames(page, frames + 2);
    expect((await track()).state).toBe('live');
  });

  it('hides torch and zoom where the camera does not support them', async () => {
    // Chromium's fake cameras report neither torch nor zoom capabilities.
    expect(await page.locator('[data-testid="torch"]').count()).toBe(0);
    expect(await page.locator('[data-testid="zoom"]').count()).toBe(0);
  });

  it('pauses on a frozen frame and resumes', async () => {
    const freeze = page.locator('[data-testid="freeze"]');
    await freeze.click();
    expect(await freeze.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => shadowText(page, 'verdict')).toContain('Frozen');
    const frozenAt = (await hookState(page)).frames;
    await page.waitForTimeout(1000);
    expect((await hookState(page)).frames).toBe(frozenAt);
    expect(await page.locator('[data-testid="verdict"]').getAttribute('data-label')).not.toBeNull();
    await freeze.click();
    expect(await freeze.getAttribute('aria-pressed')).toBe('false');
    await waitForFrames(page, 2);
  });

  it('releases the camera while the page is hidden and resumes when it is shown', async () => {
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await expect.poll(async () => (await track()).state).toBe('ended');
    const frozenAt = (await hookState(page)).frames;
    await page.waitForTimeout(1000);
    expect((await hookState(page)).frames).toBe(frozenAt);
    await setVisibility('visible');
    await expect.poll(async () => (await track()).state).toBe('live');
    await waitForFrames(page, 2);
  });
});

describe('dev server (npm start)', () => {
  it('serves the app with the default model', async () => {
    const dev = await startDevServer();
    const browser = await launchChromium({ fakeVideo: await video('dev', unseenPhotos('crack', 1), 2) });
    try {
      const { page } = await openApp(browser, dev.url);
      await waitForFrames(page, 2);
      expect(await page.locator('[data-testid="verdict"]').getAttribute('data-label')).toBe('crack');
    } finally {
      await browser.close();
      await dev.close();
    }
  });
});

describe('camera denied', () => {
  it('shows what to do, and the model still loads', async () => {
    const browser = await launchChromium({ autoAcceptCamera: false });
    try {
      const { page } = await openApp(browser, server.url, { grantCamera: false });
      const message = page.locator('[data-testid="camera-message"]');
      await message.waitFor({ timeout: 60_000 });
      expect(await message.getAttribute('data-kind')).toBe('denied');
      const text = await message.textContent();
      expect(text).toContain('Camera access is blocked');
      expect(text).toContain('Try again');
      expect(text).toContain('keep working without the camera');
      // The rest of the app is alive: the backend runs and the model loads.
      await expect
        .poll(() => page.locator('[data-testid="backend"]').getAttribute('data-backend'), { timeout: 60_000 })
        .toBe('wasm');
      await expect.poll(() => shadowText(page, 'verdict'), { timeout: 60_000 }).toContain('Camera off');
    } finally {
      await browser.close();
    }
  });
});
