import { CLOSE, CLOSE_REASON, type CloseCode, type Denial, type SessionInfo } from '../../shared/protocol';
import { DOC_KINDS, roleCanWrite, type DocKind } from '../../shared/schema';
import type { SessionRegistry } from '../identity/sessions';
import type { Logger } from '../log';
import { NO_METRICS, type SyncMetrics } from '../metrics/sync';
import { nextConnectionId, type AckFn, type Connection, type Peer } from './connection';
import { LazyPrivateNotes, needsPrivateNotes } from './lazy-private-notes';
import { ProtocolError, readFrame, type ReadFrame } from './frame';
import type { Room } from './room';
import { ConnectionRate, type Clock, type RateLimits } from './rate';
import type { Lease, RoomManager } from './rooms';

/**
 * The socket the core talks to: each transport adapts its own to these
 * members and feeds the frames it receives to `ClientConnection.receive`.
 */
export interface ClientSocket {
  /** Send one y-protocols frame of document `doc` (a one-document transport ignores `doc`). */
  send(frame: Uint8Array, doc: DocKind): void;
  /** Tell the client an update was refused and not applied. */
  deny(denial: Denial): void;
  /** Close for good; the core calls it at most once. */
  close(code: CloseCode, reason: string): void;
  /** Optional: the connection is admitted and its documents are loaded; called once, before any frame. */
  welcome?(session: SessionInfo): void;
}

/** What a client presents: the board's link token and the join's claim (see `Identities.join`). */
export interface Credentials {
  boardId: unknown;
  token: unknown;
  userId?: unknown;
  key?: unknown;
  name?: unknown;
}

/**
 * The outcome of `authorize`: who the connection is, or the close code that
 * refuses it. `SyncCore.authorize` adds `release`, the connection's place in the
 * connection limits (I4), given back once it is gone.
 */
export type Admission =
  | { ok: true; peer: Peer; title: string; release?: () => void }
  | { ok: false; code: CloseCode; reason?: string };

/** The concerns the core asks the rest of the server about (persist, relay and policy live in Room). */
export interface SyncHooks {
  /** Who is connecting. A throw refuses the connection with 4503 (logged). */
  authorize(credentials: Credentials): Promise<Admission>;
  /** A connection joined its documents (the roster records the person). */
  join(peer: Peer): void;
  /** A connection that joined has closed. */
  leave?(peer: Peer): void;
}

export interface SyncCoreDeps {
  rooms: Pick<RoomManager, 'acquire'>;
  /** Open connections per person, so that removing a person closes them. */
  sessions: SessionRegistry;
  log: Logger;
  hooks: SyncHooks;
  maxMessageBytes: number;
  /** Frames a connection may send before its documents are loaded (I2). */
  maxPendingMessages: number;
  /** Messages and bytes per second per connection, bursts of twice that (I3); 0: no limit. */
  rate?: RateLimits;
  /** Open connections per link (board + role) and per client address (I4); 0: no limit. */
  maxConnectionsPerLink?: number;
  maxConnectionsPerAddress?: number;
  /** The rate limits' clock (tests inject one). */
  now?: Clock;
  /** Connections and updates counted for `GET /metrics` (none by default). */
  metrics?: SyncMetrics;
}

/** Why a connection was closed by a limit (close code 4429). */
export const TOO_MANY_MESSAGES = 'too many messages';
export const TOO_MANY_CONNECTIONS = 'too many connections';

export interface ConnectionOptions {
  /** Short transport name, the prefix of connection ids in logs (`sio`, `ws`). */
  transport: string;
  /** The documents this connection syncs, as the client named them (an unknown one closes with 4404). */
  docs: readonly string[];
  /** The client address, for the per-address connection limit (I4). */
  address?: string;
}

/** What a transport tells the core about one connection. */
export interface ClientConnection {
  /** One message from the client: the document it names, the frame, Socket.io's optional ack. */
  receive(doc: unknown, frame: unknown, ack?: unknown): void;
  /** The transport's socket is gone: leave the rooms, release the leases, forget the session. */
  disconnected(): void;
}

const isDocKind = (v: string): v is DocKind => (DOC_KINDS as readonly string[]).includes(v);

/**
 * The sync core's connection lifecycle, the same for every transport:
 * authorize (hook), register for removal, a capped queue while documents load
 * (I2), a lease on each document's room, join, the `join` hook, then frames in
 * (bad message 4400, unknown document 4404, over the size limit 4413) and out.
 * What happens to a frame inside a document is the Room's business.
 */
export class SyncCore {
  private readonly perLink = new Map<string, number>();
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly deps: SyncCoreDeps) {}

  get maxMessageBytes(): number {
    return this.deps.maxMessageBytes;
  }

  /**
   * Runs the `authorize` hook, then takes a place in the connection limits of
   * the link and of `address` (I4: beyond either, 4429). Never throws (a
   * failure is logged and refused with 4503).
   */
  async authorize(credentials: Credentials, address = ''): Promise<Admission> {
    let admission: Admission;
    try {
      admission = await this.deps.hooks.authorize(credentials);
    } catch (e) {
      this.deps.log.error({ err: e }, 'authentication failed');
      return { ok: false, code: CLOSE.unavailable };
    }
    if (!admission.ok) return admission;
    const release = this.reserve(`${admission.peer.boardId} ${admission.peer.role}`, address);
    if (!release) {
      this.deps.log.warn({ board: admission.peer.boardId, role: admission.peer.role }, 'connection limit');
      return { ok: false, code: CLOSE.overloaded, reason: TOO_MANY_CONNECTIONS };
    }
    return { ...admission, release };
  }

  /** One place per link and per address, or null when either is full; the release runs once. */
  private reserve(link: string, address: string): (() => void) | null {
    const { maxConnectionsPerLink: perLink = 0, maxConnectionsPerAddress: perAddress = 0 } = this.deps;
    const links = this.perLink.get(link) ?? 0;
    const addresses = this.perAddress.get(address) ?? 0;
    if ((perLink > 0 && links >= perLink) || (perAddress > 0 && addresses >= perAddress)) return null;
    this.perLink.set(link, links + 1);
    this.perAddress.set(address, addresses + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const decrement = (map: Map<string, number>, key: string): void => {
        const n = (map.get(key) ?? 1) - 1;
        if (n > 0) map.set(key, n);
        else map.delete(key);
      };
      decrement(this.perLink, link);
      decrement(this.perAddress, address);
    };
  }

  /**
   * Serves one connection. Pass the client's `credentials`, or the `admission`
   * when the transport authorized during its own handshake (Socket.io).
   * Frames may be fed at once: they wait in the capped queue.
   */
  handleConnection(
    socket: ClientSocket,
    options: ConnectionOptions & ({ credentials: Credentials } | { admission: Admission }),
  ): ClientConnection {
    const client = new Client(this.deps, socket, options.transport);
    const admission =
      'admission' in options
        ? Promise.resolve(options.admission)
        : this.authorize(options.credentials, options.address);
    void client.start(options.docs, admission);
    return client;
  }
}

/** One client connection (one board, one or more of its documents). */
class Client implements ClientConnection {
  private closed = false;
  /** Frames received before the documents were joined (null once they are). */
  private queue: [DocKind, Uint8Array, AckFn | undefined][] | null = [];
  private docs = new Set<DocKind>();
  private readonly joined = new Map<DocKind, { conn: Connection; room: Room }>();
  private readonly leases: Lease[] = [];
  private unregister: () => void = () => {};
  /** Set once the `join` hook ran: the `leave` hook runs for it at the end. */
  private joinedAs: Peer | null = null;
  /** Gives back this connection's place in the connection limits (I4). */
  private release: () => void = () => {};
  private readonly rate: ConnectionRate | null;
  private readonly metrics: SyncMetrics;
  /** Takes this connection out of the connection count (once it was counted). */
  private uncount: () => void = () => {};
  /** This connection's private notes while they are not loaded (PW1). */
  private lazyMine: LazyPrivateNotes | null = null;

  constructor(
    private readonly deps: SyncCoreDeps,
    private readonly socket: ClientSocket,
    private readonly transport: string,
  ) {
    this.rate = deps.rate ? new ConnectionRate(deps.rate, deps.now ?? Date.now) : null;
    this.metrics = deps.metrics ?? NO_METRICS;
  }

  readonly close = (code: CloseCode, reason = CLOSE_REASON[code] ?? ''): void => {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  };

  async start(names: readonly string[], admitted: Promise<Admission>): Promise<void> {
    try {
      await this.run(names, admitted);
    } catch (e) {
      this.deps.log.error({ err: e }, 'could not serve a connection');
      this.close(CLOSE.unavailable);
    }
  }

  private async run(names: readonly string[], admitted: Promise<Admission>): Promise<void> {
    if (names.length === 0 || !names.every(isDocKind)) return this.close(CLOSE.notFound);
    this.docs = new Set(names);
    const admission = await admitted;
    if (admission.ok && admission.release) this.release = admission.release;
    if (this.closed) return this.release();
    if (!admission.ok) return this.close(admission.code, admission.reason);
    const { peer, title } = admission;
    const { sessions, rooms, hooks, log } = this.deps;
    // Removing the person, replacing the link of this role or deleting the board closes this
    // connection (at once, when they were removed or the board deleted a moment ago).
    this.unregister = sessions.add(
      peer.boardId,
      peer.userId,
      this.close,
      [CLOSE.removed, CLOSE_REASON[CLOSE.removed]!],
      peer.role,
    );
    for (const doc of this.docs) {
      if (this.closed) return;
      const board = this.joined.get('board')?.room;
      if (doc === 'mine' && board && !needsPrivateNotes(board.doc, peer.userId)) {
        this.lazyMine = new LazyPrivateNotes(
          board.doc,
          () => void this.loadMine(peer),
          (frame) => {
            if (!this.closed) this.socket.send(frame, 'mine');
          },
          this.deps.maxPendingMessages,
          () => this.close(CLOSE.overloaded),
        );
        continue;
      }
      let lease: Lease;
      try {
        // `mine` is always the connection's own private notes (PW1): nobody names another's.
        lease = await rooms.acquire(peer.boardId, doc, peer.userId);
      } catch (e) {
        log.error({ err: e, board: peer.boardId, doc }, 'could not load documents');
        return this.close(CLOSE.unavailable);
      }
      if (this.closed) return lease.release();
      this.leases.push(lease);
      this.joined.set(doc, { conn: this.connection(doc, peer), room: lease.room });
    }
    this.socket.welcome?.({
      boardId: peer.boardId,
      title,
      role: peer.role,
      userId: peer.userId,
      name: peer.name,
      pseudonym: peer.pseudonym,
      issued: peer.issued,
      writable: DOC_KINDS.filter((d) => roleCanWrite(peer.role, d)),
    });
    // A room that fails while answering the join closes its connections (G6), not the process.
    for (const { conn, room } of this.joined.values()) room.guard(() => room.join(conn));
    if (this.closed) return;
    hooks.join(peer);
    this.joinedAs = peer;
    this.uncount = this.metrics.connectionOpened(this.transport, peer.role);
    this.drain();
  }

  /** Loads the private notes that were left unloaded (PW1), joins them and handles what waited. */
  private async loadMine(peer: Peer): Promise<void> {
    let lease: Lease;
    try {
      lease = await this.deps.rooms.acquire(peer.boardId, 'mine', peer.userId);
    } catch (e) {
      this.deps.log.error({ err: e, board: peer.boardId, doc: 'mine' }, 'could not load documents');
      return this.close(CLOSE.unavailable);
    }
    if (this.closed || !this.lazyMine) return lease.release();
    this.leases.push(lease);
    const { room } = lease;
    const conn = this.connection('mine', peer);
    this.joined.set('mine', { conn, room });
    // The client was told the document is empty: it gets what it holds, as after a sync step 1.
    room.guard(() => {
      room.join(conn);
      room.sendState(conn);
    });
    const waiting = this.lazyMine.takeWaiting();
    this.lazyMine = null;
    for (const [frame, ack] of waiting) if (!this.closed) this.handle('mine', frame, ack);
  }

  /** Handles what was queued (while loading, or while a vote was checked with the cluster). */
  private drain(): void {
    const waiting = this.queue ?? [];
    this.queue = null;
    for (const [i, [doc, frame, ack]] of waiting.entries()) {
      if (this.closed) break;
      this.handle(doc, frame, ack);
      // Waiting again (another vote): the rest stays queued behind it, in order.
      if (this.queue) {
        (this.queue as [DocKind, Uint8Array, AckFn | undefined][]).unshift(...waiting.slice(i + 1));
        break;
      }
    }
  }

  /** The room's view of this connection for one document. */
  private connection(doc: DocKind, peer: Peer): Connection {
    return {
      id: nextConnectionId(`${this.transport}-${doc}`),
      doc,
      peer,
      send: (frame) => {
        if (!this.closed) this.socket.send(frame, doc);
      },
      deny: (denial) => {
        this.metrics.updateRefused(denial.code);
        if (!this.closed) this.socket.deny(denial);
      },
      close: this.close,
    };
  }

  receive(doc: unknown, frame: unknown, ack?: unknown): void {
    if (this.closed) return;
    if (typeof doc !== 'string' || !(frame instanceof Uint8Array))
      return this.close(CLOSE.badRequest, 'expected (doc, bytes)');
    if (!isDocKind(doc) || !this.docs.has(doc)) return this.close(CLOSE.notFound);
    const reply = typeof ack === 'function' ? (ack as AckFn) : undefined;
    if (this.rate && !this.rate.allow(frame.byteLength)) {
      this.deps.log.warn({ transport: this.transport }, 'closing connection: too many messages');
      return this.close(CLOSE.overloaded, TOO_MANY_MESSAGES);
    }
    const max = this.deps.maxMessageBytes;
    if (frame.byteLength > max) {
      this.metrics.updateRefused('too-large');
      this.socket.deny({ doc, code: 'too-large', reason: `message over ${max} bytes` });
      return this.close(CLOSE.tooLarge);
    }
    if (this.queue) {
      // Capped queue while the documents load (I2).
      if (this.queue.length >= this.deps.maxPendingMessages) this.close(CLOSE.overloaded);
      else this.queue.push([doc, frame, reply]);
      return;
    }
    this.handle(doc, frame, reply);
  }

  private handle(doc: DocKind, frame: Uint8Array, ack: AckFn | undefined): void {
    const target = this.joined.get(doc);
    // Read once: whether it is an update (counted), then the room's business.
    let msg: ReadFrame;
    try {
      msg = readFrame(frame);
    } catch (e) {
      return this.failed(target?.conn.id ?? doc, false, e);
    }
    if (!target) {
      if (doc === 'mine') this.lazyMine?.receive(frame, msg, ack);
      return;
    }
    const { update } = msg;
    try {
      const later = target.room.receive(target.conn, frame, update ? this.counted(ack) : ack, msg);
      // A vote checked with the other instances (R6): this connection's next frames wait for it.
      if (later) {
        this.queue = [];
        later.then(
          () => {
            if (!this.closed) this.drain();
          },
          (e: unknown) => this.failed(target.conn.id, update, e),
        );
      }
    } catch (e) {
      this.failed(target.conn.id, update, e);
    }
  }

  private failed(connId: string, update: boolean, e: unknown): void {
    const { log } = this.deps;
    if (update) this.metrics.updateRefused('malformed');
    if (!(e instanceof ProtocolError))
      log.error({ err: e, conn: connId }, 'unexpected error handling a frame');
    log.warn({ conn: connId, reason: (e as Error).message }, 'closing connection: bad message');
    this.close(CLOSE.badRequest, (e as Error).message);
  }

  /** An update's acknowledgement that also counts it: accepted once stored and sent on. */
  private counted(ack: AckFn | undefined): AckFn {
    const arrived = performance.now();
    return (res) => {
      if (res.ok) this.metrics.updateAccepted((performance.now() - arrived) / 1000);
      ack?.(res);
    };
  }

  disconnected(): void {
    this.closed = true;
    this.queue = null;
    this.uncount();
    this.uncount = () => {};
    this.unregister();
    this.unregister = () => {};
    this.release();
    this.lazyMine?.stop();
    this.lazyMine = null;
    for (const { conn, room } of this.joined.values()) {
      try {
        room.leave(conn);
      } catch (e) {
        this.deps.log.error({ err: e, conn: conn.id }, 'leaving a room failed');
      }
    }
    this.joined.clear();
    for (const lease of this.leases.splice(0)) lease.release();
    if (this.joinedAs) this.deps.hooks.leave?.(this.joinedAs);
    this.joinedAs = null;
  }
}
