import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CLOSE, CLOSE_REASON } from '../../shared/protocol';
import { isSafeKey, readRoster, type RosterEntry } from '../../shared/schema';
import { pseudonymOf } from '../../server/identity/pseudonym';
import { SessionRegistry } from '../../server/identity/sessions';
import { createLogger } from '../../server/log';
import { PostgresStore } from '../../server/persistence/postgres';
import { mintPerson, rawWebSocket, SioClient, yWebsocketClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { PG_URL, postgresAvailable, uniqueSchema } from '../helpers/services';

const hasPg = await postgresAvailable();

/**
 * Issue 13: per-person identities that cannot be borrowed, over both
 * transports (Socket.io and the y-websocket endpoint), on a real server.
 */

const REMOVED = CLOSE_REASON[CLOSE.removed]!;

const post = (server: TestServer, boardId: string, token: string | null, body: unknown, headers = {}) =>
  fetch(`${server.url}/api/boards/${boardId}/people`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });

const patch = (server: TestServer, boardId: string, token: string, userId: string, body: unknown) =>
  fetch(`${server.url}/api/boards/${boardId}/people/${userId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

const remove = (server: TestServer, boardId: string, token: string, userId: string) =>
  fetch(`${server.url}/api/boards/${boardId}/people/${userId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });

const errorOf = async (res: Response): Promise<{ code: string; message: string }> =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

/** A y-websocket URL for one document with the given query parameters. */
const yjsUrl = (server: TestServer, b: CreatedBoard, params: Record<string, string>, doc = 'board') =>
  `${server.wsUrl}/yjs/${b.id}/${doc}?${new URLSearchParams({ token: b.tokens.participant, ...params })}`;

const roster = (server: TestServer, boardId: string): Promise<RosterEntry[]> =>
  server.docs.read(boardId, 'board', (doc) => readRoster(doc));

/** Socket.io join that resolves with the session, or rejects with the refusal's data. */
async function joined(c: SioClient): Promise<NonNullable<SioClient['session']>> {
  await eventually(() => {
    if (c.connectError) throw Object.assign(new Error('refused'), { stop: true });
    expect(c.session).not.toBeNull();
  }).catch((e: unknown) => {
    if ((e as { stop?: boolean }).stop) return;
    throw e;
  });
  if (!c.session) throw new Error(`refused: ${JSON.stringify(c.connectError?.data)}`);
  return c.session;
}

describe('ID1, ID5: issued identities (POST /api/boards/:id/people)', () => {
  it('issues { userId, key, name } to every role; only a hash of the key is stored', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    for (const role of ['organizer', 'participant', 'viewer'] as const) {
      const res = await post(server, b.id, b.tokens[role], { name: `  Ada\n(${role})\t` });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { userId: string; key: string; name: string };
      expect(Object.keys(body).sort()).toEqual(['key', 'name', 'userId']);
      expect(body.userId).toMatch(/^[0-9a-f]{24}$/);
      // 32 random bytes, base64url: at least 128 bits.
      expect(body.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(body.name).toBe(`Ada (${role})`);
      const stored = await server.store.getPerson(b.id, body.userId);
      expect(stored).toMatchObject({ boardId: b.id, userId: body.userId, name: body.name, revokedAt: null });
      expect(stored!.keyHash).toBe(createHash('sha256').update(body.key).digest('hex'));
      expect(JSON.stringify(stored)).not.toContain(body.key);
    }
  });

  it('needs a token of the board (401 otherwise) and a valid name (400 with a clear message)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const other = await server.createBoard();
    expect((await post(server, b.id, null, { name: 'Ada' })).status).toBe(401);
    expect((await post(server, b.id, other.tokens.organizer, { name: 'Ada' })).status).toBe(401);
    for (const [body, message] of [
      [{}, '"name" must be a string'],
      [{ name: 42 }, '"name" must be a string'],
      [{ name: '' }, '"name" must not be empty'],
      [{ name: ' \n\t\u0007 ' }, '"name" must not be empty'],
      [{ name: 'x'.repeat(61) }, '"name" must be at most 60 characters'],
      [['Ada'], 'send a JSON object with content-type application/json'],
    ] as const) {
      const res = await post(server, b.id, b.tokens.participant, body);
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toEqual({ code: expect.any(String), message });
    }
    const res = await post(server, b.id, b.tokens.participant, { name: 'A\u0000d\u001ba' });
    expect(((await res.json()) as { name: string }).name).toBe('Ada');
  });
});

describe('ID2: joins prove identity, on both transports', () => {
  it('Socket.io: the key proves the userId; without it, or with a wrong one, 4401', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const bob = await mintPerson(server.url, b.id, b.tokens.participant, 'Bob');
    const auth = { board: b.id, token: b.tokens.participant };

    const real = new SioClient(server.url, { ...auth, name: 'Ada' }, { identity: ada });
    const session = await joined(real);
    expect(session).toMatchObject({ userId: ada.userId, name: 'Ada', issued: true });

    const refusals: [string, Partial<Identity>][] = [
      ['no key', { userId: ada.userId }],
      ['wrong key', { userId: ada.userId, key: 'x'.repeat(43) }],
      ["someone else's key", { userId: ada.userId, key: bob.key }],
      ['unknown userId', { userId: '0123456789abcdef01234567', key: ada.key }],
      ['empty key', { userId: ada.userId, key: '' }],
    ];
    for (const [why, identity] of refusals) {
      const c = new SioClient(server.url, { ...auth, name: 'Mallory', ...identity });
      await eventually(() =>
        expect(c.connectError?.data, why).toEqual({
          code: CLOSE.unauthorized,
          reason: CLOSE_REASON[CLOSE.unauthorized],
        }),
      );
      expect(c.session, why).toBeNull();
    }
    // A userId that is not a string is a malformed handshake.
    const odd = new SioClient(server.url, { ...auth, userId: 42 as unknown as string });
    await eventually(() => expect(odd.connectError?.data?.code).toBe(CLOSE.badRequest));
    // Nobody got into the roster as Ada but Ada.
    await eventually(async () => {
      const entries = (await roster(server, b.id)).filter((e) => e.id === ada.userId);
      expect(entries.map((e) => e.name)).toEqual(['Ada']);
    });
  });

  it('y-websocket: the key proves the userId; without it, or with a wrong one, 4401', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const bob = await mintPerson(server.url, b.id, b.tokens.participant, 'Bob');

    const { provider } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant, {
      userId: ada.userId,
      key: ada.key,
      name: 'Ada',
    });
    await eventually(() => expect(provider.synced).toBe(true));
    await eventually(async () =>
      expect((await roster(server, b.id)).find((e) => e.id === ada.userId)?.name).toBe('Ada'),
    );

    const claims: Record<string, string>[] = [
      { userId: ada.userId },
      { userId: ada.userId, key: 'x'.repeat(43) },
      { userId: ada.userId, key: bob.key },
      { userId: 'f'.repeat(24), key: ada.key },
    ];
    for (const params of claims) {
      const { closed, messages } = await rawWebSocket(yjsUrl(server, b, { ...params, name: 'Mallory' }));
      expect(await closed).toEqual({ code: CLOSE.unauthorized, reason: CLOSE_REASON[CLOSE.unauthorized] });
      // Refused before any document data.
      expect(messages).toEqual([]);
    }
  });

  it('a join without userId gets an identity of its own per connection (issued: false), on both transports', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const auth = { board: b.id, token: b.tokens.participant };
    const one = await joined(new SioClient(server.url, { ...auth, name: 'Eve' }));
    const two = await joined(new SioClient(server.url, { ...auth, name: 'Eve' }));
    const unnamed = await joined(new SioClient(server.url, { ...auth, name: '' }));
    expect(one).toMatchObject({ issued: false, name: 'Eve' });
    expect(two).toMatchObject({ issued: false, name: 'Eve' });
    expect(unnamed).toMatchObject({ issued: false, name: 'Guest' });
    expect(new Set([one.userId, two.userId, unnamed.userId]).size).toBe(3);
    expect(one.userId).toMatch(/^[0-9a-f]{24}$/);
    expect(one.pseudonym).not.toBe(two.pseudonym);
    // Nothing was stored for them.
    expect(await server.store.getPerson(b.id, one.userId)).toBeNull();

    for (let i = 0; i < 2; i++) {
      const { provider } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant, {
        name: 'Wes',
      });
      await eventually(() => expect(provider.synced).toBe(true));
    }
    await eventually(async () => {
      const wes = (await roster(server, b.id)).filter((e) => e.name === 'Wes');
      expect(wes).toHaveLength(2);
      expect(wes[0]!.id).not.toBe(wes[1]!.id);
    });
  });

  it('R5: a per-connection identity is in the roster only while connected; issued people stay', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const ida = await mintPerson(server.url, b.id, b.tokens.participant, 'Ida');
    const issued = new SioClient(
      server.url,
      { board: b.id, token: b.tokens.participant, name: 'Ida' },
      { identity: ida },
    );
    const guest = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Gus' });
    const { provider } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant, { name: 'Wes' });
    await eventually(() => expect(provider.synced).toBe(true));
    const names = async (): Promise<string[]> => (await roster(server, b.id)).map((e) => e.name).sort();
    await eventually(async () => expect(await names()).toEqual(['Gus', 'Ida', 'Wes']));
    guest.close();
    provider.destroy();
    issued.close();
    await eventually(async () => expect(await names()).toEqual(['Ida']));
    // A flood of guest connections leaves nothing behind.
    for (let i = 0; i < 20; i++) {
      const c = new SioClient(server.url, { board: b.id, token: b.tokens.viewer, name: `g${i}` });
      await joined(c);
      c.close();
    }
    await eventually(async () => expect(await names()).toEqual(['Ida']));
  });
});

describe('ID3: pseudonyms: only the server links an anonymous author to a person', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('are stable per person and board, differ between people and boards, and are never a userId', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plenary-identity-'));
    dirs.push(dir);
    const dbFile = path.join(dir, 'plenary.db');
    let server = await startTestServer({ dbFile });
    const b = await server.createBoard();
    const b2 = await server.createBoard();
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const bob = await mintPerson(server.url, b.id, b.tokens.participant, 'Bob');
    const auth = { board: b.id, token: b.tokens.participant };

    const first = await joined(new SioClient(server.url, auth, { identity: ada }));
    const again = await joined(new SioClient(server.url, auth, { identity: ada }));
    const other = await joined(new SioClient(server.url, auth, { identity: bob }));
    expect(first.pseudonym).toMatch(/^anon-[A-Za-z0-9_-]{22}$/);
    expect(isSafeKey(first.pseudonym)).toBe(true);
    expect(again.pseudonym).toBe(first.pseudonym);
    expect(other.pseudonym).not.toBe(first.pseudonym);
    for (const s of [first, other]) {
      expect(s.pseudonym).not.toBe(ada.userId);
      expect(s.pseudonym).not.toBe(bob.userId);
      expect(s.pseudonym).not.toContain(s.userId);
    }
    // The same person key on another board (never issued there) is refused, so
    // the other board's pseudonym is only the server's to compute: a keyed hash
    // of board and person under the stored secret.
    const secret = await server.store.getOrCreateSecret('pseudonym-v1', new Uint8Array(32));
    expect(Buffer.from(secret).equals(Buffer.alloc(32))).toBe(false);
    expect(pseudonymOf(secret, b.id, ada.userId)).toBe(first.pseudonym);
    expect(pseudonymOf(secret, b2.id, ada.userId)).not.toBe(first.pseudonym);

    // y-websocket connections of the same person write as the same pseudonym (presence carries the userId).
    const { provider } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant, {
      userId: ada.userId,
      key: ada.key,
    });
    await eventually(() => expect(provider.synced).toBe(true));

    // The secret is kept in the store: the pseudonym survives a restart.
    await server.close();
    server = await startTestServer({ dbFile });
    const later = await joined(new SioClient(server.url, auth, { identity: ada }));
    expect(later.pseudonym).toBe(first.pseudonym);
  });
});

describe('ID4: bounded issuance', () => {
  it('per client address: over the limit answers 429 with Retry-After and a JSON error', async () => {
    const server = await startTestServer({ peoplePerAddress: 2, peoplePerLink: 100, peopleWindowMs: 60_000 });
    const b = await server.createBoard();
    const b2 = await server.createBoard();
    // Refused requests do not count.
    expect((await post(server, b.id, b.tokens.participant, { name: '' })).status).toBe(400);
    expect((await post(server, b.id, b.tokens.participant, { name: 'One' })).status).toBe(201);
    expect((await post(server, b2.id, b2.tokens.viewer, { name: 'Two' })).status).toBe(201);
    const res = await post(server, b.id, b.tokens.organizer, { name: 'Three' });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await errorOf(res)).toEqual({
      code: 'too-many-people',
      message: expect.stringContaining('address'),
    });
  });

  it('per link (board and role): another link of the board still gets identities', async () => {
    const server = await startTestServer({ peoplePerAddress: 100, peoplePerLink: 2, peopleWindowMs: 60_000 });
    const b = await server.createBoard();
    for (const name of ['One', 'Two'])
      expect((await post(server, b.id, b.tokens.participant, { name })).status).toBe(201);
    const res = await post(server, b.id, b.tokens.participant, { name: 'Three' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorOf(res)).toEqual({ code: 'too-many-people', message: expect.stringContaining('link') });
    expect((await post(server, b.id, b.tokens.organizer, { name: 'Org' })).status).toBe(201);
  });

  it('X-Forwarded-For is ignored unless TRUST_PROXY says which proxies to believe', async () => {
    const limits = { peoplePerAddress: 1, peoplePerLink: 100, peopleWindowMs: 60_000 };
    const direct = await startTestServer(limits);
    const b = await direct.createBoard();
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expect((await post(direct, b.id, b.tokens.participant, { name: 'A' }, from('203.0.113.1'))).status).toBe(
      201,
    );
    expect((await post(direct, b.id, b.tokens.participant, { name: 'B' }, from('203.0.113.2'))).status).toBe(
      429,
    );

    const proxied = await startTestServer({ ...limits, trustProxy: 'loopback' });
    const p = await proxied.createBoard();
    expect((await post(proxied, p.id, p.tokens.participant, { name: 'A' }, from('203.0.113.1'))).status).toBe(
      201,
    );
    expect((await post(proxied, p.id, p.tokens.participant, { name: 'B' }, from('203.0.113.2'))).status).toBe(
      201,
    );
    expect((await post(proxied, p.id, p.tokens.participant, { name: 'C' }, from('203.0.113.1'))).status).toBe(
      429,
    );
  });
});

describe('ID5: renaming (PATCH /api/boards/:id/people/:userId)', () => {
  it('checks the key and the name, then updates the stored name and the roster', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const bob = await mintPerson(server.url, b.id, b.tokens.participant, 'Bob');
    await joined(
      new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Ada' }, { identity: ada }),
    );
    await eventually(async () =>
      expect((await roster(server, b.id)).find((e) => e.id === ada.userId)?.name).toBe('Ada'),
    );

    const wrongKey = await patch(server, b.id, b.tokens.participant, ada.userId, { key: bob.key, name: 'X' });
    expect(wrongKey.status).toBe(401);
    const unknown = await patch(server, b.id, b.tokens.participant, 'f'.repeat(24), {
      key: ada.key,
      name: 'X',
    });
    expect(unknown.status).toBe(401);
    const noKey = await patch(server, b.id, b.tokens.participant, ada.userId, { name: 'X' });
    expect(noKey.status).toBe(400);
    const badName = await patch(server, b.id, b.tokens.participant, ada.userId, { key: ada.key, name: ' ' });
    expect(badName.status).toBe(400);
    expect((await errorOf(badName)).message).toBe('"name" must not be empty');
    const otherBoard = await server.createBoard();
    expect(
      (await patch(server, b.id, otherBoard.tokens.participant, ada.userId, { key: ada.key, name: 'X' }))
        .status,
    ).toBe(401);
    expect((await server.store.getPerson(b.id, ada.userId))?.name).toBe('Ada');

    const ok = await patch(server, b.id, b.tokens.viewer, ada.userId, {
      key: ada.key,
      name: 'Ada\nLovelace',
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ userId: ada.userId, name: 'Ada Lovelace' });
    expect((await server.store.getPerson(b.id, ada.userId))?.name).toBe('Ada Lovelace');
    // The roster keeps the role of the person's join, with the latest name.
    expect((await roster(server, b.id)).find((e) => e.id === ada.userId)).toMatchObject({
      name: 'Ada Lovelace',
      role: 'participant',
    });
    // A reconnect without a name shows the stored one; with a name, that one is stored.
    const back = await joined(
      new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: '' }, { identity: ada }),
    );
    expect(back.name).toBe('Ada Lovelace');
    await joined(
      new SioClient(
        server.url,
        { board: b.id, token: b.tokens.participant, name: 'Countess' },
        { identity: ada },
      ),
    );
    expect((await server.store.getPerson(b.id, ada.userId))?.name).toBe('Countess');
    await eventually(async () =>
      expect((await roster(server, b.id)).find((e) => e.id === ada.userId)?.name).toBe('Countess'),
    );
  });
});

describe('ID6: removing a person (DELETE /api/boards/:id/people/:userId)', () => {
  it("closes the person's connections on both transports with 4410; their key is refused afterwards", async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const troll = await mintPerson(server.url, b.id, b.tokens.participant, 'Troll');
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const auth = { board: b.id, token: b.tokens.participant };

    const sio = new SioClient(server.url, auth, { identity: troll });
    const polling = new SioClient(server.url, auth, { identity: troll, transports: ['polling'] });
    const bystander = new SioClient(server.url, auth, { identity: ada });
    await Promise.all([joined(sio), joined(polling), joined(bystander)]);
    const ws = await rawWebSocket(yjsUrl(server, b, { userId: troll.userId, key: troll.key }, 'tasks'));
    const { provider } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant, {
      userId: troll.userId,
      key: troll.key,
    });
    await eventually(() => expect(provider.synced).toBe(true));

    // Only the organizer may remove; an unknown person is 404.
    expect((await remove(server, b.id, b.tokens.participant, troll.userId)).status).toBe(403);
    expect((await remove(server, b.id, b.tokens.organizer, 'f'.repeat(24))).status).toBe(404);
    expect(sio.socket.connected).toBe(true);

    expect((await remove(server, b.id, b.tokens.organizer, troll.userId)).status).toBe(204);
    expect(await ws.closed).toEqual({ code: CLOSE.removed, reason: REMOVED });
    await eventually(() => {
      expect(sio.closing).toEqual({ code: CLOSE.removed, reason: REMOVED });
      expect(polling.closing).toEqual({ code: CLOSE.removed, reason: REMOVED });
      expect(sio.socket.connected).toBe(false);
      expect(polling.socket.connected).toBe(false);
      expect(provider.wsconnected).toBe(false);
      // The stock provider stops reconnecting (4400–4499).
      expect(provider.shouldConnect).toBe(false);
    });
    expect(bystander.socket.connected).toBe(true);
    expect((await server.store.getPerson(b.id, troll.userId))?.revokedAt).toEqual(expect.any(Number));

    // Rejoining with the same key: 4410 on both transports; a wrong key still learns nothing.
    const again = new SioClient(server.url, auth, { identity: troll });
    await eventually(() =>
      expect(again.connectError?.data).toEqual({ code: CLOSE.removed, reason: REMOVED }),
    );
    const rejoin = await rawWebSocket(yjsUrl(server, b, { userId: troll.userId, key: troll.key }));
    expect(await rejoin.closed).toEqual({ code: CLOSE.removed, reason: REMOVED });
    const guess = new SioClient(server.url, { ...auth, userId: troll.userId, key: ada.key });
    await eventually(() => expect(guess.connectError?.data?.code).toBe(CLOSE.unauthorized));
    // Renaming is over too, and a second removal changes nothing.
    const rename = await patch(server, b.id, b.tokens.participant, troll.userId, {
      key: troll.key,
      name: 'T',
    });
    expect(rename.status).toBe(410);
    expect((await remove(server, b.id, b.tokens.organizer, troll.userId)).status).toBe(204);
  });
});

describe('G6: upgrade requests', () => {
  it('a WebSocket upgrade whose target is no URL loses its socket; the server keeps serving', async () => {
    const server = await startTestServer();
    for (const target of ['//[', 'http://[::1', '//[/yjs/x/board']) {
      const socket = net.connect(server.port, '127.0.0.1');
      const ended = new Promise<string>((resolve) => {
        let got = '';
        socket.on('data', (d) => (got += d.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
      });
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      const answer = await ended;
      expect(answer).not.toContain('101 Switching Protocols');
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
    }
  });
});

describe('ID6: open connections per person (SessionRegistry)', () => {
  it('a connection registering just after its person was removed is closed at once', () => {
    const sessions = new SessionRegistry();
    const early = vi.fn();
    const bystander = vi.fn();
    const unregister = sessions.add('b', 'u', early, [CLOSE.removed, REMOVED]);
    sessions.add('b', 'v', bystander, [CLOSE.removed, REMOVED]);
    unregister();
    const open = vi.fn();
    sessions.add('b', 'u', open, [CLOSE.removed, REMOVED]);
    // Removal: remembered first, then the key is revoked, then open connections close.
    sessions.markRemoved('b', 'u');
    const late = vi.fn();
    sessions.add('b', 'u', late, [CLOSE.removed, REMOVED]);
    expect(late).toHaveBeenCalledWith(CLOSE.removed, REMOVED);
    expect(sessions.closeAll('b', 'u', CLOSE.removed, REMOVED)).toBe(1);
    expect(open).toHaveBeenCalledWith(CLOSE.removed, REMOVED);
    expect(early).not.toHaveBeenCalled();
    expect(bystander).not.toHaveBeenCalled();
    expect(sessions.count('b', 'v')).toBe(1);
    expect(sessions.count('b', 'u')).toBe(0);
  });
});

describe.skipIf(!hasPg)('Identities across instances (PostgreSQL)', () => {
  const schema = uniqueSchema();
  afterAll(async () => {
    const client = new pg.Client(PG_URL);
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
  });
  const instance = () =>
    startTestServer({}, { store: new PostgresStore(PG_URL, schema), log: createLogger('silent') });

  it('a person issued on one instance joins another with the same pseudonym; removal holds on both', async () => {
    const [a, b] = [await instance(), await instance()];
    const board = await a.createBoard();
    const ada = await mintPerson(a.url, board.id, board.tokens.participant, 'Ada');
    const auth = { board: board.id, token: board.tokens.participant, name: 'Ada' };
    const onA = await joined(new SioClient(a.url, auth, { identity: ada }));
    const onB = await joined(new SioClient(b.url, auth, { identity: ada }));
    expect(onB).toMatchObject({ userId: ada.userId, issued: true, name: 'Ada' });
    expect(onB.pseudonym).toBe(onA.pseudonym);

    expect((await remove(a, board.id, board.tokens.organizer, ada.userId)).status).toBe(204);
    const again = new SioClient(b.url, auth, { identity: ada });
    await eventually(() => expect(again.connectError?.data?.code).toBe(CLOSE.removed));
    const ws = await rawWebSocket(yjsUrl(b, board, { userId: ada.userId, key: ada.key }));
    expect((await ws.closed).code).toBe(CLOSE.removed);
  });
});
