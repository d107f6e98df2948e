/**
 * What a production build needs offline, computed from the build itself (test helper for offline.test.ts):
 * the files its index.html and web app manifest reference, the app's models with every weight file their
 * model.json lists, and the WASM binaries of tfjs-backend-wasm (matched by content, whatever their name).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MODEL_PATHS } from '../../src/platform/model-url';
import { ROOT } from './harness';
import { listFiles } from './offline-harness';

/** md5 of a file, as workbox writes it as the revision. */
export function md5(file: string): string {
  return createHash('md5').update(readFileSync(file)).digest('hex');
}

/** Resolves `ref` (relative to the file `from`, both relative to the build root) to a build-relative path, or undefined if it leaves the app. */
function resolveRef(from: string, ref: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('//') || ref.startsWith('#')) return undefined;
  const u = new URL(ref, `http://app/${from}`);
  if (u.host !== 'app') return undefined;
  return decodeURIComponent(u.pathname.slice(1)) || 'index.html';
}

/** Local files index.html loads: script src, link href (stylesheets, modulepreload, manifest, icons). */
export function htmlReferences(dist: string): string[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const refs = new Set<string>();
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)=["']?([^"'\s>]+)/gi)) {
    const r = resolveRef('index.html', m[1]);
    if (r) refs.add(r);
  }
  return [...refs];
}

/** The web app manifest linked from index.html and the icons it lists. */
export function manifestReferences(dist: string): string[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const link = /<link\b[^>]*rel=["']?manifest["']?[^>]*>/i.exec(html)?.[0];
  const href = link && /href=["']?([^"'\s>]+)/i.exec(link)?.[1];
  if (!href) throw new Error('index.html links no web app manifest');
  const manifestPath = resolveRef('index.html', href)!;
  const manifest = JSON.parse(readFileSync(path.join(dist, manifestPath), 'utf8')) as {
    icons?: Array<{ src: string }>;
  };
  return [manifestPath, ...(manifest.icons ?? []).map((i) => resolveRef(manifestPath, i.src)!)];
}

/** A model.json and every weight file its weightsManifest lists. */
export function modelReferences(dist: string, modelJson: string): string[] {
  const model = JSON.parse(readFileSync(path.join(dist, modelJson), 'utf8')) as {
    weightsManifest?: Array<{ paths: string[] }>;
  };
  const shards = (model.weightsManifest ?? []).flatMap((g) => g.paths.map((p) => resolveRef(modelJson, p)!));
  if (shards.length === 0) throw new Error(`${modelJson} lists no weight files`);
  return [modelJson, ...shards];
}

/** Build files whose bytes equal each tfjs-backend-wasm binary (throws if one is missing from the build). */
export function wasmFiles(dist: string): string[] {
  const srcDir = path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const byHash = new Map<string, string>();
  for (const f of listFiles(dist).filter((f) => f.endsWith('.wasm'))) byHash.set(md5(path.join(dist, f)), f);
  return readdirSync(srcDir)
    .filter((f) => f.endsWith('.wasm'))
    .map((f) => {
      const found = byHash.get(md5(path.join(srcDir, f)));
      if (!found) throw new Error(`the build has no copy of ${f}`);
      return found;
    });
}

/** Every file of the build that must be available offline, by reason. */
export function requiredOffline(dist: string): Record<string, string[]> {
  for (const p of Object.values(MODEL_PATHS)) {
    if (!existsSync(path.join(dist, p))) throw new Error(`the build has no ${p}`);
  }
  return {
    'index.html and what it loads': ['index.html', ...htmlReferences(dist)],
    'web app manifest and icons': manifestReferences(dist),
    ...Object.fromEntries(Object.entries(MODEL_PATHS).map(([k, p]) => [`model ${k}`, modelReferences(dist, p)])),
    'tfjs-backend-wasm binaries': wasmFiles(dist),
    // every JS/CSS chunk, whether index.html loads it or the app imports it later (lazy backends, workers)
    'all other files of the build': listFiles(dist).filter((f) => f !== 'sw.js' && !f.endsWith('.map')),
  };
}
