/**
 * Page side of the service worker (sw/sw.ts), through workbox-window: registers it, tells the UI when the
 * app is ready offline and when a new version waits, and applies an update on request (messageSkipWaiting,
 * then one reload once the new worker controls the page). Captures, models and settings live in IndexedDB
 * and the models cache, which updates do not touch.
 */
import { Workbox } from 'workbox-window';
import { GET_VERSION, type VersionReply } from '../../sw/model-routes';
import { appConnectivity, type Connectivity } from './connectivity';

/** Build id compiled in by scripts/vite-pwa.ts (`define`). */
declare const __CRACKCAM_BUILD_ID__: string;
/** True in `vite build` output, which has a sw.js (scripts/vite-pwa.ts `define`). */
declare const __CRACKCAM_SW__: boolean;

/** Build id of the running page's code (the service worker reports its own, see {@link ServiceWorkerBridge.workerBuildId}). */
export const APP_BUILD_ID: string = typeof __CRACKCAM_BUILD_ID__ === 'string' ? __CRACKCAM_BUILD_ID__ : 'dev';

/**
 * - `unsupported`: no service worker (old browser, insecure origin, or dev server);
 * - `installing`: first visit, the app is being cached;
 * - `ready`: the app works offline;
 * - `update-available`: a new version is installed and waits for {@link ServiceWorkerBridge.applyUpdate};
 * - `updating`: the new version was asked to take over; the page reloads when it controls;
 * - `error`: registration or installation failed (the app still works online).
 */
export type ServiceWorkerStatus = 'unsupported' | 'installing' | 'ready' | 'update-available' | 'updating' | 'error';

/** Options of {@link registerServiceWorker}. */
export interface RegisterOptions {
  /** Script URL relative to the page; the build writes it next to index.html. */
  url?: string;
  /** Minimum time between update checks triggered by the page becoming visible or the app coming online. */
  updateCheckIntervalMs?: number;
}

/**
 * Service worker state for the UI. Dispatches `change` (a plain Event) whenever {@link status} changes.
 */
export class ServiceWorkerBridge extends EventTarget {
  status: ServiceWorkerStatus = 'unsupported';
  /** Last error of registration or installation, for the UI or console. */
  error?: unknown;
  private reloading = false;
  private lastCheck = 0;

  constructor(
    private readonly wb: Workbox | undefined,
    private readonly updateCheckIntervalMs = 60 * 60 * 1000,
    /** Update checks run when it turns online, and report their network failures to it. */
    private readonly connectivity?: Connectivity,
  ) {
    super();
  }

  private set(status: ServiceWorkerStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.dispatchEvent(new Event('change'));
  }

  /** Registers the worker and wires its lifecycle events. Resolves once registration finished (or failed). */
  async start(): Promise<void> {
    const wb = this.wb;
    if (!wb) return;
    this.set(navigator.serviceWorker.controller ? 'ready' : 'installing');
    // A new version finished installing and waits (also fires at startup if one was already waiting).
    wb.addEventListener('waiting', () => this.set('update-available'));
    wb.addEventListener('activated', (e) => {
      if (!e.isUpdate && this.status === 'installing') this.set('ready');
    });
    wb.addEventListener('redundant', () => {
      if (this.status === 'installing') this.set('error');
    });
    // A new worker took over: after an update (from this tab or another one) this page's code and the
    // precache no longer match, so reload once. The first install (clientsClaim) needs no reload.
    wb.addEventListener('controlling', (e) => {
      if (e.isUpdate || this.status === 'updating') this.reload();
    });
    try {
      await wb.register({ immediate: true });
    } catch (err) {
      this.error = err;
      this.set('error');
      return;
    }
    const check = () => {
      if (document.visibilityState === 'visible' && this.connectivity?.state !== 'offline')
        void this.checkForUpdate(false);
    };
    document.addEventListener('visibilitychange', check);
    if (this.connectivity) this.connectivity.addEventListener('change', check);
    else window.addEventListener('online', check);
  }

  /**
   * Asks the browser to look for a new sw.js now (otherwise it does on navigations). Without `force`, at
   * most once per `updateCheckIntervalMs`. A found update is reported as `update-available`.
   */
  async checkForUpdate(force = true): Promise<void> {
    if (!this.wb) return;
    const now = Date.now();
    if (!force && now - this.lastCheck < this.updateCheckIntervalMs) return;
    this.lastCheck = now;
    try {
      await this.wb.update();
    } catch (err) {
      // offline or server error: keep running the installed version, and let connectivity look again
      this.error = err;
      this.connectivity?.report(false);
    }
  }

  /** Lets the waiting version take over; the page reloads once it controls. */
  applyUpdate(): void {
    if (!this.wb || this.status !== 'update-available') return;
    this.set('updating');
    this.wb.messageSkipWaiting();
  }

  /** Build id of the active service worker, or undefined without one. */
  async workerBuildId(): Promise<string | undefined> {
    if (!this.wb || !navigator.serviceWorker.controller) return undefined;
    const reply = (await this.wb.messageSW({ type: GET_VERSION })) as VersionReply | undefined;
    return reply?.buildId;
  }

  private reload(): void {
    if (this.reloading) return;
    this.reloading = true;
    window.location.reload();
  }
}

let bridge: ServiceWorkerBridge | undefined;

/**
 * Registers the service worker once per page (built app only: the dev server serves no sw.js) and returns
 * the shared bridge; later calls return the same bridge.
 */
export function registerServiceWorker(options: RegisterOptions = {}): ServiceWorkerBridge {
  if (bridge) return bridge;
  const built = typeof __CRACKCAM_SW__ === 'boolean' && __CRACKCAM_SW__;
  const supported = built && typeof navigator !== 'undefined' && 'serviceWorker' in navigator;
  if (!built && typeof navigator !== 'undefined' && 'serviceWorker' in navigator) {
    // dev server on an origin where a built app once ran: its worker would serve stale files
    void navigator.serviceWorker.getRegistrations().then((regs) => Promise.all(regs.map((r) => r.unregister())));
  }
  bridge = new ServiceWorkerBridge(
    supported ? new Workbox(options.url ?? 'sw.js') : undefined,
    options.updateCheckIntervalMs,
    appConnectivity(),
  );
  void bridge.start();
  return bridge;
}

/** The bridge made by {@link registerServiceWorker}, or undefined before registration. */
export function serviceWorkerBridge(): ServiceWorkerBridge | undefined {
  return bridge;
}
