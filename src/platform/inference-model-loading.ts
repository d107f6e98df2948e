/**
 * What the app needs to start inference (backend selection, the base, the model loaders, the model
 * library), in one module the app shell imports after its first paint: TF.js and the model code are
 * a lazy chunk, so the shell and the camera never wait for them.
 */
import type { ModelReader } from '../core/model-io';
import { fetchReader } from './model-url';

export { selectBrowserBackend } from './backend';
export { loadBaseNetwork } from '../core/base';
export { loadCrackClassifier } from '../core/classifier';
export { loadModelFiles, openModelStore } from './model-store';

/**
 * {@link fetchReader} that reports the bytes read so far, across all files it reads (model.json and
 * weight shards), as they arrive: the verdict shows them until the first frame.
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
