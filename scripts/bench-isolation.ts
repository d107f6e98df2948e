/**
 * Measures whether cross-origin isolation (COOP/COEP headers, which unlock SharedArrayBuffer and so
 * tfjs-backend-wasm's multi-threaded binary) speeds up the live view on the WASM backend.
 *
 *   npm run bench:isolation -- [--rounds 3] [--frames 60] [--unminified] [--dist DIR]
 *
 * Builds the app (unless --dist is given; --unminified builds with `--minify false`), serves the same
 * build twice, with and without `Cross-Origin-Opener-Policy: same-origin` +
 * `Cross-Origin-Embedder-Policy: require-corp`, and runs the live view in headless Chromium on a fake camera
 * (a shared crack photo), alternating the two servers. For each run it prints whether the page was
 * isolated, which WASM binary it loaded, and the per-frame latency (median of `lastLatencyMs`), or why the
 * app did not run.
 *
 * Finding (tfjs-backend-wasm 4.22, vite 8): in the normal minified build the isolated page loads the
 * threaded binary and then fails ("e is not defined" in the pthread workers: the glue that tfjs turns into
 * a worker with Function.prototype.toString() does not survive identifier minification), so the app never
 * classifies. Use --unminified to measure the threads themselves.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_DIR, launchChromium } from '../test/e2e/harness';
import { buildAppWithId, StaticServer } from '../test/e2e/offline-harness';
import { writeY4m } from '../test/e2e/y4m';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    frames: { type: 'string', default: '60' },
    dist: { type: 'string' },
    unminified: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const frames = Number(values.frames);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'crackcam-isolation-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const dist = values.dist ?? path.join(tmp, 'dist');
if (!values.dist) await buildAppWithId(dist, 'bench', values.unminified ? ['--minify', 'false'] : []);

const crackDir = path.join(DATA_DIR, 'concrete/crack');
const { file: video } = await writeY4m(
  [path.join(crackDir, readdirSync(crackDir).sort()[0])],
  path.join(tmp, 'cam.y4m'),
  { framesPerImage: 1 },
);
const browser = await launchChromium({ fakeVideo: video });

const plain = new StaticServer(dist);
const isolated = new StaticServer(dist);
isolated.headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const servers = {
  plain: { server: plain, url: await plain.start() },
  isolated: { server: isolated, url: await isolated.start() },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results: Record<string, number[]> = { plain: [], isolated: [] };
for (let r = 0; r < rounds; r++) {
  for (const mode of ['plain', 'isolated'] as const) {
    const { server, url } = servers[mode];
    server.requests.length = 0;
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?backend=wasm`);
    const started = await page
      .waitForFunction(() => (window.__crackcam?.frames ?? 0) >= 5, null, { timeout: 60_000 })
      .then(() => true)
      .catch(() => false);
    const isolatedPage = await page.evaluate(() => crossOriginIsolated);
    const wasm = server.requests
      .filter((p) => p.endsWith('.wasm'))
      .map((p) => path.basename(p).replace(/-[\w-]{8}\.wasm$/, ''));
    if (!started) {
      console.log(
        `round ${r + 1} ${mode.padEnd(8)} crossOriginIsolated=${isolatedPage} wasm=${wasm.join(',')} BROKEN: no frames in 60 s; errors: ${[...new Set(errors)].join(' | ')}`,
      );
      await context.close();
      continue;
    }
    // a string, not a function: tsx's keepNames helper (__name) does not exist in the page
    const latencies = (await page.evaluate(`new Promise((resolve) => {
      const out = [];
      let last = window.__crackcam.frames;
      const tick = () => {
        const h = window.__crackcam;
        if (h.frames !== last && h.stats) { last = h.frames; out.push(h.stats.lastLatencyMs); }
        if (out.length >= ${frames}) resolve(out); else setTimeout(tick, 2);
      };
      tick();
    })`)) as number[];
    const m = median(latencies);
    results[mode].push(m);
    console.log(
      `round ${r + 1} ${mode.padEnd(8)} crossOriginIsolated=${isolatedPage} wasm=${wasm.join(',')} median latency ${m.toFixed(1)} ms over ${latencies.length} frames`,
    );
    await context.close();
  }
}
for (const mode of ['plain', 'isolated'] as const) {
  const runs = results[mode];
  console.log(
    `${mode.padEnd(8)} ${runs.length ? `median of run medians ${median(runs).toFixed(1)} ms (runs: ${runs.map((x) => x.toFixed(1)).join(', ')})` : 'no successful runs'}`,
  );
}
await browser.close();
await plain.stop();
await isolated.stop();
