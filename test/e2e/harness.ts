/**
 * End-to-end harness: serves the app (vite dev server or a static server over dist/), launches
 * Debian's headless Chromium (optionally with a fake camera playing a y4m file) through
 * playwright-core, and opens the app. Reusable by other browser tests (offline / production build).
 */
import { spawn } from 'node:child_process';
import { cpSync, createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import type { CrackcamHook, HookCam, HookMemory } from '../../src/platform/test-hook';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Chromium binary: $CRACKCAM_CHROMIUM, else $CHROMIUM, else Debian's. */
export const CHROMIUM = process.env.CRACKCAM_CHROMIUM ?? process.env.CHROMIUM ?? '/usr/bin/chromium';
/** The shared data folder: $CRACKCAM_DATA, else ../shared/data. */
export const DATA_DIR = process.env.CRACKCAM_DATA ?? path.resolve(ROOT, '../shared/data');
/** The committed default model. */
export const DEFAULT_MODEL_DIR = path.join(ROOT, 'public/models/crackcam-default');

/** The head model the tests serve as the app's default model: $CRACKCAM_TEST_MODEL, else the committed one. */
export function testModelDir(): string {
  const dir = process.env.CRACKCAM_TEST_MODEL
    ? path.resolve(process.env.CRACKCAM_TEST_MODEL.replace(/model\.json$/, ''))
    : DEFAULT_MODEL_DIR;
  if (!existsSync(path.join(dir, 'model.json'))) {
    throw new Error(
      `no model at ${dir}/model.json; train the default model or set CRACKCAM_TEST_MODEL to a model folder`,
    );
  }
  return dir;
}

/** "label/file" names the model was trained or validated on (its seen.json), so tests can avoid them. */
export function seenFiles(modelDir: string): Set<string> {
  const file = path.join(modelDir, 'seen.json');
  if (!existsSync(file)) return new Set();
  const seen = JSON.parse(readFileSync(file, 'utf8')) as { files?: string[] };
  return new Set(seen.files ?? []);
}

/** A running HTTP server with the app. */
export interface AppServer {
  /** Base URL ending in `/`. */
  url: string;
  close(): Promise<void>;
}

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /**
   * Serve this folder as the default model (`models/crackcam-default/`) instead of the committed
   * one, e.g. a freshly trained model. Default: $CRACKCAM_TEST_MODEL, else the committed model.
   */
  headModelDir?: string;
}

/**
 * Runs `vite build` (as `npm run build`) into `outDir` with NODE_ENV=production, `env` added to the
 * environment and `extraArgs` to the command line. Resolves with the build output; rejects with it
 * on failure, also when vite exits 0 without writing `index.html`. The build installs the
 * window.__crackcam test hook (CRACKCAM_TEST_HOOKS=1) unless `env` sets CRACKCAM_TEST_HOOKS otherwise.
 */
export function viteBuild(
  outDir: string,
  env: Record<string, string> = {},
  extraArgs: readonly string[] = [],
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--outDir',
        outDir,
        '--emptyOutDir',
        '--logLevel',
        'warn',
        ...extraArgs,
      ],
      {
        cwd: ROOT,
        // A real production build: vitest sets NODE_ENV=test, which would leak into import.meta.env (and drop the service worker).
        env: {
          ...process.env,
          NODE_ENV: 'production',
          VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true',
          CRACKCAM_TEST_HOOKS: '1',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`vite build exited with ${code}:\n${out}`));
      else if (!existsSync(path.join(outDir, 'index.html')))
        reject(new Error(`vite build wrote no index.html into ${outDir}:\n${out}`));
      else resolve(out);
    });
  });
}

/**
 * Runs the production build (`vite build`, as `npm run build`) into `outDir`. With `headModelDir`,
 * that model replaces the default model in the output (the committed public/ copy is untouched).
 */
export async function buildApp(outDir: string, headModelDir?: string): Promise<void> {
  await viteBuild(outDir);
  if (headModelDir) cpSync(headModelDir, path.join(outDir, 'models/crackcam-default'), { recursive: true });
}

/** Serves `dir` under `/${urlPath}/` (dev-server middleware). */
function serveFolder(urlPath: string, dir: string): Plugin {
  return {
    name: 'crackcam-e2e-serve-folder',
    configureServer(server) {
      server.middlewares.use(`/${urlPath}/`, (req, res, next) => {
        const name = decodeURIComponent((req.url ?? '').split('?')[0]).replace(/^\/+/, '');
        const file = path.join(dir, name);
        if (!name || name.includes('..') || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', contentType(file));
        createReadStream(file).pipe(res);
      });
    },
  };
}

/** Starts the vite dev server (the project's vite.config.ts) on a free local port. */
export async function startDevServer(options: DevServerOptions = {}): Promise<AppServer> {
  const headModelDir = options.headModelDir ?? (process.env.CRACKCAM_TEST_MODEL ? testModelDir() : undefined);
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    plugins: headModelDir ? [serveFolder('models/crackcam-default', path.resolve(headModelDir))] : [],
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo | null;
  if (!address) throw new Error('vite dev server did not start');
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Content-Type of a served file, by its extension. */
export function contentType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * A plain static file server over `dir` (default dist/), mounted at `prefix` (default `/`), like
 * any static host: no SPA fallback, no special headers. Use a non-root prefix to check that the
 * build works from a sub-path.
 */
export async function startStaticServer(dir = path.join(ROOT, 'dist'), prefix = '/'): Promise<AppServer> {
  const root = path.resolve(dir);
  if (!existsSync(path.join(root, 'index.html')))
    throw new Error(`${root}/index.html not found; run npm run build first`);
  const mount = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (!urlPath.startsWith(mount)) {
      res.writeHead(404).end('not found');
      return;
    }
    let file = path.join(root, urlPath.slice(mount.length));
    if (!file.startsWith(root)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': contentType(file), 'Content-Length': String(statSync(file).size) });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** Options of {@link launchChromium}. */
export interface LaunchOptions {
  /** A y4m file the fake camera plays (looped). Without it the fake camera shows a test pattern. */
  fakeVideo?: string;
  /**
   * Auto-accept the camera permission prompt (--use-fake-ui-for-media-stream). Default true; false
   * leaves the decision to the browser context's permissions (denied unless granted).
   */
  autoAcceptCamera?: boolean;
  /** Provide a fake camera device at all. Default true. */
  fakeDevice?: boolean;
  extraArgs?: string[];
}

let versionLogged = false;

/** The flags every Chromium the project drives runs with (tests and benchmarks). */
export const STANDARD_CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches headless Chromium with the project's standard flags; fails at once if it lacks something the tests need. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}; apt-get install chromium or set $CHROMIUM`);
  const args = [
    ...STANDARD_CHROMIUM_FLAGS,
    '--enable-precise-memory-info',
    '--js-flags=--expose-gc',
    // Keep timers and video frames running in the headless page.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
  ];
  if (options.fakeDevice ?? true) args.push('--use-fake-device-for-media-stream');
  if (options.autoAcceptCamera ?? true) args.push('--use-fake-ui-for-media-stream');
  if (options.fakeVideo) args.push(`--use-file-for-fake-video-capture=${options.fakeVideo}`);
  args.push(...(options.extraArgs ?? []));
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  if (!versionLogged) process.stderr.write(`browser tests: Chromium ${browser.version()} (${CHROMIUM})\n`);
  versionLogged = true;
  try {
    await requireBrowserCapabilities(browser, (options.fakeDevice ?? true) && (options.autoAcceptCamera ?? true));
  } catch (e) {
    await browser.close();
    throw e;
  }
  return browser;
}

/** Chromium versions the browser tests were run on (Debian bookworm's `chromium` package). */
export const TESTED_CHROMIUM = ['150.0.7871.100', '156.0.8078.114'];

/**
 * Fails at once, naming what is missing, when the browser lacks a platform feature the app or the
 * tests rely on (rather than letting a test time out waiting for a verdict). Checked in a secure-context
 * page (http://127.0.0.1, answered by Playwright, no server); `camera`: the fake camera must deliver a track.
 */
async function requireBrowserCapabilities(browser: Browser, camera: boolean): Promise<void> {
  const context = await browser.newContext({ permissions: camera ? ['camera'] : [] });
  try {
    const page = await context.newPage();
    const url = 'http://127.0.0.1/__crackcam-capabilities';
    await page.route(url, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>capabilities</title>' }),
    );
    await page.goto(url);
    const missing = await page.evaluate(async (camera) => {
      // a module using one SIMD instruction (v128.const; i8x16.popcnt), as tfjs-backend-wasm's SIMD build needs
      const simd = new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
      ]);
      const checks: Record<string, boolean> = {
        'secure context': isSecureContext,
        'service workers': 'serviceWorker' in navigator,
        'Cache Storage': typeof caches !== 'undefined',
        IndexedDB: typeof indexedDB !== 'undefined',
        'module workers': typeof Worker !== 'undefined',
        OffscreenCanvas: typeof OffscreenCanvas !== 'undefined',
        createImageBitmap: typeof createImageBitmap !== 'undefined',
        'WebAssembly SIMD': typeof WebAssembly !== 'undefined' && WebAssembly.validate(simd),
        getUserMedia: typeof navigator.mediaDevices?.getUserMedia === 'function',
      };
      if (camera && checks.getUserMedia) {
        try {
          const stream = await navigator.mediaDevices.getUserMedia({ video: true });
          checks['a fake camera track'] = stream.getVideoTracks().length > 0;
          stream.getTracks().forEach((t) => t.stop());
        } catch {
          checks['a fake camera track'] = false;
        }
      }
      return Object.entries(checks)
        .filter(([, ok]) => !ok)
        .map(([name]) => name);
    }, camera);
    if (missing.length > 0) {
      throw new Error(
        `Chromium ${browser.version()} at ${CHROMIUM} lacks what the browser tests need: ${missing.join(', ')} (tested with Chromium ${TESTED_CHROMIUM.join(' and ')})`,
      );
    }
  } finally {
    await context.close();
  }
}

/** Options of {@link openApp}. */
export interface OpenOptions {
  /** `?backend=` (default `wasm`, the fast backend on a CPU-only machine); null: automatic choice. */
  backend?: string | null;
  /** `?lang=` */
  lang?: string;
  /** Grant the camera permission in the context (default true). */
  grantCamera?: boolean;
  viewport?: { width: number; height: number };
  /** Browser languages of the context (default en-US). */
  locale?: string;
  /** Collect console errors and page errors here. */
  errors?: string[];
  /** Service workers: blocked by default so each test starts from the network, like a first visit. */
  serviceWorkers?: 'allow' | 'block';
  /** Runs on the new context before the app is opened (e.g. to hold back a request with `context.route`). */
  beforeOpen?: (context: BrowserContext) => Promise<unknown>;
}

/** Opens the app in a fresh context. */
export async function openApp(
  browser: Browser,
  baseUrl: string,
  options: OpenOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 800, height: 900 },
    locale: options.locale ?? 'en-US',
    permissions: options.grantCamera === false ? [] : ['camera'],
    serviceWorkers: options.serviceWorkers ?? 'block',
  });
  await options.beforeOpen?.(context);
  const page = await context.newPage();
  if (options.errors) {
    const errors = options.errors;
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  }
  const url = new URL(baseUrl);
  const backend = options.backend === undefined ? 'wasm' : options.backend;
  if (backend !== null) url.searchParams.set('backend', backend);
  if (options.lang) url.searchParams.set('lang', options.lang);
  await page.goto(url.href);
  return { context, page };
}

/** Waits until the live loop has processed at least `frames` frames; returns the hook's frame count. */
export async function waitForFrames(page: Page, frames: number, timeoutMs = 120_000): Promise<number> {
  await page.waitForFunction((n) => (window.__crackcam?.frames ?? 0) >= n, frames, {
    timeout: timeoutMs,
    polling: 100,
  });
  return page.evaluate(() => window.__crackcam?.frames ?? 0);
}

/** Snapshot of the hook's scalar state. */
export interface HookState {
  backend?: string;
  frames: number;
  verdict?: CrackcamHook['verdict'];
  fps?: number;
  latencyMs?: number;
}

export function hookState(page: Page): Promise<HookState> {
  return page.evaluate(() => {
    const h = window.__crackcam;
    return {
      backend: h?.backend,
      frames: h?.frames ?? 0,
      verdict: h?.verdict,
      fps: h?.stats?.fps,
      latencyMs: h?.stats?.latencyMs,
    };
  });
}

/**
 * Tensor and heap figures; first runs garbage collection twice, a task apart, when the page exposes
 * gc() (objects freed by the first pass's finalizers, e.g. closed VideoFrames, go in the second).
 */
export function hookMemory(page: Page): Promise<HookMemory & { jsHeapBytes?: number }> {
  return page.evaluate(async () => {
    const gc = (window as unknown as { gc?: () => void }).gc;
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
    gc?.();
    const m = await window.__crackcam?.memory();
    const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
    if (!m) throw new Error('window.__crackcam is not installed');
    return { ...m, jsHeapBytes: heap };
  });
}

/** The page's own TF.js memory (training and scoring in the page), wherever the live frames run. */
export function hookPageMemory(page: Page): Promise<HookMemory> {
  return page.evaluate(async () => {
    (window as unknown as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 50));
    const m = window.__crackcam?.pageMemory();
    if (!m) throw new Error('window.__crackcam is not installed');
    return m;
  });
}

/** The current heatmap (raw and as painted). */
export async function hookCam(page: Page): Promise<HookCam> {
  const cam = await page.evaluate(() => window.__crackcam?.cam());
  if (!cam) throw new Error('no heatmap yet');
  return cam;
}

/** Rendered text of an element including its shadow DOM (what a user sees; textContent skips the shadow root). */
export function shadowText(page: Page, testid: string): Promise<string> {
  return page
    .locator(`[data-testid="${testid}"]`)
    .evaluate((e) => ((e.shadowRoot ?? e) as ShadowRoot | Element).textContent?.replace(/\s+/g, ' ').trim() ?? '');
}

/** Reads the verdict element's test attributes. */
export async function readVerdict(page: Page): Promise<{ label: string | null; probability: number | null }> {
  const v = page.locator('[data-testid="verdict"]');
  const [label, p] = await Promise.all([v.getAttribute('data-label'), v.getAttribute('data-probability')]);
  return { label, probability: p === null ? null : Number(p) };
}

/**
 * Samples the verdict `count` times, once per processed frame (waits for the hook's frame counter
 * to advance between samples).
 */
export async function sampleVerdicts(
  page: Page,
  count: number,
  timeoutMs = 120_000,
): Promise<{ label: string; probability: number }[]> {
  return page.evaluate(
    ({ count, timeoutMs }) =>
      new Promise<{ label: string; probability: number }[]>((resolve, reject) => {
        const out: { label: string; probability: number }[] = [];
        const el = () => {
          const find = (root: Document | ShadowRoot): Element | null => {
            const hit = root.querySelector('[data-testid="verdict"]');
            if (hit) return hit;
            for (const e of root.querySelectorAll('*')) {
              if (e.shadowRoot) {
                const inner = find(e.shadowRoot);
                if (inner) return inner;
              }
            }
            return null;
          };
          return find(document);
        };
        let last = window.__crackcam?.frames ?? 0;
        const started = performance.now();
        const poll = () => {
          const frames = window.__crackcam?.frames ?? 0;
          if (frames !== last) {
            last = frames;
            const v = el();
            const label = v?.getAttribute('data-label');
            const p = v?.getAttribute('data-probability');
            if (label && p) out.push({ label, probability: Number(p) });
          }
          if (out.length >= count) return resolve(out);
          if (performance.now() - started > timeoutMs)
            return reject(new Error(`only ${out.length} of ${count} verdicts in ${timeoutMs} ms`));
          setTimeout(poll, 5);
        };
        poll();
      }),
    { count, timeoutMs },
  );
}

/**
 * A trainer switch (`train-rehearse`, `train-route`) once it can be set: it is disabled until the
 * page's model is there, whose defaults it then shows.
 */
export async function trainerSwitch(page: Page, testid: string): Promise<Locator> {
  const box = page.locator(`[data-testid="${testid}"]:not([disabled])`);
  await box.waitFor({ timeout: 120_000 });
  return box;
}

/**
 * Presses Save on the classifier trainer's result; when the app asks first (the new model is worse
 * on an old surface of the rehearsal pack by more than a point: tests that train on captures which
 * contradict it), confirms.
 */
export async function saveTrainedModel(page: Page): Promise<void> {
  await page.locator('[data-testid="save-model"]').click();
  const confirm = page.locator('[data-testid="activate-confirm"]');
  const asked = await confirm.waitFor({ state: 'visible', timeout: 3_000 }).then(
    () => true,
    () => false,
  );
  if (asked) await confirm.click();
}

/**
 * Fills the origin's storage with incompressible filler, in writes of at most 16 kB, until the browser
 * refuses even 1 kB, and still does half a second later; resolves with the bytes written.
 */
export function fillStorage(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const openFiller = () =>
      new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('bad-input-filler', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('filler');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    const randomBlob = (bytes: number) => {
      const data = new Uint8Array(bytes);
      for (let i = 0; i < bytes; i += 65_536) crypto.getRandomValues(data.subarray(i, Math.min(bytes, i + 65_536)));
      return new Blob([data]);
    };
    const put = (db: IDBDatabase, bytes: number, key: number) =>
      new Promise<boolean>((resolve, reject) => {
        const tx = db.transaction('filler', 'readwrite');
        tx.objectStore('filler').put(randomBlob(bytes), key);
        tx.oncomplete = () => resolve(true);
        tx.onabort = () => (tx.error?.name === 'QuotaExceededError' ? resolve(false) : reject(tx.error));
      });
    let written = 0;
    let key = 0;
    const fill = async () => {
      const db = await openFiller();
      let filled = 0;
      for (let size = 16_000; size >= 1_000;) {
        if (await put(db, size, key++)) filled += size;
        else size = Math.floor(size / 2);
      }
      db.close();
      return filled;
    };
    // Room comes back after a fill, seconds later (up to 656 kB seen, after writes of up to 1 MB had
    // been refused): the bytes of a refused write seem to stay counted until the browser tidies up.
    // So no write is larger than 16 kB, and the fill closes the database and looks again until two
    // rounds in a row (half a second apart) find no room.
    for (let empty = 0, round = 0; empty < 2 && round < 20; round++) {
      const filled = await fill();
      written += filled;
      empty = filled === 0 ? empty + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return written;
  });
}
