import type { ServiceWorkerBridge } from '../platform/sw-bridge';

/**
 * Keeps one `change` listener on the service worker bridge an element follows, moving it when the
 * element is given another bridge. Shared by the offline indicator and the update banner.
 */
export class BridgeListener {
  private followed?: ServiceWorkerBridge;

  /** @param listener called on every change of the followed bridge, and once whenever {@link follow} is. */
  constructor(private readonly listener: () => void) {}

  /** Listens to `bridge` instead of the bridge followed so far, and calls the listener once now. */
  follow(bridge: ServiceWorkerBridge | undefined): void {
    this.followed?.removeEventListener('change', this.listener);
    this.followed = bridge;
    bridge?.addEventListener('change', this.listener);
    this.listener();
  }

  /** Stops listening. */
  stop(): void {
    this.followed?.removeEventListener('change', this.listener);
    this.followed = undefined;
  }
}
