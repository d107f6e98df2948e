/**
 * Lighthouse (mobile preset: simulated mid-range phone, 4x CPU slowdown, slow 4G) on the production
 * build with the fake camera playing a concrete crack photo, as the live-view issue measured it. Runs
 * Lighthouse `--runs` times and prints one JSON line with every run and the medians:
 *   {"runs":[{performance, fcpMs, lcpMs, tbtMs, ttiMs, speedIndexMs}...], "median": {...}, "chromium": ...}
 *
 *   npx tsx scripts/bench-lighthouse.ts [--runs 3]
 *
 * Lighthouse is not a dependency of the project: the script runs `$LIGHTHOUSE` (a lighthouse CLI, e.g.
 * node_modules/.bin/lighthouse of a folder where `npm i lighthouse@12` ran), else `npx --yes lighthouse@12`
 * (needs the npm registry). Chromium: $CHROMIUM (default /usr/bin/chromium), as the browser tests.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildApp, CHROMIUM, DATA_DIR, STANDARD_CHROMIUM_FLAGS, startStaticServer } from '../test/e2e/harness';
import { writeY4m } from '../test/e2e/y4m';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);

/** The figures kept from one Lighthouse report. */
interface LighthouseFigures {
  performance: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  ttiMs: number;
  speedIndexMs: number;
}

interface LighthouseReport {
  categories: { performance: { score: number } };
  audits: Record<string, { numericValue?: number }>;
}

const AUDITS: Record<Exclude<keyof LighthouseFigures, 'performance'>, string> = {
  fcpMs: 'first-contentful-paint',
  lcpMs: 'largest-contentful-paint',
  tbtMs: 'total-blocking-time',
  ttiMs: 'interactive',
  speedIndexMs: 'speed-index',
};

function figures(report: LighthouseReport): LighthouseFigures {
  const out = { performance: Math.round(report.categories.performance.score * 100) } as LighthouseFigures;
  for (const [key, audit] of Object.entries(AUDITS)) {
    out[key as keyof typeof AUDITS] = Math.round(report.audits[audit]?.numericValue ?? NaN);
  }
  return out;
}

async function lighthouse(url: string, video: string): Promise<LighthouseFigures> {
  const command = process.env.LIGHTHOUSE ? [process.env.LIGHTHOUSE] : ['npx', '--yes', 'lighthouse@12'];
  const chromeFlags = [
    '--headless=new',
    ...STANDARD_CHROMIUM_FLAGS,
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ].join(' ');
  const args = [url, '--only-categories=performance', '--output=json', '--quiet', `--chrome-flags=${chromeFlags}`];
  const { stdout } = await run(command[0], [...command.slice(1), ...args], {
    env: { ...process.env, CHROME_PATH: CHROMIUM },
    maxBuffer: 256 * 1024 * 1024,
  });
  return figures(JSON.parse(stdout) as LighthouseReport);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'crackcam-lighthouse-'));
try {
  const dist = path.join(scratch, 'dist');
  await buildApp(dist);
  const photoDir = path.join(DATA_DIR, 'concrete', 'crack');
  const video = path.join(scratch, 'crack.y4m');
  await writeY4m([path.join(photoDir, readdirSync(photoDir).sort()[0])], video, {
    width: 640,
    height: 480,
    fps: 30,
    framesPerImage: 30,
  });
  const server = await startStaticServer(dist);
  try {
    const results: LighthouseFigures[] = [];
    for (let i = 0; i < runs; i++) results.push(await lighthouse(server.url, video));
    const keys = Object.keys(results[0]) as (keyof LighthouseFigures)[];
    const med = Object.fromEntries(keys.map((k) => [k, median(results.map((r) => r[k]))]));
    const { stdout: version } = await run(CHROMIUM, ['--version']);
    console.log(JSON.stringify({ runs: results, median: med, chromium: version.trim(), cpus: os.cpus().length }));
  } finally {
    await server.close();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
