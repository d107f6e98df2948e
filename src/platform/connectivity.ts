/**
 * Whether the app can reach its own server now, decided from what the app sees rather than from
 * `navigator.onLine` alone.
 *
 * `navigator.onLine === false` is trusted: the device has no network at all. `true` is only a hint: a
 * phone on a site hotspot or Wi-Fi with no internet behind it, a captive portal, or a server that went
 * down all leave it true, and Chromium 150 even reports true in a page started from the service worker
 * while the network is emulated offline. So the state is settled by a probe (a HEAD request for the web
 * app manifest that no cache answers) and by what requests of the app report: a failure makes it probe
 * at once, a response from the network says it is online. The browser's `online`/`offline` events, the
 * page becoming visible and any reported failure are triggers to look again; while offline it keeps
 * probing with a growing interval, and while online and visible it probes now and then.
 */
import { NETWORK_STATUS } from '../../sw/model-routes';

/** `online`: the app's server answers; `offline`: it does not, or the browser has no network. */
export type ConnectivityState = 'online' | 'offline';

/**
 * Why the app is offline: `browser` (the browser reports no network), `unreachable` (the browser reports
 * a network, but the app's server did not answer the probe).
 */
export type OfflineReason = 'browser' | 'unreachable';

/** What {@link Connectivity} reads and listens to; the browser's by default (see {@link browserEnvironment}). */
export interface ConnectivityEnvironment {
  fetch(input: string, init: RequestInit): Promise<Response>;
  /** `navigator.onLine`. */
  browserOnline(): boolean;
  /** Whether the page is visible (no background probes while hidden). */
  visible(): boolean;
  /** Dispatches `online` and `offline` (the window). */
  network: EventTarget;
  /** Dispatches `visibilitychange` (the document). */
  visibility: EventTarget;
}

/** Options of {@link Connectivity}. */
export interface ConnectivityOptions {
  /** URL to probe (same origin as the app); a query parameter is added so that no cache can answer. */
  probeUrl: string;
  /** A probe without an answer within this time counts as a failure. */
  probeTimeoutMs?: number;
  /** Delay of the first re-probe while offline; it doubles up to {@link maxOfflineRecheckMs}. */
  offlineRecheckMs?: number;
  maxOfflineRecheckMs?: number;
  /** Interval of the probes while online and visible (0: none). */
  onlineRecheckMs?: number;
  environment?: ConnectivityEnvironment;
}

const DEFAULTS = { probeTimeoutMs: 8000, offlineRecheckMs: 5000, maxOfflineRecheckMs: 60_000, onlineRecheckMs: 60_000 };

/** The browser's globals as a {@link ConnectivityEnvironment}. */
export function browserEnvironment(): ConnectivityEnvironment {
  return {
    fetch: (input, init) => fetch(input, init),
    browserOnline: () => navigator.onLine,
    visible: () => document.visibilityState === 'visible',
    network: window,
    visibility: document,
  };
}

/**
 * The app's connectivity. Dispatches `change` (a plain Event) whenever {@link state} or {@link reason}
 * changes. Call {@link start} once; {@link stop} removes every listener and timer.
 */
export class Connectivity extends EventTarget {
  state: ConnectivityState;
  reason?: OfflineReason;
  private readonly env: ConnectivityEnvironment;
  private readonly options: Required<Omit<ConnectivityOptions, 'environment'>>;
  private timer?: ReturnType<typeof setTimeout>;
  private offlineDelay: number;
  private probing?: Promise<boolean>;
  private probeCount = 0;
  private started = false;

  constructor(options: ConnectivityOptions) {
    super();
    this.env = options.environment ?? browserEnvironment();
    this.options = { ...DEFAULTS, ...withoutUndefined(options), probeUrl: options.probeUrl };
    this.offlineDelay = this.options.offlineRecheckMs;
    this.state = this.env.browserOnline() ? 'online' : 'offline';
    if (this.state === 'offline') this.reason = 'browser';
  }

  /** Starts listening and probes once (a page may start from the service worker with no server behind it). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.env.network.addEventListener('online', this.onBrowserOnline);
    this.env.network.addEventListener('offline', this.onBrowserOffline);
    this.env.visibility.addEventListener('visibilitychange', this.onVisibility);
    void this.check();
  }

  stop(): void {
    this.started = false;
    this.env.network.removeEventListener('online', this.onBrowserOnline);
    this.env.network.removeEventListener('offline', this.onBrowserOffline);
    this.env.visibility.removeEventListener('visibilitychange', this.onVisibility);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Looks now: offline at once if the browser says so, else probes the server. Concurrent calls share one
   * probe. Resolves true when the app is online.
   */
  check(): Promise<boolean> {
    if (!this.env.browserOnline()) {
      this.set('offline', 'browser');
      return Promise.resolve(false);
    }
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  /**
   * What a request of the app saw: `ok` when the network answered (any HTTP status), not ok when it
   * failed to connect. A success sets the state online; a failure only makes it look again.
   */
  report(ok: boolean): void {
    if (ok) {
      if (this.env.browserOnline()) this.set('online');
    } else {
      void this.check();
    }
  }

  private async probe(): Promise<boolean> {
    const url = new URL(this.options.probeUrl);
    url.searchParams.set('crackcam-probe', `${Date.now()}-${++this.probeCount}`);
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error('the probe got no answer in time')),
      this.options.probeTimeoutMs,
    );
    let ok: boolean;
    try {
      await this.env.fetch(url.href, { method: 'HEAD', cache: 'no-store', signal: timeout.signal });
      ok = true;
    } catch {
      ok = false;
    } finally {
      clearTimeout(timer);
    }
    if (ok) this.set('online');
    else this.set('offline', this.env.browserOnline() ? 'unreachable' : 'browser');
    return ok;
  }

  private set(state: ConnectivityState, reason?: OfflineReason): void {
    if (state === 'online') this.offlineDelay = this.options.offlineRecheckMs;
    const changed = state !== this.state || reason !== this.reason;
    this.state = state;
    this.reason = reason;
    if (this.started) this.schedule();
    if (changed) this.dispatchEvent(new Event('change'));
  }

  /** The next background probe: backing off while offline, at a slow pace while online and visible. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    let delay: number;
    if (this.state === 'offline') {
      if (this.reason === 'browser') return; // the browser's `online` event will tell
      delay = this.offlineDelay;
      this.offlineDelay = Math.min(this.offlineDelay * 2, this.options.maxOfflineRecheckMs);
    } else {
      if (!this.options.onlineRecheckMs || !this.env.visible()) return;
      delay = this.options.onlineRecheckMs;
    }
    this.timer = setTimeout(() => void this.check(), delay);
  }

  private readonly onBrowserOnline = () => void this.check();
  private readonly onBrowserOffline = () => this.set('offline', 'browser');
  private readonly onVisibility = () => {
    if (this.env.visible()) void this.check();
  };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

let shared: Connectivity | undefined;

/**
 * The page's shared connectivity, started on first use; it probes the app's web app manifest. Requests
 * of the service worker are reported to it (see sw/sw.ts `NETWORK_STATUS`).
 */
export function appConnectivity(): Connectivity {
  if (shared) return shared;
  shared = new Connectivity({ probeUrl: new URL('manifest.webmanifest', document.baseURI).href });
  listenToServiceWorker(shared);
  shared.start();
  return shared;
}

function listenToServiceWorker(connectivity: Connectivity): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as { type?: unknown; ok?: unknown } | null;
    if (data?.type === NETWORK_STATUS && typeof data.ok === 'boolean') connectivity.report(data.ok);
  });
  navigator.serviceWorker.startMessages();
}
