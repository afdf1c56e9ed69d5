import { io, type Socket } from 'socket.io-client';
import {
  CLOSE,
  SOCKET_PATH,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Denial,
  type HandshakeAuth,
  type ServerToClientEvents,
  type SessionInfo,
  type UpdateAck,
} from '$shared/protocol';
import { DOC_KINDS, type DocKind } from '$shared/schema';
import { PACKED_WIRE, packedParser } from '$shared/protocol/packed-parser';

/**
 * The Socket.io side of the provider: one socket per board, its connection
 * lifecycle (connect, retry, final refusals, the 4401 recovery) and the `y`
 * events in and out. It knows nothing of Yjs: frames are bytes addressed to a
 * document kind, and what they mean is `DocSync`'s business.
 */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type Transport = 'polling' | 'websocket';

export type ProviderStatus =
  | 'idle' // not started yet (waiting for an identity)
  | 'connecting' // never connected yet, trying
  | 'connected'
  | 'offline' // was connected, socket.io is reconnecting
  | 'failed'; // refused for good (wrong link, unknown board, removed): no more retries

export interface ProviderFailure {
  code: number;
  reason: string;
}

/** Wait this long for the server's answer to a clock sample. */
const CLOCK_TIMEOUT_MS = 3000;
/** After the server itself dropped us (not a refusal), try again after this long. */
const SERVER_DISCONNECT_RETRY_MS = 1000;

export interface TransportOptions {
  url: string;
  /** The handshake; a function is asked again on every (re)connection. */
  auth: HandshakeAuth | (() => HandshakeAuth);
  transports?: Transport[];
  connect?: (url: string, opts: Parameters<typeof io>[1]) => ClientSocket;
  autoConnect: boolean;
  recoverUnauthorized?: () => Promise<boolean>;
}

/** What the transport tells the layer above; every hook runs before `changed`. */
export interface TransportHooks {
  /** A connection is up: every document syncs afresh. */
  connected(): void;
  /** The connection is gone; `lost` unless we asked for it or were refused for good. */
  disconnected(lost: boolean): void;
  /** Refused for good: nothing more will be sent. */
  failed(): void;
  session(info: SessionInfo): void;
  denied(denial: Denial): void;
  /** A `y` frame for `doc` (already checked to be bytes for a known document). */
  frame(doc: DocKind, frame: Uint8Array): void;
  /** Any state change worth showing. */
  changed(): void;
}

/** Frames arrive as Buffer (Node), ArrayBuffer (browser) or Uint8Array. */
function asBytes(frame: unknown): Uint8Array | null {
  if (frame instanceof Uint8Array) return frame;
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  return null;
}

export const isDocKind = (v: unknown): v is DocKind =>
  typeof v === 'string' && (DOC_KINDS as readonly string[]).includes(v);

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

export class SocketTransport {
  readonly socket: ClientSocket;
  status: ProviderStatus;
  /** Set when the server refused the handshake or the person for good (4400–4499). */
  failure: ProviderFailure | null = null;

  readonly #hooks: TransportHooks;
  readonly #recoverUnauthorized: (() => Promise<boolean>) | undefined;
  #recovering = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** A disconnect we asked for to reconnect at once (reset, new name or identity). */
  #reconnecting = false;
  #everConnected = false;
  #destroyed = false;

  constructor(opts: TransportOptions, hooks: TransportHooks) {
    this.#hooks = hooks;
    this.#recoverUnauthorized = opts.recoverUnauthorized;
    this.status = opts.autoConnect ? 'connecting' : 'idle';
    const auth = opts.auth;
    const connect = opts.connect ?? ((url, o) => io(url, o) as ClientSocket);
    this.socket = connect(opts.url, {
      path: SOCKET_PATH,
      // Asked on every (re)connection, so a new name or identity is sent next time.
      auth: (cb: (data: object) => void) =>
        cb({ ...(typeof auth === 'function' ? auth() : auth), wire: PACKED_WIRE }),
      // One binary message per `y` event both ways, instead of a text header plus an attachment.
      parser: packedParser,
      // Long-polling first, then upgrade to WebSocket: where WebSocket is blocked (some hospital and
      // university networks) the failed upgrade is silent and the connection stays on polling; with
      // WebSocket first a blocked network would hang until the connect timeout on every attempt.
      transports: opts.transports ?? ['polling', 'websocket'],
      // One socket per board and provider, never shared through socket.io's manager cache.
      forceNew: true,
      autoConnect: opts.autoConnect,
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.#wire();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Connects (when created with `autoConnect: false`). */
  start(): void {
    if (this.#destroyed || this.failure || this.socket.active) return;
    if (this.status === 'idle') this.status = 'connecting';
    this.socket.connect();
    this.#hooks.changed();
  }

  /** A new connection now (with whatever the auth says now). */
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

  send(doc: DocKind, frame: Uint8Array, ack?: (res: UpdateAck) => void): void {
    // socket.io buffers emits while disconnected and flushes them on reconnect;
    // the layer above resends from its own pending queue instead, so never let it buffer.
    if (!this.socket.connected) return;
    if (ack) this.socket.emit('y', doc, frame, ack);
    else this.socket.emit('y', doc, frame);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.socket.disconnect();
  }

  #fail(info: ConnectErrorData): void {
    this.failure = { code: info.code, reason: info.reason };
    this.status = 'failed';
    this.#hooks.failed();
    this.socket.disconnect();
  }

  #wire(): void {
    const s = this.socket;
    const hooks = this.#hooks;
    s.on('connect', () => {
      this.status = 'connected';
      this.#everConnected = true;
      this.#reconnecting = false;
      hooks.connected();
      hooks.changed();
    });
    s.on('disconnect', (reason) => {
      if (this.#destroyed) return;
      const deliberate = this.#reconnecting && reason === 'io client disconnect';
      if (this.failure) this.status = 'failed';
      else if (!deliberate) this.status = 'offline';
      hooks.disconnected(!this.failure && !deliberate);
      // socket.io retries by itself except when the server closed the socket.
      if (reason === 'io server disconnect' && !this.failure) {
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = null;
          if (!this.#destroyed && !this.failure) s.connect();
        }, SERVER_DISCONNECT_RETRY_MS);
      }
      hooks.changed();
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
              hooks.changed();
            });
          hooks.changed();
          return;
        }
        // A wrong link stays wrong: stop retrying and say why.
        this.#fail(data);
      }
      hooks.changed();
    });
    s.on('closing', (info) => {
      // The server is about to drop us; 4400–4499 mean the same again would fail.
      if (isConnectErrorData(info) && isFinal(info.code)) {
        this.failure = { code: info.code, reason: info.reason };
        hooks.changed();
      }
    });
    s.on('session', (info) => {
      hooks.session(info);
      hooks.changed();
    });
    s.on('denied', (denial) => {
      if (!denial || !isDocKind(denial.doc)) return;
      hooks.denied({
        doc: denial.doc,
        code: denial.code,
        reason: typeof denial.reason === 'string' ? denial.reason : String(denial.code),
      });
      hooks.changed();
    });
    s.on('y', (doc, frame) => {
      const bytes = asBytes(frame);
      if (!isDocKind(doc) || bytes === null) return;
      try {
        hooks.frame(doc, bytes);
      } catch (e) {
        // A malformed frame must not break the other documents or the socket.
        console.warn(`plenary: ignored a malformed ${doc} frame`, e);
      }
    });
  }
}
