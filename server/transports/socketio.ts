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
  /** The client asked for base64 instead of binary (engine.io's `b64`): never the direct write. */
  b64: boolean;
}

type PlenarySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** socket.io-parser's EVENT packet type; engine.io's "message" packet type. */
const SOCKET_IO_EVENT = 2;
const ENGINE_MESSAGE = '4';

/** One form of a `y` event: what engine.io sends, and the same as WebSocket frames for the direct write. */
interface EventForm {
  /** The packed form's one binary message (null in socket.io's default form: a text header plus the frame). */
  packed: Buffer | null;
  /** All of it as WebSocket frames, in one buffer where small. */
  wire: Buffer[];
}

/**
 * The `y` event of one frame, encoded once for every socket that receives it:
 * each form is built when the first socket that reads it asks (our own clients
 * read the packed form, so a room of them never runs socket.io's encoder).
 */
interface PreparedEvent {
  doc: string;
  frame: Uint8Array;
  standard: EventForm | null;
  packed: EventForm | null;
}

/**
 * The `y` event as socket.io would encode it for each socket (a BINARY_EVENT:
 * a text header with a placeholder, then the frame as a binary attachment),
 * as two WebSocket frames built once.
 */
function standardForm(io: Server, event: PreparedEvent): EventForm {
  if (event.standard) return event.standard;
  const [header, ...attachments] = io.encoder.encode({
    type: SOCKET_IO_EVENT,
    nsp: '/',
    data: ['y', event.doc, event.frame],
  });
  if (typeof header !== 'string') throw new Error('socket.io-parser: unexpected encoding');
  const wire = [
    ...webSocketFrame(ENGINE_MESSAGE + header),
    ...attachments.flatMap((a) => webSocketFrame(a as Uint8Array)),
  ];
  return (event.standard = { packed: null, wire: [Buffer.concat(wire)] });
}

function packedForm(event: PreparedEvent): EventForm {
  if (event.packed) return event.packed;
  const bytes = packYEvent(event.doc, event.frame);
  if (!bytes) throw new Error(`not a y event: ${event.doc}`);
  const packed = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (event.packed = { packed, wire: webSocketFrame(packed) });
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
      socket.data.b64 = Boolean(socket.handshake.query.b64);
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
    if (last?.frame !== frame || last.doc !== doc) last = { doc, frame, standard: null, packed: null };
    const packed = socket.data.packed;
    // On a settled WebSocket with nothing queued in engine.io, the frames built once per
    // broadcast go straight to ws (one write, no engine.io packet per delivery); queued
    // packets would be overtaken, so then engine.io queues this one too.
    const ws = conn.transport.name === 'websocket' && !conn.upgrading ? conn.transport.socket : undefined;
    if (ws && conn.writeBuffer.length === 0 && !socket.data.b64) {
      if (writeFrame(ws, (packed ? packedForm(last) : standardForm(io, last)).wire)) return;
    }
    // Long-polling, an upgrade under way, or a base64 client: engine.io sends it.
    if (packed) socket.conn.write(packedForm(last).packed!);
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
