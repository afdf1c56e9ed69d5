import type * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { Denial, HandshakeAuth, SessionInfo } from '$shared/protocol';
import type { DocKind } from '$shared/schema';
import { DocSync, type Refusal } from './doc-sync';
import {
  SocketTransport,
  type ClientSocket,
  type ProviderFailure,
  type ProviderStatus,
  type Transport,
  type TransportOptions,
} from './socket-transport';

export { AWARENESS_MAX_PER_SECOND } from './awareness-sender';
export { RESET_DEBOUNCE_MS, SERVER_ORIGIN, type Refusal } from './doc-sync';
export type { ClientSocket, ProviderFailure, ProviderStatus, Transport } from './socket-transport';

/**
 * One Socket.io connection per board carrying its Yjs documents and their
 * awareness with standard y-protocols frames (`y` event: doc kind + frame).
 * Two halves: `SocketTransport` (the socket and its lifecycle) and `DocSync`
 * (pending and acknowledged updates, refusals and resets, awareness); this
 * class wires one to the other. Plain TypeScript with a change listener, so it
 * runs in Node tests; `BoardSession` mirrors its state into runes for the UI.
 */

export interface ProviderOptions {
  /** Origin of the server, e.g. `https://plenary.example` or `http://127.0.0.1:1234`. */
  url: string;
  /** The handshake; a function is asked again on every (re)connection. */
  auth: HandshakeAuth | (() => HandshakeAuth);
  docs: Readonly<Record<DocKind, Y.Doc>>;
  awareness: Readonly<Record<DocKind, awarenessProtocol.Awareness>>;
  /** Default: long-polling first, then upgrade to WebSocket (see `SocketTransport`). */
  transports?: Transport[];
  /** For tests: build the socket (defaults to socket.io-client's `io`). */
  connect?: TransportOptions['connect'];
  /** Install a page-unload hook that tells the others we left (browser only). */
  handleUnload?: boolean;
  /** Connect at once (default) or only on `start()`. */
  autoConnect?: boolean;
  /**
   * The handshake was refused with 4401 (wrong token, or a wrong key for the
   * user id). Resolve true once the auth is fixed (e.g. a new identity) to try
   * once more; false makes the refusal final.
   */
  recoverUnauthorized?: () => Promise<boolean>;
  /** Refusals within this many ms make one reset (default `RESET_DEBOUNCE_MS`). */
  resetDelayMs?: number;
  /**
   * Changes with these origins were loaded from this browser's own copy, not
   * made now: they are not pending. What the server lacks of them goes in the
   * answer to its sync step 1 (a refusal of which still resets the document).
   */
  isLoadedCopy?: (origin: unknown) => boolean;
}

export class SocketIoProvider {
  session: SessionInfo | null = null;

  readonly #transport: SocketTransport;
  readonly #sync: DocSync;
  readonly #listeners = new Set<() => void>();
  readonly #cleanups: (() => void)[] = [];
  #destroyed = false;

  constructor(opts: ProviderOptions) {
    const changed = (): void => {
      for (const l of this.#listeners) l();
    };
    this.#sync = new DocSync({
      docs: opts.docs,
      awareness: opts.awareness,
      send: (doc, frame, ack) => this.#transport.send(doc, frame, ack),
      renew: () => {
        if (this.#transport.connected) this.#transport.reconnect();
      },
      changed,
      resetDelayMs: opts.resetDelayMs,
      isLoadedCopy: opts.isLoadedCopy,
    });
    const sync = this.#sync;
    this.#transport = new SocketTransport(
      {
        url: opts.url,
        auth: opts.auth,
        transports: opts.transports,
        connect: opts.connect,
        autoConnect: opts.autoConnect ?? true,
        recoverUnauthorized: opts.recoverUnauthorized,
      },
      {
        connected: () => sync.connected(),
        disconnected: (lost) => sync.disconnected(lost),
        failed: () => sync.stop(),
        session: (info) => {
          this.session = info;
          sync.session(info);
        },
        denied: (d) => sync.denied(d),
        frame: (doc, frame) => sync.receive(doc, frame),
        changed,
      },
    );
    if (opts.handleUnload && typeof window !== 'undefined') {
      const onUnload = (): void => sync.announceLeaving();
      window.addEventListener('pagehide', onUnload);
      this.#cleanups.push(() => window.removeEventListener('pagehide', onUnload));
    }
  }

  get socket(): ClientSocket {
    return this.#transport.socket;
  }

  get status(): ProviderStatus {
    return this.#transport.status;
  }

  /** Set when the server refused the handshake or the person for good (4400–4499). */
  get failure(): ProviderFailure | null {
    return this.#transport.failure;
  }

  get lastDenial(): Denial | null {
    return this.#sync.lastDenial;
  }

  /** The refusal behind the latest reset (what the person is told), or null. */
  get refusal(): Refusal | null {
    return this.#sync.refusal;
  }

  /** Per document: the server's initial state arrived on the current connection. */
  get syncedNow(): Readonly<Record<DocKind, boolean>> {
    return this.#sync.syncedNow;
  }

  /** Sticky: every document was synced at least once. */
  get everSynced(): boolean {
    return this.#sync.everSynced;
  }

  /** Local updates the server acknowledged as stored. */
  get storedCount(): number {
    return this.#sync.storedCount;
  }

  /** Per document: how many times it was replaced after a refusal. */
  get generation(): Readonly<Record<DocKind, number>> {
    return this.#sync.generation;
  }

  /** Documents replaced after refusals, over the provider's life. */
  get resets(): number {
    return this.#sync.resets;
  }

  /** The documents as they are now (a reset replaces one). */
  get docs(): Readonly<Record<DocKind, Y.Doc>> {
    return this.#sync.docs;
  }

  get awareness(): Readonly<Record<DocKind, awarenessProtocol.Awareness>> {
    return this.#sync.awareness;
  }

  /** Local updates not yet stored by the server (sent or waiting to be sent). */
  get unsynced(): number {
    return this.#sync.unsynced;
  }

  pendingFor(doc: DocKind): number {
    return this.#sync.pendingFor(doc);
  }

  get allSyncedNow(): boolean {
    return this.#sync.allSyncedNow;
  }

  /** Called after any state change (status, session, sync, unsynced count, reset). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects (when created with `autoConnect: false`). */
  start(): void {
    if (!this.#destroyed) this.#transport.start();
  }

  /** A new connection now (with whatever the auth says now); changes wait and are resent. */
  reconnect(): void {
    if (!this.#destroyed) this.#transport.reconnect();
  }

  /** One NTP-style sample: the server's epoch ms. Rejects when offline or on timeout. */
  askServerTime(): Promise<number> {
    return this.#transport.askServerTime();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#sync.announceLeaving();
    this.#destroyed = true;
    for (const c of this.#cleanups.splice(0)) c();
    this.#sync.destroy();
    this.#transport.destroy();
    this.#listeners.clear();
  }
}
