import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connectivity, type ConnectivityEnvironment } from '../../src/platform/connectivity';

/** A browser stand-in: navigator.onLine, visibility, and a server that answers or not. */
class FakeBrowser implements ConnectivityEnvironment {
  onLine = true;
  shown = true;
  serverUp = true;
  readonly network = new EventTarget();
  readonly visibility = new EventTarget();
  readonly probes: Array<{ url: string; init: RequestInit }> = [];

  fetch = (url: string, init: RequestInit): Promise<Response> => {
    this.probes.push({ url, init });
    if (!this.onLine || !this.serverUp) return Promise.reject(new TypeError('Failed to fetch'));
    return Promise.resolve(new Response(null, { status: 404 }));
  };
  browserOnline = () => this.onLine;
  visible = () => this.shown;

  goOffline(): void {
    this.onLine = false;
    this.network.dispatchEvent(new Event('offline'));
  }
  goOnline(): void {
    this.onLine = true;
    this.network.dispatchEvent(new Event('online'));
  }
}

describe('Connectivity', () => {
  let browser: FakeBrowser;
  let connectivity: Connectivity;
  let changes: number;

  beforeEach(() => {
    vi.useFakeTimers();
    browser = new FakeBrowser();
    changes = 0;
  });
  afterEach(() => {
    connectivity?.stop();
    vi.useRealTimers();
  });

  function start(options: Partial<ConstructorParameters<typeof Connectivity>[0]> = {}): Connectivity {
    connectivity = new Connectivity({
      probeUrl: 'https://app.example/manifest.webmanifest',
      environment: browser,
      ...options,
    });
    connectivity.addEventListener('change', () => changes++);
    connectivity.start();
    return connectivity;
  }

  it('probes at start with a HEAD request no cache can answer, and any HTTP answer means online', async () => {
    start();
    await vi.advanceTimersByTimeAsync(0);
    expect(browser.probes).toHaveLength(1);
    const { url, init } = browser.probes[0];
    expect(init).toMatchObject({ method: 'HEAD', cache: 'no-store' });
    expect(new URL(url).searchParams.get('crackcam-probe')).toMatch(/\S/);
    expect(url.startsWith('https://app.example/manifest.webmanifest?')).toBe(true);
    expect(connectivity.state).toBe('online');
    expect(changes).toBe(0);
  });

  it('says offline (unreachable) when the browser reports a network but the server does not answer', async () => {
    browser.serverUp = false;
    start();
    await vi.advanceTimersByTimeAsync(0);
    expect(connectivity.state).toBe('offline');
    expect(connectivity.reason).toBe('unreachable');
    expect(changes).toBe(1);
  });

  it('re-probes while unreachable with a growing interval, and turns online when the server answers', async () => {
    browser.serverUp = false;
    start({ offlineRecheckMs: 1000, maxOfflineRecheckMs: 4000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(browser.probes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000); // +1 s
    expect(browser.probes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(browser.probes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // +2 s
    expect(browser.probes).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(4000); // +4 s (the cap)
    await vi.advanceTimersByTimeAsync(4000); // +4 s
    expect(browser.probes).toHaveLength(5);
    browser.serverUp = true;
    await vi.advanceTimersByTimeAsync(4000);
    expect(connectivity.state).toBe('online');
    expect(connectivity.reason).toBeUndefined();
  });

  it('trusts the browser when it reports no network, and probes when it reports one again', async () => {
    start({ onlineRecheckMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    browser.goOffline();
    expect(connectivity.state).toBe('offline');
    expect(connectivity.reason).toBe('browser');
    const probes = browser.probes.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(browser.probes.length, 'no probes while the browser has no network').toBe(probes);
    browser.goOnline();
    expect(connectivity.state, 'online only once the server answered').toBe('offline');
    await vi.advanceTimersByTimeAsync(0);
    expect(connectivity.state).toBe('online');
    expect(browser.probes.length).toBe(probes + 1);
  });

  it('starts offline without a probe when the browser has no network', async () => {
    browser.onLine = false;
    start();
    await vi.advanceTimersByTimeAsync(0);
    expect(connectivity.state).toBe('offline');
    expect(connectivity.reason).toBe('browser');
    expect(browser.probes).toHaveLength(0);
  });

  it('a reported failure probes at once; a reported success turns it online', async () => {
    start({ onlineRecheckMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    browser.serverUp = false;
    connectivity.report(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(browser.probes).toHaveLength(2);
    expect(connectivity.state).toBe('offline');
    connectivity.report(true);
    expect(connectivity.state).toBe('online');
  });

  it('times out a probe that gets no answer', async () => {
    browser.fetch = (url, init) => {
      browser.probes.push({ url, init });
      return new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    };
    start({ probeTimeoutMs: 3000 });
    await vi.advanceTimersByTimeAsync(2999);
    expect(connectivity.state).toBe('online');
    await vi.advanceTimersByTimeAsync(1);
    expect(connectivity.state).toBe('offline');
    expect(connectivity.reason).toBe('unreachable');
  });

  it('shares one probe between concurrent checks, probes when the page becomes visible, and not in the background', async () => {
    start({ onlineRecheckMs: 10_000 });
    void connectivity.check();
    void connectivity.check();
    await vi.advanceTimersByTimeAsync(0);
    expect(browser.probes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(browser.probes).toHaveLength(2);
    browser.shown = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(browser.probes).toHaveLength(3); // the one already scheduled
    await vi.advanceTimersByTimeAsync(60_000);
    expect(browser.probes, 'hidden: no more background probes').toHaveLength(3);
    browser.shown = true;
    browser.visibility.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(browser.probes).toHaveLength(4);
  });

  it('stop() removes its listeners and timers', async () => {
    browser.serverUp = false;
    start({ offlineRecheckMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    connectivity.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    browser.goOnline();
    await vi.advanceTimersByTimeAsync(0);
    expect(browser.probes).toHaveLength(1);
  });
});
