/**
 * Live two-way replication of the local database with the team's CouchDB database, and its state for
 * the status chip (sync-state.ts). One `localDb.sync(remote, { live, retry })` at a time, in small
 * batches (a phone must not hold many photos at once); PouchDB retries with {@link syncBackOff} while
 * the server does not answer. Offline (no network at all) the replication is cancelled and started
 * again when the network comes back. A wrong password, a forbidden or missing database stop it with
 * the reason (retrying cannot help); an unreachable host or a CORS refusal show as errors while it
 * keeps retrying. Full-resolution stills replicate as the photo policy says (photo-policy.ts), and one
 * finding's still can be fetched on demand.
 *
 * Dispatches `change` (a plain Event) whenever {@link state} changes, and `docs` (a CustomEvent with the
 * ids) when documents arrived from the server.
 */
import type { LocalDb } from '../local-db';
import { FINDING_STILL_PREFIX } from './doc-ids';
import { DEFAULT_BACK_OFF, syncBackOff, type BackOffOptions } from './back-off';
import type { NetworkWatch } from './network-watch';
import { syncsFullStills, withoutFullStills, type FullPhotoPolicy } from './photo-policy';
import {
  classifySyncError,
  databaseUrlProblem,
  isNetworkFailure,
  type HostProbe,
  type SyncFailure,
} from './sync-errors';
import { nextSyncState, type SyncEvent, type SyncState } from './sync-state';

/** Documents per replication batch: a few findings with their photos (~0.5 MB each). */
export const SYNC_BATCH_SIZE = 5;

/** What to sync with. */
export interface SyncTarget {
  url: string;
  user: string;
  /** Known only in memory (see sync-credentials.ts). */
  password: string;
  photos: FullPhotoPolicy;
}

/** What the controller works on: injectable, so the rules are tested with in-memory databases. */
export interface SyncControllerDeps {
  localDb: LocalDb;
  network: NetworkWatch;
  /** Opens the remote database (without creating it: a missing database is an error to report). */
  openRemote(url: string, auth?: { username: string; password: string }): LocalDb;
  /** Whether the host answers a no-cors request (tells a CORS refusal from an unreachable host). */
  probe(url: string): Promise<HostProbe>;
  backOff?: BackOffOptions;
}

/** Failures that retrying cannot mend: the replication stops. */
const PERMANENT: ReadonlySet<string> = new Set(['unauthorized', 'forbidden', 'no-database', 'bad-url']);

type SyncChangeInfo = { direction?: string; change?: { docs?: { _id: string }[] } };

export class SyncController extends EventTarget {
  state: SyncState = { kind: 'off' };
  private target?: SyncTarget;
  private remote?: LocalDb;
  private replication?: PouchDB.Sync;
  /** Whether the running replication carries full stills. */
  private withStills = false;
  /** Bumped by every (re)start and stop: events of an older replication are ignored. */
  private generation = 0;

  constructor(private deps: SyncControllerDeps) {
    super();
    deps.network.addEventListener('change', this.onNetwork);
  }

  /** Starts (or restarts with new settings) the live sync. */
  start(target: SyncTarget): void {
    this.target = target;
    this.remote = undefined;
    this.apply({ type: 'start' });
    const problem = databaseUrlProblem(target.url);
    if (problem) {
      this.cancel();
      this.apply({ type: 'failed', reason: 'bad-url', detail: problem });
      return;
    }
    if (!this.deps.network.online()) {
      this.cancel();
      this.apply({ type: 'network-lost' });
      return;
    }
    void this.run();
  }

  /** Stops syncing; local data stays as it is. */
  stop(): void {
    this.target = undefined;
    this.cancel();
    this.apply({ type: 'stop' });
  }

  /** Replicates `db` from now on (the page's instance was replaced); a running sync restarts on it. */
  useLocalDb(db: LocalDb): void {
    if (db === this.deps.localDb) return;
    this.deps = { ...this.deps, localDb: db };
    if (this.replication) void this.run();
  }

  /** Shows a failure found before syncing could start (no password on this load) and does not sync. */
  refuse(failure: SyncFailure): void {
    this.target = undefined;
    this.cancel();
    this.apply({ type: 'start' });
    this.apply({ type: 'failed', ...failure });
  }

  /** Changes the full-photo policy, restarting the replication when that changes what it carries. */
  setPhotos(photos: FullPhotoPolicy): void {
    if (!this.target) return;
    this.target = { ...this.target, photos };
    this.restartIfStillsChanged();
  }

  /** Fetches the full-resolution still of one finding from the server; resolves true when it is here now. */
  async fetchFullStill(findingId: string, signal?: AbortSignal): Promise<boolean> {
    const remote = this.remoteDb();
    if (!remote) throw new Error('team sync is off: start it to fetch full-resolution photos');
    const id = `${FINDING_STILL_PREFIX}${findingId}`;
    const replication = this.deps.localDb.replicate.from(remote, { doc_ids: [id], batch_size: 1 });
    const abort = () => replication.cancel();
    signal?.addEventListener('abort', abort);
    try {
      await replication;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    signal?.throwIfAborted();
    return this.deps.localDb.get(id).then(
      () => true,
      () => false,
    );
  }

  dispose(): void {
    this.deps.network.removeEventListener('change', this.onNetwork);
    this.cancel();
  }

  private remoteDb(): LocalDb | undefined {
    if (!this.target) return undefined;
    const { url, user, password } = this.target;
    this.remote ??= this.deps.openRemote(url, user ? { username: user, password } : undefined);
    return this.remote;
  }

  /** Checks the database once (a clear reason for a wrong password or URL), then replicates live. */
  private async run(): Promise<void> {
    this.cancel();
    const generation = this.generation;
    const remote = this.remoteDb();
    if (!remote || !this.target) return;
    try {
      await remote.info();
    } catch (e) {
      if (generation !== this.generation) return;
      const failure = await this.classify(e);
      if (generation !== this.generation) return;
      this.apply({ type: 'failed', ...failure });
      if (PERMANENT.has(failure.reason)) return;
    }
    if (generation !== this.generation) return;
    this.replicate(remote, this.target.photos);
  }

  private replicate(remote: LocalDb, photos: FullPhotoPolicy): void {
    const generation = this.generation;
    this.withStills = syncsFullStills(photos, this.deps.network.connection());
    const replication = this.deps.localDb.sync(remote, {
      live: true,
      retry: true,
      back_off_function: syncBackOff(this.deps.backOff ?? DEFAULT_BACK_OFF),
      batch_size: SYNC_BATCH_SIZE,
      batches_limit: 1,
      ...(this.withStills ? {} : { filter: withoutFullStills }),
    });
    this.replication = replication;
    const current = () => generation === this.generation;
    // The sync's own `paused` drops the error: each direction's says whether it paused on a failure.
    const failures: { push?: unknown; pull?: unknown } = {};
    // PouchDB's sync starts with both directions counted as paused, so its first `paused` can come from
    // one direction before the other has begun: up to date only once each has paused at least once.
    const settled = { push: false, pull: false };
    for (const direction of ['push', 'pull'] as const) {
      replication[direction].on('paused', (err?: unknown) => {
        settled[direction] = true;
        failures[direction] = err ?? undefined;
        if (err != null && current()) void this.onFailure(err);
      });
      replication[direction].on('active', () => (failures[direction] = undefined));
    }
    replication.on('active', () => current() && this.apply({ type: 'active' }));
    replication.on('change', (info: SyncChangeInfo) => current() && this.onChange(info));
    // After the directions' own listeners have run (they are called after the sync's).
    replication.on('paused', () =>
      setTimeout(
        () =>
          current() && settled.push && settled.pull && !failures.push && !failures.pull && this.apply({ type: 'idle' }),
      ),
    );
    replication.on('error', (err: unknown) => current() && void this.onFailure(err ?? new Error('sync stopped')));
  }

  private onChange(info: SyncChangeInfo): void {
    this.apply({ type: 'active' });
    const ids = (info.change?.docs ?? []).map((d) => d._id);
    if (info.direction === 'pull' && ids.length > 0) this.dispatchEvent(new CustomEvent('docs', { detail: ids }));
  }

  private async onFailure(err: unknown): Promise<void> {
    const generation = this.generation;
    const failure = await this.classify(err);
    if (generation !== this.generation) return;
    if (PERMANENT.has(failure.reason)) this.cancel();
    this.apply({ type: 'failed', ...failure });
  }

  private async classify(e: unknown): Promise<SyncFailure> {
    const probe = isNetworkFailure(e) && this.target ? await this.deps.probe(this.target.url) : undefined;
    return classifySyncError(e, probe);
  }

  private restartIfStillsChanged(): void {
    if (!this.target || !this.replication) return;
    if (syncsFullStills(this.target.photos, this.deps.network.connection()) !== this.withStills) void this.run();
  }

  private readonly onNetwork = (): void => {
    if (!this.target) return;
    const online = this.deps.network.online();
    if (!online && this.state.kind !== 'offline') {
      this.cancel();
      this.apply({ type: 'network-lost' });
    } else if (online && this.state.kind === 'offline') {
      this.apply({ type: 'network-back' });
      void this.run();
    } else if (online) this.restartIfStillsChanged();
  };

  private cancel(): void {
    this.generation++;
    this.replication?.cancel();
    this.replication = undefined;
  }

  private apply(event: SyncEvent): void {
    const next = nextSyncState(this.state, event);
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = next;
    this.dispatchEvent(new Event('change'));
  }
}
