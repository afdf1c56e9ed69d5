import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { CLOSE, CLOSE_REASON, YJS_PATH } from '../../shared/protocol';
import { authDeniedFrame, keepAliveFrame } from '../../shared/protocol/frames';
import type { Logger } from '../log';
import type { SyncCore } from '../sync/core';
import { clientAddress, compileTrust } from './address';
import { LastBuilt, webSocketFrame, writeFrame } from './frames';

export interface YWebsocketDeps {
  core: SyncCore;
  log: Logger;
  keepAliveMs: number;
  /** Express's 'trust proxy' (config.trustProxy): whose X-Forwarded-For gives the client address. */
  trustProxy?: boolean | number | string;
}

const KEEPALIVE_FRAME = keepAliveFrame();

const toBytes = (data: RawData): Uint8Array =>
  Array.isArray(data)
    ? new Uint8Array(Buffer.concat(data))
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : data;

/** WebSocket close reasons are limited to 123 bytes; a longer one gets the code's standard reason. */
const closeReason = (code: number, reason: string): string =>
  Buffer.byteLength(reason) <= 123 ? reason : (CLOSE_REASON[code] ?? '');

/**
 * `ws` closes a connection whose frame is over `maxPayload` with 1009, which the
 * stock y-websocket provider answers by reconnecting (and resending) in a loop:
 * its receiver calls `close(1009)` on the socket, so that one call is made 4413.
 */
function tooLargeAs4413(ws: WebSocket): void {
  const close = ws.close.bind(ws);
  ws.close = (code?: number, reason?: string | Buffer): void =>
    code === 1009 ? close(CLOSE.tooLarge, CLOSE_REASON[CLOSE.tooLarge]) : close(code, reason);
}

/**
 * The y-websocket endpoint: `ws://host/yjs/<boardId>/<doc>?token=…`, one
 * document per connection, standard frames, so the unmodified
 * `WebsocketProvider` of the y-websocket package works against it. The
 * connection's lifecycle is the sync core's; this adds only the keep-alive.
 */
export class YWebsocketEndpoint {
  private readonly wss: WebSocketServer;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly lastSent = new Map<WebSocket, number>();
  private readonly trust: ReturnType<typeof compileTrust>;
  /** A broadcast's frame is built once and written to every receiver. */
  private readonly frames = new LastBuilt((frame: Uint8Array) => webSocketFrame(frame));

  constructor(private readonly deps: YWebsocketDeps) {
    // A frame over the limit is refused while its header is read, before it is buffered.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.core.maxMessageBytes });
    this.trust = compileTrust(deps.trustProxy ?? false);
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
    const address = clientAddress(req, this.trust);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, url, address));
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

  private serve(ws: WebSocket, url: URL, address: string): void {
    ws.binaryType = 'nodebuffer';
    tooLargeAs4413(ws);
    // `<boardId>/<doc>`: anything after the board id names the document (`a/b` is no document).
    const [boardId, ...rest] = url.pathname.slice(YJS_PATH.length + 1).split('/');
    const doc = rest.join('/');
    const param = (k: string): string | undefined => url.searchParams.get(k) ?? undefined;
    const send = (frame: Uint8Array): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!writeFrame(ws, this.frames.get(frame))) ws.send(frame);
      this.lastSent.set(ws, Date.now());
    };
    const client = this.deps.core.handleConnection(
      {
        send,
        // y-protocols' auth message: y-websocket clients report "permission denied" with the reason.
        deny: (denial) => send(authDeniedFrame(denial.reason)),
        close: (code, reason) => {
          if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)
            ws.close(code, closeReason(code, reason));
        },
        // Served from now on: keep it alive while it is silent (S5).
        welcome: () => this.lastSent.set(ws, Date.now()),
      },
      {
        transport: 'ws',
        docs: [doc],
        address,
        credentials: {
          boardId,
          token: param('token'),
          userId: param('userId'),
          key: param('key'),
          name: param('name'),
        },
      },
    );
    ws.on('error', (e) => this.deps.log.warn({ err: e.message }, 'websocket error'));
    ws.on('message', (data) => client.receive(doc, toBytes(data)));
    ws.on('close', () => {
      this.lastSent.delete(ws);
      client.disconnected();
    });
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const ws of this.wss.clients) ws.close(CLOSE.goingAway, CLOSE_REASON[CLOSE.goingAway]);
    this.wss.close();
  }
}
