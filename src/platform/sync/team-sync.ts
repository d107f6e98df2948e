/**
 * The app's team sync: the settings, the password for this run, the {@link SyncController} over the
 * local database, and the team's models (model-sharing.ts). Created once by the app shell after the
 * first paint; {@link TeamSync.resume} restarts the sync when it was on when the app last ran.
 *
 * Dispatches `change` when the state, the settings, the shared models or a model's share status
 * change, and `models` when team models were added to the library or rejected.
 */
import PouchDB from 'pouchdb-browser';
import { appConnectivity } from '../connectivity';
import { borrowSharedDb, type SharedDb } from '../finding-shared-db';
import { cleanUpFullPhotos } from '../full-photo-cleanup';
import { LOCAL_DB, type LocalDb } from '../local-db';
import {
  hideTeamModel,
  receiveTeamModels,
  rejectedModels,
  shareModelOnRequest,
  sharedLibraryIds,
  shareTrainedModels,
  unshareModel,
  type ModelLibrary,
  type RejectedModel,
  type ValidateModel,
} from '../model-sharing';
import { MODEL_PREFIX } from './doc-ids';
import { BrowserNetworkWatch } from './network-watch';
import type { FullPhotoPolicy } from './photo-policy';
import { SyncController } from './sync-controller';
import { recallPassword, rememberPassword } from './sync-credentials';
import { probeHost } from './sync-errors';
import { loadSyncSettings, saveSyncSettings, type SyncSettings } from './sync-settings';
import type { SyncState } from './sync-state';

/** What the inspector enters to start syncing. */
export interface SyncStartRequest {
  url: string;
  user: string;
  password: string;
  photos: FullPhotoPolicy;
}

/** Opens the remote database over HTTP without creating it (a missing database is reported). */
function openRemote(url: string, auth?: { username: string; password: string }): LocalDb {
  return new PouchDB(url, { skip_setup: true, ...(auth ? { auth } : {}) });
}

/** What the last share or unshare of a model did, for its row in the model list. */
export type ModelShareStatus = { kind: 'shared' | 'unshared' } | { kind: 'error'; message: string };

export class TeamSync extends EventTarget {
  readonly controller: SyncController;
  /** Team models that failed the check on this device. */
  rejected: RejectedModel[] = [];
  /** Library ids of the models shared with the team (from any device). */
  sharedIds: ReadonlySet<string> = new Set();
  /** By library id: what the inspector's last share or unshare of the model did. */
  shareStatus: ReadonlyMap<string, ModelShareStatus> = new Map();
  private library?: ModelLibrary;
  private validate?: ValidateModel;
  private receiving?: Promise<void>;

  constructor(
    private readonly shared: SharedDb,
    public settings: SyncSettings,
  ) {
    super();
    this.controller = new SyncController({
      localDb: shared.db,
      network: new BrowserNetworkWatch(appConnectivity()),
      openRemote,
      probe: (url) => probeHost(url),
    });
    this.controller.addEventListener('change', () => this.changed());
    // The findings store replaced a dead connection (finding-shared-db.ts): sync goes on with the new one.
    shared.addEventListener('renewed', () => this.controller.useLocalDb(shared.db));
    this.controller.addEventListener('docs', (e) => {
      const ids = (e as CustomEvent<string[]>).detail;
      // Deletions that arrive take the full photos they leave behind with them (full-photo-cleanup.ts).
      void cleanUpFullPhotos(this.localDb, ids);
      if (ids.some((id) => id.startsWith(MODEL_PREFIX))) void this.receiveModels();
    });
  }

  /** The page's instance of the local database (read it for each operation: it may be replaced). */
  get localDb(): LocalDb {
    return this.shared.db;
  }

  get state(): SyncState {
    return this.controller.state;
  }

  /** Starts syncing with what the inspector entered; remembers the settings (and the password where the browser can). */
  async start(request: SyncStartRequest): Promise<void> {
    const url = request.url.trim();
    const user = request.user.trim();
    this.settings = { url, user, photos: request.photos, enabled: true };
    await saveSyncSettings(this.localDb, this.settings);
    if (user && request.password) void rememberPassword({ user, password: request.password }, url);
    this.controller.start({ url, user, password: request.password, photos: request.photos });
    void this.shareTrained();
    this.changed();
  }

  async stop(): Promise<void> {
    this.settings = { ...this.settings, enabled: false };
    await saveSyncSettings(this.localDb, this.settings);
    this.controller.stop();
    this.changed();
  }

  async setPhotos(photos: FullPhotoPolicy): Promise<void> {
    this.settings = { ...this.settings, photos };
    await saveSyncSettings(this.localDb, this.settings);
    this.controller.setPhotos(photos);
    this.changed();
  }

  /** On app load: starts again when sync was on (asking the password manager for the password). */
  async resume(): Promise<void> {
    const { url, user, photos, enabled } = this.settings;
    if (!enabled || this.state.kind !== 'off') return;
    const password = user ? await recallPassword(user) : '';
    if (user && password === undefined) {
      this.controller.refuse({ reason: 'password-needed', detail: 'enter the password again to sync' });
      return;
    }
    this.controller.start({ url, user, password: password ?? '', photos });
  }

  /** Fetches one finding's full-resolution still from the team database. */
  fetchFullStill(findingId: string, signal?: AbortSignal): Promise<boolean> {
    return this.controller.fetchFullStill(findingId, signal);
  }

  /** The model library and the check team models pass before entering it; receives what is waiting. */
  async useModelLibrary(library: ModelLibrary, validate: ValidateModel): Promise<void> {
    this.library = library;
    this.validate = validate;
    this.rejected = await rejectedModels(this.localDb);
    await this.receiveModels();
    if (this.settings.enabled) await this.shareTrained();
  }

  /** Shares one library model with the team (any origin); the outcome goes to {@link shareStatus}. */
  async shareModel(id: string): Promise<void> {
    await this.recordShare(id, 'shared', async () => {
      const model = await this.library?.get(id);
      if (!model) throw new Error(`model ${id} is not in the library`);
      await shareModelOnRequest(this.localDb, model);
    });
  }

  /** Stops sharing one library model (its document is deleted everywhere); the outcome goes to {@link shareStatus}. */
  async unshareModel(id: string): Promise<void> {
    await this.recordShare(id, 'unshared', () => unshareModel(this.localDb, id));
  }

  /** A model was deleted from the library: team sync never adds it back on this device. */
  hideModel(id: string): Promise<void> {
    return hideTeamModel(this.localDb, id);
  }

  /** Shares the models trained here while sync is on (called after a training was saved). */
  async shareTrained(): Promise<void> {
    if (this.library && this.settings.enabled) await shareTrainedModels(this.localDb, this.library);
    await this.refreshShared();
  }

  private async recordShare(id: string, kind: 'shared' | 'unshared', work: () => Promise<unknown>): Promise<void> {
    let status: ModelShareStatus = { kind };
    try {
      await work();
    } catch (e) {
      status = { kind: 'error', message: (e as Error).message };
    }
    this.shareStatus = new Map([...this.shareStatus, [id, status]]);
    await this.refreshShared();
    this.changed();
  }

  private async refreshShared(): Promise<void> {
    const ids = await sharedLibraryIds(this.localDb);
    if ([...ids].join() === [...this.sharedIds].join()) return;
    this.sharedIds = ids;
    this.changed();
  }

  private receiveModels(): Promise<void> {
    const { library, validate } = this;
    if (!library || !validate) return Promise.resolve();
    this.receiving = (this.receiving ?? Promise.resolve())
      .then(async () => {
        const received = await receiveTeamModels(this.localDb, library, validate);
        await this.refreshShared();
        if (received.added.length === 0 && received.rejected.length === 0) return;
        this.rejected = await rejectedModels(this.localDb);
        this.dispatchEvent(new CustomEvent('models', { detail: received }));
      })
      .catch((e: Error) => console.warn(`team models could not be received: ${e.message}`));
    return this.receiving;
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

/** Borrows the page's instance of the local database (shared with the findings store) and reads the settings. */
export async function openTeamSync(name: string = LOCAL_DB): Promise<TeamSync> {
  const shared = borrowSharedDb(name);
  return new TeamSync(shared, await loadSyncSettings(shared.db));
}
