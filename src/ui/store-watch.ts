import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** A store that tells of its changes (here, in another element, or brought in by the sync). */
export interface WatchableStore {
  onChange(listener: (ids: string[]) => void): () => void;
}

/**
 * Keeps an element's view of a store current: refreshes after each change, and changes during a
 * refresh (a sync in batches) make one more refresh, not one each. Follows the store only while the
 * element is in the page.
 */
export class StoreWatch implements ReactiveController {
  private store?: WatchableStore;
  private stop?: () => void;
  private refreshing?: Promise<void>;
  private again = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly refresh: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {
    host.addController(this);
  }

  /** Follows `store` from now on (none: stops following). */
  watch(store: WatchableStore | undefined): void {
    this.hostDisconnected();
    this.store = store;
    this.hostConnected();
  }

  hostConnected(): void {
    this.stop ??= this.store?.onChange(() => this.refreshSoon());
  }

  hostDisconnected(): void {
    this.stop?.();
    this.stop = undefined;
  }

  private refreshSoon(): void {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = this.refresh()
      .catch(this.onError)
      .finally(() => {
        this.refreshing = undefined;
        if (!this.again) return;
        this.again = false;
        this.refreshSoon();
      });
  }
}
