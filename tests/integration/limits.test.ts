import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE } from '../../shared/protocol';
import { configFromEnv } from '../../server/config';
import { TOO_MANY_CONNECTIONS, TOO_MANY_MESSAGES } from '../../server/sync/core';
import { rawWebSocket, SioClient, yWebsocketClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { typeTask } from '../helpers/probes';
import { startTestServer } from '../helpers/server';

/** Rate and connection limits (I3, I4) on real servers, with both transports. */

const sockets: WebSocket[] = [];
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});

/** A WebSocket on the y-websocket endpoint with extra headers; resolves with its close code, or 'open'. */
function wsWithHeaders(url: string, headers: Record<string, string>): Promise<number | 'open'> {
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  return new Promise((resolve) => {
    // The server closes a refused connection right after the upgrade; one it serves stays open.
    ws.on('close', (code) => resolve(code));
    ws.on('message', () => resolve('open'));
  });
}

describe('I3: messages and bytes per second per connection', () => {
  it('I3: a burst past the message rate closes with 4429 on Socket.io and on y-websocket (the stock client stops)', async () => {
    const server = await startTestServer({ maxMessagesPerSecond: 5 });
    const b = await server.createBoard();
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(c.synced.size).toBe(3));
    for (let i = 0; i < 30; i++) c.awareness.board.setLocalStateField('cursor', { x: i, y: i });
    await eventually(() => expect(c.closing).toEqual({ code: CLOSE.overloaded, reason: TOO_MANY_MESSAGES }));

    const { provider } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant);
    const codes: number[] = [];
    provider.on('connection-close', (e: CloseEvent | null) => codes.push(e?.code ?? 0));
    await eventually(() => expect(provider.synced).toBe(true));
    for (let i = 0; i < 30; i++) provider.awareness.setLocalStateField('cursor', { x: i, y: i });
    await eventually(() => expect(codes).toEqual([CLOSE.overloaded]));
    expect(provider.shouldConnect).toBe(false);
  });

  it('I3: a burst past the byte rate closes with 4429', async () => {
    const server = await startTestServer({ maxBytesPerSecond: 20_000 });
    const b = await server.createBoard();
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(c.synced.size).toBe(3));
    for (let i = 0; i < 4; i++) typeTask(c.docs.tasks, String(i).repeat(15_000));
    await eventually(() => expect(c.closing?.code).toBe(CLOSE.overloaded));
  });

  it('I3: the default limits leave an honest client alone (a burst of typing and awareness within 200)', async () => {
    const { maxMessagesPerSecond, maxBytesPerSecond } = configFromEnv({});
    const server = await startTestServer({ maxMessagesPerSecond, maxBytesPerSecond });
    const b = await server.createBoard();
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(c.synced.size).toBe(3));
    for (let i = 0; i < 60; i++) {
      c.awareness.board.setLocalStateField('cursor', { x: i, y: i });
      typeTask(c.docs.tasks, `task ${i}`);
    }
    await eventually(() => expect(c.acks.length).toBe(60));
    expect(c.acks.every((a) => a.ok)).toBe(true);
    expect(c.closing).toBeNull();
    expect(c.socket.connected).toBe(true);
  });
});

describe('I4: connections per link and per client address', () => {
  it('I4: one connection more than CONNECTIONS_PER_LINK is refused with 4429 on both transports', async () => {
    const server = await startTestServer({ maxConnectionsPerLink: 2 });
    const b = await server.createBoard();
    const url = `${server.wsUrl}/yjs/${b.id}/board?token=${b.tokens.viewer}`;
    const first = await rawWebSocket(url);
    const second = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
    await eventually(() => expect(second.session).not.toBeNull());
    const third = await rawWebSocket(url);
    expect(await third.closed).toEqual({ code: CLOSE.overloaded, reason: TOO_MANY_CONNECTIONS });
    const fourth = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
    await eventually(() =>
      expect(fourth.connectError?.data).toEqual({ code: CLOSE.overloaded, reason: TOO_MANY_CONNECTIONS }),
    );
    // Another link of the same board is not affected; a closed connection frees its place.
    const participant = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(participant.session).not.toBeNull());
    first.ws.close();
    await eventually(async () => {
      const again = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
      try {
        await eventually(() => expect(again.session ?? again.connectError).not.toBeNull(), { timeout: 1000 });
        expect(again.session).not.toBeNull();
      } finally {
        if (!again.session) again.close();
      }
    });
  });

  it('I4: clients that leave at once, even during the handshake, give their places back on both transports', async () => {
    const server = await startTestServer({ maxConnectionsPerLink: 1 });
    const b = await server.createBoard();
    for (let i = 0; i < 10; i++) {
      // The handshake reaches the server, then the transport goes while the token is checked.
      const gone = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
      gone.socket.io.on('open', () => setImmediate(() => gone.socket.io.engine.close()));
      const ws = new WebSocket(`${server.wsUrl}/yjs/${b.id}/board?token=${b.tokens.viewer}`);
      ws.on('error', () => {});
      ws.on('open', () => ws.close());
    }
    await eventually(async () => {
      const c = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
      try {
        await eventually(() => expect(c.session ?? c.connectError).not.toBeNull(), { timeout: 1000 });
        expect(c.session).not.toBeNull();
      } finally {
        c.close();
      }
    });
    const { closed, ws } = await rawWebSocket(`${server.wsUrl}/yjs/${b.id}/board?token=${b.tokens.viewer}`);
    await eventually(async () => {
      expect(ws.readyState).toBe(ws.OPEN);
      expect(await Promise.race([closed, Promise.resolve('open')])).toBe('open');
    });
  });

  it('I4: CONNECTIONS_PER_IP counts every link; X-Forwarded-For counts only under TRUST_PROXY', async () => {
    const plain = await startTestServer({ maxConnectionsPerAddress: 1 });
    const b = await plain.createBoard();
    const url = (token: string) => `${plain.wsUrl}/yjs/${b.id}/board?token=${token}`;
    expect(await wsWithHeaders(url(b.tokens.viewer), { 'x-forwarded-for': '10.0.0.1' })).toBe('open');
    // Without TRUST_PROXY the header is ignored: the same socket address, another link, refused.
    expect(await wsWithHeaders(url(b.tokens.participant), { 'x-forwarded-for': '10.0.0.2' })).toBe(
      CLOSE.overloaded,
    );
    const sio = new SioClient(plain.url, { board: b.id, token: b.tokens.organizer });
    await eventually(() => expect(sio.connectError?.data?.code).toBe(CLOSE.overloaded));

    const proxied = await startTestServer({ maxConnectionsPerAddress: 1, trustProxy: 'loopback' });
    const p = await proxied.createBoard();
    const purl = `${proxied.wsUrl}/yjs/${p.id}/board?token=${p.tokens.participant}`;
    expect(await wsWithHeaders(purl, { 'x-forwarded-for': '10.0.0.1' })).toBe('open');
    expect(await wsWithHeaders(purl, { 'x-forwarded-for': '10.0.0.2' })).toBe('open');
    expect(await wsWithHeaders(purl, { 'x-forwarded-for': '10.0.0.1' })).toBe(CLOSE.overloaded);
  });
});
