/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { crackcamBaseModel } from './scripts/vite-models';
import { crackcamPwa } from './scripts/vite-pwa';
import { crackcamStartAfterPaint } from './scripts/vite-start-after-paint';
import { crackcamTfjsWithoutBackends } from './scripts/vite-tfjs';

const root = import.meta.dirname;

// HTTPS for phones on the LAN (the camera needs a secure context): PEM files from the environment,
// e.g. made with mkcert or openssl (see docs/live-view.md). Plain HTTP otherwise (localhost is secure).
const tlsCert = process.env.CRACKCAM_TLS_CERT;
const tlsKey = process.env.CRACKCAM_TLS_KEY;
const https = tlsCert && tlsKey ? { cert: readFileSync(tlsCert), key: readFileSync(tlsKey) } : undefined;

/**
 * `expect.poll` in the browser tests: what the page shows next may wait on a lazily loaded screen or
 * store, and on a loaded CI machine (the unit tests run beside the browser tests) that takes more than
 * vitest's default second.
 */
const E2E_POLL = { timeout: 15_000, interval: 100 };

export default defineConfig({
  // Relative asset paths: the production build works from any static server and sub-path.
  base: './',
  plugins: [crackcamTfjsWithoutBackends(), crackcamBaseModel(root), crackcamPwa(root), crackcamStartAfterPaint()],
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es', plugins: () => [crackcamTfjsWithoutBackends()] },
  // js-aruco2 exports through top-level `this`, which Vite compiles away: the browser loads it through a shim.
  resolve: {
    alias: [
      { find: /^js-aruco2$/, replacement: `${root}/src/platform/measure-aruco-browser.ts` },
      { find: /^js-aruco2\/src\/cv\.js$/, replacement: `${root}/src/platform/measure-aruco-cv-browser.ts` },
    ],
  },
  // The dev server pre-bundles TF.js and every backend in one pass (one shared tfjs-core), although
  // the backends are imported only on demand.
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-converter',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgpu',
    ],
  },
  server: { https },
  preview: { https },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/core/**/*.test.ts',
            'test/cli/**/*.test.ts',
            'test/platform/**/*.test.ts',
            'test/locales/**/*.test.ts',
            'test/sw/**/*.test.ts',
            'test/ui/**/*.test.ts',
          ],
          globalSetup: ['test/global-tmp.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: ['test/e2e/bench.test.ts', 'test/e2e/trainer.test.ts'],
          globalSetup: ['test/global-tmp.ts', 'test/e2e/global-setup.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 600_000,
          expect: { poll: E2E_POLL },
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The trainer's browser tests, the longest file: `npm test` runs them after the other browser
          // tests, in their line, so that the two lines of `npm test` take about as long as each other.
          name: 'e2e-trainer',
          include: ['test/e2e/trainer.test.ts'],
          globalSetup: ['test/global-tmp.ts', 'test/e2e/global-setup.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 600_000,
          expect: { poll: E2E_POLL },
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          // The benchmark script's own run (build, server, Chromium): `npm test` runs it beside the unit
          // tests, which leave room for it, not in the line of browser tests.
          name: 'bench-script',
          include: ['test/e2e/bench.test.ts'],
          globalSetup: ['test/global-tmp.ts'],
          environment: 'node',
          testTimeout: 600_000,
          pool: 'forks',
        },
      },
    ],
  },
});
