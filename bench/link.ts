import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from '../shared/protocol';
import { PACKED_WIRE, packedParser } from '../shared/protocol/packed-parser';
import { asBuffer } from './marker';

/** Where one bench client connects: our Socket.io transport, or a plain y-websocket URL. */
export type Endpoint =
  { kind: 'socketio'; url: string; auth: HandshakeAuth } | { kind: 'websocket'; url: string };

/**
 * One bidirectional stream of y-protocols frames for the `board` document,
 * whatever the transport: the light receivers and the writers speak the same
 * bytes to every target.
 */
export interface Link {
  readonly opened: Promise<void>;
  send(frame: Uint8Array): void;
  close(): void;
  readonly isOpen: boolean;
}

const DOC = 'board';

export function openLink(
  endpoint: Endpoint,
  onFrame: (frame: Buffer) => void,
  onClose: (why: string) => void,
  timeoutMs: number,
): Link {
  return endpoint.kind === 'socketio'
    ? socketIoLink(endpoint, onFrame, onClose, timeoutMs)
    : webSocketLink(endpoint.url, onFrame, onClose, timeoutMs);
}

function withTimeout(p: Promise<void>, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function socketIoLink(
  endpoint: Extract<Endpoint, { kind: 'socketio' }>,
  onFrame: (frame: Buffer) => void,
  onClose: (why: string) => void,
  timeoutMs: number,
): Link {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(endpoint.url, {
    // As our own client does (client/src/lib/sync/socketio-provider.ts): packed `y` events.
    auth: { ...endpoint.auth, wire: PACKED_WIRE },
    parser: packedParser,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  let open = false;
  socket.on('y', (doc, frame) => {
    if (doc !== DOC) return;
    const bytes = asBuffer(frame);
    if (bytes) onFrame(bytes);
  });
  socket.on('disconnect', (reason) => {
    open = false;
    onClose(`socket.io disconnect: ${reason}`);
  });
  // `session` comes after the server attached the documents: frames sent before
  // it would only wait in the server's pre-load queue.
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('session', () => {
      open = true;
      resolve();
    });
    socket.once('connect_error', (e) => reject(e));
    socket.once('closing', (c) => reject(new Error(`closing ${c.code}: ${c.reason}`)));
  });
  return {
    opened: withTimeout(opened, timeoutMs, 'socket.io connect'),
    send: (frame) => {
      if (open) socket.emit('y', DOC, frame);
    },
    close: () => {
      open = false;
      socket.disconnect();
    },
    get isOpen() {
      return open;
    },
  };
}

function webSocketLink(
  url: string,
  onFrame: (frame: Buffer) => void,
  onClose: (why: string) => void,
  timeoutMs: number,
): Link {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  let open = false;
  ws.on('message', (data) => {
    const bytes = asBuffer(data);
    if (bytes) onFrame(bytes);
  });
  ws.on('close', (code, reason) => {
    open = false;
    onClose(`websocket close ${code} ${reason.toString()}`);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      open = true;
      resolve();
    });
    ws.once('error', reject);
  });
  // An error after opening is followed by 'close', which reports it.
  ws.on('error', () => {});
  return {
    opened: withTimeout(opened, timeoutMs, 'websocket connect'),
    send: (frame) => {
      if (open) ws.send(frame);
    },
    close: () => {
      open = false;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close();
    },
    get isOpen() {
      return open;
    },
  };
}
