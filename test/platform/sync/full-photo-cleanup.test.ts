/**
 * Deletions of full-resolution photos under every photo setting, and full photos that outlive their
 * finding or capture (src/platform/full-photo-cleanup.ts), on in-memory PouchDB databases standing
 * for two phones and the server.
 */
import PouchDB from 'pouchdb-node';
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import { cleanUpFullPhoto, fullPhotoPair } from '../../../src/platform/full-photo-cleanup';
import type { LocalDb } from '../../../src/platform/local-db';
import { withoutFullStills } from '../../../src/platform/sync/photo-policy';

const MemoryPouch = PouchDB.plugin(memoryAdapter).defaults({ adapter: 'memory' });
let dbCount = 0;
const memoryDb = (): LocalDb => new MemoryPouch(`full-photo-cleanup-${++dbCount}`);

const exists = (db: LocalDb, id: string) =>
  db.get(id).then(
    () => true,
    () => false,
  );

async function remove(db: LocalDb, id: string): Promise<void> {
  await db.remove(id, (await db.get(id))._rev!);
}

describe('full photos and deletions', () => {
  it('the "never" filter leaves full photos out but lets their deletions through', async () => {
    expect(withoutFullStills({ _id: 'finding-still:x' })).toBe(false);
    expect(withoutFullStills({ _id: 'capture-frame:x' })).toBe(false);
    expect(withoutFullStills({ _id: 'finding-still:x', _deleted: true })).toBe(true);
    expect(withoutFullStills({ _id: 'capture-frame:x', _deleted: true })).toBe(true);
    const phone = memoryDb();
    const server = memoryDb();
    await phone.bulkDocs([
      { _id: 'finding:x', notes: 'n' },
      { _id: 'finding-still:x', findingId: 'x' },
    ]);
    await phone.replicate.to(server); // sent while the phone was set to "always"
    await remove(phone, 'finding-still:x');
    await phone.replicate.to(server, { filter: withoutFullStills });
    expect(await exists(server, 'finding-still:x')).toBe(false);
    expect(await exists(server, 'finding:x')).toBe(true);
  });

  it('pairs a finding or capture with its full photo', () => {
    expect(fullPhotoPair('finding:a')).toEqual({ owner: 'finding:a', photo: 'finding-still:a' });
    expect(fullPhotoPair('finding-still:a')).toEqual({ owner: 'finding:a', photo: 'finding-still:a' });
    expect(fullPhotoPair('capture-frame:c')).toEqual({ owner: 'capture:c', photo: 'capture-frame:c' });
    expect(fullPhotoPair('capture-class:crack')).toBeUndefined();
    expect(fullPhotoPair('model:m')).toBeUndefined();
  });

  it('a deletion that arrives takes the full photo with it; one arriving late is deleted too', async () => {
    const withPhoto = memoryDb();
    const without = memoryDb();
    await withPhoto.bulkDocs([
      { _id: 'finding:x' },
      { _id: 'finding-still:x' },
      { _id: 'capture:c' },
      { _id: 'capture-frame:c' },
      { _id: 'finding-still:early' }, // its finding has not arrived yet
    ]);
    await withPhoto.replicate.to(without, { filter: withoutFullStills });
    expect(await exists(without, 'finding-still:x')).toBe(false);
    await remove(without, 'finding:x');
    await remove(without, 'capture:c');
    await without.replicate.to(withPhoto, { filter: withoutFullStills });
    for (const id of ['finding:x', 'capture:c']) expect(await cleanUpFullPhoto(withPhoto, id)).toBe(true);
    expect(await exists(withPhoto, 'finding-still:x')).toBe(false);
    expect(await exists(withPhoto, 'capture-frame:c')).toBe(false);
    expect(await cleanUpFullPhoto(withPhoto, 'finding-still:early')).toBe(false);
    expect(await exists(withPhoto, 'finding-still:early')).toBe(true);
    // A full still that arrives after its finding was deleted here.
    await without.put({ _id: 'finding-still:x' });
    expect(await cleanUpFullPhoto(without, 'finding-still:x')).toBe(true);
    expect(await exists(without, 'finding-still:x')).toBe(false);
  });
});
