import type { ModelReader } from '../core/model-io';

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
