import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CLOSE, type CloseCode } from '../../shared/protocol';
import { readBoardTitle, setBoardTitle } from '../../shared/ops/roster';
import { SHARED_DOC_KINDS as DOC_KINDS, localOrigin } from '../../shared/schema';
import { BOARD_DELETED, LINK_REPLACED } from '../../server/http/links';
import { SessionRegistry } from '../../server/identity/sessions';
import { mintPerson, rawWebSocket, SioClient, yWebsocketClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * B2: the link lifecycle (organizer link only): replacing a role's link,
 * renaming and deleting a board, on a real server with clients of both
 * transports connected at the time.
 */

type Role = 'organizer' | 'participant' | 'viewer';

const api = (server: TestServer, method: string, path: string, token: string | null, body?: unknown) =>
  fetch(`${server.url}/api/boards/${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const rotate = (server: TestServer, b: CreatedBoard, role: string, token = b.tokens.organizer) =>
  api(server, 'POST', `${b.id}/links/${role}/rotate`, token);

const getBoard = (server: TestServer, boardId: string, token: string) => api(server, 'GET', boardId, token);

/** A y-websocket URL for one document. */
const yjsUrl = (server: TestServer, boardId: string, token: string, doc = 'board') =>
  `${server.wsUrl}/yjs/${boardId}/${doc}?${new URLSearchParams({ token, name: 'Tester' })}`;

async function joined(c: SioClient): Promise<void> {
  await eventually(() => expect(c.session).not.toBeNull());
}

/** A server whose log lines are kept, to check what is logged. */
async function loggedServer(): Promise<{
  server: TestServer;
  lines: Record<string, unknown>[];
  raw: string[];
}> {
  const raw: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void raw.push(s) });
  const server = await startTestServer({}, { log });
  const lines = new Proxy([] as Record<string, unknown>[], {
    get: (_t, p) =>
      Reflect.get(
        raw.map((s) => JSON.parse(s) as Record<string, unknown>),
        p,
      ),
  });
  return { server, lines, raw };
}

describe('B2: link lifecycle — replacing a link (POST /api/boards/:id/links/:role/rotate)', () => {
  it('closes the connections opened with the old link on both transports with 4401; the old token is refused, the new one works', async () => {
    const { server, lines, raw } = await loggedServer();
    const b = await server.createBoard();
    const auth = { board: b.id, token: b.tokens.participant };
    const sio = new SioClient(server.url, auth);
    const polling = new SioClient(server.url, auth, { transports: ['polling'] });
    const viewer = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
    await Promise.all([joined(sio), joined(polling), joined(viewer)]);
    const ws = await rawWebSocket(yjsUrl(server, b.id, b.tokens.participant, 'tasks'));
    const { provider } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant);
    await eventually(() => expect(provider.synced).toBe(true));

    const res = await rotate(server, b, 'participant');
    expect(res.status).toBe(200);
    const { token, url } = (await res.json()) as { token: string; url: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toBe(b.tokens.participant);
    expect(url).toBe(`${server.url}/b/${b.id}#${token}`);

    const replaced = { code: CLOSE.unauthorized, reason: LINK_REPLACED };
    expect(await ws.closed).toEqual(replaced);
    await eventually(() => {
      expect(sio.closing).toEqual(replaced);
      expect(polling.closing).toEqual(replaced);
      expect(sio.socket.connected).toBe(false);
      expect(polling.socket.connected).toBe(false);
      expect(provider.wsconnected).toBe(false);
      // The stock provider stops reconnecting (4400–4499).
      expect(provider.shouldConnect).toBe(false);
    });
    // Other roles' links and connections are untouched.
    expect(viewer.socket.connected).toBe(true);
    expect((await getBoard(server, b.id, b.tokens.viewer)).status).toBe(200);

    // The old token: 401 on HTTP, 4401 on joins of both transports.
    expect((await getBoard(server, b.id, b.tokens.participant)).status).toBe(401);
    const old = new SioClient(server.url, auth);
    await eventually(() => expect(old.connectError?.data?.code).toBe(CLOSE.unauthorized));
    const oldWs = await rawWebSocket(yjsUrl(server, b.id, b.tokens.participant));
    expect((await oldWs.closed).code).toBe(CLOSE.unauthorized);

    // The new token works on HTTP and both transports, with the same role.
    const me = await getBoard(server, b.id, token);
    expect(await me.json()).toEqual({ id: b.id, title: b.title, role: 'participant' });
    const fresh = new SioClient(server.url, { board: b.id, token });
    await joined(fresh);
    expect(fresh.session?.role).toBe('participant');
    const { provider: freshWs } = yWebsocketClient(server.wsUrl, b.id, 'board', token);
    await eventually(() => expect(freshWs.synced).toBe(true));

    // Logged with the board id, never a token.
    expect(lines.find((l) => l.msg === 'link replaced')).toMatchObject({ board: b.id, role: 'participant' });
    for (const t of [token, ...Object.values(b.tokens)]) expect(raw.join('')).not.toContain(t);
  });

  it('replacing the organizer link answers the new organizer token; every role can be replaced', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const tokens: Record<Role, string> = { ...b.tokens };
    for (const role of ['viewer', 'participant', 'organizer'] as const) {
      const res = await rotate(server, b, role, tokens.organizer);
      expect(res.status).toBe(200);
      const { token } = (await res.json()) as { token: string };
      expect((await getBoard(server, b.id, tokens[role])).status).toBe(401);
      tokens[role] = token;
      expect(await (await getBoard(server, b.id, token)).json()).toMatchObject({ role });
    }
    // Only hashes are stored.
    const record = await server.store.getBoard(b.id);
    expect(JSON.stringify(record)).not.toContain(tokens.organizer);
  });

  it('needs the organizer link (403), a known role (404) and a board the token opens (401)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    expect((await rotate(server, b, 'viewer', b.tokens.participant)).status).toBe(403);
    expect((await rotate(server, b, 'viewer', b.tokens.viewer)).status).toBe(403);
    expect((await rotate(server, b, 'admin')).status).toBe(404);
    expect((await rotate(server, b, 'viewer', 'a'.repeat(43))).status).toBe(401);
    const unknown = await api(server, 'POST', `${'B'.repeat(22)}/links/viewer/rotate`, b.tokens.organizer);
    expect(unknown.status).toBe(401);
    // Nothing changed.
    expect((await getBoard(server, b.id, b.tokens.viewer)).status).toBe(200);
  });
});

describe('B2: link lifecycle — renaming a board (PATCH /api/boards/:id)', () => {
  it('renames with the organizer link, validated like a new board; 403/401 otherwise', async () => {
    const { server, lines } = await loggedServer();
    const b = await server.createBoard('Old name');
    const res = await api(server, 'PATCH', b.id, b.tokens.organizer, { title: '  New name  ' });
    expect(res.status).toBe(200);
    const renamed = (await res.json()) as { id: string; title: string };
    expect(renamed.id).toBe(b.id);
    expect(renamed.title).toBe('New name');
    expect(await (await getBoard(server, b.id, b.tokens.viewer)).json()).toMatchObject({
      title: renamed.title,
    });
    expect((await server.store.getBoard(b.id))?.title).toBe(renamed.title);
    // A new connection is welcomed with the new title.
    const sio = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
    await joined(sio);
    expect(sio.session?.title).toBe(renamed.title);
    expect(lines.find((l) => l.msg === 'board renamed')).toMatchObject({ board: b.id });

    for (const body of [{}, { title: 42 }, { title: '   ' }, []]) {
      expect((await api(server, 'PATCH', b.id, b.tokens.organizer, body)).status).toBe(400);
    }
    expect((await api(server, 'PATCH', b.id, b.tokens.participant, { title: 'x' })).status).toBe(403);
    expect((await api(server, 'PATCH', b.id, null, { title: 'x' })).status).toBe(401);
    expect((await api(server, 'PATCH', 'B'.repeat(22), b.tokens.organizer, { title: 'x' })).status).toBe(401);
    expect((await server.store.getBoard(b.id))?.title).toBe(renamed.title);
  });

  it('B2: a rename reaches everyone connected at once (the board document carries the title); only the server writes it', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Before');
    const sio = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    const { provider, doc } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.viewer);
    await eventually(() => {
      expect(sio.synced.size).toBe(3);
      expect(provider.synced).toBe(true);
    });
    expect(readBoardTitle(sio.docs.board)).toBe('');
    expect((await api(server, 'PATCH', b.id, b.tokens.organizer, { title: 'After' })).status).toBe(200);
    await eventually(() => {
      expect(readBoardTitle(sio.docs.board)).toBe('After');
      expect(readBoardTitle(doc)).toBe('After');
    });
    // A participant's own "rename" in the document is refused and never stored.
    setBoardTitle(sio.docs.board, 'Hijacked', localOrigin('p'));
    await eventually(() => expect(sio.denials.map((d) => d.code)).toContain('forbidden'));
    expect(await server.docs.read(b.id, 'board', readBoardTitle)).toBe('After');
    provider.destroy();
    sio.close();
  });
});

describe('B2: link lifecycle — deleting a board (DELETE /api/boards/:id)', () => {
  it('closes its connections on both transports with 4404, removes its rows from the store, and every route answers 401', async () => {
    const { server, lines, raw } = await loggedServer();
    const b = await server.createBoard();
    const other = await server.createBoard('Another board');
    const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
    const auth = { board: b.id, token: b.tokens.participant };
    const sio = new SioClient(server.url, auth, { identity: ada });
    const polling = new SioClient(
      server.url,
      { board: b.id, token: b.tokens.viewer },
      { transports: ['polling'] },
    );
    const bystander = new SioClient(server.url, { board: other.id, token: other.tokens.participant });
    await Promise.all([joined(sio), joined(polling), joined(bystander)]);
    const ws = await rawWebSocket(yjsUrl(server, b.id, b.tokens.organizer, 'agenda'));
    const { provider } = yWebsocketClient(server.wsUrl, b.id, 'tasks', b.tokens.participant);
    await eventually(() => expect(provider.synced).toBe(true));
    // Content stored in the board's documents (the roster records who joined).
    await eventually(async () => expect(await server.store.count(`${b.id}/board`)).toBeGreaterThan(0));
    for (const kind of DOC_KINDS) expect(server.rooms.isLoaded(b.id, kind)).toBe(true);

    expect((await api(server, 'DELETE', b.id, b.tokens.participant)).status).toBe(403);
    expect((await api(server, 'DELETE', b.id, null)).status).toBe(401);
    expect((await api(server, 'DELETE', 'B'.repeat(22), b.tokens.organizer)).status).toBe(401);
    expect(sio.socket.connected).toBe(true);

    const res = await api(server, 'DELETE', b.id, b.tokens.organizer);
    expect(res.status).toBe(204);
    const deleted = { code: CLOSE.notFound, reason: BOARD_DELETED };
    expect(await ws.closed).toEqual(deleted);
    await eventually(() => {
      expect(sio.closing).toEqual(deleted);
      expect(polling.closing).toEqual(deleted);
      expect(sio.socket.connected).toBe(false);
      expect(polling.socket.connected).toBe(false);
      expect(provider.wsconnected).toBe(false);
      expect(provider.shouldConnect).toBe(false);
    });
    // Unloaded, and nothing of it left in the store.
    for (const kind of DOC_KINDS) {
      expect(server.rooms.isLoaded(b.id, kind)).toBe(false);
      expect(await server.store.count(`${b.id}/${kind}`)).toBe(0);
    }
    expect(await server.store.getBoard(b.id)).toBeNull();
    expect(await server.store.getPerson(b.id, ada.userId)).toBeNull();

    // Every route answers 401 for it, with every one of its tokens; joins are refused.
    for (const token of Object.values(b.tokens)) {
      expect((await getBoard(server, b.id, token)).status).toBe(401);
      expect((await api(server, 'POST', `${b.id}/people`, token, { name: 'Eve' })).status).toBe(401);
    }
    expect((await api(server, 'GET', `${b.id}/tasks.csv`, b.tokens.organizer)).status).toBe(401);
    expect((await api(server, 'DELETE', b.id, b.tokens.organizer)).status).toBe(401);
    expect((await api(server, 'PATCH', b.id, b.tokens.organizer, { title: 'x' })).status).toBe(401);
    expect((await rotate(server, b, 'viewer')).status).toBe(401);
    const again = new SioClient(server.url, auth, { identity: ada });
    await eventually(() => expect(again.connectError?.data?.code).toBe(CLOSE.unauthorized));
    const rejoin = await rawWebSocket(yjsUrl(server, b.id, b.tokens.organizer));
    expect((await rejoin.closed).code).toBe(CLOSE.unauthorized);
    // Even loading it after the deletion writes nothing.
    for (const kind of DOC_KINDS) expect(await server.store.count(`${b.id}/${kind}`)).toBe(0);

    // Other boards are untouched.
    expect(bystander.socket.connected).toBe(true);
    expect((await getBoard(server, other.id, other.tokens.viewer)).status).toBe(200);
    expect(lines.find((l) => l.msg === 'board deleted')).toMatchObject({ board: b.id });
    for (const t of Object.values(b.tokens)) expect(raw.join('')).not.toContain(t);
  });
});

describe('B2: link lifecycle — the registry of open connections', () => {
  it('closes per board and role; a connection registering after its board was deleted is closed at once', () => {
    const sessions = new SessionRegistry();
    const removed: [CloseCode, string] = [CLOSE.removed, 'removed'];
    const calls: string[] = [];
    const conn =
      (name: string) =>
      (code: CloseCode, reason: string): void =>
        void calls.push(`${name} ${code} ${reason}`);
    sessions.add('b', 'u', conn('u-participant'), removed, 'participant');
    const unregister = sessions.add('b', 'v', conn('v-participant'), removed, 'participant');
    sessions.add('b', 'w', conn('w-viewer'), removed, 'viewer');
    sessions.add('c', 'u', conn('other-board'), removed, 'participant');
    unregister();
    expect(sessions.closeBoard('b', 'participant', CLOSE.unauthorized, LINK_REPLACED)).toBe(1);
    expect(calls).toEqual([`u-participant ${CLOSE.unauthorized} ${LINK_REPLACED}`]);
    expect(sessions.count('b', 'u')).toBe(0);
    expect(sessions.count('b', 'w')).toBe(1);

    calls.length = 0;
    expect(sessions.markBoardDeleted('b', CLOSE.notFound, BOARD_DELETED)).toBe(1);
    sessions.add('b', 'late', conn('late'), removed, 'organizer');
    expect(calls).toEqual([
      `w-viewer ${CLOSE.notFound} ${BOARD_DELETED}`,
      `late ${CLOSE.notFound} ${BOARD_DELETED}`,
    ]);
    expect(sessions.count('c', 'u')).toBe(1);
  });
});
