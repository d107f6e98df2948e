/**
 * Keeps one `change` listener on the object an element follows (the service worker bridge, the app's
 * connectivity), moving it when the element is given another one. Shared by the offline indicator and
 * the update banner.
 */
export class ChangeListener<T extends EventTarget = EventTarget> {
  private followed?: T;

  /** @param listener called on every change of the followed object, and once whenever {@link follow} is. */
  constructor(private readonly listener: () => void) {}

  /** Listens to `target` instead of the object followed so far, and calls the listener once now. */
  follow(target: T | undefined): void {
    this.followed?.removeEventListener('change', this.listener);
    this.followed = target;
    target?.addEventListener('change', this.listener);
    this.listener();
  }

  /** Stops listening. */
  stop(): void {
    this.followed?.removeEventListener('change', this.listener);
    this.followed = undefined;
  }
}
