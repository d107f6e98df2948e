/**
 * The sync controller on two in-memory PouchDB databases (pouchdb-node with the memory adapter): the
 * "remote" stands in for the team's CouchDB. Replication both ways, full stills left out and fetched on
 * demand, offline pause and resume, a wrong password stops with the reason and keeps local data.
 */
import PouchDB from 'pouchdb-node';
import memoryAdapter from 'pouchdb-adapter-memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalDb } from '../../../src/platform/local-db';
import type { NetworkWatch } from '../../../src/platform/sync/network-watch';
import type { ConnectionInfo } from '../../../src/platform/sync/photo-policy';
import { SyncController, type SyncControllerDeps } from '../../../src/platform/sync/sync-controller';
import type { SyncStateKind } from '../../../src/platform/sync/sync-state';

const MemoryPouch = PouchDB.plugin(memoryAdapter).defaults({ adapter: 'memory' });
let dbCount = 0;
const memoryDb = (): LocalDb => new MemoryPouch(`sync-test-${++dbCount}`);

class FakeNetwork extends EventTarget implements NetworkWatch {
  isOnline = true;
  info?: ConnectionInfo;
  online = () => this.isOnline;
  connection = () => this.info;
  set(online: boolean, info?: ConnectionInfo): void {
    this.isOnline = online;
    this.info = info;
    this.dispatchEvent(new Event('change'));
  }
}

const controllers: SyncController[] = [];
afterEach(() => controllers.splice(0).forEach((c) => c.dispose()));

function controller(
  localDb: LocalDb,
  remote: LocalDb,
  network = new FakeNetwork(),
  extra: Partial<SyncControllerDeps> = {},
) {
  const c = new SyncController({
    localDb,
    network,
    openRemote: () => remote,
    probe: async () => 'silent',
    backOff: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
  controllers.push(c);
  return c;
}

function until(c: SyncController, kind: SyncStateKind, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (c.state.kind === kind) return resolve();
    const timer = setTimeout(() => reject(new Error(`state ${c.state.kind}, waited for ${kind}`)), timeoutMs);
    c.addEventListener('change', function check() {
      if (c.state.kind !== kind) return;
      clearTimeout(timer);
      c.removeEventListener('change', check);
      resolve();
    });
  });
}

const target = { url: 'http://127.0.0.1:5984/team', user: '', password: '', photos: 'never' as const };
const ids = async (db: LocalDb) => (await db.allDocs()).rows.map((r) => r.id).sort();

describe('sync controller', () => {
  it('replicates both ways and leaves full stills out until fetched on demand', async () => {
    const local = memoryDb();
    const remote = memoryDb();
    await local.bulkDocs([
      { _id: 'finding:a', note: 'a' },
      { _id: 'finding-still:a', big: true },
    ]);
    await remote.bulkDocs([{ _id: 'finding:b', note: 'b' }, { _id: 'finding-still:b', big: true }, { _id: 'model:m' }]);
    const c = controller(local, remote);
    c.start(target);
    await until(c, 'up-to-date');
    await until(c, 'up-to-date');
    expect(await ids(local)).toEqual(['finding-still:a', 'finding:a', 'finding:b', 'model:m']);
    expect(await ids(remote)).toEqual(['finding-still:b', 'finding:a', 'finding:b', 'model:m']);
    expect(await c.fetchFullStill('b')).toBe(true);
    expect(await ids(local)).toContain('finding-still:b');
  });

  it('says up to date only after both directions have caught up, not when one is done first', async () => {
    const local = memoryDb();
    const remote = memoryDb();
    await remote.bulkDocs([{ _id: 'finding:b', note: 'b' }]);
    // The pull starts late (a slow server's first answer; replication asks its source for info() first):
    // the push, with nothing to send, pauses before the pull has begun.
    const info = remote.info.bind(remote);
    const lateInfo = (callback?: (err: unknown, result?: unknown) => void) => {
      const answer = new Promise((r) => setTimeout(r, 300)).then(() => info());
      if (callback) answer.then((result) => callback(null, result), callback);
      return answer;
    };
    Object.assign(remote, { info: lateInfo });
    const c = controller(local, remote);
    c.start(target);
    await until(c, 'up-to-date');
    expect(await ids(local)).toEqual(['finding:b']);
  });

  it('carries full stills when the policy and the connection allow it', async () => {
    const local = memoryDb();
    const remote = memoryDb();
    await local.put({ _id: 'finding-still:w', big: true });
    const network = new FakeNetwork();
    network.info = { type: 'wifi' };
    const c = controller(local, remote, network);
    c.start({ ...target, photos: 'wifi' });
    await until(c, 'up-to-date');
    await vi.waitFor(async () => expect(await ids(remote)).toEqual(['finding-still:w']), { timeout: 10_000 });
  });

  it('pauses offline and resumes with what was written meanwhile', async () => {
    const local = memoryDb();
    const remote = memoryDb();
    const network = new FakeNetwork();
    const c = controller(local, remote, network);
    c.start(target);
    await until(c, 'up-to-date');
    network.set(false);
    expect(c.state.kind).toBe('offline');
    await local.put({ _id: 'finding:offline', note: 'x' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await ids(remote)).toEqual([]);
    network.set(true);
    await until(c, 'up-to-date');
    await vi.waitFor(async () => expect(await ids(remote)).toEqual(['finding:offline']), { timeout: 10_000 });
  });

  it('stops with the reason on a wrong password and keeps local data', async () => {
    const local = memoryDb();
    await local.put({ _id: 'finding:keep', note: 'x' });
    const refused = new Error('Name or password is incorrect.');
    Object.assign(refused, { status: 401, name: 'unauthorized', reason: 'Name or password is incorrect.' });
    const remote = Object.assign(memoryDb(), { info: () => Promise.reject(refused) });
    const c = controller(local, remote);
    c.start({ ...target, user: 'ann', password: 'wrong' });
    await until(c, 'error');
    expect(c.state).toEqual({ kind: 'error', reason: 'unauthorized', detail: 'Name or password is incorrect.' });
    expect(await ids(local)).toEqual(['finding:keep']);
  });

  it('calls a CORS refusal by its name when the host answers a no-cors request', async () => {
    const remote = Object.assign(memoryDb(), { info: () => Promise.reject(new TypeError('Failed to fetch')) });
    const c = controller(memoryDb(), remote, new FakeNetwork(), { probe: async () => 'answers' });
    c.start(target);
    await until(c, 'error');
    expect(c.state).toMatchObject({ kind: 'error', reason: 'cors' });
    c.stop();
    expect(c.state.kind).toBe('off');
  });

  it('refuses a bad URL at once', () => {
    const c = controller(memoryDb(), memoryDb());
    c.start({ ...target, url: 'couch/team' });
    expect(c.state).toMatchObject({ kind: 'error', reason: 'bad-url' });
  });
});
