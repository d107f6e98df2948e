/**
 * What the sync needs to know about the network: whether the device has one at all (from the app's
 * connectivity, src/platform/connectivity.ts: offline because the browser reports no network; an app
 * server that does not answer says nothing about the sync server), and the connection type for the
 * full-photo policy (the Network Information API, where the browser offers it).
 */
import type { Connectivity } from '../connectivity';
import type { ConnectionInfo } from './photo-policy';

/** Dispatches `change` when {@link online} or {@link connection} may have changed. */
export interface NetworkWatch extends EventTarget {
  online(): boolean;
  connection(): ConnectionInfo | undefined;
}

type NetworkConnection = ConnectionInfo & EventTarget;

/** `navigator.connection` where the browser has it. */
function networkConnection(): NetworkConnection | undefined {
  return (navigator as Navigator & { connection?: NetworkConnection }).connection;
}

/** A {@link NetworkWatch} over the app's connectivity and `navigator.connection`. */
export class BrowserNetworkWatch extends EventTarget implements NetworkWatch {
  private readonly onChange = () => this.dispatchEvent(new Event('change'));

  constructor(private readonly connectivity: Connectivity) {
    super();
    connectivity.addEventListener('change', this.onChange);
    networkConnection()?.addEventListener('change', this.onChange);
  }

  online(): boolean {
    return !(this.connectivity.state === 'offline' && this.connectivity.reason === 'browser');
  }

  connection(): ConnectionInfo | undefined {
    const c = networkConnection();
    return c ? { type: c.type, saveData: c.saveData } : undefined;
  }

  dispose(): void {
    this.connectivity.removeEventListener('change', this.onChange);
    networkConnection()?.removeEventListener('change', this.onChange);
  }
}
