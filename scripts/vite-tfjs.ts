import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

/** Module id of the backend-less TF.js that stands in for `@tensorflow/tfjs` in browser builds. */
const LEAN_TFJS_ID = '\0crackcam-tfjs-without-backends';

/** Version of the installed `@tensorflow/tfjs` (reported as `tf.version.tfjs`). */
function tfjsVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * `@tensorflow/tfjs` as the app imports it, minus the backends: core (with gradients and chained ops),
 * layers and converter, as the union package exports them, but neither the CPU nor the WebGL backend,
 * which the union package registers at import. src/platform/backend.ts imports the one backend it
 * activates (WebGPU, WebGL, WASM or CPU) on demand, so each backend is a lazy chunk and the others
 * are never loaded. tfjs-data is left out: the app does not use it.
 */
function leanTfjsSource(version: string): string {
  return [
    "import '@tensorflow/tfjs-core';",
    "import '@tensorflow/tfjs-core/dist/register_all_gradients';",
    "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';",
    "import { version_core } from '@tensorflow/tfjs-core';",
    "import { version_layers } from '@tensorflow/tfjs-layers';",
    "import { version_converter } from '@tensorflow/tfjs-converter';",
    "export * from '@tensorflow/tfjs-core';",
    "export * from '@tensorflow/tfjs-layers';",
    "export * from '@tensorflow/tfjs-converter';",
    'export const version = {',
    "  'tfjs-core': version_core,",
    "  'tfjs-layers': version_layers,",
    "  'tfjs-converter': version_converter,",
    `  tfjs: ${JSON.stringify(version)},`,
    '};',
  ].join('\n');
}

/**
 * Resolves `@tensorflow/tfjs` to {@link leanTfjsSource} in the app, its workers and the bench page.
 * Not under vitest (`mode: 'test'`): the Node unit tests run on the CPU backend the union package registers.
 */
export function crackcamTfjsWithoutBackends(): Plugin {
  const version = tfjsVersion();
  return {
    name: 'crackcam-tfjs-without-backends',
    enforce: 'pre',
    apply: (_, env) => env.mode !== 'test',
    resolveId: (id) => (id === '@tensorflow/tfjs' ? LEAN_TFJS_ID : undefined),
    load: (id) => (id === LEAN_TFJS_ID ? leanTfjsSource(version) : undefined),
  };
}
