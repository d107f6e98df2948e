/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { crackcamBaseModel } from './scripts/vite-models';
import { crackcamPwa } from './scripts/vite-pwa';

const root = import.meta.dirname;

export default defineConfig({
  // Relative asset paths: the production build works from any static server and sub-path.
  base: './',
  plugins: [crackcamBaseModel(root), crackcamPwa(root)],
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/platform/**/*.test.ts', 'test/locales/**/*.test.ts', 'test/sw/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000, pool: 'forks' },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', testTimeout: 600_000, hookTimeout: 600_000, pool: 'forks', fileParallelism: false },
      },
    ],
  },
});
