import { describe, expect, it } from 'vitest';
import { StorageWrites, type StorageApi } from '../../src/platform/storage';
import { appStorageStatus } from '../../src/platform/storage-usage';

/** A StorageManager that reports `usage` and `quota` and is not persistent. */
function reporting(usage: number, quota: number): StorageApi {
  return {
    estimate: () => Promise.resolve({ usage, quota }),
    persisted: () => Promise.resolve(false),
    persist: () => Promise.resolve(false),
  };
}

describe('appStorageStatus', () => {
  it('shows the measured bytes of captures and models when the estimate reads less', async () => {
    const s = await appStorageStatus({
      storage: reporting(0, 10_000_000),
      measure: () => Promise.resolve(1_234_567),
      writes: new StorageWrites(),
    });
    expect(s).toEqual({ usage: 1_234_567, quota: 10_000_000, persisted: false });
  });

  it('says full after a refused write, and not after a later write succeeded', async () => {
    const writes = new StorageWrites();
    const sources = { storage: reporting(0, 10_737_418_240), measure: () => Promise.resolve(3_000_000), writes };
    writes.refused({ what: 'the capture', bytes: 200_000 });
    expect(await appStorageStatus(sources)).toMatchObject({
      usage: 3_000_000,
      quota: 3_000_000,
      full: { what: 'the capture', bytes: 200_000 },
    });
    writes.succeeded();
    const after = await appStorageStatus(sources);
    expect(after.full).toBeUndefined();
    expect(after.quota).toBe(10_737_418_240);
  });
});
