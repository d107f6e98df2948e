/**
 * The device's position for a finding (Geolocation API), or why there is none: permission denied,
 * position unavailable (no API, no fix) or no answer in time. Never throws for those: a finding is
 * saved without a position and says why. Captures take the position only where location is allowed
 * already ({@link currentLocation}).
 */
import type { FindingPosition, PositionMissingReason } from '../core/finding';
import type { CaptureLocation } from './capture-record';

/** A position, or the reason there is none. */
export type PositionResult = { position: FindingPosition } | { missing: PositionMissingReason };

/** How long to wait for a fix (including a first-time permission prompt), in milliseconds. */
export const POSITION_TIMEOUT_MS = 10_000;

/** Options of {@link currentPosition}. */
export interface PositionOptions {
  /** Give up after this long (the permission prompt counts too). Default {@link POSITION_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Accept a fix this old, in milliseconds. Default 30 s. */
  maximumAgeMs?: number;
  /** Rejects with an AbortError when aborted. */
  signal?: AbortSignal;
  /** The API to ask (default navigator.geolocation). */
  geolocation?: Geolocation;
}

/** The reason a GeolocationPositionError gives (codes 1, 2, 3 as the API numbers them). */
export function missingReason(error: Pick<GeolocationPositionError, 'code'>): PositionMissingReason {
  if (error.code === 1) return 'denied';
  if (error.code === 3) return 'timeout';
  return 'unavailable';
}

/**
 * The current position (asks for permission the first time), or the reason there is none. Bounded by
 * `timeoutMs` overall: the Geolocation API's own timeout does not count the time the prompt is open.
 */
export function currentPosition(options: PositionOptions = {}): Promise<PositionResult> {
  const geolocation = options.geolocation ?? (typeof navigator === 'undefined' ? undefined : navigator.geolocation);
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!geolocation) return Promise.resolve({ missing: 'unavailable' });
  const timeoutMs = options.timeoutMs ?? POSITION_TIMEOUT_MS;
  return new Promise<PositionResult>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => finish(() => reject(signal?.reason));
    const timer = setTimeout(() => finish(() => resolve({ missing: 'timeout' })), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    geolocation.getCurrentPosition(
      (p) => {
        const { latitude, longitude, accuracy } = p.coords;
        finish(() => resolve({ position: { latitude, longitude, accuracy } }));
      },
      (e) => finish(() => resolve({ missing: missingReason(e) })),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: options.maximumAgeMs ?? 30_000 },
    );
  });
}

/**
 * The current position if the user already allowed location (never prompts from here), within
 * `timeoutMs`; undefined otherwise.
 */
export async function currentLocation(timeoutMs = 3000, prompt = false): Promise<CaptureLocation | undefined> {
  if (typeof navigator === 'undefined' || !navigator.geolocation) return undefined;
  if (!prompt) {
    try {
      const status = await navigator.permissions.query({ name: 'geolocation' });
      if (status.state !== 'granted') return undefined;
    } catch {
      return undefined;
    }
  }
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(undefined),
      { timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}
