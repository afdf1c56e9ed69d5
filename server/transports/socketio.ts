import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  CLOSE_REASON,
  SOCKET_PATH,
  type ClientToServerEvents,
  type CloseCode,
  type ConnectErrorData,
  type HandshakeAuth,
  type ServerToClientEvents,
} from '../../shared/protocol';
import { DOC_KINDS } from '../../shared/schema';
import type { Admission, SyncCore } from '../sync/core';
import { clientAddress, compileTrust } from './address';

interface SocketData {
  admission: Admission;
}

type PlenarySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

function refuse(code: CloseCode, reason = CLOSE_REASON[code] ?? 'refused'): Error {
  return Object.assign(new Error(reason), { data: { code, reason } satisfies ConnectErrorData });
}

/**
 * Socket.io adapter: one socket carries the three documents of a board, each
 * frame tagged with its document name (the multiplexing envelope). The
 * handshake is authorized before the connection exists (a refusal is a
 * `connect_error`); everything else is the sync core's.
 */
export function attachSocketIo(
  httpServer: HttpServer,
  core: SyncCore,
  trustProxy: boolean | number | string = false,
): Server {
  const trust = compileTrust(trustProxy);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(
    httpServer,
    {
      path: SOCKET_PATH,
      serveClient: false,
      // Leave upgrades for other paths (the y-websocket endpoint) alone; engine.io
      // would otherwise end them after a second.
      destroyUpgrade: false,
      // engine.io refuses a bigger packet before buffering it and closes the
      // transport (no 4413 can be sent then: see docs/protocol.md).
      maxHttpBufferSize: core.maxMessageBytes,
      // A dead network (no close ever arrives) is noticed within 5 s (NB2): the client
      // gives up when no ping came for pingInterval + pingTimeout; the server waits
      // pingTimeout for the pong.
      pingInterval: 2_000,
      pingTimeout: 3_000,
    },
  );

  io.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as Partial<Record<keyof HandshakeAuth, unknown>>;
    const { board, token, userId, key, name } = auth;
    const address = clientAddress(socket.request, trust);
    void core.authorize({ boardId: board, token, userId, key, name }, address).then((admission) => {
      if (!admission.ok) return next(refuse(admission.code, admission.reason));
      socket.data.admission = admission;
      // A client gone before it is connected gives its place back (socket.io then drops the
      // socket without a 'connection'); the core's release later is a no-op.
      const release = admission.release ?? (() => {});
      if (socket.conn.readyState !== 'open') release();
      else socket.conn.once('close', release);
      next();
    });
  });

  io.on('connection', (socket: PlenarySocket) => {
    const client = core.handleConnection(
      {
        send: (frame, doc) => socket.emit('y', doc, frame),
        deny: (denial) => socket.emit('denied', denial),
        close: (code, reason) => {
          socket.emit('closing', { code, reason });
          socket.disconnect(true);
        },
        welcome: (session) => socket.emit('session', session),
      },
      { transport: 'sio', docs: DOC_KINDS, admission: socket.data.admission },
    );
    socket.on('y', (doc: unknown, frame: unknown, ack?: unknown) => client.receive(doc, frame, ack));
    socket.on('clock', (ack: unknown) => {
      if (typeof ack === 'function') (ack as (now: number) => void)(Date.now());
    });
    socket.on('disconnect', () => client.disconnected());
  });
  return io;
}
