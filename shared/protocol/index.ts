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
  goingAway: 1001,
  badRequest: 4400,
  unauthorized: 4401,
  notFound: 4404,
  tooLarge: 4413,
  /** Too many messages queued before the document loaded. */
  overloaded: 4429,
  /** The organizer removed this person from the board: their key is revoked. */
  removed: 4410,
  /** Transient: the server failed to load the document; clients may retry. */
  unavailable: 4503,
  /** Transient: the document's room failed and was closed; reconnect and resync. */
  roomFailed: 4500,
} as const;
export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export const CLOSE_REASON: Record<number, string> = {
  [CLOSE.badRequest]: 'malformed message',
  [CLOSE.unauthorized]: 'missing or wrong token, or wrong key for this person',
  [CLOSE.removed]: 'you were removed from this board',
  [CLOSE.roomFailed]: 'the document failed on the server; reconnecting',
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
  /**
   * The person's id, issued by `POST /api/boards/:id/people` together with `key`.
   * Without it the connection gets an identity of its own for that connection only.
   */
  userId?: string;
  /** Secret proving `userId` (only its hash is stored on the server). */
  key?: string;
  /**
   * 'packed': this client's parser reads a `y` event as one binary message
   * (shared/protocol/packed-parser.ts); stock socket.io-client users leave it out.
   */
  wire?: 'packed';
}

export interface SessionInfo {
  boardId: string;
  title: string;
  role: Role;
  userId: string;
  name: string;
  /**
   * The id this person writes as author of anonymous notes: only the server can
   * link it to `userId` (a keyed hash), so other clients cannot find the author.
   */
  pseudonym: string;
  /** False for a connection without an issued identity (it may not vote). */
  issued: boolean;
  /** Documents this connection may write right now (board may be locked later). */
  writable: DocKind[];
}

/**
 * Why an update was refused (docs/SPEC.md, rules G1–G7). The whole update is
 * refused: nothing of it is applied, stored or relayed.
 */
export type DenialCode =
  | 'read-only'
  | 'board-locked'
  | 'too-large'
  | 'malformed'
  /** G1: a root, key, type or value the schema does not have, or over its size. */
  | 'schema'
  /** G2: author fields, the roster, or someone else's note. */
  | 'forbidden'
  /** G3 */
  | 'voting-closed'
  | 'no-votes-left'
  /** G4: structs under another connection's Yjs client id, or too many ids. */
  | 'client-id'
  /** G4: the update depends on structs the server does not have (sync first). */
  | 'missing-dependencies'
  /** G5: the board (notes, tasks, items or document bytes) is at its limit. */
  | 'board-full';

export interface Denial {
  doc: DocKind;
  code: DenialCode;
  reason: string;
}

/** Acknowledgement of an update: sent once it is durably stored. */
export interface UpdateAck {
  ok: boolean;
  error?: string;
}

/** A question that waits for approval or is hidden, as organizers and its author see it (QA2). */
export interface WaitingQuestion {
  id: string;
  text: string;
  /** null when anonymous. */
  authorName: string | null;
  itemId: string | null;
  createdAt: number;
  upvotes: number;
  status: 'pending' | 'hidden';
  pinned: boolean;
  /** Whether the receiver asked it. */
  mine?: boolean;
}

/**
 * QA9: the Q&A state only the server knows, pushed on the board's Socket.io
 * connection when it changes (no polling): the moderation switch to everyone,
 * and the waiting list to organizers (all of it) and to authors (their own).
 * Without `waiting`, the receiver's list is unchanged.
 */
export interface QuestionsPush {
  moderated: boolean;
  waiting?: WaitingQuestion[];
}

export interface ServerToClientEvents {
  /** QA9: waiting questions and the moderation switch changed. */
  questions: (push: QuestionsPush) => void;
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
