import { afterEach, describe, expect, it } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  PersonKeeper,
  removePerson,
  savePerson,
  type KeyValueStore,
  type Person,
} from '../../client/src/lib/sync/identity';
import { SocketIoProvider, type Transport } from '../../client/src/lib/sync/socketio-provider';
import { addNote as addBoardNote, castVote } from '../../shared/ops/board';
import { openVoting } from '../../shared/ops/live';
import { authorFields } from '../../shared/policy';
import { CLOSE } from '../../shared/protocol';
import {
  agendaItems,
  boardNotes,
  DOC_KINDS,
  localOrigin,
  readLive,
  readNotes,
  serverOrigin,
  type DocKind,
} from '../../shared/schema';
import { mintPerson } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The browser's sync provider, run in Node against a real server on port 0:
 * socket.io-client is the same code on both. Clients join as people issued on
 * the board (`POST …/people`), as the app does.
 */

interface Client {
  provider: SocketIoProvider;
  name: string;
  /** The documents now (a reset after a refusal replaces one). */
  readonly docs: Readonly<Record<DocKind, Y.Doc>>;
  readonly awareness: Readonly<Record<DocKind, Awareness>>;
}

const clients: Client[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) {
    c.provider.destroy();
    for (const k of DOC_KINDS) c.awareness[k].destroy();
  }
});

function fresh(): { docs: Record<DocKind, Y.Doc>; awareness: Record<DocKind, Awareness> } {
  const docs = {} as Record<DocKind, Y.Doc>;
  const awareness = {} as Record<DocKind, Awareness>;
  for (const k of DOC_KINDS) {
    docs[k] = new Y.Doc();
    awareness[k] = new Awareness(docs[k]);
  }
  return { docs, awareness };
}

function track(provider: SocketIoProvider, name: string): Client {
  const client: Client = {
    provider,
    name,
    get docs() {
      return provider.docs;
    },
    get awareness() {
      return provider.awareness;
    },
  };
  clients.push(client);
  return client;
}

/**
 * A provider joining as a person issued on the board, as the app does;
 * `issued: false` joins with an identity of the connection's own.
 */
async function connect(
  server: TestServer,
  boardId: string,
  token: string,
  name: string,
  transports?: Transport[],
  { issued = true }: { issued?: boolean } = {},
): Promise<Client> {
  const { docs, awareness } = fresh();
  const identity = issued ? await mintPerson(server.url, boardId, token, name) : null;
  awareness.board.setLocalStateField('user', {
    id: identity?.userId ?? 'unissued',
    name,
    color: '#0072B2',
    role: 'participant',
  });
  const provider = new SocketIoProvider({
    url: server.url,
    auth: { board: boardId, token, name, ...identity },
    docs,
    awareness,
    transports,
  });
  return track(provider, name);
}

const memoryStore = (): KeyValueStore & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
};

/** `fetch` that counts the identities asked for. */
function countingFetch(): { fetch: typeof fetch; mints: () => number } {
  let mints = 0;
  return {
    fetch: (input, init) => {
      if (init?.method === 'POST' && String(input).endsWith('/people')) mints++;
      return fetch(input, init);
    },
    mints: () => mints,
  };
}

/**
 * What the app's session does, with the app's own identity code: the stored
 * identity or a new one, proven on every join, a new one once after a 4401.
 */
async function openAsApp(
  server: TestServer,
  boardId: string,
  token: string,
  name: string,
  store: KeyValueStore,
  f: typeof fetch = fetch,
): Promise<Client & { keeper: PersonKeeper }> {
  const keeper = new PersonKeeper({ api: { baseUrl: server.url, boardId, token, fetch: f }, store });
  const r = await keeper.ensure(name);
  if (!r.ok) throw new Error(r.reason);
  const { docs, awareness } = fresh();
  const provider = new SocketIoProvider({
    url: server.url,
    auth: () => keeper.auth(token, name),
    docs,
    awareness,
    recoverUnauthorized: () => keeper.recover(name),
  });
  return Object.assign(track(provider, name), { keeper });
}

const synced = (c: Client): Promise<void> =>
  eventually(() => {
    expect(c.provider.status).toBe('connected');
    expect(c.provider.allSyncedNow).toBe(true);
    expect(c.provider.session).not.toBeNull();
  });

/** A note as the app writes it: the board op with the author fields of the rules. */
function addNote(c: Client, id: string, text: string): void {
  const s = c.provider.session;
  if (!s) throw new Error(`${c.name} has no session yet`);
  const live = readLive(c.docs.agenda);
  addBoardNote(
    c.docs.board,
    { id, text, x: 0, y: 0, itemId: null, createdAt: Date.now(), ...authorFields(s, s.name, live) },
    localOrigin(s.userId),
  );
}

const noteText = (c: Client, id: string): string | undefined =>
  (boardNotes(c.docs.board).get(id)?.get('text') as Y.Text | undefined)?.toString();

const noteIds = (doc: Y.Doc): string[] => [...boardNotes(doc).keys()].sort();

const names = (c: Client): string[] =>
  [...c.awareness.board.getStates().values()]
    .map((s) => (s as { user?: { name?: string } }).user?.name ?? '')
    .filter(Boolean)
    .sort();

describe('Socket.io provider against a real server', () => {
  it('two clients converge on content and see each other in the board awareness', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Converge');
    const ada = await connect(server, board.id, board.tokens.organizer, 'Ada');
    const grace = await connect(server, board.id, board.tokens.participant, 'Grace');
    await Promise.all([synced(ada), synced(grace)]);

    addNote(ada, 'n1', 'from Ada');
    addNote(grace, 'n2', 'from Grace');
    await eventually(() => {
      expect(noteText(grace, 'n1')).toBe('from Ada');
      expect(noteText(ada, 'n2')).toBe('from Grace');
    });
    await eventually(() => {
      expect(names(ada)).toEqual(['Ada', 'Grace']);
      expect(names(grace)).toEqual(['Ada', 'Grace']);
    });
    // Default transports start on long-polling and upgrade where WebSocket works.
    await eventually(() => expect(ada.provider.socket.io.engine.transport.name).toBe('websocket'));
    expect(ada.provider.session?.role).toBe('organizer');
    expect(grace.provider.session?.role).toBe('participant');
    expect(grace.provider.session?.writable).toEqual(['board', 'tasks', 'mine']);
  });

  it('counts a local change as unsynced until the server acknowledges it as stored', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const ada = await connect(server, board.id, board.tokens.participant, 'Ada');
    await synced(ada);
    expect(ada.provider.unsynced).toBe(0);
    addNote(ada, 'n1', 'hello');
    // Counted synchronously: the ack needs a round trip at least.
    expect(ada.provider.unsynced).toBe(1);
    await eventually(() => expect(ada.provider.unsynced).toBe(0));
    expect(ada.provider.storedCount).toBe(1);
    expect(ada.provider.lastDenial).toBeNull();
  });

  it('works over HTTP long-polling alone (networks that block WebSocket)', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const poller = await connect(server, board.id, board.tokens.participant, 'Poller', ['polling']);
    const ws = await connect(server, board.id, board.tokens.participant, 'Socket', ['websocket']);
    await Promise.all([synced(poller), synced(ws)]);
    expect(poller.provider.socket.io.engine.transport.name).toBe('polling');

    addNote(poller, 'p', 'over polling');
    addNote(ws, 'w', 'over websocket');
    await eventually(() => {
      expect(noteText(ws, 'p')).toBe('over polling');
      expect(noteText(poller, 'w')).toBe('over websocket');
      expect(names(poller)).toEqual(['Poller', 'Socket']);
    });
    await eventually(() => expect(poller.provider.unsynced).toBe(0));
  });

  it("refuses a participant's agenda edit, says why, and resets the agenda to the server's", async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const org = await connect(server, board.id, board.tokens.organizer, 'Org');
    const part = await connect(server, board.id, board.tokens.participant, 'Part');
    await Promise.all([synced(org), synced(part)]);
    const before = part.docs.agenda;

    part.docs.agenda.transact(() => {
      const item = new Y.Map<unknown>();
      item.set('start', '09:00');
      item.set('minutes', 30);
      item.set('title', 'Sneaky');
      agendaItems(part.docs.agenda).set('x1', item);
    }, localOrigin('part'));

    await eventually(() => {
      expect(part.provider.lastDenial?.doc).toBe('agenda');
      expect(part.provider.generation.agenda).toBe(1);
      expect(part.provider.unsynced).toBe(0);
    });
    expect(part.provider.refusal?.doc).toBe('agenda');
    // The refused item is gone from the participant's copy too: a fresh document from the server.
    expect(part.docs.agenda).not.toBe(before);
    expect(before.isDestroyed).toBe(true);
    await synced(part);
    expect(agendaItems(part.docs.agenda).has('x1')).toBe(false);
    // The organizer's copy (and so the server's) never got it; a later write still does.
    addNote(org, 'after', 'still flowing');
    await eventually(() => expect(noteText(part, 'after')).toBe('still flowing'));
    expect(agendaItems(org.docs.agenda).has('x1')).toBe(false);
  });

  it('keeps changes made offline, shows them as unsynced, and saves them on reconnect', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const ada = await connect(server, board.id, board.tokens.participant, 'Ada');
    const grace = await connect(server, board.id, board.tokens.participant, 'Grace');
    await Promise.all([synced(ada), synced(grace)]);

    ada.provider.socket.disconnect();
    await eventually(() => expect(ada.provider.status).toBe('offline'));
    // Without the server, the others' presence is not known any more.
    expect(names(ada)).toEqual(['Ada']);
    addNote(ada, 'o1', 'offline one');
    addNote(ada, 'o2', 'offline two');
    expect(ada.provider.unsynced).toBe(2);

    ada.provider.socket.connect();
    await eventually(() => {
      expect(ada.provider.unsynced).toBe(0);
      expect(noteText(grace, 'o1')).toBe('offline one');
      expect(noteText(grace, 'o2')).toBe('offline two');
    });
    expect(ada.provider.status).toBe('connected');
  });

  it('stops retrying and reports why when the link is not valid', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const bad = await connect(server, board.id, 'wrong-token-0000000000000000', 'Eve', undefined, {
      issued: false,
    });
    await eventually(() => {
      expect(bad.provider.status).toBe('failed');
      expect(bad.provider.failure?.code).toBe(CLOSE.unauthorized);
    });
    expect(bad.provider.socket.active).toBe(false);
    expect(bad.docs.board.share.size).toBe(0);
  });

  it('answers clock samples with the server time', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const ada = await connect(server, board.id, board.tokens.viewer, 'Ada');
    await synced(ada);
    const before = Date.now();
    const serverNow = await ada.provider.askServerTime();
    // Same machine, same clock: the answer lies within the round trip.
    expect(serverNow).toBeGreaterThanOrEqual(before);
    expect(serverNow).toBeLessThanOrEqual(Date.now());
  });
});

describe('after a refused update the client converges to the server (issue 8, rule 7)', () => {
  it('drops the refused change and what depends on it, keeps what was accepted, and agrees with an honest client', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const part = await connect(server, board.id, board.tokens.participant, 'Part');
    const honest = await connect(server, board.id, board.tokens.participant, 'Honest');
    await Promise.all([synced(part), synced(honest)]);

    addNote(part, 'p1', 'accepted');
    addNote(honest, 'h1', 'from the honest one');
    await eventually(() => {
      expect(noteIds(part.docs.board)).toEqual(['h1', 'p1']);
      expect(noteIds(honest.docs.board)).toEqual(['h1', 'p1']);
      expect(part.provider.unsynced).toBe(0);
    });
    const before = part.docs.board;
    const clientId = before.clientID;

    // A vote while voting is closed (what a modified client might send), then an
    // honest note right after it, under the same Yjs client id.
    const userId = part.provider.session!.userId;
    before.transact(() => {
      const votes = boardNotes(before).get('h1')!.get('votes') as Y.Map<number>;
      votes.set(userId, 1);
    }, localOrigin(userId));
    addNote(part, 'p2', 'built on the refused vote');

    await eventually(() => expect(part.provider.generation.board).toBe(1));
    expect(part.provider.refusal).toMatchObject({ doc: 'board', code: 'voting-closed' });
    expect(part.provider.resets).toBe(1);
    expect(before.isDestroyed).toBe(true);
    expect(part.docs.board.clientID).not.toBe(clientId);
    await synced(part);
    // Converged: what the server accepted stays, the refused vote and the note after it are gone.
    await eventually(() => {
      expect(noteIds(part.docs.board)).toEqual(['h1', 'p1']);
      expect(readNotes(part.docs.board).find((n) => n.id === 'h1')?.votes).toEqual({});
      expect(part.provider.unsynced).toBe(0);
    });
    expect(noteIds(honest.docs.board)).toEqual(['h1', 'p1']);
    expect(readNotes(honest.docs.board).find((n) => n.id === 'h1')?.votes).toEqual({});

    // Not poisoned: the next change goes through and reaches the other.
    addNote(part, 'p3', 'after the reset');
    await eventually(() => {
      expect(noteText(honest, 'p3')).toBe('after the reset');
      expect(part.provider.unsynced).toBe(0);
    });
    expect(part.provider.resets).toBe(1);
    expect(readNotes(part.docs.board)).toEqual(readNotes(honest.docs.board));
    await eventually(() =>
      expect(Y.decodeStateVector(Y.encodeStateVector(part.docs.board))).toEqual(
        Y.decodeStateVector(Y.encodeStateVector(honest.docs.board)),
      ),
    );
  });

  it('G7: a change too large to send is dropped by the client itself, which stays connected', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const part = await connect(server, board.id, board.tokens.participant, 'Part');
    await synced(part);
    addNote(part, 'kept', 'small');
    await eventually(() => expect(part.provider.unsynced).toBe(0));
    // 700 full notes in one transaction: more than MAX_MESSAGE_BYTES in one frame.
    part.docs.board.transact(() => {
      for (let i = 0; i < 700; i++) addNote(part, `big${i}`, 'x'.repeat(2000));
    });
    await eventually(() => expect(part.provider.generation.board).toBe(1));
    expect(part.provider.refusal).toMatchObject({ doc: 'board', code: 'too-large' });
    await synced(part);
    expect(noteIds(part.docs.board)).toEqual(['kept']);
    expect(part.provider.unsynced).toBe(0);
    // Never sent, so the server never dropped the connection for it: no failure, no loop.
    expect(part.provider.failure).toBeNull();
    expect(part.provider.resets).toBe(1);
  });

  it('a vote over the limit is refused, reset, and counted the same by everyone', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    await server.docs.change(board.id, 'agenda', 'open voting', (doc) =>
      openVoting(doc, 1, serverOrigin('test')),
    );
    const part = await connect(server, board.id, board.tokens.participant, 'Part');
    const honest = await connect(server, board.id, board.tokens.participant, 'Honest');
    await Promise.all([synced(part), synced(honest)]);
    addNote(honest, 'h1', 'one');
    addNote(honest, 'h2', 'two');
    await eventually(() => expect(noteIds(part.docs.board)).toEqual(['h1', 'h2']));

    const userId = part.provider.session!.userId;
    const live = readLive(part.docs.agenda);
    castVote(part.docs.board, 'h1', userId, live, localOrigin(userId));
    await eventually(() => expect(part.provider.unsynced).toBe(0));
    // Past the limit, written straight into the document (the app's policy would refuse it first).
    part.docs.board.transact(() => {
      (boardNotes(part.docs.board).get('h2')!.get('votes') as Y.Map<number>).set(userId, 1);
    }, localOrigin(userId));

    await eventually(() => expect(part.provider.generation.board).toBe(1));
    expect(part.provider.refusal?.code).toBe('no-votes-left');
    await synced(part);
    await eventually(() => {
      const votes = (c: Client) => readNotes(c.docs.board).map((n) => n.votes);
      expect(votes(part)).toEqual([{ [userId]: 1 }, {}]);
      expect(votes(honest)).toEqual([{ [userId]: 1 }, {}]);
    });
  });
});

describe('identities issued to the app (issue 13)', () => {
  it('keeps its identity across reconnects and reloads, asking for one only once', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const store = memoryStore();
    const f = countingFetch();
    const ada = await openAsApp(server, board.id, board.tokens.participant, 'Ada', store, f.fetch);
    await synced(ada);
    const person = ada.keeper.person!;
    expect(ada.provider.session).toMatchObject({ userId: person.userId, name: 'Ada', issued: true });

    // A dropped connection comes back as the same person.
    ada.provider.socket.disconnect();
    await eventually(() => expect(ada.provider.status).toBe('offline'));
    ada.provider.socket.connect();
    await synced(ada);
    expect(ada.provider.session?.userId).toBe(person.userId);

    // A reload (a new provider, same storage) too, without asking for a new identity.
    ada.provider.destroy();
    const again = await openAsApp(server, board.id, board.tokens.participant, 'Ada', store, f.fetch);
    await synced(again);
    expect(again.provider.session).toMatchObject({ userId: person.userId, issued: true });
    expect(f.mints()).toBe(1);
  });

  it('on 4401 with a stored identity the server does not know, gets a new one once and joins', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const store = memoryStore();
    // An identity from before the server's data was reset (unknown user id and key).
    const stale: Person = { userId: 'u_gone_0000000001', key: 'k'.repeat(43), name: 'Ada' };
    savePerson(board.id, stale, store);
    const f = countingFetch();
    const ada = await openAsApp(server, board.id, board.tokens.participant, 'Ada', store, f.fetch);
    await synced(ada);
    expect(f.mints()).toBe(1);
    const now = ada.keeper.person!;
    expect(now.userId).not.toBe(stale.userId);
    expect(ada.provider.session).toMatchObject({ userId: now.userId, issued: true });
    expect(JSON.parse(store.data.get(`plenary.person.${board.id}`)!)).toMatchObject({ userId: now.userId });
    expect(ada.provider.failure).toBeNull();
  });

  it('a refused link stays refused: no endless new identities', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const store = memoryStore();
    savePerson(board.id, { userId: 'u_gone_0000000001', key: 'k'.repeat(43), name: 'Eve' }, store);
    const f = countingFetch();
    const eve = await openAsApp(server, board.id, 'wrong-token-00000000000000000000', 'Eve', store, f.fetch);
    await eventually(() => {
      expect(eve.provider.status).toBe('failed');
      expect(eve.provider.failure?.code).toBe(CLOSE.unauthorized);
    });
    expect(f.mints()).toBe(1);
  });

  it('a removed person is disconnected with 4410 and cannot join again with the same key', async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const store = memoryStore();
    const org = await connect(server, board.id, board.tokens.organizer, 'Org');
    const troll = await openAsApp(server, board.id, board.tokens.participant, 'Troll', store);
    await Promise.all([synced(org), synced(troll)]);
    const { userId } = troll.keeper.person!;

    const api = { baseUrl: server.url, boardId: board.id, token: board.tokens.participant };
    expect(await removePerson(api, userId)).toMatchObject({ ok: false, status: 403 });
    expect(await removePerson({ ...api, token: board.tokens.organizer }, userId)).toEqual({ ok: true });
    await eventually(() => {
      expect(troll.provider.status).toBe('failed');
      expect(troll.provider.failure).toEqual({ code: CLOSE.removed, reason: expect.any(String) });
    });
    expect(troll.provider.failure?.reason).toMatch(/removed/);

    // A reload with the same stored identity is refused too (and no new identity is minted).
    troll.provider.destroy();
    const f = countingFetch();
    const back = await openAsApp(server, board.id, board.tokens.participant, 'Troll', store, f.fetch);
    await eventually(() => expect(back.provider.failure?.code).toBe(CLOSE.removed));
    expect(f.mints()).toBe(0);
    // The organizer's board is untouched.
    expect(org.provider.status).toBe('connected');
  });
});
