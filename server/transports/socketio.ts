import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  CLOSE,
  CLOSE_REASON,
  SOCKET_PATH,
  type ClientToServerEvents,
  type CloseCode,
  type ConnectErrorData,
  type HandshakeAuth,
  type ServerToClientEvents,
} from '../../shared/protocol';
import { DOC_KINDS, roleCanWrite, type DocKind } from '../../shared/schema';
import { authenticate } from '../boards/tokens';
import type { Identities } from '../identity/identities';
import type { SessionRegistry } from '../identity/sessions';
import type { Logger } from '../log';
import type { BoardStore } from '../persistence/store';
import { nextConnectionId, type AckFn, type Connection, type Peer } from '../sync/connection';
import { ProtocolError, type Room } from '../sync/room';
import type { Lease, RoomManager } from '../sync/rooms';

interface SocketData {
  peer: Peer;
  title: string;
}

type PlenarySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface SocketIoDeps {
  rooms: RoomManager;
  boards: BoardStore;
  log: Logger;
  maxMessageBytes: number;
  maxPendingMessages: number;
  /** Checks a join's `userId` and `key` (or gives the connection an identity of its own). */
  identities: Identities;
  /** Open connections per person, so that removing a person closes them. */
  sessions: SessionRegistry;
  onJoin(peer: Peer): void;
}

const isDocKind = (v: unknown): v is DocKind =>
  typeof v === 'string' && (DOC_KINDS as readonly string[]).includes(v);

function refuse(code: CloseCode): Error {
  const err = new Error(CLOSE_REASON[code] ?? 'refused') as Error & { data: ConnectErrorData };
  err.data = { code, reason: CLOSE_REASON[code] ?? 'refused' };
  return err;
}

/**
 * Socket.io adapter: one socket carries the three documents of a board, each
 * frame tagged with its document name (the multiplexing envelope). All sync
 * logic is in the Room; this file only authenticates and moves bytes.
 */
export function attachSocketIo(httpServer: HttpServer, deps: SocketIoDeps): Server {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(
    httpServer,
    {
      path: SOCKET_PATH,
      serveClient: false,
      // Leave upgrades for other paths (the y-websocket endpoint) alone; engine.io
      // would otherwise end them after a second.
      destroyUpgrade: false,
      // Frames up to twice the limit reach our handler, which answers with a clear
      // "too large" instead of engine.io silently dropping the connection.
      maxHttpBufferSize: deps.maxMessageBytes * 2 + 1024,
      pingInterval: 20_000,
      pingTimeout: 20_000,
    },
  );

  io.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as Partial<Record<keyof HandshakeAuth, unknown>>;
    const join = async (): Promise<CloseCode | null> => {
      const found = await authenticate(deps.boards, auth.board, auth.token);
      if (!found) return CLOSE.unauthorized;
      const joined = await deps.identities.join(found.board.id, auth);
      if (!joined.ok) return joined.code;
      socket.data.peer = { boardId: found.board.id, role: found.role, ...joined.identity };
      socket.data.title = found.board.title;
      return null;
    };
    join().then(
      (code) => next(code === null ? undefined : refuse(code)),
      (e: unknown) => {
        deps.log.error({ err: e }, 'authentication failed');
        next(refuse(CLOSE.unavailable));
      },
    );
  });

  io.on('connection', (socket: PlenarySocket) => void serve(socket, deps));
  return io;
}

async function serve(socket: PlenarySocket, deps: SocketIoDeps): Promise<void> {
  const { peer, title } = socket.data;
  const connections = new Map<DocKind, { conn: Connection; room: Room }>();
  const leases: Lease[] = [];
  let queue: [DocKind, Uint8Array, AckFn | undefined][] | null = [];
  let closed = false;

  const close = (code: CloseCode, reason: string): void => {
    if (closed) return;
    closed = true;
    socket.emit('closing', { code, reason });
    socket.disconnect(true);
  };
  // Removing the person closes this socket (at once, when they were removed a moment ago).
  const unregister = deps.sessions.add(peer.boardId, peer.userId, close, [
    CLOSE.removed,
    CLOSE_REASON[CLOSE.removed]!,
  ]);

  const handle = (doc: DocKind, frame: Uint8Array, ack: AckFn | undefined): void => {
    const target = connections.get(doc);
    if (!target) return;
    try {
      target.room.receive(target.conn, frame, ack);
    } catch (e) {
      if (!(e instanceof ProtocolError)) deps.log.error({ err: e }, 'unexpected error handling a frame');
      deps.log.warn(
        { conn: target.conn.id, reason: (e as Error).message },
        'closing connection: bad message',
      );
      close(CLOSE.badRequest, (e as Error).message);
    }
  };

  socket.on('y', (doc: unknown, frame: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as AckFn) : undefined;
    if (!isDocKind(doc) || !(frame instanceof Uint8Array)) {
      close(CLOSE.badRequest, 'expected (doc, bytes)');
      return;
    }
    if (frame.byteLength > deps.maxMessageBytes) {
      socket.emit('denied', { doc, code: 'too-large', reason: `message over ${deps.maxMessageBytes} bytes` });
      close(CLOSE.tooLarge, CLOSE_REASON[CLOSE.tooLarge]!);
      return;
    }
    if (queue) {
      // Capped queue while the documents load.
      if (queue.length >= deps.maxPendingMessages) close(CLOSE.overloaded, CLOSE_REASON[CLOSE.overloaded]!);
      else queue.push([doc, frame, reply]);
      return;
    }
    handle(doc, frame, reply);
  });

  socket.on('clock', (ack: unknown) => {
    if (typeof ack === 'function') (ack as (now: number) => void)(Date.now());
  });

  socket.on('disconnect', () => {
    closed = true;
    unregister();
    for (const { conn, room } of connections.values()) room.leave(conn);
    connections.clear();
    for (const l of leases) l.release();
    leases.length = 0;
  });

  try {
    for (const doc of DOC_KINDS) {
      const lease = await deps.rooms.acquire(peer.boardId, doc);
      if (closed) {
        lease.release();
        return;
      }
      leases.push(lease);
      const conn: Connection = {
        id: nextConnectionId(`sio-${doc}`),
        doc,
        peer,
        send: (frame) => {
          if (!closed) socket.emit('y', doc, frame);
        },
        deny: (denial) => socket.emit('denied', denial),
        close,
      };
      connections.set(doc, { conn, room: lease.room });
    }
  } catch (e) {
    deps.log.error({ err: e, board: peer.boardId }, 'could not load documents');
    close(CLOSE.unavailable, CLOSE_REASON[CLOSE.unavailable]!);
    return;
  }
  socket.emit('session', {
    boardId: peer.boardId,
    title,
    role: peer.role,
    userId: peer.userId,
    name: peer.name,
    pseudonym: peer.pseudonym,
    issued: peer.issued,
    writable: DOC_KINDS.filter((d) => roleCanWrite(peer.role, d)),
  });
  for (const { conn, room } of connections.values()) room.join(conn);
  deps.onJoin(peer);
  const waiting = queue;
  queue = null;
  for (const [doc, frame, ack] of waiting) handle(doc, frame, ack);
}
