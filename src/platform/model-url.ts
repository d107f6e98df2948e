import type { ModelReader } from '../core/model-io';

/** The library id of the built-in model shipped with the app (not stored in the library). */
export const BUILTIN_MODEL_ID = 'builtin';

/** Where the app finds its models, relative to the page (so the build works under any path). */
export const MODEL_PATHS = {
  /** The ImageNet SqueezeNet trunk (served by the dev server, copied into dist/ at build time). */
  base: 'models/base/model.json',
  /** The shipped crack / no-crack head (committed under public/models/). */
  head: 'models/crackcam-default/model.json',
} as const;

/** Resolves an app-relative path against the document's base URL. */
export function appUrl(path: string, base: string = document.baseURI): string {
  return new URL(path, base).href;
}

/**
 * A {@link ModelReader} over fetch: paths are absolute URLs, relative references (weight shards)
 * resolve against the model.json URL. HTTP errors are reported with status and URL.
 */
export function fetchReader(init: RequestInit = {}): ModelReader {
  return {
    async read(url: string): Promise<ArrayBuffer> {
      const res = await fetch(url, init);
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${url}`);
      return res.arrayBuffer();
    },
    resolve(from: string, relative: string): string {
      return new URL(relative, from).href;
    },
  };
}

/**
 * {@link fetchReader} that reports the bytes read so far, across all files it reads (model.json and
 * weight shards), as they arrive: the verdict shows them until the first frame (the page's load, or
 * the inference worker's).
 * @param onBytes called with the running total of bytes received
 */
export function progressReader(onBytes: (loadedBytes: number) => void, init: RequestInit = {}): ModelReader {
  const plain = fetchReader(init);
  let loaded = 0;
  return {
    resolve: plain.resolve,
    async read(url: string): Promise<ArrayBuffer> {
      const res = await fetch(url, init);
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} for ${url}`);
      if (!res.body) return res.arrayBuffer();
      const chunks: Uint8Array[] = [];
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.byteLength;
        onBytes(loaded);
      }
      return concatBytes(chunks);
    },
  };
}

/** The chunks of a response body as one ArrayBuffer. */
function concatBytes(chunks: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out.buffer;
}
