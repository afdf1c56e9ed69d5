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
import { DOC_KINDS, type DocKind } from '../../shared/schema';
import type { Admission, SyncCore } from '../sync/core';
import { clientAddress, compileTrust } from './address';
import { webSocketFrame } from './frames';

interface SocketData {
  admission: Admission;
}

type PlenarySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** socket.io-parser's EVENT packet type; engine.io's "message" packet type. */
const SOCKET_IO_EVENT = 2;
const ENGINE_MESSAGE = '4';

/** The `y` event of one frame, encoded once for every socket that receives it. */
interface PreparedEvent {
  doc: string;
  frame: Uint8Array;
  /** socket.io's encoding of the event's header (the engine.io packet that carries the event). */
  header: string;
  /** Both WebSocket frames of the event (the header as text, then the frame as binary) in one buffer. */
  wire: Buffer[];
}

/**
 * The `y` event as socket.io would encode it for each socket (a BINARY_EVENT:
 * a text header with a placeholder, then the frame as a binary attachment),
 * as two WebSocket frames built once.
 */
function prepareEvent(io: Server, doc: string, frame: Uint8Array): PreparedEvent {
  const [header, ...attachments] = io.encoder.encode({
    type: SOCKET_IO_EVENT,
    nsp: '/',
    data: ['y', doc, frame],
  });
  if (typeof header !== 'string') throw new Error('socket.io-parser: unexpected encoding');
  const wire = [
    ...webSocketFrame(ENGINE_MESSAGE + header),
    ...attachments.flatMap((a) => webSocketFrame(a as Uint8Array)),
  ];
  return { doc, frame, header, wire: [Buffer.concat(wire)] };
}

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
  /** Socket.io rooms an admitted connection joins, so that the server can push to it (QA9). */
  roomsOf: (peer: Extract<Admission, { ok: true }>['peer']) => string[] = () => [],
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

  // The last event sent: a room's broadcast hands every receiver the same frame in a row.
  let last: PreparedEvent | null = null;
  const send = (socket: PlenarySocket, frame: Uint8Array, doc: DocKind): void => {
    const conn = socket.conn;
    // On a WebSocket, both frames of the event go out in one write, built once per broadcast
    // (engine.io's own pre-encoded frames, as socket.io's broadcasts use for text packets).
    // Long-polling, an upgrade under way, or a base64 client: socket.io encodes as usual.
    if (
      socket.connected &&
      conn.transport.name === 'websocket' &&
      !conn.upgrading &&
      !socket.handshake.query.b64
    ) {
      if (last?.frame !== frame || last.doc !== doc) last = prepareEvent(io, doc, frame);
      conn.write(last.header, { wsPreEncodedFrame: last.wire } as Parameters<typeof conn.write>[1]);
    } else socket.emit('y', doc, frame);
  };

  io.on('connection', (socket: PlenarySocket) => {
    const { admission } = socket.data;
    if (admission.ok) void socket.join(roomsOf(admission.peer));
    const client = core.handleConnection(
      {
        send: (frame, doc) => send(socket, frame, doc),
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
