import { describe, expect, it } from 'vitest';
import {
  isUnmetered,
  parseFullPhotoPolicy,
  syncsFullStills,
  withoutFullStills,
} from '../../../src/platform/sync/photo-policy';

describe('full-resolution photo policy', () => {
  it('carries full stills always, never, or on Wi-Fi / Ethernet only', () => {
    expect(syncsFullStills('always', undefined)).toBe(true);
    expect(syncsFullStills('never', { type: 'wifi' })).toBe(false);
    expect(syncsFullStills('wifi', { type: 'wifi' })).toBe(true);
    expect(syncsFullStills('wifi', { type: 'ethernet' })).toBe(true);
    expect(syncsFullStills('wifi', { type: 'cellular' })).toBe(false);
  });

  it('treats a browser without the Network Information API, or Data Saver, as not Wi-Fi', () => {
    expect(isUnmetered(undefined)).toBe(false);
    expect(isUnmetered({})).toBe(false);
    expect(isUnmetered({ type: 'wifi', saveData: true })).toBe(false);
    expect(syncsFullStills('wifi', undefined)).toBe(false);
  });

  it('leaves only finding-still documents out', () => {
    expect(withoutFullStills({ _id: 'finding-still:abc' })).toBe(false);
    expect(withoutFullStills({ _id: 'finding:abc' })).toBe(true);
    expect(withoutFullStills({ _id: 'model:abc' })).toBe(true);
  });

  it('names the valid values of a bad setting', () => {
    expect(parseFullPhotoPolicy('wifi')).toBe('wifi');
    expect(() => parseFullPhotoPolicy('sometimes')).toThrow(
      "full-resolution photos must be one of never, wifi, always, got 'sometimes'",
    );
  });
});
