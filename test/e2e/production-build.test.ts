/**
 * The production build (`npm run build`) carries no test hook: window.__crackcam is installed only
 * when vite defines __CRACKCAM_TEST_HOOKS__ true (src/platform/test-hook.ts), which the e2e harness
 * and the benchmark ask for with CRACKCAM_TEST_HOOKS=1. Built here with the flag off, as
 * `npm run build` builds, and every shipped file is searched. Source maps are not searched: they
 * hold the sources themselves, comments included, and the app never loads them.
 * The same build guards the size of the JS the page loads before anything lazy (docs/bench.md), and,
 * served to Chromium, that the page paints the app's name before it asks for its modules
 * (scripts/vite-start-after-paint.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSizes } from '../../scripts/bundle-sizes';
import { launchChromium, openApp, startStaticServer, viteBuild } from './harness';
import { listFiles } from './offline-harness';

/** Gzipped bytes of JS the page may load before its lazy chunks (the main-thread issue's target). */
const INITIAL_JS_BUDGET = 150_000;

describe('production build', () => {
  let tmp: string;
  let dist: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'crackcam-prod-'));
    dist = path.join(tmp, 'dist');
    await viteBuild(dist, { CRACKCAM_TEST_HOOKS: '0' }, ['--manifest']); // the manifest: chunk graph for the size check
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('contains no __crackcam test hook in any shipped file', () => {
    const shipped = listFiles(dist).filter((f) => !f.endsWith('.map') && /\.(js|mjs|html|json|webmanifest)$/.test(f));
    const text = new Map(shipped.map((f) => [f, readFileSync(path.join(dist, f), 'latin1')]));
    // The search covers the app's code: the live view, which would update the hook, is in it.
    expect([...text.values()].some((t) => t.includes('crackcam-live-view'))).toBe(true);
    const withHook = shipped.filter((f) => text.get(f)?.includes('__crackcam'));
    expect(withHook).toEqual([]);
  });

  it('loads at most 150 KB of gzipped JS before anything lazy: TF.js and the screens come later', () => {
    const sizes = bundleSizes(dist);
    // 107 KB when this test was written; TF.js's core alone would add about 84 KB.
    expect(sizes.initialGzip).toBeGreaterThan(20_000);
    expect(sizes.initialGzip).toBeLessThanOrEqual(INITIAL_JS_BUDGET);
    expect(sizes.totalGzip).toBeGreaterThan(sizes.initialGzip + 300_000); // TF.js is in the build, lazily
    // uPlot (the training and width-history charts, with its CSS inlined) comes with its screens only
    const withUplot = sizes.initialFiles.filter((f) => readFileSync(path.join(dist, f), 'utf8').includes('u-legend'));
    expect(withUplot).toEqual([]);
  });

  it('paints the app name from the HTML before it asks for the modules, which then start the app', async () => {
    const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script type="module"|<link rel="modulepreload"/);
    const server = await startStaticServer(dist, '/');
    const browser = await launchChromium();
    try {
      const { page } = await openApp(browser, server.url, { backend: null });
      await page.locator('crackcam-app[ready]').waitFor({ timeout: 60_000 });
      const timing = await page.evaluate(() => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
        const scripts = performance
          .getEntriesByType('resource')
          .filter((e) => /\/assets\/[^/]+\.js$/.test(new URL(e.name).pathname))
          .map((e) => e.startTime);
        return { paint, firstScript: Math.min(...scripts), scripts: scripts.length };
      });
      expect(timing.scripts).toBeGreaterThan(3);
      expect(timing.paint).toBeDefined();
      expect(timing.paint).toBeLessThanOrEqual(timing.firstScript);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 120_000);
});
