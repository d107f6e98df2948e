/** The size of the downscaled still that travels with a finding, and the store's error classes. */
import { describe, expect, it } from 'vitest';
import { FindingFieldError } from '../../src/core/finding';
import { DOWNSCALED_LONG_SIDE, downscaledSize } from '../../src/platform/finding-still-downscale';
import { findingWriteError, isStorageFullError } from '../../src/platform/finding-store-error';

describe('downscaled still', () => {
  it('fits the long side into 1600 px, keeping the aspect ratio, landscape or portrait', () => {
    expect(DOWNSCALED_LONG_SIDE).toBe(1600);
    expect(downscaledSize(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(downscaledSize(3024, 4032)).toEqual({ width: 1200, height: 1600 });
    expect(downscaledSize(1920, 1080)).toEqual({ width: 1600, height: 900 });
  });

  it('leaves a still that already fits as it is', () => {
    expect(downscaledSize(1600, 900)).toEqual({ width: 1600, height: 900 });
    expect(downscaledSize(640, 480)).toEqual({ width: 640, height: 480 });
  });

  it('refuses a size that is not positive, naming it', () => {
    expect(() => downscaledSize(0, 480)).toThrow('an image size must be positive; got 0 x 480');
    expect(() => downscaledSize(Number.NaN, 480)).toThrow(/must be positive; got NaN x 480/);
  });
});

describe('finding store errors', () => {
  /** PouchDB's wrapping of an aborted IndexedDB transaction (name indexed_db_went_bad, the IDB error as reason). */
  const pouchError = (reason: string) =>
    Object.assign(new Error('unknown'), { name: 'indexed_db_went_bad', status: 500, reason });

  it('recognises storage full from IndexedDB and through PouchDB', () => {
    expect(isStorageFullError(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isStorageFullError(pouchError('QuotaExceededError'))).toBe(true);
    expect(isStorageFullError(pouchError('AbortError'))).toBe(false);
    expect(findingWriteError(pouchError('QuotaExceededError'), 'the finding')).toMatchObject({
      kind: 'quota',
      message: expect.stringMatching(/^Storage is full: the finding was not saved/),
    });
  });

  it('names the cause of other failures, PouchDB reason included', () => {
    const e = findingWriteError(pouchError('UnknownError'), 'the change');
    expect(e.kind).toBe('write');
    expect(e.message).toBe(
      'the change could not be saved (indexed_db_went_bad: unknown (UnknownError)); nothing already stored was lost.',
    );
    expect(findingWriteError(new FindingFieldError('notes', 'notes must be text'), 'x').kind).toBe('invalid');
  });
});
