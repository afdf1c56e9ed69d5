/**
 * Relay between server instances sharing a board. The default is a single
 * instance (no relay); a Redis relay can implement this without touching the
 * sync core. Updates published here are already stored; receivers apply them
 * with the `relay` origin and never store or publish them again.
 */
export interface Relay {
  publish(docName: string, update: Uint8Array): void;
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribe(docName: string, onUpdate: (update: Uint8Array) => void): Promise<() => void>;
  close(): Promise<void>;
}

export class NoRelay implements Relay {
  publish(): void {}
  async subscribe(): Promise<() => void> {
    return () => {};
  }
  async close(): Promise<void> {}
}
