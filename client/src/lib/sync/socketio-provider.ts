import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { io, type Socket } from 'socket.io-client';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  MESSAGE,
  SOCKET_PATH,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Denial,
  type HandshakeAuth,
  type ServerToClientEvents,
  type SessionInfo,
  type UpdateAck,
} from '../../../../shared/protocol';
import { DOC_KINDS, isOrigin, type DocKind, type Origin } from '../../../../shared/schema';

/**
 * One Socket.io connection per board carrying its three Yjs documents and
 * their awareness with standard y-protocols frames (`y` event: doc kind +
 * frame). Plain TypeScript with a change listener, so it runs in Node tests;
 * `BoardSession` mirrors its state into runes for the UI.
 */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type Transport = 'polling' | 'websocket';

/** Origin of every change applied from the server: never sent back. */
export const SERVER_ORIGIN: Origin = Object.freeze({ kind: 'remote', connectionId: 'server' });

/** Awareness carries cursors: at most this many updates per second leave the client. */
export const AWARENESS_MAX_PER_SECOND = 20;
/** Wait this long for the server's answer to a clock sample. */
const CLOCK_TIMEOUT_MS = 3000;
/** After the server itself dropped us (not a refusal), try again after this long. */
const SERVER_DISCONNECT_RETRY_MS = 1000;

export type ProviderStatus =
  | 'connecting' // never connected yet, trying
  | 'connected'
  | 'offline' // was connected, socket.io is reconnecting
  | 'failed'; // refused for good (wrong link, unknown board): no more retries

export interface ProviderOptions {
  /** Origin of the server, e.g. `https://plenary.example` or `http://127.0.0.1:1234`. */
  url: string;
  auth: HandshakeAuth;
  docs: Readonly<Record<DocKind, Y.Doc>>;
  awareness: Readonly<Record<DocKind, awarenessProtocol.Awareness>>;
  /**
   * Long-polling first, then upgrade to WebSocket: where WebSocket is blocked
   * (some hospital and university networks) the failed upgrade is silent and
   * the connection stays on polling; with WebSocket first a blocked network
   * would hang until the connect timeout on every attempt.
   */
  transports?: Transport[];
  /** For tests: build the socket (defaults to socket.io-client's `io`). */
  connect?: (url: string, opts: Parameters<typeof io>[1]) => ClientSocket;
  /** Install a page-unload hook that tells the others we left (browser only). */
  handleUnload?: boolean;
}

export interface ProviderFailure {
  code: number;
  reason: string;
}

/** Frames arrive as Buffer (Node), ArrayBuffer (browser) or Uint8Array. */
function asBytes(frame: unknown): Uint8Array | null {
  if (frame instanceof Uint8Array) return frame;
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  return null;
}

const isDocKind = (v: unknown): v is DocKind =>
  typeof v === 'string' && (DOC_KINDS as readonly string[]).includes(v);

const isFromServer = (origin: unknown): boolean => isOrigin(origin) && origin.kind === 'remote';

function isConnectErrorData(v: unknown): v is ConnectErrorData {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { code?: unknown }).code === 'number' &&
    typeof (v as { reason?: unknown }).reason === 'string'
  );
}

export class SocketIoProvider {
  readonly socket: ClientSocket;
  status: ProviderStatus = 'connecting';
  /** Set when the server refused the handshake for good (4400–4499). */
  failure: ProviderFailure | null = null;
  session: SessionInfo | null = null;
  lastDenial: Denial | null = null;
  /** Per document: the server's initial state arrived on the current connection. */
  readonly syncedNow: Record<DocKind, boolean> = { agenda: false, board: false, tasks: false };
  /** Sticky: every document was synced at least once. */
  everSynced = false;
  /** Local updates the server acknowledged as stored. */
  storedCount = 0;

  readonly #docs: Readonly<Record<DocKind, Y.Doc>>;
  readonly #awareness: Readonly<Record<DocKind, awarenessProtocol.Awareness>>;
  /** Local updates not yet acknowledged as stored, per document, by sequence number. */
  readonly #pending: Record<DocKind, Map<number, Uint8Array>> = {
    agenda: new Map(),
    board: new Map(),
    tasks: new Map(),
  };
  #seq = 0;
  readonly #listeners = new Set<() => void>();
  readonly #cleanups: (() => void)[] = [];
  readonly #awarenessTimers: Partial<Record<DocKind, ReturnType<typeof setTimeout>>> = {};
  readonly #awarenessLastSent: Record<DocKind, number> = { agenda: 0, board: 0, tasks: 0 };
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  constructor(opts: ProviderOptions) {
    this.#docs = opts.docs;
    this.#awareness = opts.awareness;
    const connect = opts.connect ?? ((url, o) => io(url, o) as ClientSocket);
    this.socket = connect(opts.url, {
      path: SOCKET_PATH,
      auth: { ...opts.auth },
      transports: opts.transports ?? ['polling', 'websocket'],
      // One socket per board and provider, never shared through socket.io's manager cache.
      forceNew: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.#wireSocket();
    for (const kind of DOC_KINDS) this.#wireDoc(kind);
    if (opts.handleUnload && typeof window !== 'undefined') {
      const onUnload = (): void => this.#announceLeaving();
      window.addEventListener('pagehide', onUnload);
      this.#cleanups.push(() => window.removeEventListener('pagehide', onUnload));
    }
  }

  /** Local updates not yet stored by the server (sent or waiting to be sent). */
  get unsynced(): number {
    return DOC_KINDS.reduce((n, k) => n + this.#pending[k].size, 0);
  }

  pendingFor(doc: DocKind): number {
    return this.#pending[doc].size;
  }

  get allSyncedNow(): boolean {
    return DOC_KINDS.every((k) => this.syncedNow[k]);
  }

  /** Called after any state change (status, session, sync, unsynced count). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One NTP-style sample: the server's epoch ms. Rejects when offline or on timeout. */
  askServerTime(): Promise<number> {
    if (!this.socket.connected) return Promise.reject(new Error('offline'));
    return this.socket.timeout(CLOCK_TIMEOUT_MS).emitWithAck('clock');
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#announceLeaving();
    this.#destroyed = true;
    for (const c of this.#cleanups.splice(0)) c();
    for (const t of Object.values(this.#awarenessTimers)) clearTimeout(t);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.socket.disconnect();
    this.#listeners.clear();
  }

  #emitChange(): void {
    for (const l of this.#listeners) l();
  }

  #send(doc: DocKind, frame: Uint8Array, ack?: (res: UpdateAck) => void): void {
    // socket.io buffers emits while disconnected and flushes them on reconnect;
    // we resend from our own pending queue instead, so never let it buffer.
    if (!this.socket.connected) return;
    if (ack) this.socket.emit('y', doc, frame, ack);
    else this.socket.emit('y', doc, frame);
  }

  #wireSocket(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.status = 'connected';
      for (const k of DOC_KINDS) this.#startSync(k);
      this.#emitChange();
    });
    s.on('disconnect', (reason) => {
      if (this.#destroyed) return;
      this.status = this.failure ? 'failed' : 'offline';
      for (const k of DOC_KINDS) {
        this.syncedNow[k] = false;
        // Without the server nobody relays presence: show the others as gone.
        const aw = this.#awareness[k];
        const others = [...aw.getStates().keys()].filter((id) => id !== aw.clientID);
        awarenessProtocol.removeAwarenessStates(aw, others, SERVER_ORIGIN);
      }
      // socket.io retries by itself except when the server closed the socket.
      if (reason === 'io server disconnect' && !this.failure) {
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = null;
          if (!this.#destroyed && !this.failure) s.connect();
        }, SERVER_DISCONNECT_RETRY_MS);
      }
      this.#emitChange();
    });
    s.on('connect_error', (err: Error & { data?: unknown }) => {
      if (this.#destroyed) return;
      const data = err.data;
      if (isConnectErrorData(data) && data.code >= 4400 && data.code < 4500) {
        // A wrong link stays wrong: stop retrying and say why.
        this.failure = { code: data.code, reason: data.reason };
        this.status = 'failed';
        s.disconnect();
      }
      this.#emitChange();
    });
    s.on('closing', (info) => {
      // The server is about to drop us; 4400–4499 mean the same again would fail.
      if (isConnectErrorData(info) && info.code >= 4400 && info.code < 4500) {
        this.failure = { code: info.code, reason: info.reason };
        this.#emitChange();
      }
    });
    s.on('session', (info) => {
      this.session = info;
      // A document this connection may not write will never store our changes.
      for (const k of DOC_KINDS) if (!info.writable.includes(k)) this.#pending[k].clear();
      this.#emitChange();
    });
    s.on('denied', (denial) => {
      if (!denial || !isDocKind(denial.doc)) return;
      this.lastDenial = denial;
      this.#pending[denial.doc].clear();
      this.#emitChange();
    });
    s.on('y', (doc, frame) => {
      const bytes = asBytes(frame);
      if (!isDocKind(doc) || bytes === null) return;
      try {
        this.#receive(doc, bytes);
      } catch (e) {
        // A malformed frame must not break the other documents or the socket.
        console.warn(`plenary: ignored a malformed ${doc} frame`, e);
      }
    });
  }

  #startSync(kind: DocKind): void {
    const doc = this.#docs[kind];
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MESSAGE.sync);
    syncProtocol.writeSyncStep1(step1, doc);
    this.#send(kind, encoding.toUint8Array(step1));

    // Changes made offline (or sent but never acknowledged) go again, merged.
    const pending = this.#pending[kind];
    if (pending.size > 0) {
      const seqs = [...pending.keys()];
      const merged = Y.mergeUpdates([...pending.values()]);
      this.#send(kind, this.#updateFrame(merged), (res) => this.#acked(kind, seqs, res));
    }

    const aw = this.#awareness[kind];
    if (aw.getLocalState() !== null) this.#sendAwareness(kind);
  }

  #updateFrame(update: Uint8Array): Uint8Array {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.sync);
    syncProtocol.writeUpdate(enc, update);
    return encoding.toUint8Array(enc);
  }

  #acked(kind: DocKind, seqs: number[], res: UpdateAck | undefined): void {
    // ok: stored. Not ok: refused for good (a `denied` event says why); either
    // way the change no longer waits for the server.
    if (res && typeof res === 'object' && res.ok === true) {
      for (const s of seqs) if (this.#pending[kind].has(s)) this.storedCount++;
    } else if (res && typeof res === 'object' && res.ok === false && res.error) {
      this.lastDenial ??= { doc: kind, code: 'malformed', reason: String(res.error) };
    }
    for (const s of seqs) this.#pending[kind].delete(s);
    this.#emitChange();
  }

  #wireDoc(kind: DocKind): void {
    const doc = this.#docs[kind];
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (isFromServer(origin) || this.#destroyed) return;
      const seq = ++this.#seq;
      this.#pending[kind].set(seq, update);
      this.#send(kind, this.#updateFrame(update), (res) => this.#acked(kind, [seq], res));
      this.#emitChange();
    };
    doc.on('update', onUpdate);
    this.#cleanups.push(() => doc.off('update', onUpdate));

    const aw = this.#awareness[kind];
    const onAwareness = (
      { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown,
    ): void => {
      if (origin !== 'local') return;
      const mine = [...added, ...updated, ...removed].includes(aw.clientID);
      if (!mine) return;
      // Leaving is sent at once; everything else (mostly cursors) is throttled.
      if (aw.getLocalState() === null) this.#sendAwareness(kind);
      else this.#scheduleAwareness(kind);
    };
    aw.on('update', onAwareness);
    this.#cleanups.push(() => aw.off('update', onAwareness));
  }

  #scheduleAwareness(kind: DocKind): void {
    if (this.#awarenessTimers[kind] !== undefined) return;
    const gap = 1000 / AWARENESS_MAX_PER_SECOND;
    const wait = Math.max(0, this.#awarenessLastSent[kind] + gap - Date.now());
    if (wait === 0) {
      this.#sendAwareness(kind);
      return;
    }
    this.#awarenessTimers[kind] = setTimeout(() => {
      delete this.#awarenessTimers[kind];
      this.#sendAwareness(kind);
    }, wait);
  }

  #sendAwareness(kind: DocKind): void {
    const aw = this.#awareness[kind];
    const timer = this.#awarenessTimers[kind];
    if (timer !== undefined) {
      clearTimeout(timer);
      delete this.#awarenessTimers[kind];
    }
    this.#awarenessLastSent[kind] = Date.now();
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.awareness);
    encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(aw, [aw.clientID]));
    this.#send(kind, encoding.toUint8Array(enc));
  }

  /** Tell the others at once that we left, instead of letting them time out after 30 s. */
  #announceLeaving(): void {
    for (const k of DOC_KINDS) {
      const aw = this.#awareness[k];
      if (aw.getLocalState() !== null) {
        // Origin 'local' so the update handler sends it immediately.
        awarenessProtocol.removeAwarenessStates(aw, [aw.clientID], 'local');
      }
    }
  }

  #receive(kind: DocKind, frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE.sync: {
        const reply = encoding.createEncoder();
        encoding.writeVarUint(reply, MESSAGE.sync);
        const syncType = syncProtocol.readSyncMessage(decoder, reply, this.#docs[kind], SERVER_ORIGIN);
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          // Our step 2 may carry offline changes; the pending queue already
          // resends and counts them, so this reply needs no bookkeeping.
          this.#send(kind, encoding.toUint8Array(reply));
        } else if (syncType === syncProtocol.messageYjsSyncStep2 && !this.syncedNow[kind]) {
          this.syncedNow[kind] = true;
          if (this.allSyncedNow) this.everSynced = true;
          this.#emitChange();
        }
        break;
      }
      case MESSAGE.awareness:
        awarenessProtocol.applyAwarenessUpdate(
          this.#awareness[kind],
          decoding.readVarUint8Array(decoder),
          SERVER_ORIGIN,
        );
        break;
      case MESSAGE.queryAwareness:
        this.#sendAwareness(kind);
        break;
      default:
        // Unknown message types (e.g. auth) are not used on this transport.
        break;
    }
  }
}
