import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { Encoder } from 'socket.io-parser';
import type { WebSocket } from 'ws';
import {
  CLOSE_REASON,
  SOCKET_PATH,
  type ClientToServerEvents,
  type CloseCode,
  type ConnectErrorData,
  type HandshakeAuth,
  type ServerToClientEvents,
} from '../../shared/protocol';
import { PACKED_WIRE, PackedDecoder, packYEvent } from '../../shared/protocol/packed-parser';
import { DOC_KINDS, type DocKind } from '../../shared/schema';
import type { Admission, SyncCore } from '../sync/core';
import { clientAddress, compileTrust } from './address';
import { webSocketFrame, writeFrame } from './frames';

interface SocketData {
  admission: Admission;
  /** The client reads `y` events packed in one binary message (our provider; see packed-parser). */
  packed: boolean;
}

type PlenarySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** socket.io-parser's EVENT packet type; engine.io's "message" packet type. */
const SOCKET_IO_EVENT = 2;
const ENGINE_MESSAGE = '4';

/** The `y` event of one frame, encoded once for every socket that receives it, in either form. */
interface PreparedEvent {
  doc: string;
  frame: Uint8Array;
  /** socket.io's default form: the event's header (the engine.io packet that carries it)… */
  header: string;
  /** …and both WebSocket frames (the header as text, then the frame as binary) in one buffer. */
  wire: Buffer[];
  /** The packed form: one binary message, and its WebSocket frame (built when first asked). */
  packed: Buffer | null;
  packedWire: Buffer[] | null;
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
  return { doc, frame, header, wire: [Buffer.concat(wire)], packed: null, packedWire: null };
}

function preparePacked(event: PreparedEvent): { packed: Buffer; wire: Buffer[] } {
  if (!event.packed || !event.packedWire) {
    const packed = packYEvent(event.doc, event.frame);
    if (!packed) throw new Error(`not a y event: ${event.doc}`);
    event.packed = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
    event.packedWire = webSocketFrame(event.packed);
  }
  return { packed: event.packed, wire: event.packedWire };
}

/** engine.io's socket, with the members the direct write needs (engine.io 6.6; pinned in package.json). */
interface EngineConn {
  transport: { name: string; socket?: WebSocket };
  upgrading: boolean;
  writeBuffer: unknown[];
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
      // Reads both the default form and the packed `y` event; writes the default form.
      parser: { Encoder, Decoder: PackedDecoder },
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
      socket.data.packed = (auth as { wire?: unknown }).wire === PACKED_WIRE;
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
    if (!socket.connected) return;
    const conn = socket.conn as unknown as EngineConn;
    if (last?.frame !== frame || last.doc !== doc) last = prepareEvent(io, doc, frame);
    const packed = socket.data.packed ? preparePacked(last) : null;
    // On a settled WebSocket with nothing queued in engine.io, the frames built once per
    // broadcast go straight to ws (one write, no engine.io packet per delivery); queued
    // packets would be overtaken, so then engine.io queues this one too.
    const ws = conn.transport.name === 'websocket' && !conn.upgrading ? conn.transport.socket : undefined;
    if (ws && conn.writeBuffer.length === 0 && !socket.handshake.query.b64) {
      if (writeFrame(ws, packed ? packed.wire : last.wire)) return;
    }
    // Long-polling, an upgrade under way, or a base64 client: engine.io sends it.
    if (packed) socket.conn.write(packed.packed);
    else socket.emit('y', doc, frame);
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
