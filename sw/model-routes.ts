/**
 * Pure helpers of the service worker (no service-worker globals), shared with the page and unit-tested
 * in Node.
 */

/** Cache that keeps models imported from a URL; never cleaned on update (a model must survive updates). */
export const MODEL_CACHE = 'crackcam-models';

/** Prefix of every cache this app creates (workbox precache included, see setCacheNameDetails). */
export const CACHE_PREFIX = 'crackcam';

/** Message the page sends to let a waiting worker take over (the value workbox-window's messageSkipWaiting sends). */
export const SKIP_WAITING = 'SKIP_WAITING';

/** Message the page sends to ask the worker for its build id; the reply is {@link VersionReply}. */
export const GET_VERSION = 'GET_VERSION';

/**
 * Message the worker posts to its pages after a network request of its own: `{ type, ok }`, ok when the
 * network answered (any HTTP status), not ok when the request failed to connect. The page's
 * connectivity (src/platform/connectivity.ts) takes it as a report.
 */
export const NETWORK_STATUS = 'CRACKCAM_NETWORK_STATUS';

/** The message {@link NETWORK_STATUS}. */
export interface NetworkStatusMessage {
  type: typeof NETWORK_STATUS;
  ok: boolean;
}

/** Reply to {@link GET_VERSION}. */
export interface VersionReply {
  buildId: string;
}

// TensorFlow.js weight shards: `group1-shard1of1`, `group2-shard3of4.bin`, or any `*.bin`.
const SHARD = /\/group\d+-shard\d+of\d+(\.bin)?$/i;

/**
 * Whether a GET request is for a TensorFlow.js model file (a `*model.json` topology file or a weight shard),
 * so that models imported from a URL are kept in {@link MODEL_CACHE} after their first use. Only http(s)
 * URLs qualify; the query string is ignored for the file-name test.
 */
export function isModelFileUrl(url: URL): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const p = url.pathname.toLowerCase();
  return p.endsWith('model.json') || p.endsWith('.bin') || SHARD.test(p);
}
