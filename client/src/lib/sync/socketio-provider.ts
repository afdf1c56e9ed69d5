import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { io, type Socket } from 'socket.io-client';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  CLOSE,
  LIMITS,
  MESSAGE,
  SOCKET_PATH,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Denial,
  type DenialCode,
  type HandshakeAuth,
  type ServerToClientEvents,
  type SessionInfo,
  type UpdateAck,
} from '$shared/protocol';
import { writeDenial } from '$shared/policy';
import { DOC_KINDS, isOrigin, type DocKind, type Origin } from '$shared/schema';
import { PACKED_WIRE, packedParser } from '$shared/protocol/packed-parser';

/**
 * One Socket.io connection per board carrying its three Yjs documents and
 * their awareness with standard y-protocols frames (`y` event: doc kind +
 * frame). Plain TypeScript with a change listener, so it runs in Node tests;
 * `BoardSession` mirrors its state into runes for the UI.
 *
 * When the server refuses an update (a `denied` event or an `{ ok: false }`
 * acknowledgement), the refused structs can never be taken back out of the
 * local Y.Doc, and every later local edit would depend on them (the server
 * would refuse those too, for missing dependencies). So the provider replaces
 * that document by a fresh one (a new Yjs client id) filled from the server,
 * drops the local changes the server has not stored, and reconnects (a new
 * connection, so the server's per-connection bookkeeping starts afresh).
 * Several refusals in a row make one reset. `generation[doc]` counts resets:
 * whatever holds the old document must re-create itself.
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
/** Refusals arriving within this long of the first one make a single reset. */
export const RESET_DEBOUNCE_MS = 250;

export type ProviderStatus =
  | 'idle' // not started yet (waiting for an identity)
  | 'connecting' // never connected yet, trying
  | 'connected'
  | 'offline' // was connected, socket.io is reconnecting
  | 'failed'; // refused for good (wrong link, unknown board, removed): no more retries

export interface ProviderOptions {
  /** Origin of the server, e.g. `https://plenary.example` or `http://127.0.0.1:1234`. */
  url: string;
  /** The handshake; a function is asked again on every (re)connection. */
  auth: HandshakeAuth | (() => HandshakeAuth);
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

export interface ProviderFailure {
  code: number;
  reason: string;
}

/** A refused change that made the provider reset a document. */
export interface Refusal {
  doc: DocKind;
  code: DenialCode;
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

/** Codes 4400–4499: the same again would fail (wrong link, removed, malformed). */
const isFinal = (code: number): boolean => code >= 4400 && code < 4500;

/** An update with no structs and no deletions (v1 encoding: two zero counts). */
const isEmptyUpdate = (update: Uint8Array): boolean => update.length <= 2 && update.every((b) => b === 0);

const perDoc = <T>(make: () => T): Record<DocKind, T> =>
  Object.fromEntries(DOC_KINDS.map((k) => [k, make()])) as Record<DocKind, T>;

export class SocketIoProvider {
  readonly socket: ClientSocket;
  status: ProviderStatus;
  /** Set when the server refused the handshake or the person for good (4400–4499). */
  failure: ProviderFailure | null = null;
  session: SessionInfo | null = null;
  lastDenial: Denial | null = null;
  /** The refusal behind the latest reset (what the person is told), or null. */
  refusal: Refusal | null = null;
  /** Per document: the server's initial state arrived on the current connection. */
  readonly syncedNow: Record<DocKind, boolean> = perDoc(() => false);
  /** Sticky: every document was synced at least once. */
  everSynced = false;
  /** Local updates the server acknowledged as stored. */
  storedCount = 0;
  /** Per document: how many times it was replaced after a refusal. */
  readonly generation: Record<DocKind, number> = perDoc(() => 0);
  /** Documents replaced after refusals, over the provider's life. */
  resets = 0;

  readonly #docs: Record<DocKind, Y.Doc>;
  readonly #awareness: Record<DocKind, awarenessProtocol.Awareness>;
  /** Local updates not yet acknowledged as stored, per document, by sequence number. */
  readonly #pending: Record<DocKind, Map<number, Uint8Array>> = perDoc(() => new Map());
  /** This connection sent local content of the document the server may still refuse. */
  readonly #sentContent: Record<DocKind, boolean> = perDoc(() => false);
  /** Refused documents waiting for their reset. */
  readonly #poisoned = new Set<DocKind>();
  #resetTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #resetDelayMs: number;
  readonly #isLoadedCopy: (origin: unknown) => boolean;
  #seq = 0;
  readonly #listeners = new Set<() => void>();
  readonly #cleanups: (() => void)[] = [];
  readonly #docCleanups: Record<DocKind, (() => void)[]> = perDoc(() => []);
  readonly #awarenessTimers: Partial<Record<DocKind, ReturnType<typeof setTimeout>>> = {};
  readonly #awarenessLastSent: Record<DocKind, number> = perDoc(() => 0);
  readonly #recoverUnauthorized: (() => Promise<boolean>) | undefined;
  #recovering = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** A disconnect we asked for to reconnect at once (reset, new name or identity). */
  #reconnecting = false;
  #everConnected = false;
  #destroyed = false;

  constructor(opts: ProviderOptions) {
    this.#docs = { ...opts.docs };
    this.#awareness = { ...opts.awareness };
    this.#resetDelayMs = opts.resetDelayMs ?? RESET_DEBOUNCE_MS;
    this.#isLoadedCopy = opts.isLoadedCopy ?? (() => false);
    this.#recoverUnauthorized = opts.recoverUnauthorized;
    const autoConnect = opts.autoConnect ?? true;
    this.status = autoConnect ? 'connecting' : 'idle';
    const auth = opts.auth;
    const connect = opts.connect ?? ((url, o) => io(url, o) as ClientSocket);
    this.socket = connect(opts.url, {
      path: SOCKET_PATH,
      // Asked on every (re)connection, so a new name or identity is sent next time.
      auth: (cb: (data: object) => void) =>
        cb({ ...(typeof auth === 'function' ? auth() : auth), wire: PACKED_WIRE }),
      // One binary message per `y` event both ways, instead of a text header plus an attachment.
      parser: packedParser,
      transports: opts.transports ?? ['polling', 'websocket'],
      // One socket per board and provider, never shared through socket.io's manager cache.
      forceNew: true,
      autoConnect,
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

  /** The documents as they are now (a reset replaces one). */
  get docs(): Readonly<Record<DocKind, Y.Doc>> {
    return this.#docs;
  }

  get awareness(): Readonly<Record<DocKind, awarenessProtocol.Awareness>> {
    return this.#awareness;
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

  /** Called after any state change (status, session, sync, unsynced count, reset). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects (when created with `autoConnect: false`). */
  start(): void {
    if (this.#destroyed || this.failure || this.socket.active) return;
    if (this.status === 'idle') this.status = 'connecting';
    this.socket.connect();
    this.#emitChange();
  }

  /** A new connection now (with whatever the auth says now); changes wait and are resent. */
  reconnect(): void {
    if (this.#destroyed || this.failure) return;
    if (this.socket.connected) {
      this.#reconnecting = true;
      this.socket.disconnect();
    } else if (this.socket.active) {
      // Between attempts: the next attempt asks the auth again anyway.
      return;
    }
    this.socket.connect();
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
    for (const k of DOC_KINDS) for (const c of this.#docCleanups[k].splice(0)) c();
    for (const t of Object.values(this.#awarenessTimers)) clearTimeout(t);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#resetTimer) clearTimeout(this.#resetTimer);
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

  #fail(info: ConnectErrorData): void {
    this.failure = { code: info.code, reason: info.reason };
    this.status = 'failed';
    if (this.#resetTimer) clearTimeout(this.#resetTimer);
    this.#resetTimer = null;
    this.socket.disconnect();
  }

  #wireSocket(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.status = 'connected';
      this.#everConnected = true;
      this.#reconnecting = false;
      for (const k of DOC_KINDS) {
        this.#sentContent[k] = false;
        this.#startSync(k);
      }
      this.#emitChange();
    });
    s.on('disconnect', (reason) => {
      if (this.#destroyed) return;
      const deliberate = this.#reconnecting && reason === 'io client disconnect';
      for (const k of DOC_KINDS) this.syncedNow[k] = false;
      if (this.failure) this.status = 'failed';
      else if (!deliberate) {
        this.status = 'offline';
        // Without the server nobody relays presence: show the others as gone.
        for (const k of DOC_KINDS) {
          const aw = this.#awareness[k];
          const others = [...aw.getStates().keys()].filter((id) => id !== aw.clientID);
          awarenessProtocol.removeAwarenessStates(aw, others, SERVER_ORIGIN);
        }
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
      this.#reconnecting = false;
      if (this.status === 'connected') this.status = this.#everConnected ? 'offline' : 'connecting';
      const data = err.data;
      if (isConnectErrorData(data) && isFinal(data.code)) {
        if (data.code === CLOSE.unauthorized && this.#recoverUnauthorized && !this.#recovering) {
          // Perhaps only our identity is stale (e.g. the server's data was reset).
          this.#recovering = true;
          void this.#recoverUnauthorized()
            .catch(() => false)
            .then((retry) => {
              this.#recovering = false;
              if (this.#destroyed || this.failure) return;
              if (retry) s.connect();
              else this.#fail(data);
              this.#emitChange();
            });
          this.#emitChange();
          return;
        }
        // A wrong link stays wrong: stop retrying and say why.
        this.#fail(data);
      }
      this.#emitChange();
    });
    s.on('closing', (info) => {
      // The server is about to drop us; 4400–4499 mean the same again would fail.
      if (isConnectErrorData(info) && isFinal(info.code)) {
        this.failure = { code: info.code, reason: info.reason };
        this.#emitChange();
      }
    });
    s.on('session', (info) => {
      this.session = info;
      // A document this connection may not write will never store our changes:
      // whatever of ours it holds goes, and the document shows the server's state.
      for (const k of DOC_KINDS) {
        if (info.writable.includes(k) || this.#pending[k].size === 0) continue;
        // Not writable now: by role, or (a participant's board) because it is locked.
        const why = writeDenial(info.role, k, { boardLocked: true }) ?? {
          code: 'read-only' as const,
          reason: `this connection cannot change the ${k}`,
        };
        this.#refused(k, why);
      }
      this.#emitChange();
    });
    s.on('denied', (denial) => {
      if (!denial || !isDocKind(denial.doc)) return;
      const d: Denial = {
        doc: denial.doc,
        code: denial.code,
        reason: typeof denial.reason === 'string' ? denial.reason : String(denial.code),
      };
      this.lastDenial = d;
      // Only content we sent can leave the document diverged (a refused
      // awareness message, say, leaves it as it is).
      if (this.#sentContent[d.doc] || this.#pending[d.doc].size > 0 || this.#poisoned.has(d.doc))
        this.#refused(d.doc, d);
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

  /**
   * The server refused content of `kind`: stop sending it, and reset the
   * document once the refusals of this burst are in.
   */
  #refused(kind: DocKind, why: { code: DenialCode; reason: string }): void {
    // The first refusal of a burst says why; the rest follow from it (missing dependencies).
    if (this.#poisoned.size === 0) this.refusal = { doc: kind, code: why.code, reason: why.reason };
    this.#poisoned.add(kind);
    this.#resetTimer ??= setTimeout(() => {
      this.#resetTimer = null;
      this.#reset();
    }, this.#resetDelayMs);
  }

  /** Replaces every refused document by a fresh one and resyncs it from the server. */
  #reset(): void {
    if (this.#destroyed || this.#poisoned.size === 0) return;
    const kinds = [...this.#poisoned];
    this.#poisoned.clear();
    const old: { doc: Y.Doc; aw: awarenessProtocol.Awareness }[] = [];
    for (const kind of kinds) {
      for (const c of this.#docCleanups[kind].splice(0)) c();
      const prevDoc = this.#docs[kind];
      const prevAw = this.#awareness[kind];
      const local = prevAw.getLocalState();
      // A fresh document has a fresh client id: nothing of the refused structs' ids or clocks.
      const doc = new Y.Doc({ gc: prevDoc.gc });
      const aw = new awarenessProtocol.Awareness(doc);
      if (local) aw.setLocalState({ ...local });
      this.#docs[kind] = doc;
      this.#awareness[kind] = aw;
      // What the server did not store of ours is gone with the old document.
      this.#pending[kind].clear();
      this.syncedNow[kind] = false;
      this.generation[kind]++;
      this.resets++;
      this.#wireDoc(kind);
      old.push({ doc: prevDoc, aw: prevAw });
    }
    // Listeners re-create what depended on the old documents before they go.
    this.#emitChange();
    for (const { doc, aw } of old) {
      aw.destroy();
      doc.destroy();
    }
    // A new connection: it syncs every document (the fresh ones from nothing)
    // and the server's per-connection bookkeeping starts afresh.
    if (this.socket.connected) this.reconnect();
    this.#emitChange();
  }

  #startSync(kind: DocKind): void {
    const doc = this.#docs[kind];
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MESSAGE.sync);
    syncProtocol.writeSyncStep1(step1, doc);
    this.#send(kind, encoding.toUint8Array(step1));

    // Changes made offline (or sent but never acknowledged) go again, merged.
    const pending = this.#pending[kind];
    if (pending.size > 0 && !this.#poisoned.has(kind)) {
      const seqs = [...pending.keys()];
      const merged = Y.mergeUpdates([...pending.values()]);
      this.#sentContent[kind] = true;
      this.#send(kind, this.#updateFrame(merged), (res) => this.#acked(kind, seqs, res, doc));
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

  #acked(kind: DocKind, seqs: number[], res: UpdateAck | undefined, doc: Y.Doc): void {
    if (this.#destroyed || doc !== this.#docs[kind]) return; // an answer about a replaced document
    if (res && typeof res === 'object' && res.ok === true) {
      for (const s of seqs) if (this.#pending[kind].has(s)) this.storedCount++;
      for (const s of seqs) this.#pending[kind].delete(s);
    } else if (res && typeof res === 'object' && res.ok === false) {
      // Refused for good (a `denied` event usually says why): the document resets.
      const reason = typeof res.error === 'string' && res.error !== '' ? res.error : 'refused by the server';
      this.lastDenial ??= { doc: kind, code: 'malformed', reason };
      this.#refused(kind, { code: 'malformed', reason });
    }
    this.#emitChange();
  }

  #wireDoc(kind: DocKind): void {
    const doc = this.#docs[kind];
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (isFromServer(origin) || this.#isLoadedCopy(origin) || this.#destroyed) return;
      const seq = ++this.#seq;
      this.#pending[kind].set(seq, update);
      // A refused document waits for its reset: what it would send now depends on refused structs.
      if (!this.#poisoned.has(kind)) {
        const frame = this.#updateFrame(update);
        // The server drops a connection whose frame is over its limit before reading it (I1), and
        // a resync would send the same again: refuse it here, as the server would have.
        if (frame.byteLength > LIMITS.maxMessageBytes) {
          this.#refused(kind, { code: 'too-large', reason: 'this change is too large to send' });
        } else {
          this.#sentContent[kind] = true;
          this.#send(kind, frame, (res) => this.#acked(kind, [seq], res, doc));
        }
      }
      this.#emitChange();
    };
    doc.on('update', onUpdate);
    this.#docCleanups[kind].push(() => doc.off('update', onUpdate));

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
    this.#docCleanups[kind].push(() => aw.off('update', onAwareness));
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
          // resends and counts them, so this reply needs no bookkeeping, but a
          // refusal of it must reset the document. A refused document sends
          // nothing until its reset.
          if (this.#poisoned.has(kind)) break;
          const bytes = encoding.toUint8Array(reply);
          const d = decoding.createDecoder(bytes);
          decoding.readVarUint(d); // message type
          decoding.readVarUint(d); // sync step 2
          if (!isEmptyUpdate(decoding.readVarUint8Array(d))) this.#sentContent[kind] = true;
          this.#send(kind, bytes);
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
