/**
 * Sizes of a production build's JavaScript, read from vite's manifest (`.vite/manifest.json`): what
 * the page loads before anything lazy (the entry and its static imports), and everything it may
 * import. Used by `npm run bench` and by the production-build test that guards the initial size.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
}

/** Gzipped bytes of the JS the app page can load (static imports, and everything it may import lazily). */
export function bundleSizes(outDir: string): {
  initialGzip: number;
  totalGzip: number;
  totalRaw: number;
  wasmBytes: number;
  /** The JS files (relative to `outDir`) loaded before anything lazy. */
  initialFiles: string[];
} {
  const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const entry = Object.keys(manifest).find((k) => k === 'index.html' || k.endsWith('/index.html'));
  if (!entry) throw new Error('index.html is not in the build manifest');
  const walk = (key: string, lazy: boolean, seen: Set<string>) => {
    if (seen.has(key) || !manifest[key]) return;
    seen.add(key);
    for (const k of manifest[key].imports ?? []) walk(k, lazy, seen);
    if (lazy) for (const k of manifest[key].dynamicImports ?? []) walk(k, lazy, seen);
  };
  const gz = (keys: Set<string>) => {
    let g = 0;
    let r = 0;
    for (const k of keys) {
      const file = manifest[k].file;
      if (!file.endsWith('.js')) continue;
      const bytes = readFileSync(path.join(outDir, file));
      g += gzipSync(bytes, { level: 9 }).length;
      r += bytes.length;
    }
    return { g, r };
  };
  const initial = new Set<string>();
  walk(entry, false, initial);
  const all = new Set<string>();
  walk(entry, true, all);
  const assets = path.join(outDir, 'assets');
  const wasmBytes = readdirSync(assets)
    .filter((f) => f.endsWith('.wasm'))
    .reduce((s, f) => s + statSync(path.join(assets, f)).size, 0);
  const total = gz(all);
  const initialFiles = [...initial].map((k) => manifest[k].file).filter((f) => f.endsWith('.js'));
  return { initialGzip: gz(initial).g, totalGzip: total.g, totalRaw: total.r, wasmBytes, initialFiles };
}
