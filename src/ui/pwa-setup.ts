/**
 * Offline PWA wiring for the app shell, called once from main.ts: registers the service worker, asks for
 * persistent storage, and places the offline indicator and update offer in the shell's header
 * (`slot="status"`); it defines the storage panel, which the shell places below the live view.
 */
import { requestPersistentStorage } from '../platform/storage';
import { registerServiceWorker, type ServiceWorkerBridge } from '../platform/sw-bridge';
import './crackcam-offline-indicator';
import './crackcam-storage-panel';
import './crackcam-update-banner';

/** Sets up the offline PWA around `app` (the `<crackcam-app>` shell); returns the service worker bridge. */
export function setupPwa(app: Element | null = document.querySelector('crackcam-app')): ServiceWorkerBridge {
  const bridge = registerServiceWorker();
  // Chromium decides silently (granted for installed apps / engaged sites), Firefox asks once.
  requestPersistentStorage().catch(() => false);
  if (app) {
    const indicator = document.createElement('crackcam-offline-indicator');
    indicator.slot = 'status';
    const banner = document.createElement('crackcam-update-banner');
    banner.slot = 'status';
    app.append(indicator, banner);
  }
  return bridge;
}
