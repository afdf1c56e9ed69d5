import * as decoding from 'lib0/decoding';
import { io, type Socket } from 'socket.io-client';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  MESSAGE,
  type ClientToServerEvents,
  type ConnectErrorData,
  type Denial,
  type ServerToClientEvents,
  type SessionInfo,
} from '../../shared/protocol';
import { awarenessFrame, readSyncFrame, syncStep1Frame, updateFrame } from '../../shared/protocol/frames';
import { PACKED_WIRE, packedParser } from '../../shared/protocol/packed-parser';
import { DOC_KINDS, SHARED_DOC_KINDS, type DocKind } from '../../shared/schema';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const SERVER = Symbol('server');

/** An issued identity: what `POST /api/boards/:id/people` answers (without the name). */
export interface Identity {
  userId: string;
  key: string;
}

/** Issues a person on a board (any role's token) and returns their identity. */
export async function mintPerson(
  serverUrl: string,
  boardId: string,
  token: string,
  name = 'Tester',
): Promise<Identity> {
  const res = await fetch(`${serverUrl}/api/boards/${boardId}/people`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`mintPerson: ${res.status} ${await res.text()}`);
  const { userId, key } = (await res.json()) as Identity;
  return { userId, key };
}

/**
 * A minimal Socket.io client speaking our protocol with y-protocols, for
 * server tests (the app's own provider is tested separately). Real
 * socket.io-client, real Y.Docs.
 */
export class SioClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly docs = Object.fromEntries(DOC_KINDS.map((k) => [k, new Y.Doc()])) as Record<DocKind, Y.Doc>;
  readonly awareness = Object.fromEntries(
    DOC_KINDS.map((k) => [k, new awarenessProtocol.Awareness(this.docs[k])]),
  ) as Record<DocKind, awarenessProtocol.Awareness>;
  readonly denials: Denial[] = [];
  readonly acks: { ok: boolean; error?: string }[] = [];
  session: SessionInfo | null = null;
  closing: ConnectErrorData | null = null;
  connectError: (Error & { data?: ConnectErrorData }) | null = null;
  readonly synced = new Set<DocKind>();

  /**
   * Without `identity` the connection gets an identity of its own (read it from
   * `session.userId`); with one (see `mintPerson`) it joins as that person.
   */
  constructor(
    url: string,
    auth: { board: string; token: string; name?: string; userId?: string; key?: string },
    opts: {
      transports?: ('websocket' | 'polling')[];
      identity?: Identity;
      packed?: boolean;
      /** Also sync the person's private notes (`mine`, PW1); the shared documents only by default. */
      mine?: boolean;
      /**
       * Reconnect after a drop (socket.io-client's default; off otherwise, so a test sees a
       * close). For probes that share their process with a load generator: a stall of this
       * process past the ping timeout must not end the probe.
       */
      reconnect?: boolean;
    } = {},
  ) {
    this.socket = io(url, {
      auth: { name: 'Tester', ...opts.identity, ...auth, ...(opts.packed ? { wire: PACKED_WIRE } : {}) },
      // As our own client (socketio-provider.ts): `y` events packed in one binary message (S6).
      ...(opts.packed ? { parser: packedParser } : {}),
      transports: opts.transports ?? ['websocket'],
      reconnection: opts.reconnect ?? false,
      forceNew: true,
    });
    this.socket.on('session', (s) => (this.session = s));
    this.socket.on('denied', (d) => this.denials.push(d));
    this.socket.on('closing', (c) => (this.closing = c));
    this.socket.on('connect_error', (e) => (this.connectError = e as Error & { data?: ConnectErrorData }));
    this.socket.on('y', (doc, frame) => this.receive(doc, new Uint8Array(frame)));
    const kinds: readonly DocKind[] = opts.mine ? DOC_KINDS : SHARED_DOC_KINDS;
    this.socket.on('connect', () => {
      for (const k of kinds) this.socket.emit('y', k, syncStep1Frame(this.docs[k]));
    });
    for (const k of DOC_KINDS) {
      this.docs[k].on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === SERVER) return;
        this.socket.emit('y', k, updateFrame(update), (res) => this.acks.push(res));
      });
      this.awareness[k].on(
        'update',
        ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
          if (origin === SERVER) return;
          const changed = [...added!, ...updated!, ...removed!];
          this.socket.emit('y', k, awarenessFrame(this.awareness[k], changed));
        },
      );
    }
    cleanups.push(() => this.close());
  }

  private receive(doc: DocKind, frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE.sync) {
      const { type: t, reply } = readSyncFrame(decoder, this.docs[doc], SERVER);
      if (t === syncProtocol.messageYjsSyncStep2) this.synced.add(doc);
      if (reply) this.socket.emit('y', doc, reply);
    } else if (type === MESSAGE.awareness) {
      awarenessProtocol.applyAwarenessUpdate(
        this.awareness[doc],
        decoding.readVarUint8Array(decoder),
        SERVER,
      );
    }
  }

  /** Send raw bytes (or anything else) as if they were a frame of `doc`. */
  sendRaw(doc: string, bytes: unknown): void {
    (this.socket as unknown as Socket).emit('y', doc, bytes);
  }

  close(): void {
    this.socket.disconnect();
    for (const k of DOC_KINDS) {
      this.awareness[k].destroy();
      this.docs[k].destroy();
    }
  }
}

/** The unmodified y-websocket provider, as any integration would use it. */
export function yWebsocketClient(
  wsUrl: string,
  boardId: string,
  doc: DocKind | string,
  token: string,
  params: Record<string, string> = {},
): { provider: WebsocketProvider; doc: Y.Doc } {
  const ydoc = new Y.Doc();
  const provider = new WebsocketProvider(`${wsUrl}/yjs`, `${boardId}/${doc}`, ydoc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token, ...params },
    disableBc: true,
  });
  cleanups.push(() => {
    provider.destroy();
    ydoc.destroy();
  });
  return { provider, doc: ydoc };
}

/** A raw WebSocket on the y-websocket endpoint, to send arbitrary bytes. */
export function rawWebSocket(
  url: string,
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }>; messages: Uint8Array[] }> {
  const ws = new WebSocket(url);
  const messages: Uint8Array[] = [];
  ws.on('message', (d) => messages.push(new Uint8Array(d as Buffer)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  cleanups.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed, messages }));
    ws.once('error', reject);
  });
}
