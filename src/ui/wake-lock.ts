/**
 * Keeps the screen on while a long job (training) runs, so a phone does not sleep and suspend the
 * page half way. Shared by the trainers.
 */
export class ScreenWakeLock {
  private sentinel?: WakeLockSentinel;

  /** Asks for a screen wake lock; silently does without when the browser refuses. */
  async acquire(): Promise<void> {
    try {
      if ('wakeLock' in navigator && document.visibilityState === 'visible')
        this.sentinel = await navigator.wakeLock.request('screen');
    } catch {
      // not allowed (battery saver, no user activation): training still works
    }
  }

  /** Releases the lock if held. */
  async release(): Promise<void> {
    try {
      await this.sentinel?.release();
    } catch {
      // already released by the browser (tab hidden)
    }
    this.sentinel = undefined;
  }
}
