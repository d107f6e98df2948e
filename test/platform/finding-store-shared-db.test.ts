/**
 * The page's shared PouchDB instance (finding-shared-db.ts) and the findings change feed
 * (finding-changes.ts), over a fake database: PouchDB itself needs a browser (it is exercised in
 * test/e2e/finding-store-pouch.test.ts). Borrowers share one instance, the last one closes it; a dead
 * instance is replaced and the change feed moves to the new one; bursts of changes reach the listener
 * as one call with the finding ids.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A fake PouchDB database: info() fails once `dead`; changes() returns a feed the test can drive. */
class FakeDb {
  dead = false;
  closed = false;
  feeds: FakeFeed[] = [];
  constructor(readonly name: string) {}
  info() {
    return this.dead
      ? Promise.reject(new DOMException('The database connection is closing.', 'InvalidStateError'))
      : Promise.resolve({});
  }
  close() {
    this.closed = true;
    return Promise.resolve();
  }
  changes() {
    const feed = new FakeFeed();
    this.feeds.push(feed);
    return feed;
  }
}

class FakeFeed {
  cancelled = false;
  private listeners = new Map<string, (change: { id: string }) => void>();
  on(event: string, listener: (change: { id: string }) => void) {
    this.listeners.set(event, listener);
    return this;
  }
  emit(id: string) {
    if (!this.cancelled) this.listeners.get('change')?.({ id });
  }
  cancel() {
    this.cancelled = true;
  }
}

const opened: FakeDb[] = [];
vi.mock('../../src/platform/local-db', () => ({
  openLocalDb: (name: string) => {
    const db = new FakeDb(name);
    opened.push(db);
    return db;
  },
}));

const { borrowSharedDb, releaseSharedDb } = await import('../../src/platform/finding-shared-db');
const { CHANGE_BATCH_MS, watchFindingChanges } = await import('../../src/platform/finding-changes');

const fake = (db: unknown) => db as unknown as FakeDb;

beforeEach(() => {
  opened.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('shared findings database', () => {
  it('gives every borrower the same instance and closes it when the last gives it back', async () => {
    const a = borrowSharedDb('t-share');
    const b = borrowSharedDb('t-share');
    expect(a).toBe(b);
    expect(opened).toHaveLength(1);
    await releaseSharedDb(a);
    expect(fake(a.db).closed).toBe(false);
    await releaseSharedDb(b);
    expect(fake(a.db).closed).toBe(true);
    const c = borrowSharedDb('t-share');
    expect(c).not.toBe(a);
    expect(opened).toHaveLength(2);
    await releaseSharedDb(c);
  });

  it('replaces a dead instance once, tells listeners, and leaves a live one alone', async () => {
    const shared = borrowSharedDb('t-heal');
    const first = shared.db;
    const renewed = vi.fn();
    shared.addEventListener('renewed', renewed);
    expect(await shared.heal()).toBe(false);
    expect(shared.db).toBe(first);
    fake(first).dead = true;
    const [one, two] = await Promise.all([shared.heal(), shared.heal()]);
    expect([one, two]).toEqual([true, true]);
    expect(shared.db).not.toBe(first);
    expect(opened).toHaveLength(2);
    expect(renewed).toHaveBeenCalledTimes(1);
    await releaseSharedDb(shared);
  });
});

describe('findings change feed', () => {
  it('reports a burst of finding changes once, with the finding ids, and ignores other documents', async () => {
    vi.useFakeTimers();
    const shared = borrowSharedDb('t-feed');
    const heard: string[][] = [];
    const stop = watchFindingChanges(shared, (ids) => heard.push(ids));
    const feed = fake(shared.db).feeds[0];
    feed.emit('finding:a');
    feed.emit('finding-still:a');
    feed.emit('model:m1');
    feed.emit('finding:b');
    feed.emit('finding:a');
    expect(heard).toEqual([]);
    await vi.advanceTimersByTimeAsync(CHANGE_BATCH_MS);
    expect(heard).toEqual([['a', 'b']]);
    stop();
    expect(feed.cancelled).toBe(true);
    await releaseSharedDb(shared);
  });

  it('follows the database to its new instance after a dead one was replaced', async () => {
    vi.useFakeTimers();
    const shared = borrowSharedDb('t-feed-heal');
    const heard: string[][] = [];
    const stop = watchFindingChanges(shared, (ids) => heard.push(ids));
    const oldFeed = fake(shared.db).feeds[0];
    fake(shared.db).dead = true;
    await shared.heal();
    expect(oldFeed.cancelled).toBe(true);
    fake(shared.db).feeds[0].emit('finding:c');
    await vi.advanceTimersByTimeAsync(CHANGE_BATCH_MS);
    expect(heard).toEqual([['c']]);
    stop();
    await releaseSharedDb(shared);
  });
});
