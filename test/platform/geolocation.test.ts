import { describe, expect, it } from 'vitest';
import { currentPosition, missingReason } from '../../src/platform/geolocation';

type Answer = { coords: { latitude: number; longitude: number; accuracy: number } } | { code: number } | 'never';

/** A Geolocation that answers `answer` (or never) and records the options it was given. */
function fakeGeolocation(answer: Answer): Geolocation & { options?: PositionOptions } {
  const geo = {
    options: undefined as PositionOptions | undefined,
    getCurrentPosition(ok: PositionCallback, fail?: PositionErrorCallback | null, options?: PositionOptions) {
      geo.options = options;
      if (answer === 'never') return;
      setTimeout(() =>
        'coords' in answer ? ok(answer as GeolocationPosition) : fail?.(answer as GeolocationPositionError),
      );
    },
    watchPosition: () => 0,
    clearWatch: () => undefined,
  };
  return geo;
}

describe('currentPosition', () => {
  it('resolves with the fix and asks for a fresh, accurate one within the timeout', async () => {
    const geolocation = fakeGeolocation({ coords: { latitude: 35.6, longitude: 139.7, accuracy: 9 } });
    expect(await currentPosition({ geolocation, timeoutMs: 500 })).toEqual({
      position: { latitude: 35.6, longitude: 139.7, accuracy: 9 },
    });
    expect(geolocation.options).toMatchObject({ enableHighAccuracy: true, timeout: 500 });
  });

  it('names why there is no position: denied, unavailable, timeout, no API', async () => {
    expect(await currentPosition({ geolocation: fakeGeolocation({ code: 1 }) })).toEqual({ missing: 'denied' });
    expect(await currentPosition({ geolocation: fakeGeolocation({ code: 2 }) })).toEqual({ missing: 'unavailable' });
    expect(await currentPosition({ geolocation: fakeGeolocation({ code: 3 }) })).toEqual({ missing: 'timeout' });
    expect(missingReason({ code: 7 })).toBe('unavailable');
    // Node has no navigator.geolocation
    expect(await currentPosition()).toEqual({ missing: 'unavailable' });
  });

  it('gives up after the timeout even when the API never answers (an open permission prompt)', async () => {
    const started = Date.now();
    expect(await currentPosition({ geolocation: fakeGeolocation('never'), timeoutMs: 50 })).toEqual({
      missing: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects when aborted', async () => {
    const controller = new AbortController();
    const pending = currentPosition({ geolocation: fakeGeolocation('never'), signal: controller.signal });
    controller.abort(new DOMException('stop', 'AbortError'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
