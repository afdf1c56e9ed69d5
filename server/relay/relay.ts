/**
 * Relay between server instances sharing a board. The default is a single
 * instance (no relay); a Redis relay implements this without touching the
 * sync core. Document updates published here are already stored; receivers
 * apply them with the `relay` origin and never store or publish them again.
 * Presence (awareness) updates travel the same way so that everyone sees who
 * is here, whichever instance they are connected to.
 */
export type RelayKind = 'update' | 'awareness';

export interface Relay {
  publish(docName: string, kind: RelayKind, payload: Uint8Array): void;
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribe(docName: string, onMessage: (kind: RelayKind, payload: Uint8Array) => void): Promise<() => void>;
  close(): Promise<void>;
}

export class NoRelay implements Relay {
  publish(): void {}
  async subscribe(): Promise<() => void> {
    return () => {};
  }
  async close(): Promise<void> {}
}
