import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  resolveStorageStatus,
  StorageWrites,
  usageFraction,
  type QuotaFailure,
} from '../../src/platform/storage';

describe('formatBytes', () => {
  it('uses SI units with 3 significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(2_878_370)).toBe('2.88 MB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(299_000_000_000)).toBe('299 GB');
  });

  it('never prints 1000 of a unit after rounding', () => {
    expect(formatBytes(999_600)).toBe('1.00 MB');
    expect(formatBytes(999.7)).toBe('1.00 kB');
  });

  it('shows a dash for invalid input', () => {
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});

describe('usageFraction', () => {
  it('is usage / quota clamped to [0, 1]', () => {
    expect(usageFraction({ usage: 25, quota: 100 })).toBe(0.25);
    expect(usageFraction({ usage: 300, quota: 100 })).toBe(1);
  });

  it('is undefined when a number is missing or the quota is 0', () => {
    expect(usageFraction({ usage: 25 })).toBeUndefined();
    expect(usageFraction({ quota: 100 })).toBeUndefined();
    expect(usageFraction({ usage: 0, quota: 0 })).toBeUndefined();
  });
});

describe('StorageWrites', () => {
  it('keeps the last refused write until a write succeeds, announcing each change', () => {
    const writes = new StorageWrites();
    let changes = 0;
    writes.addEventListener('change', () => changes++);
    expect(writes.lastQuotaFailure).toBeUndefined();
    writes.refused({ what: 'the capture', bytes: 1234 });
    expect(writes.lastQuotaFailure).toEqual({ what: 'the capture', bytes: 1234 });
    writes.refused({ what: '3 captures' });
    expect(writes.lastQuotaFailure).toEqual({ what: '3 captures' });
    writes.succeeded();
    expect(writes.lastQuotaFailure).toBeUndefined();
    expect(changes).toBe(3);
  });
});

describe('resolveStorageStatus', () => {
  const full: QuotaFailure = { what: 'the capture', bytes: 150_000 };

  it('uses the larger of the reported and the measured usage', () => {
    expect(resolveStorageStatus({ usage: 0, quota: 10_000_000, persisted: false }, 2_500_000, undefined)).toEqual({
      usage: 2_500_000,
      quota: 10_000_000,
      persisted: false,
    });
    expect(resolveStorageStatus({ usage: 3_000_000, quota: 10_000_000 }, 2_500_000, undefined)).toEqual({
      usage: 3_000_000,
      quota: 10_000_000,
    });
  });

  it('falls back to the measured usage where the browser reports none, and leaves it unknown when neither is known', () => {
    expect(resolveStorageStatus({}, 42, undefined).usage).toBe(42);
    expect(resolveStorageStatus({}, undefined, undefined).usage).toBeUndefined();
    expect(resolveStorageStatus({ usage: 7 }, undefined, undefined).usage).toBe(7);
  });

  it('when full, keeps a reported quota that the refusal agrees with', () => {
    // 4.95 MB used of 5 MB: 50 kB free, the refused write needed 150 kB.
    expect(resolveStorageStatus({ usage: 4_950_000, quota: 5_000_000 }, 1_000_000, full)).toEqual({
      usage: 4_950_000,
      quota: 5_000_000,
      full,
    });
  });

  it('when full, takes the usage as the quota if the reported quota had room for the refused write (emulated or stale quota)', () => {
    const s = resolveStorageStatus({ usage: 0, quota: 10_737_418_240 }, 4_800_000, full);
    expect(s).toEqual({ usage: 4_800_000, quota: 4_800_000, full });
    expect(usageFraction(s)).toBe(1);
  });

  it('when full with the refused size unknown, or nothing measurable, still says full', () => {
    expect(resolveStorageStatus({ usage: 900, quota: 1000 }, undefined, { what: 'x' })).toEqual({
      usage: 900,
      quota: 900,
      full: { what: 'x' },
    });
    expect(resolveStorageStatus({}, undefined, full)).toEqual({ usage: 0, quota: 0, full });
  });
});
