import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CLOSE, CLOSE_REASON, MESSAGE, YJS_PATH, type CloseCode } from '../../shared/protocol';
import { DOC_KINDS, type DocKind } from '../../shared/schema';
import { authenticate } from '../boards/tokens';
import type { Identities } from '../identity/identities';
import type { SessionRegistry } from '../identity/sessions';
import type { Logger } from '../log';
import type { BoardStore } from '../persistence/store';
import { nextConnectionId, type Connection, type Peer } from '../sync/connection';
import { ProtocolError } from '../sync/room';
import type { RoomManager } from '../sync/rooms';

export interface YWebsocketDeps {
  rooms: RoomManager;
  boards: BoardStore;
  log: Logger;
  maxMessageBytes: number;
  maxPendingMessages: number;
  keepAliveMs: number;
  /** Checks a join's `userId` and `key` (or gives the connection an identity of its own). */
  identities: Identities;
  /** Open connections per person, so that removing a person closes them. */
  sessions: SessionRegistry;
  onJoin(peer: Peer): void;
}

/** An awareness update with no entries: harmless to every client, and it counts as a message. */
const KEEPALIVE_FRAME = (() => {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE.awareness);
  encoding.writeVarUint8Array(enc, new Uint8Array([0]));
  return encoding.toUint8Array(enc);
})();

const toBytes = (data: RawData): Uint8Array =>
  Array.isArray(data)
    ? new Uint8Array(Buffer.concat(data))
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : data;

/**
 * The y-websocket endpoint: `ws://host/yjs/<boardId>/<doc>?token=…`, one
 * document per connection, standard frames, so the unmodified
 * `WebsocketProvider` of the y-websocket package works against it.
 */
export class YWebsocketEndpoint {
  private readonly wss: WebSocketServer;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly lastSent = new Map<WebSocket, number>();

  constructor(private readonly deps: YWebsocketDeps) {
    // Hard cap for memory; anything between the configured limit and this gets
    // a clean 4413 close (which stops stock clients from retrying) instead of 1009.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes * 16 });
    this.keepAlive = setInterval(() => this.tick(), Math.max(1000, deps.keepAliveMs / 2));
    this.keepAlive.unref();
  }

  /** Claims upgrades under /yjs/; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // A request target that is no URL (e.g. `//[`) is nobody's upgrade. (Never log it: tokens.)
      this.deps.log.warn('upgrade refused: malformed request target');
      socket.destroy();
      return true;
    }
    if (!url.pathname.startsWith(`${YJS_PATH}/`)) return false;
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, url));
    return true;
  }

  private tick(): void {
    // Stock clients close after 30 s without a message; browsers never see pings.
    const now = Date.now();
    for (const [ws, at] of this.lastSent) {
      if (now - at >= this.deps.keepAliveMs && ws.readyState === WebSocket.OPEN) {
        ws.send(KEEPALIVE_FRAME);
        this.lastSent.set(ws, now);
      }
    }
  }

  private async serve(ws: WebSocket, url: URL): Promise<void> {
    ws.binaryType = 'nodebuffer';
    const close = (code: CloseCode, reason = CLOSE_REASON[code] ?? ''): void => {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
    };
    let queue: Uint8Array[] | null = [];
    let onFrame: (frame: Uint8Array) => void = () => {};
    ws.on('error', (e) => this.deps.log.warn({ err: e.message }, 'websocket error'));
    ws.on('message', (data) => {
      const frame = toBytes(data);
      if (frame.byteLength > this.deps.maxMessageBytes) return close(CLOSE.tooLarge);
      if (queue) {
        if (queue.length >= this.deps.maxPendingMessages) return close(CLOSE.overloaded);
        queue.push(frame);
        return;
      }
      onFrame(frame);
    });
    let closed = false;
    let cleanup = (): void => {};
    ws.on('close', () => {
      closed = true;
      this.lastSent.delete(ws);
      cleanup();
    });

    const [, boardId, doc, ...rest] = url.pathname.slice(YJS_PATH.length).split('/');
    if (rest.length > 0 || !(DOC_KINDS as readonly string[]).includes(doc ?? ''))
      return close(CLOSE.notFound);
    const kind = doc as DocKind;
    let found;
    let joined;
    try {
      found = await authenticate(this.deps.boards, boardId, url.searchParams.get('token'));
      // A wrong token and an unknown board look the same, and get no document data.
      if (!found) return close(CLOSE.unauthorized);
      const param = (k: string): string | undefined => url.searchParams.get(k) ?? undefined;
      joined = await this.deps.identities.join(found.board.id, {
        userId: param('userId'),
        key: param('key'),
        name: param('name'),
      });
    } catch (e) {
      this.deps.log.error({ err: e }, 'authentication failed');
      return close(CLOSE.unavailable);
    }
    if (!joined.ok) return close(joined.code);
    const peer: Peer = { boardId: found.board.id, role: found.role, ...joined.identity };
    if (closed) return;
    // Removing the person closes this connection (at once, when they were removed a moment ago).
    const unregister = this.deps.sessions.add(peer.boardId, peer.userId, close, [
      CLOSE.removed,
      CLOSE_REASON[CLOSE.removed]!,
    ]);
    ws.once('close', unregister);
    let lease;
    try {
      lease = await this.deps.rooms.acquire(peer.boardId, kind);
    } catch {
      return close(CLOSE.unavailable);
    }
    if (closed) return lease.release();
    const { room } = lease;
    const conn: Connection = {
      id: nextConnectionId(`ws-${kind}`),
      doc: kind,
      peer,
      send: (frame) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(frame);
        this.lastSent.set(ws, Date.now());
      },
      deny: (denial) => {
        // y-protocols' auth message: y-websocket clients report "permission denied" with the reason.
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MESSAGE.auth);
        authProtocol.writePermissionDenied(enc, denial.reason);
        conn.send(encoding.toUint8Array(enc));
      },
      close,
    };
    cleanup = () => {
      room.leave(conn);
      lease.release();
    };
    this.lastSent.set(ws, Date.now());
    room.join(conn);
    this.deps.onJoin(peer);
    onFrame = (frame) => {
      try {
        room.receive(conn, frame);
      } catch (e) {
        if (!(e instanceof ProtocolError))
          this.deps.log.error({ err: e }, 'unexpected error handling a frame');
        this.deps.log.warn(
          { conn: conn.id, reason: (e as Error).message },
          'closing connection: bad message',
        );
        close(CLOSE.badRequest);
      }
    };
    const waiting = queue;
    queue = null;
    for (const frame of waiting) {
      if (closed) break;
      onFrame(frame);
    }
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const ws of this.wss.clients) ws.close(CLOSE.goingAway, CLOSE_REASON[CLOSE.goingAway]);
    this.wss.close();
  }
}
