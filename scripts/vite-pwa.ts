import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HtmlTagDescriptor, Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Theme colour of the app (also in public/manifest.webmanifest). */
export const THEME_COLOR = '#102027';

/**
 * Largest file the service worker precaches. Workbox's default (2 MiB) would silently drop the 2.8 MB
 * SqueezeNet base weights; with the limit raised, vite-plugin-pwa still fails the build (its default
 * `throwMaximumFileSizeToCacheInBytes`) if a file is ever larger than this, instead of shipping an app
 * that breaks offline.
 */
export const MAX_PRECACHE_BYTES = 16 * 1024 * 1024;

/**
 * Build id of this build: $CRACKCAM_BUILD_ID, else `<package version>+<git commit>` (or `+dev` outside git).
 * It is compiled into the page and the service worker as `__CRACKCAM_BUILD_ID__`.
 */
export function buildId(root: string): string {
  const fromEnv = process.env.CRACKCAM_BUILD_ID;
  if (fromEnv) return fromEnv;
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  let commit = 'dev';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // not a git checkout (e.g. a source tarball): keep "dev"
  }
  return `${pkg.version}+${commit}`;
}

/** `<head>` tags the installable PWA needs; each is added only when index.html does not have it already. */
function headTags(html: string): HtmlTagDescriptor[] {
  const tags: Array<[RegExp, HtmlTagDescriptor]> = [
    [/rel=["']?manifest/i, { tag: 'link', attrs: { rel: 'manifest', href: 'manifest.webmanifest' } }],
    [/name=["']?theme-color/i, { tag: 'meta', attrs: { name: 'theme-color', content: THEME_COLOR } }],
    [/rel=["']?icon/i, { tag: 'link', attrs: { rel: 'icon', type: 'image/svg+xml', href: 'icons/icon.svg' } }],
    [
      /rel=["']?apple-touch-icon/i,
      { tag: 'link', attrs: { rel: 'apple-touch-icon', href: 'icons/apple-touch-icon-180.png' } },
    ],
  ];
  return tags.filter(([present]) => !present.test(html)).map(([, tag]) => ({ ...tag, injectTo: 'head' }));
}

/**
 * The offline PWA: builds sw/sw.ts into dist/sw.js with workbox's injectManifest (bundled, no CDN) and
 * injects the precache manifest, defines `__CRACKCAM_BUILD_ID__`, `__CRACKCAM_SW__` and `__CRACKCAM_TEST_HOOKS__`, and links the web
 * app manifest and icons from index.html.
 *
 * The precache manifest is made in vite-plugin-pwa's `closeBundle` hook, i.e. after every `writeBundle`
 * (scripts/vite-models.ts copies the base model into dist/models/base there), and it globs dist/ itself, so
 * it lists the base weights, the default head from public/, the WASM binaries and every chunk. Source maps
 * are left out: they are not needed offline.
 */
export function crackcamPwa(root: string): Plugin[] {
  const id = buildId(root);
  const meta: Plugin = {
    name: 'crackcam-pwa-meta',
    // __CRACKCAM_SW__: the page registers sw.js only in `vite build` output (the dev server has none),
    // whatever NODE_ENV says. __CRACKCAM_TEST_HOOKS__: window.__crackcam for e2e tests and the
    // benchmark (src/platform/test-hook.ts), on the dev server and in builds with CRACKCAM_TEST_HOOKS=1.
    config: (_, { command }) => ({
      define: {
        __CRACKCAM_BUILD_ID__: JSON.stringify(id),
        __CRACKCAM_SW__: JSON.stringify(command === 'build'),
        __CRACKCAM_TEST_HOOKS__: JSON.stringify(command === 'serve' || process.env.CRACKCAM_TEST_HOOKS === '1'),
      },
    }),
    transformIndexHtml: {
      order: 'post',
      handler: (html) => ({ html, tags: headTags(html) }),
    },
  };
  return [
    meta,
    ...VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      injectRegister: false,
      registerType: 'prompt',
      // public/manifest.webmanifest is copied as is (and precached by the glob below)
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*'],
        globIgnores: ['**/*.map', '**/.*'],
        maximumFileSizeToCacheInBytes: MAX_PRECACHE_BYTES,
      },
      devOptions: { enabled: false },
      integration: {
        // vite-plugin-pwa sets Rollup's `inlineDynamicImports`, which Vite 8 (Rolldown) deprecates in favour
        // of `codeSplitting: false`; same result (one sw.js file), without the warning.
        configureCustomSWViteBuild(inline) {
          const output = inline.build?.rollupOptions?.output;
          if (output && !Array.isArray(output) && 'inlineDynamicImports' in output) {
            delete output.inlineDynamicImports;
            Object.assign(output, { codeSplitting: false });
          }
        },
      },
    }),
  ];
}
