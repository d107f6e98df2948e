/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { crackcamBaseModel } from './scripts/vite-models';
import { crackcamPwa } from './scripts/vite-pwa';

const root = import.meta.dirname;

// HTTPS for phones on the LAN (the camera needs a secure context): PEM files from the environment,
// e.g. made with mkcert or openssl (see docs/live-view.md). Plain HTTP otherwise (localhost is secure).
const tlsCert = process.env.CRACKCAM_TLS_CERT;
const tlsKey = process.env.CRACKCAM_TLS_KEY;
const https = tlsCert && tlsKey ? { cert: readFileSync(tlsCert), key: readFileSync(tlsKey) } : undefined;

export default defineConfig({
  // Relative asset paths: the production build works from any static server and sub-path.
  base: './',
  plugins: [crackcamBaseModel(root), crackcamPwa(root)],
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
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
          ],
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
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 600_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
