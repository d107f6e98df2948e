/**
 * The bench's live-view load: the real app (index.html, WASM) with its frames in the inference worker
 * or on the main thread (`?inference=`), measured from a Chromium trace of the running loop:
 *   mainThreadBusyShare  share of wall time the page's main thread spends in tasks (its task events);
 *   longestMainTaskMs    its longest task (all after the first verdict: tracing starts after 5 frames);
 *   frameToPaintMs       median and p95 of the loop's per-frame latency, from grabbing the frame to the
 *                        heatmap painted (the hook's `latencies`, read once at the end: nothing polls
 *                        the page while it is traced);
 *   fps                  frames processed per second over the same window.
 */
import type { Browser } from 'playwright-core';
import type { InferencePlace } from '../src/platform/inference-client';

/** One place's figures. */
export interface LiveViewLoad {
  inference: InferencePlace;
  mainThreadBusyShare: number;
  longestMainTaskMs: number;
  frameToPaintMs: { median: number; p95: number };
  fps: number;
  frames: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/** Frames the traced window holds at least, however long `seconds` turns out to be for them. */
const MIN_FRAMES = 3;

const quantile = (sorted: readonly number[], q: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;

/** Names of a thread's task events (Chromium's scheduler; older builds call them RunTask). */
const TASK_EVENTS = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);

/** Task events as [start, end] µs spans with nested or overlapping ones merged (top-level tasks). */
function mergedSpans(events: readonly TraceEvent[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) {
    const end = e.ts + (e.dur ?? 0);
    const last = spans[spans.length - 1];
    if (last && e.ts <= last[1]) last[1] = Math.max(last[1], end);
    else spans.push([e.ts, end]);
  }
  return spans;
}

/** Busy share and longest task of the renderer main thread that ran the most tasks in the trace. */
export function mainThreadTasks(events: readonly TraceEvent[]): { busyShare: number; longestMs: number } {
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (TASK_EVENTS.has(e.name) && e.ph === 'X' && mains.has(key)) tasks.set(key, [...(tasks.get(key) ?? []), e]);
  }
  const busiest = [...tasks.values()].sort((a, b) => b.length - a.length)[0];
  if (!busiest) throw new Error('the trace has no task events on a renderer main thread');
  const timed = events.filter((e) => e.ts > 0);
  const start = Math.min(...timed.map((e) => e.ts));
  const end = Math.max(...timed.map((e) => e.ts + (e.dur ?? 0)));
  const spans = mergedSpans(busiest);
  const busy = spans.reduce((s, [a, b]) => s + b - a, 0);
  return { busyShare: busy / (end - start), longestMs: Math.max(...spans.map(([a, b]) => b - a)) / 1000 };
}

/** Runs the app at `url` with frames at `place` and measures `seconds` of its live loop. */
export async function measureLiveView(
  browser: Browser,
  url: string,
  place: InferencePlace,
  seconds: number,
): Promise<LiveViewLoad> {
  const context = await browser.newContext({ permissions: ['camera'], serviceWorkers: 'block' });
  const page = await context.newPage();
  try {
    await page.goto(`${url}?backend=wasm&inference=${place}`);
    await page.waitForFunction(() => (window.__crackcam?.frames ?? 0) >= 5, null, { timeout: 180_000 });
    const running = await page.locator('[data-testid="inference"]').getAttribute('data-inference');
    if (running !== place) throw new Error(`asked for frames at '${place}', the app runs them at '${running}'`);
    await browser.startTracing(page, { categories: ['toplevel'] });
    // The page is left alone while traced: the hook records each frame's latency, read once at the end.
    await page.evaluate(() => window.__crackcam && (window.__crackcam.latencies = []));
    const started = performance.now();
    await page.waitForTimeout(seconds * 1000);
    // A loaded machine can be slower than the window: measure until a few frames are in it.
    await page.waitForFunction((n) => (window.__crackcam?.latencies?.length ?? 0) >= n, MIN_FRAMES, {
      timeout: 180_000,
    });
    const latencies = await page.evaluate(() => window.__crackcam?.latencies ?? []);
    const wallMs = performance.now() - started;
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const { busyShare, longestMs } = mainThreadTasks(trace.traceEvents);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      inference: place,
      mainThreadBusyShare: Math.round(busyShare * 1000) / 1000,
      longestMainTaskMs: Math.round(longestMs * 10) / 10,
      frameToPaintMs: {
        median: Math.round(quantile(sorted, 0.5) * 10) / 10,
        p95: Math.round(quantile(sorted, 0.95) * 10) / 10,
      },
      fps: Math.round((latencies.length / wallMs) * 10000) / 10,
      frames: latencies.length,
    };
  } finally {
    await context.close();
  }
}
