/**
 * `npm run bench:sync -- [--findings 500] [--still BYTES] [--crop BYTES]`
 *
 * Memory and time of team sync with many findings: starts the vite dev server and the sync server
 * (scripts/sync-server.ts, a temporary folder), opens the app in two headless Chromium contexts, writes
 * --findings findings with photos of realistic size (downscaled still ~300 KB, crop and overlay ~50 KB
 * each, random bytes so nothing compresses) into page A's local database, then starts sync on A (push
 * to the server) and on B (pull), both through the settings panel. The JS heap of each page is sampled
 * over CDP (Runtime.getHeapUsage) every 100 ms. Prints one JSON line: for each page the heap before
 * (after garbage collection), its peak while syncing (garbage not yet collected included), the heap after
 * garbage collection at the end (what the sync kept), and the times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, openApp, startDevServer } from '../test/e2e/harness';
import {
  heapAfterGc,
  installPageHelpers,
  putFindings,
  REALISTIC_PHOTOS,
  sampleHeap,
  startSyncInUi,
  SYNC_USER,
  waitForDocs,
  waitForSyncState,
} from '../test/e2e/sync-harness';
import { startSyncServer } from './sync-server';

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be an integer >= 1, got '${value}'`);
  return n;
}

const { values } = parseArgs({
  options: {
    findings: { type: 'string', default: '500' },
    still: { type: 'string', default: String(REALISTIC_PHOTOS.still) },
    crop: { type: 'string', default: String(REALISTIC_PHOTOS.crop) },
  },
  strict: true,
});
const count = positive('findings', values.findings);
const sizes = { still: positive('still', values.still), crop: positive('crop', values.crop), overlay: 0 };
sizes.overlay = sizes.crop;

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crackcam-bench-sync-'));
  const app = await startDevServer();
  const server = await startSyncServer({
    port: 0,
    dir,
    user: SYNC_USER,
    origins: [new URL(app.url).origin],
    databases: ['crackcam'],
  });
  const browser = await launchChromium({ fakeDevice: false, autoAcceptCamera: false });
  try {
    const open = async () => {
      const phone = await openApp(browser, app.url, { grantCamera: false });
      await phone.page.waitForFunction(
        () => !!(document.querySelector('crackcam-app') as unknown as { teamSync?: object })?.teamSync,
      );
      await installPageHelpers(phone.page);
      return phone.page;
    };
    const [a, b] = [await open(), await open()];
    const fillStarted = Date.now();
    await putFindings(a, 'bench', count, sizes);
    const fillMs = Date.now() - fillStarted;
    const dbUrl = `${server.url}crackcam`;

    const baseA = await heapAfterGc(a);
    const samplerA = await sampleHeap(a);
    const pushStarted = Date.now();
    await startSyncInUi(a, dbUrl);
    await waitForSyncState(a, 'up-to-date', 30 * 60_000);
    const pushMs = Date.now() - pushStarted;
    const peakA = (await samplerA.stop()).peak;
    const afterA = await heapAfterGc(a);

    const baseB = await heapAfterGc(b);
    const samplerB = await sampleHeap(b);
    const pullStarted = Date.now();
    await startSyncInUi(b, dbUrl);
    await waitForDocs(b, 'finding:bench-', count, 30 * 60_000);
    const pullMs = Date.now() - pullStarted;
    const peakB = (await samplerB.stop()).peak;
    const afterB = await heapAfterGc(b);

    const photoBytes = count * (sizes.still + sizes.crop + sizes.overlay);
    console.log(
      JSON.stringify({
        findings: count,
        photoMb: mb(photoBytes),
        fillMs,
        push: {
          ms: pushMs,
          heapBaselineMb: mb(baseA),
          heapPeakMb: mb(peakA),
          heapGrowthMb: mb(peakA - baseA),
          heapAfterGcMb: mb(afterA),
        },
        pull: {
          ms: pullMs,
          heapBaselineMb: mb(baseB),
          heapPeakMb: mb(peakB),
          heapGrowthMb: mb(peakB - baseB),
          heapAfterGcMb: mb(afterB),
        },
      }),
    );
  } finally {
    await browser.close();
    await server.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
