/**
 * `npm run bench -- [--backend wasm,webgl,webgpu] [--frames N] [--json]`
 *
 * Builds the app (production build, plus the bench.html page), serves it, and drives headless
 * Chromium with a fake camera (photos from ../shared/data) through playwright-core. For each
 * backend, in one page and taking turns in rounds of --block frames, it measures
 *   rawForward  the bare network (base + Layers head, all its outputs) on a 227x227 tensor, result downloaded;
 *               for a model with a fine head also rawClassifierForward, the classifier path alone;
 *   pipeline    the app's frame path: video frame -> crop -> probabilities + Grad-CAM -> heatmap painted
 *               (on WASM also with the canvas staging the VideoFrame copy replaced: pipelineCanvas);
 *   reference   a pipeline as public examples write it (src/bench/reference.ts), same model and frames;
 * plus tensors / bytes before and after, feature-extraction and head-training throughput. Once per run:
 * time to first verdict of the real app (cold: fresh profile; warm: reload with the service worker's
 * cache), the gzipped JS of the app and the model bytes. With WASM among the backends, the live view's
 * main-thread load with frames in the inference worker and on the main thread, side by side in
 * alternating rounds (scripts/bench-live-view.ts; --live-seconds per round, 0 skips). `--json` prints one
 * final JSON line.
 *
 * Other options: --map fine|gradcam (the map the frame path computes; default fine), --warmup N (5), --block N (20), --train-images N (24; 0 skips), --gpu-frames N (5: frames,
 * warm-up and training images for webgl/webgpu, which are emulated on the CPU here at seconds per frame),
 * --dist DIR (reuse a build made by a previous run with --keep), --keep, --flag NAME=VALUE (TF.js flag, repeatable),
 * --rounds N (2: live-view rounds per place; the warm first verdict is the median of N + 1 reloads).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import type { BackendBenchResult, BenchRunOptions } from '../src/bench/types';
import { bundleSizes } from './bundle-sizes';
import { measureLiveView, type LiveViewLoad } from './bench-live-view';
import { DATA_DIR, launchChromium, ROOT, seenFiles, startStaticServer, testModelDir } from '../test/e2e/harness';
import { writeY4m } from '../test/e2e/y4m';

const BACKENDS = ['wasm', 'webgl', 'webgpu'] as const;
const WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
];

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: BACKENDS.join(',') },
    frames: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '5' },
    block: { type: 'string', default: '20' },
    'train-images': { type: 'string', default: '24' },
    map: { type: 'string', default: 'fine' },
    'gpu-frames': { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    dist: { type: 'string' },
    keep: { type: 'boolean', default: false },
    flag: { type: 'string', multiple: true, default: [] },
    'build-only': { type: 'string' },
    'live-seconds': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
  },
});

if (values['build-only']) {
  await buildInProcess(path.resolve(values['build-only']));
  process.exit(0);
}
const log = (...a: unknown[]) => (values.json ? console.error : console.log)(...a);
const int = (name: string, v: string, min: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${v}`);
  return n;
};
const backends = values.backend
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
for (const b of backends)
  if (!(BACKENDS as readonly string[]).includes(b))
    throw new Error(`unknown backend '${b}'; valid: ${BACKENDS.join(', ')}`);
const flags: Record<string, number | boolean> = {};
for (const f of values.flag) {
  const [k, v] = f.split('=');
  flags[k] = v === 'true' ? true : v === 'false' ? false : Number(v);
}
const runOptions: BenchRunOptions = {
  frames: int('frames', values.frames, 1),
  warmup: int('warmup', values.warmup, 0),
  block: int('block', values.block, 1),
  trainImages: int('train-images', values['train-images'], 0),
  flags,
  map: values.map === 'gradcam' ? 'gradcam' : 'fine',
};
if (values.map !== 'fine' && values.map !== 'gradcam')
  throw new Error(`--map '${values.map}' is invalid; valid: fine, gradcam`);
const gpuFrames = int('gpu-frames', values['gpu-frames'], 1);
const liveSeconds = int('live-seconds', values['live-seconds'], 0);
/** Rounds of the live view per place (alternating), and warm loads (one more than rounds: the median's). */
const roundsPerPlace = int('rounds', values.rounds, 1);
/** Options for one backend: GPU backends run fewer frames (SwiftShader here takes seconds per frame). */
function optionsFor(backend: string): BenchRunOptions {
  if (backend === 'wasm') return runOptions;
  const frames = Math.min(runOptions.frames, gpuFrames);
  return {
    ...runOptions,
    frames,
    warmup: Math.min(runOptions.warmup, 2),
    block: Math.min(runOptions.block, frames),
    trainImages: 0,
  };
}
if (runOptions.trainImages > 0 && runOptions.trainImages < 4) throw new Error('--train-images must be 0 or >= 4');

const scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-bench-'));
const dist = values.dist ? path.resolve(values.dist) : path.join(scratch, 'dist');

/**
 * Production build of the app with bench.html as a second page, and a manifest of the chunk graph,
 * with the window.__crackcam test hook the runs read (CRACKCAM_TEST_HOOKS=1). Runs in a child process whose stdout goes to our stderr: the service worker's build writes to the
 * process's stdout directly, and with --json stdout carries only the JSON line.
 */
async function buildWithBench(outDir: string): Promise<void> {
  const t = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--build-only', outDir],
      { cwd: ROOT, stdio: ['ignore', 2, 2], env: { ...process.env, CRACKCAM_TEST_HOOKS: '1' } },
    );
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bench build exited with ${code}`))));
  });
  log(`built ${outDir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function buildInProcess(outDir: string): Promise<void> {
  await build({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      manifest: true,
      rollupOptions: { input: { index: path.join(ROOT, 'index.html'), bench: path.join(ROOT, 'bench.html') } },
    },
  });
}

/** Bytes of a model folder (model.json + weight files). */
function folderBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => (f.endsWith('.json') ? f === 'model.json' : !f.startsWith('.')))
    .reduce((s, f) => s + statSync(path.join(dir, f)).size, 0);
}

/** Photos the model under test never saw: two per class, shown 15 frames each at 30 fps. */
async function fakeCamera(): Promise<string> {
  const seen = seenFiles(testModelDir());
  const photos: string[] = [];
  for (const label of ['crack', 'nocrack']) {
    const dir = path.join(DATA_DIR, 'concrete', label);
    const files = readdirSync(dir)
      .filter((f) => /\.jpe?g$/i.test(f) && !seen.has(`${label}/${f}`))
      .sort()
      .slice(0, 2);
    photos.push(...files.map((f) => path.join(dir, f)));
  }
  const file = path.join(scratch, 'bench.y4m');
  await writeY4m([photos[0], photos[2], photos[1], photos[3]], file, {
    width: 640,
    height: 480,
    fps: 30,
    framesPerImage: 15,
  });
  return file;
}

/** Time from navigation to the app's first verdict: cold (fresh profile), then warm (reloads, service worker cache). */
async function firstVerdict(browser: Browser, url: string): Promise<{ cold: number; warm: number; backend: string }> {
  const context = await browser.newContext({
    permissions: ['camera'],
    serviceWorkers: 'allow',
    viewport: { width: 800, height: 900 },
  });
  await context.addInitScript(() => {
    const w = window as unknown as { __firstVerdictMs?: number; __crackcam?: { frames: number } };
    const poll = setInterval(() => {
      if ((w.__crackcam?.frames ?? 0) >= 1) {
        w.__firstVerdictMs = performance.now();
        clearInterval(poll);
      }
    }, 2);
  });
  const page = await context.newPage();
  const measure = async () => {
    await page.waitForFunction(
      () => (window as unknown as { __firstVerdictMs?: number }).__firstVerdictMs !== undefined,
      null,
      { timeout: 180_000, polling: 50 },
    );
    return page.evaluate(() => (window as unknown as { __firstVerdictMs: number }).__firstVerdictMs);
  };
  await page.goto(url);
  const cold = await measure();
  const backend = await page.evaluate(() => window.__crackcam?.backend ?? '?');
  // Wait until the service worker has installed (precache complete) and is active.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  const warms: number[] = [];
  for (let i = 0; i <= roundsPerPlace; i++) {
    await page.reload();
    warms.push(await measure());
  }
  const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
  if (!controlled) log('warning: warm loads were not served by the service worker');
  await context.close();
  warms.sort((a, b) => a - b);
  return { cold, warm: warms[Math.floor(warms.length / 2)], backend };
}

async function benchBackend(browser: Browser, url: string, backend: string): Promise<BackendBenchResult> {
  const context = await browser.newContext({ permissions: ['camera'], serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('GL Driver Message'))
      log(`  [${backend} console] ${m.text()}`);
  });
  try {
    await page.goto(`${url}bench.html?backend=${backend}`);
    await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 60_000 });
    return await page.evaluate((o) => window.__bench!.run(o), optionsFor(backend));
  } catch (e) {
    throw new Error(`${backend}: ${(e as Error).message}${errors.length ? `\n${errors.join('\n')}` : ''}`, {
      cause: e,
    });
  } finally {
    await context.close();
  }
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Medians over rounds of one place's figures. */
function medianLoad(rounds: readonly LiveViewLoad[]): LiveViewLoad {
  const med = (f: (r: LiveViewLoad) => number) => {
    const v = rounds.map(f).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  return {
    inference: rounds[0].inference,
    mainThreadBusyShare: Math.round(med((r) => r.mainThreadBusyShare) * 1000) / 1000,
    longestMainTaskMs: r1(med((r) => r.longestMainTaskMs)),
    frameToPaintMs: { median: r1(med((r) => r.frameToPaintMs.median)), p95: r1(med((r) => r.frameToPaintMs.p95)) },
    fps: r1(med((r) => r.fps)),
    frames: rounds.reduce((s, r) => s + r.frames, 0),
  };
}

/** The live view with frames in the worker and on the main thread, alternating (`--rounds` each). */
async function liveViewLoads(browser: Browser, url: string): Promise<Record<'worker' | 'main', LiveViewLoad>> {
  const rounds: Record<'worker' | 'main', LiveViewLoad[]> = { worker: [], main: [] };
  const order = Array.from({ length: roundsPerPlace }, (_, i): ('worker' | 'main')[] =>
    i % 2 ? ['main', 'worker'] : ['worker', 'main'],
  ).flat();
  for (const place of order) {
    const r = await measureLiveView(browser, url, place, liveSeconds);
    log(
      `  ${place}: main thread busy ${(r.mainThreadBusyShare * 100).toFixed(1)} %, longest task ${r.longestMainTaskMs} ms, frame to paint ${r.frameToPaintMs.median} ms (p95 ${r.frameToPaintMs.p95}), ${r.fps} fps`,
    );
    rounds[place].push(r);
  }
  return { worker: medianLoad(rounds.worker), main: medianLoad(rounds.main) };
}

if (!values.dist) await buildWithBench(dist);
else if (!existsSync(path.join(dist, 'bench.html')))
  throw new Error(`${dist} has no bench.html; build with npm run bench -- --keep first`);
const sizes = bundleSizes(dist);
const headBytes = folderBytes(path.join(dist, 'models/crackcam-default'));
const baseBytes = folderBytes(path.join(dist, 'models/base'));
const video = await fakeCamera();
const server = await startStaticServer(dist, '/');
const browser = await launchChromium({ fakeVideo: video, extraArgs: backends.includes('webgpu') ? WEBGPU_ARGS : [] });
const chromiumVersion = browser.version();
const results: Record<string, BackendBenchResult | { error: string }> = {};
let startup: Awaited<ReturnType<typeof firstVerdict>> | undefined;
let liveView: Record<'worker' | 'main', LiveViewLoad> | { error: string } | undefined;
try {
  log(`first verdict of the app (${server.url}) ...`);
  startup = await firstVerdict(browser, server.url);
  log(`  cold ${r1(startup.cold)} ms, warm ${r1(startup.warm)} ms (backend ${startup.backend})`);
  if (backends.includes('wasm') && liveSeconds > 0) {
    log(`live view on WASM, frames in the worker and on the main thread, ${liveSeconds} s rounds ...`);
    try {
      liveView = await liveViewLoads(browser, server.url);
    } catch (e) {
      liveView = { error: (e as Error).message };
      log(`  live view failed: ${(e as Error).message}`);
    }
  }
  for (const b of backends) {
    log(`${b}: ${optionsFor(b).frames} frames per path ...`);
    const t = performance.now();
    try {
      const r = await benchBackend(browser, server.url, b);
      results[b] = r;
      log(
        `  ${r.backend} (${r.device}${r.software ? ', software' : ''}) raw ${r1(r.rawForward.medianMs)} ms, pipeline ${r1(r.pipeline.medianMs)} ms (p95 ${r1(r.pipeline.p95Ms)}), reference ${r1(r.reference.medianMs)} ms [${r.referenceHead} head], tensors ${r.memory.tensorsBefore}->${r.memory.tensorsAfter}, ${((performance.now() - t) / 1000).toFixed(0)} s`,
      );
    } catch (e) {
      results[b] = { error: (e as Error).message };
      log(`  ${b} failed: ${(e as Error).message}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
  if (!values.keep && !values.dist) rmSync(scratch, { recursive: true, force: true });
  else log(`build kept in ${dist} (reuse with --dist ${dist})`);
}

const out = {
  backends: Object.fromEntries(
    Object.entries(results).map(([b, r]) => [
      b,
      'error' in r
        ? r
        : {
            rawForwardMs: r1(r.rawForward.medianMs),
            pipelineMs: r1(r.pipeline.medianMs),
            pipelineP95Ms: r1(r.pipeline.p95Ms),
            referenceMs: r1(r.reference.medianMs),
            tensorGrowth: r.memory.tensorsAfter - r.memory.tensorsBefore,
            bytesGrowth: r.memory.bytesAfter - r.memory.bytesBefore,
            pipelineOverRaw: Math.round((r.pipeline.medianMs / r.rawForward.medianMs) * 100) / 100,
            rawClassifierMs: r.rawClassifierForward ? r1(r.rawClassifierForward.medianMs) : undefined,
            pipelineOverRawClassifier: r.rawClassifierForward
              ? Math.round((r.pipeline.medianMs / r.rawClassifierForward.medianMs) * 100) / 100
              : undefined,
            referenceOverPipeline: Math.round((r.reference.medianMs / r.pipeline.medianMs) * 100) / 100,
            pipelineCanvasMs: r.pipelineCanvas ? r1(r.pipelineCanvas.medianMs) : undefined,
            pipelineCanvasOverRaw: r.pipelineCanvas
              ? Math.round((r.pipelineCanvas.medianMs / r.rawForward.medianMs) * 100) / 100
              : undefined,
            rawForwardP95Ms: r1(r.rawForward.p95Ms),
            referenceP95Ms: r1(r.reference.p95Ms),
            frames: r.pipeline.samples,
            firstFrameMs: r1(r.firstFrameMs),
            loadMs: r1(r.loadMs),
            stageMs: r.stageMs,
            staging: r.staging,
            tensors: [r.memory.tensorsBefore, r.memory.tensorsAfter],
            bytes: [r.memory.bytesBefore, r.memory.bytesAfter],
            wasmHeapBytes:
              r.memory.wasmHeapBefore === undefined ? undefined : [r.memory.wasmHeapBefore, r.memory.wasmHeapAfter],
            featureImagesPerSec: r.featureImagesPerSec === undefined ? undefined : r1(r.featureImagesPerSec),
            headTrainSamplesPerSec:
              r.headTrainSamplesPerSec === undefined ? undefined : Math.round(r.headTrainSamplesPerSec),
            referenceHead: r.referenceHead,
            device: r.device,
            software: r.software,
            flags: r.flags,
          },
    ]),
  ),
  liveView:
    liveView && !('error' in liveView)
      ? {
          ...liveView,
          busyShareWorkerOverMain:
            Math.round((liveView.worker.mainThreadBusyShare / liveView.main.mainThreadBusyShare) * 100) / 100,
          frameToPaintWorkerOverMain:
            Math.round((liveView.worker.frameToPaintMs.median / liveView.main.frameToPaintMs.median) * 100) / 100,
        }
      : liveView,
  firstVerdictMs: startup
    ? { cold: Math.round(startup.cold), warm: Math.round(startup.warm), backend: startup.backend }
    : undefined,
  bundleGzipBytes: sizes.totalGzip,
  bundleInitialGzipBytes: sizes.initialGzip,
  bundleRawBytes: sizes.totalRaw,
  wasmBytes: sizes.wasmBytes,
  modelBytes: headBytes + baseBytes,
  headModelBytes: headBytes,
  baseModelBytes: baseBytes,
  map: runOptions.map,
  cpus: os.cpus().length,
  loadAverage: os.loadavg().map(r1),
  chromium: chromiumVersion,
};
if (values.json) console.log(JSON.stringify(out));
else console.log(JSON.stringify(out, null, 2));
if (Object.values(results).some((r) => 'error' in r) || (liveView && 'error' in liveView)) process.exitCode = 1;
