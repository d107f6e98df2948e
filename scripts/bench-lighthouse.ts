/**
 * Lighthouse (mobile preset: simulated mid-range phone, 4x CPU slowdown, slow 4G) on the production
 * build with the fake camera playing a concrete crack photo, as the live-view issue measured it. Runs
 * Lighthouse `--runs` times and prints one JSON line with every run and the medians:
 *   {"runs":[{performance, fcpMs, lcpMs, tbtMs, ttiMs, speedIndexMs, cls, longTasks, lcpElement, benchmarkIndex}...], "median": {...}, "cpuSlowdown": 4, "chromium": ...}
 * (`longTasks`: the main thread's long tasks, `{url, startMs, durationMs}`, as Lighthouse attributes them).
 *
 *   npx tsx scripts/bench-lighthouse.ts [--runs 3] [--query '?inference=main'] [--cpu-slowdown 4]
 * (`--query` is appended to the app's URL: e.g. the main-thread frame path, to compare it with the worker's;
 * `--cpu-slowdown` replaces the preset's 4x, e.g. to measure a faster host as one in the middle of the
 * bracket the preset is calibrated for: 4 x benchmarkIndex / 1750, see docs/bench.md).
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
import { CHROMIUM, DATA_DIR, STANDARD_CHROMIUM_FLAGS, startStaticServer, viteBuild } from '../test/e2e/harness';
import { writeY4m } from '../test/e2e/y4m';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    query: { type: 'string', default: '' },
    'cpu-slowdown': { type: 'string', default: '4' },
  },
});
const runs = Number(values.runs);
const cpuSlowdown = Number(values['cpu-slowdown']);
if (!(cpuSlowdown >= 1)) throw new Error(`--cpu-slowdown must be a number >= 1, got '${values['cpu-slowdown']}'`);

/** The figures kept from one Lighthouse report. */
interface LighthouseFigures {
  performance: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  ttiMs: number;
  speedIndexMs: number;
  /** Cumulative layout shift (unitless, not rounded). */
  cls: number;
  /**
   * The main thread's long tasks (Lighthouse's `long-tasks` audit), longest first: what the blocking
   * time is made of.
   */
  longTasks: LongTask[];
  /** The element of the largest contentful paint (its CSS selector). */
  lcpElement: string;
  /**
   * Lighthouse's measure of this machine's CPU speed (higher is faster). The simulated slowdown
   * multiplies the tasks measured here, so a slower or busier machine reports more blocking time:
   * compare runs of similar index.
   */
  benchmarkIndex: number;
}

/** One main-thread long task: the script it is attributed to, its start and duration (simulated, ms). */
interface LongTask {
  url: string;
  startMs: number;
  durationMs: number;
}

interface LighthouseReport {
  environment?: { benchmarkIndex?: number };
  categories: { performance: { score: number } };
  audits: Record<string, { numericValue?: number; details?: { items?: ReportItem[] } }>;
}

/** A row of an audit's details: a long task, or a table of nodes (the LCP element's audit nests one). */
interface ReportItem {
  url?: string;
  startTime?: number;
  duration?: number;
  items?: { node?: { selector?: string } }[];
}

/** The selector of the report's LCP element, or '' where it names none. */
function lcpElement(report: LighthouseReport): string {
  const table = report.audits['largest-contentful-paint-element']?.details?.items?.[0];
  return table?.items?.[0]?.node?.selector ?? '';
}

/** The report's long tasks as {@link LongTask}s, URLs shortened to their path. */
function longTasks(report: LighthouseReport): LongTask[] {
  const items = report.audits['long-tasks']?.details?.items ?? [];
  return items.map((t) => ({
    url: (t.url ?? '').replace(/^https?:\/\/[^/]+/, ''),
    startMs: Math.round(t.startTime ?? NaN),
    durationMs: Math.round(t.duration ?? NaN),
  }));
}

const AUDITS: Record<
  Exclude<keyof LighthouseFigures, 'performance' | 'longTasks' | 'lcpElement' | 'cls' | 'benchmarkIndex'>,
  string
> = {
  fcpMs: 'first-contentful-paint',
  lcpMs: 'largest-contentful-paint',
  tbtMs: 'total-blocking-time',
  ttiMs: 'interactive',
  speedIndexMs: 'speed-index',
};

function figures(report: LighthouseReport): LighthouseFigures {
  const out = {
    performance: Math.round(report.categories.performance.score * 100),
    longTasks: longTasks(report),
    lcpElement: lcpElement(report),
    benchmarkIndex: Math.round(report.environment?.benchmarkIndex ?? NaN),
    cls: Number((report.audits['cumulative-layout-shift']?.numericValue ?? NaN).toFixed(4)),
  } as LighthouseFigures;
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
  // The text-compression audit reads every response body back over DevTools, which times out on the
  // model's weights on a busy machine; it is an opportunity, not part of the performance score.
  const args = [
    url,
    '--only-categories=performance',
    '--skip-audits=uses-text-compression',
    '--output=json',
    '--quiet',
    `--throttling.cpuSlowdownMultiplier=${cpuSlowdown}`,
    `--chrome-flags=${chromeFlags}`,
  ];
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
  // What `npm run build` ships: no test hook (the harness builds with one by default).
  await viteBuild(dist, { CRACKCAM_TEST_HOOKS: '0' });
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
    for (let i = 0; i < runs; i++) results.push(await lighthouse(server.url + values.query, video));
    const keys = Object.keys(results[0]).filter((k) => k !== 'longTasks' && k !== 'lcpElement') as (
      keyof typeof AUDITS | 'performance' | 'cls' | 'benchmarkIndex'
    )[];
    const med = Object.fromEntries(keys.map((k) => [k, median(results.map((r) => r[k]))]));
    const { stdout: version } = await run(CHROMIUM, ['--version']);
    console.log(
      JSON.stringify({ runs: results, median: med, cpuSlowdown, chromium: version.trim(), cpus: os.cpus().length }),
    );
  } finally {
    await server.close();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
