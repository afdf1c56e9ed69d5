/**
 * The wire contract shared by server and client: y-protocols message types,
 * Socket.io event maps, close codes and limits. See docs/protocol.md.
 *
 * Both transports carry standard y-protocols frames (`[type][payload]`).
 * The document is chosen by the URL (y-websocket endpoint) or by the first
 * argument of the Socket.io `y` event (the multiplexing envelope), never
 * inside the Yjs message, so stock y-websocket clients interoperate.
 */
import type { DocKind, Role } from '../schema/types';

export const MESSAGE = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
} as const;

/**
 * WebSocket close codes. 4400–4499 mirror HTTP 4xx and tell the stock
 * y-websocket client to stop reconnecting (its default `shouldReconnect`).
 */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooLarge: 4413,
  /** Too many messages queued before the document loaded. */
  overloaded: 4429,
  /** Transient: the server failed to load the document; clients may retry. */
  unavailable: 4503,
} as const;
export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export const CLOSE_REASON: Record<number, string> = {
  [CLOSE.badRequest]: 'malformed message',
  [CLOSE.unauthorized]: 'missing or wrong token',
  [CLOSE.forbidden]: 'not allowed',
  [CLOSE.notFound]: 'unknown board or document',
  [CLOSE.tooLarge]: 'message too large',
  [CLOSE.overloaded]: 'too many messages before the document was ready',
  [CLOSE.unavailable]: 'document temporarily unavailable',
  [CLOSE.goingAway]: 'server shutting down',
};

export const LIMITS = {
  /** Largest accepted message, in bytes (MAX_MESSAGE_BYTES overrides). */
  maxMessageBytes: 1024 * 1024,
  /** Messages a connection may send before its documents finished loading. */
  maxPendingMessages: 64,
  /** Largest awareness state per connection, serialised JSON bytes. */
  maxAwarenessStateBytes: 4096,
  /** Server coalesces updates and awareness per document per tick. */
  tickMs: 15,
  /** Keep stock y-websocket clients (30 s silence timeout) alive. */
  keepAliveMs: 10_000,
  /** Unload a document this long after its last connection left. */
  unloadGraceMs: 30_000,
  /** Compact a document's update log once it holds this many entries. */
  compactAfterUpdates: 500,
  maxHttpBodyBytes: 1024 * 1024,
} as const;

export const SOCKET_PATH = '/socket.io';
export const YJS_PATH = '/yjs';

/** What a Socket.io client sends in `auth` of the handshake (never in the URL). */
export interface HandshakeAuth {
  board: string;
  token: string;
  /** Display name, chosen by the person; the server binds it to their presence. */
  name: string;
  /** Stable per-browser participant id (not a secret). */
  userId: string;
}

export interface SessionInfo {
  boardId: string;
  title: string;
  role: Role;
  userId: string;
  name: string;
  /** Documents this connection may write right now (board may be locked later). */
  writable: DocKind[];
}

export interface Denial {
  doc: DocKind;
  code: 'read-only' | 'board-locked' | 'too-large' | 'malformed' | 'not-loaded';
  reason: string;
}

/** Acknowledgement of an update: sent once it is durably stored. */
export interface UpdateAck {
  ok: boolean;
  error?: string;
}

export interface ServerToClientEvents {
  /** A y-protocols frame for one of the board's documents. */
  y: (doc: DocKind, frame: Uint8Array) => void;
  /** Sent once after the handshake is accepted. */
  session: (info: SessionInfo) => void;
  /** An update or awareness message was refused and not applied. */
  denied: (denial: Denial) => void;
  /**
   * Sent just before the server disconnects this socket for good (bad input,
   * shutdown). Codes 4400–4499 mean "do not reconnect".
   */
  closing: (info: ConnectErrorData) => void;
}

export interface ClientToServerEvents {
  /** A y-protocols frame; `ack` fires once the server stored (or refused) it. */
  y: (doc: DocKind, frame: Uint8Array, ack?: (res: UpdateAck) => void) => void;
  /** NTP-style clock sample: the server answers with its epoch ms. */
  clock: (ack: (serverNow: number) => void) => void;
}

/** Error `data` attached to a Socket.io `connect_error` when the handshake is refused. */
export interface ConnectErrorData {
  code: CloseCode;
  reason: string;
}
