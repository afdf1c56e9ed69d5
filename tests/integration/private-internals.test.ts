import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { Encoder, PacketType } from 'socket.io-parser';
import { afterAll, describe, expect, it } from 'vitest';
import * as ws from 'ws';
import * as Y from 'yjs';
import { webSocketFrame, writeFrame } from '../../server/transports/frames';

/**
 * The server reaches into private parts of four libraries (issue 21 item 6):
 * ws's frame writer (`_sender.sendFrame`, `Sender.frame`; server/transports/frames.ts),
 * engine.io's socket (`transport.socket`, `upgrading`, `writeBuffer`; transports/socketio.ts),
 * socket.io-parser's packet numbers (shared/protocol/packed-parser.ts), and Yjs's
 * item store (`_map`, `_item`, `store.clients`, `findIndexSS`; server/sync/gate/).
 * Their versions are exact in package.json, and this test fails loudly when an
 * upgrade changes the shape we rely on: read the new version's source, adapt
 * the code, then the expectations here.
 */

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
const installed = (name: string): string =>
  (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;

describe('private internals of ws, engine.io, socket.io-parser and Yjs', () => {
  for (const name of ['ws', 'engine.io', 'socket.io-parser', 'yjs'])
    it(`${name} is pinned to an exact version, the one installed`, () => {
      expect(pkg.dependencies[name], `${name} must be an exact version in package.json`).toMatch(
        /^\d+\.\d+\.\d+$/,
      );
      expect(installed(name)).toBe(pkg.dependencies[name]);
    });

  it("Yjs: maps keep items in _map, nested types know their _item, the store's structs are found by findIndexSS", () => {
    const doc = new Y.Doc();
    const root = doc.getMap<Y.Map<unknown>>('notes');
    const note = new Y.Map<unknown>();
    root.set('n1', note);
    note.set('x', 1);
    const items = (root as unknown as { _map: Map<string, Y.Item> })._map;
    expect(items).toBeInstanceOf(Map);
    expect(items.get('n1')).toBeInstanceOf(Y.Item);
    expect(items.get('n1')!.content).toBeInstanceOf(Y.ContentType);
    expect(note._item).toBe(items.get('n1'));
    const structs = doc.store.clients.get(doc.clientID)!;
    expect(Array.isArray(structs)).toBe(true);
    expect(structs[Y.findIndexSS(structs, 1)]!.id.clock).toBeLessThanOrEqual(1);
    const decoded = Y.decodeUpdate(Y.encodeStateAsUpdate(doc));
    expect(
      decoded.structs.every((s) => s instanceof Y.Item || s instanceof Y.GC || s instanceof Y.Skip),
    ).toBe(true);
    expect(decoded.ds.clients).toBeInstanceOf(Map);
  });

  it('socket.io-parser: an event is packet type 2, sent as engine.io message "4" + "2…"', () => {
    expect(PacketType.EVENT).toBe(2);
    expect(new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['x', 1] })).toEqual(['2["x",1]']);
  });

  const http = createServer();
  const io = new Server(http, { serveClient: false });
  afterAll(async () => {
    await io.close();
  });

  it("engine.io and ws: a settled WebSocket's frame writer takes a pre-built frame that the client receives", async () => {
    expect(typeof (ws as unknown as { Sender: { frame?: unknown } }).Sender.frame).toBe('function');
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const { port } = http.address() as AddressInfo;
    const connected = new Promise<import('socket.io').Socket>((r) => io.once('connection', r));
    const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    try {
      const socket = await connected;
      const conn = socket.conn as unknown as {
        transport: { name: string; socket?: ws.WebSocket };
        upgrading: boolean;
        writeBuffer: unknown[];
      };
      expect(conn.transport.name).toBe('websocket');
      expect(conn.upgrading).toBe(false);
      expect(Array.isArray(conn.writeBuffer)).toBe(true);
      const raw = conn.transport.socket!;
      expect(typeof (raw as unknown as { _sender?: { sendFrame?: unknown } })._sender?.sendFrame).toBe(
        'function',
      );
      const got = new Promise<unknown>((r) => client.once('direct', r));
      // engine.io message "4", socket.io EVENT "2": what socketio.ts writes for a broadcast.
      expect(writeFrame(raw, webSocketFrame('42["direct","written by frames.ts"]'))).toBe(true);
      expect(await got).toBe('written by frames.ts');
    } finally {
      client.close();
    }
  });
});
