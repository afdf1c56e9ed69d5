/**
 * Relay between server instances sharing a board. The default is a single
 * instance (no relay); a Redis relay implements this without touching the
 * sync core. Document updates published here are already stored; receivers
 * apply them with the `relay` origin and never store or publish them again.
 * Presence (awareness) updates travel the same way so that everyone sees who
 * is here, whichever instance they are connected to. `state` messages are each
 * instance's periodic summary of a document (server/sync/relay-check.ts): they
 * let instances notice what they missed and tell the living from the crashed.
 */
export type RelayKind = 'update' | 'awareness' | 'state';

/** Handles one relayed message; `from` identifies the publishing instance. */
export type RelayHandler = (kind: RelayKind, payload: Uint8Array, from: string) => void;

/**
 * Server-wide decisions that every instance must carry out on its own
 * connections (SPEC B2, ID6): a replaced link, a deleted board, a removed person.
 */
export type ControlMessage =
  | { type: 'close-link'; boardId: string; role: 'organizer' | 'participant' | 'viewer' }
  | { type: 'board-deleted'; boardId: string }
  | { type: 'person-removed'; boardId: string; userId: string }
  /** QA9: a board's waiting questions changed (the organizers' lists and these authors' own). */
  | { type: 'questions'; boardId: string; authors: string[] };

/** Authors named in one `questions` control message (more: the organizers' push only). */
export const MAX_AUTHORS = 32;

export interface Relay {
  /** False for a single instance: nobody listens, so nothing needs checking. */
  readonly active: boolean;
  publish(docName: string, kind: RelayKind, payload: Uint8Array): void;
  /** Resolves once the subscription is active; returns the unsubscribe function. */
  subscribe(docName: string, onMessage: RelayHandler): Promise<() => void>;
  /** Called after the relay's subscriptions came back from a broken link (messages may have been missed). */
  onResubscribed(listener: () => void): () => void;
  publishControl(message: ControlMessage): void;
  /** Control messages from other instances (never our own). */
  subscribeControl(onMessage: (message: ControlMessage) => void): Promise<() => void>;
  /** Optional: how long each message from another instance took to arrive, in seconds (metrics). */
  onLag?(listener: (seconds: number) => void): () => void;
  close(): Promise<void>;
}

export class NoRelay implements Relay {
  readonly active = false;
  publish(_docName: string, _kind: RelayKind, _payload: Uint8Array): void {}
  async subscribe(): Promise<() => void> {
    return () => {};
  }
  onResubscribed(): () => void {
    return () => {};
  }
  publishControl(): void {}
  async subscribeControl(): Promise<() => void> {
    return () => {};
  }
  async close(): Promise<void> {}
}
