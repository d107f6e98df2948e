/// <reference lib="webworker" />
/**
 * CrackCam service worker (bundled by vite-plugin-pwa's injectManifest build; no CDN).
 *  - precaches the app shell, the default model (base + head), the WASM binaries, the manifest and icons;
 *  - serves every navigation from the precached index.html, so query strings like `?backend=wasm` work offline;
 *  - keeps models imported from a URL in a cache-first runtime cache on their first use, and tells the pages
 *    whether the network answered those requests (`NETWORK_STATUS`, for the offline indicator);
 *  - waits after install until the page asks it to take over (the "update" button), then claims the pages.
 */
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import type { WorkboxPlugin } from 'workbox-core/types';
import { CacheFirst } from 'workbox-strategies';
import {
  CACHE_PREFIX,
  GET_VERSION,
  isModelFileUrl,
  MODEL_CACHE,
  NETWORK_STATUS,
  SKIP_WAITING,
  type NetworkStatusMessage,
  type VersionReply,
} from './model-routes';

declare const self: ServiceWorkerGlobalScope;
/** Build id injected by scripts/vite-pwa.ts (`define`); it also makes every build's sw.js byte-distinct. */
declare const __CRACKCAM_BUILD_ID__: string;

setCacheNameDetails({ prefix: CACHE_PREFIX });

// The page decides when a new version takes over: no skipWaiting() at install.
self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const type = (event.data as { type?: unknown } | null)?.type;
  if (type === SKIP_WAITING) {
    void self.skipWaiting();
  } else if (type === GET_VERSION) {
    const reply: VersionReply = { buildId: __CRACKCAM_BUILD_ID__ };
    event.ports[0]?.postMessage(reply);
  }
});

// Control the first-visit page at once so models it imports are already cached. On updates this only runs
// after the page asked for skipWaiting, and the page then reloads.
clientsClaim();

// Deletes precaches left by older workbox versions; outdated entries of the current precache are removed by
// workbox itself when this worker activates.
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

/** Posts {@link NetworkStatusMessage} to every page of this worker. */
async function tellPages(ok: boolean): Promise<void> {
  const message: NetworkStatusMessage = { type: NETWORK_STATUS, ok };
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(message);
}

/** Reports the outcome of the network requests of a strategy to the pages. */
const reportNetwork: WorkboxPlugin = {
  fetchDidSucceed: async ({ response }) => {
    void tellPages(true);
    return response;
  },
  fetchDidFail: async () => {
    void tellPages(false);
  },
};

registerRoute(
  ({ request, url }) => request.method === 'GET' && isModelFileUrl(url),
  new CacheFirst({ cacheName: MODEL_CACHE, plugins: [reportNetwork] }),
);
