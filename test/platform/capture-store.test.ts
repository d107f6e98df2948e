import { describe, expect, it } from 'vitest';
import {
  captureBytes,
  CaptureStoreError,
  isQuotaError,
  validateClassName,
  wrapWrite,
} from '../../src/platform/capture-record';

describe('capture store errors', () => {
  it('reports storage full as kind quota with a message that says nothing stored was lost', () => {
    const e = wrapWrite(new DOMException('The quota has been exceeded.', 'QuotaExceededError'), '3 captures');
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(e).toBeInstanceOf(CaptureStoreError);
    expect(e.kind).toBe('quota');
    expect(e.message).toMatch(/^Storage is full: 3 captures was not saved.*nothing already stored was lost/);
  });

  it('reports other failures as kind write, naming the cause', () => {
    const e = wrapWrite(new DOMException('Key already exists in the object store.', 'ConstraintError'), 'the capture');
    expect(e.kind).toBe('write');
    expect(e.message).toMatch(/ConstraintError: Key already exists/);
    expect(isQuotaError(new Error('x'))).toBe(false);
  });

  it('accepts folder-safe class names only', () => {
    expect(validateClassName(' spalling ')).toBe('spalling');
    expect(validateClassName('efflorescence-2')).toBe('efflorescence-2');
    expect(validateClassName('ひび割れ')).toBe('ひび割れ');
    for (const bad of ['', '..', 'a/b', '.hidden', 'x'.repeat(41)])
      expect(() => validateClassName(bad)).toThrow(/not a valid class name/);
  });
});

describe('captureBytes', () => {
  it('adds the crop and the frame, or the crop alone', () => {
    const blob = (n: number) => new Blob([new Uint8Array(n)]);
    expect(captureBytes({ crop: blob(100), frame: blob(2500) })).toBe(2600);
    expect(captureBytes({ crop: blob(100) })).toBe(100);
  });
});

describe('capture store errors through PouchDB', () => {
  it('recognises storage full wrapped by PouchDB (the IndexedDB error as reason)', () => {
    const pouch = Object.assign(new Error('unknown'), { name: 'indexed_db_went_bad', reason: 'QuotaExceededError' });
    expect(isQuotaError(pouch)).toBe(true);
    expect(wrapWrite(pouch, 'the capture').kind).toBe('quota');
    expect(isQuotaError(Object.assign(new Error('x'), { reason: 'AbortError' }))).toBe(false);
  });
});
