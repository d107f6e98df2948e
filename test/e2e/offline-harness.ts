/**
 * Helpers for the offline / update tests on the production build (Chromium and the fake camera come from
 * harness.ts and y4m.ts): build with a given build id, serve a folder over node:http (the served folder
 * can be switched, to deploy "build B" at the same URL, and the server stopped for real), read the
 * precache manifest out of a built sw.js, and inspect IndexedDB, Cache Storage and the service worker.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, contentType, DATA_DIR, DEFAULT_MODEL_DIR, launchChromium, seenFiles, viteBuild } from './harness';
import { writeY4m } from './y4m';

/**
 * Runs `vite build` (the same as `npm run build`) into `outDir` with $CRACKCAM_BUILD_ID = `buildId` and
 * NODE_ENV=production (`extraArgs` are added to the vite command line). Resolves with the build output;
 * rejects with it on failure.
 */
export function buildAppWithId(outDir: string, buildId: string, extraArgs: readonly string[] = []): Promise<string> {
  return viteBuild(outDir, { CRACKCAM_BUILD_ID: buildId }, extraArgs);
}

/**
 * Whether the browser part of an offline test can run: it needs Chromium and the shared crack photos
 * (the build itself must always work). When not, notes on stderr that `test` is skipped.
 */
export function browserTestsCanRun(test: string): boolean {
  const can = existsSync(CHROMIUM) && existsSync(path.join(DATA_DIR, 'concrete/crack'));
  if (!can) process.stderr.write(`NOTE: ${test} skipped: needs ${CHROMIUM} and ${DATA_DIR}/concrete/crack\n`);
  return can;
}

/** Headless Chromium whose fake camera shows {@link unseenCrackVideo} (written into `dir`). */
export async function launchOnUnseenCrack(dir: string): Promise<Browser> {
  const { file } = await unseenCrackVideo(path.join(dir, 'camera.y4m'));
  return launchChromium({ fakeVideo: file });
}

/** A static file server over one folder; {@link root} can be changed while it runs (a new deployment). */
export class StaticServer {
  private server?: Server;
  /** Paths requested so far (URL path without query), for asserting what went to the network. */
  readonly requests: string[] = [];
  /** Extra response headers (e.g. COOP/COEP). */
  headers: Record<string, string> = {};

  constructor(public root: string) {}

  /** Starts listening on 127.0.0.1 and `port` (default: a free one); resolves with the base URL (ending in '/'). */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    this.requests.push(urlPath);
    let file = path.join(this.root, urlPath);
    if (!file.startsWith(this.root) || urlPath.includes('..')) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Length': String(statSync(file).size),
      // revalidate every time, so a new deployment is seen at once (as with most static hosts' HTML)
      'Cache-Control': 'no-cache',
      ...this.headers,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  }

  /** Stops listening and drops open keep-alive connections, so nothing more is served. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/** A visit of the built app: its servers, and a fresh browser context and page. */
export interface AppVisit {
  /** Serves the app. */
  server: StaticServer;
  /** The app's URL. */
  base: string;
  /** Serves the app's default model folder from another origin, with CORS (a model "imported from a URL"). */
  remote: StaticServer;
  /** The remote model folder's URL. */
  remoteBase: string;
  context: BrowserContext;
  page: Page;
  /** Messages of the page's uncaught errors so far. */
  errors: string[];
  /** Closes the context and stops both servers. */
  close(): Promise<void>;
}

/** Serves the build in `dist` (and its default model from a second origin) and opens a page in a new context of `browser`. */
export async function startVisit(browser: Browser, dist: string): Promise<AppVisit> {
  const server = new StaticServer(dist);
  const base = await server.start();
  const remote = new StaticServer(path.join(dist, 'models/crackcam-default'));
  remote.headers = { 'Access-Control-Allow-Origin': '*' };
  const remoteBase = await remote.start();
  const context = await browser.newContext();
  const close = async () => {
    await context.close();
    await server.stop();
    await remote.stop();
  };
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return { server, base, remote, remoteBase, context, page, errors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** One entry of a workbox precache manifest. */
export interface PrecacheEntry {
  url: string;
  revision: string | null;
}

/**
 * Reads the precache manifest that workbox's injectManifest wrote into a built sw.js (it replaces
 * `self.__WB_MANIFEST` with a JSON array of {revision, url}).
 */
export function readPrecacheManifest(swJs: string): PrecacheEntry[] {
  const code = readFileSync(swJs, 'utf8');
  if (code.includes('__WB_MANIFEST'))
    throw new Error(`${swJs}: the injection point self.__WB_MANIFEST was not replaced`);
  const start = code.search(/\[\{"revision":/);
  if (start < 0) throw new Error(`${swJs}: no precache manifest found`);
  // the JSON array ends at the first "}]" (URLs and revisions contain no brackets)
  const end = code.indexOf('}]', start);
  const entries = JSON.parse(code.slice(start, end + 2)) as PrecacheEntry[];
  if (!Array.isArray(entries) || entries.some((e) => typeof e.url !== 'string'))
    throw new Error(`${swJs}: malformed precache manifest`);
  return entries;
}

/** All files under `dir`, as '/'-separated paths relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** A capture as the app's capture store holds it (PouchDB), with a digest of its crop image. */
export interface StoredCapture {
  id: string;
  label: string;
  verdict?: { label: string; probability: number };
  /** SHA-256 of the crop blob, hex. */
  cropSha256: string;
  cropWidth: number;
  cropHeight: number;
}

/** Reads every capture in the app's capture store (PouchDB) through the test hook, oldest first. */
export async function storedCaptures(page: Page): Promise<StoredCapture[]> {
  await page.waitForFunction(() => window.__crackcam?.captures !== undefined, null, { timeout: 60_000 });
  return page.evaluate(async () => {
    const out: StoredCapture[] = [];
    for (const r of (await window.__crackcam!.captures!()).reverse()) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await r.crop.arrayBuffer()));
      const bitmap = await createImageBitmap(r.crop);
      out.push({
        id: r.id,
        label: r.label,
        verdict: r.verdict,
        cropSha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''),
        cropWidth: bitmap.width,
        cropHeight: bitmap.height,
      });
      bitmap.close();
    }
    return out;
  });
}

/** Takes a capture with the live view's button and waits until the capture store has saved it. */
export async function captureAndWait(page: Page): Promise<void> {
  const stored = page.evaluate(
    () => new Promise<void>((resolve) => document.addEventListener('capture-stored', () => resolve(), { once: true })),
  );
  await page.locator('crackcam-live-view').getByTestId('capture').click();
  await stored;
}

/** Build id reported by the service worker that controls the page (GET_VERSION message). */
export function controllerBuildId(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () =>
      new Promise<string | undefined>((resolve) => {
        const sw = navigator.serviceWorker.controller;
        if (!sw) return resolve(undefined);
        const channel = new MessageChannel();
        channel.port1.onmessage = (e: MessageEvent<{ buildId: string }>) => resolve(e.data.buildId);
        sw.postMessage({ type: 'GET_VERSION' }, [channel.port2]);
      }),
  );
}

/** Cache Storage of the page: cache name -> request URLs (sorted). */
export function cacheContents(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      out[name] = (await (await caches.open(name)).keys()).map((r) => r.url).sort();
    }
    return out;
  });
}

/**
 * Waits until the page is controlled by a service worker (first install done: precache complete, about
 * 22 MB in 392 files; 30-45 s on a loaded 2-core machine).
 */
export async function waitForController(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout });
}

/** Waits until the live view has classified `frames` camera frames; returns the verdict and backend. */
export async function waitForVerdict(
  page: Page,
  frames = 3,
  timeout = 120_000,
): Promise<{ label: string; probability: number; backend?: string }> {
  await page.waitForFunction(
    (n) => (window.__crackcam?.frames ?? 0) >= n && window.__crackcam?.verdict !== undefined,
    frames,
    { timeout },
  );
  return page.evaluate(() => ({ ...window.__crackcam!.verdict!, backend: window.__crackcam!.backend }));
}

/**
 * A y4m fake-camera video of the first photo in `<data>/concrete/crack` that the default model was not
 * trained or validated on (its seen.json), written to `out`.
 */
export async function unseenCrackVideo(out: string): Promise<{ file: string; photo: string }> {
  const dir = path.join(DATA_DIR, 'concrete/crack');
  const seen = seenFiles(DEFAULT_MODEL_DIR);
  const photo = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .find((f) => !seen.has(`crack/${f}`));
  if (!photo) throw new Error(`every photo in ${dir} was seen in training`);
  const { file } = await writeY4m([path.join(dir, photo)], out, { framesPerImage: 1 });
  return { file, photo };
}
