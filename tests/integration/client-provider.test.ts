import { afterEach, describe, expect, it } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { SocketIoProvider, type Transport } from '../../client/src/lib/sync/socketio-provider';
import { CLOSE } from '../../shared/protocol';
import { agendaItems, boardNotes, DOC_KINDS, localOrigin, type DocKind } from '../../shared/schema';
import { mintPerson } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * The browser's sync provider, run in Node against a real server on port 0:
 * socket.io-client is the same code on both.
 */

interface Client {
  provider: SocketIoProvider;
  docs: Record<DocKind, Y.Doc>;
  awareness: Record<DocKind, Awareness>;
}

const clients: Client[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) {
    c.provider.destroy();
    for (const k of DOC_KINDS) c.awareness[k].destroy();
  }
});

/**
 * A provider joining as a person issued on the board (`POST …/people`), as the
 * app does; `issued: false` joins with an identity of the connection's own.
 */
async function connect(
  server: TestServer,
  boardId: string,
  token: string,
  name: string,
  transports?: Transport[],
  { issued = true }: { issued?: boolean } = {},
): Promise<Client> {
  const docs = {} as Record<DocKind, Y.Doc>;
  const awareness = {} as Record<DocKind, Awareness>;
  for (const k of DOC_KINDS) {
    docs[k] = new Y.Doc();
    awareness[k] = new Awareness(docs[k]);
  }
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
  const client = { provider, docs, awareness };
  clients.push(client);
  return client;
}

const synced = (c: Client): Promise<void> =>
  eventually(() => {
    expect(c.provider.status).toBe('connected');
    expect(c.provider.allSyncedNow).toBe(true);
  });

/** Add a plain note entry (what the board ops do, minus validation). */
function addNote(c: Client, id: string, text: string): void {
  const doc = c.docs.board;
  doc.transact(() => {
    const note = new Y.Map<unknown>();
    note.set('text', new Y.Text(text));
    note.set('x', 0);
    note.set('y', 0);
    boardNotes(doc).set(id, note);
  }, localOrigin('test'));
}

const noteText = (c: Client, id: string): string | undefined =>
  (boardNotes(c.docs.board).get(id)?.get('text') as Y.Text | undefined)?.toString();

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
    expect(grace.provider.session?.writable).toEqual(['board', 'tasks']);
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

  it("refuses a participant's agenda edit, says why, and does not count it as unsynced forever", async () => {
    const server = await startTestServer();
    const board = await server.createBoard();
    const org = await connect(server, board.id, board.tokens.organizer, 'Org');
    const part = await connect(server, board.id, board.tokens.participant, 'Part');
    await Promise.all([synced(org), synced(part)]);

    part.docs.agenda.transact(() => {
      const item = new Y.Map<unknown>();
      item.set('start', '09:00');
      item.set('minutes', 30);
      item.set('title', 'Sneaky');
      agendaItems(part.docs.agenda).set('x1', item);
    }, localOrigin('part'));

    await eventually(() => {
      expect(part.provider.lastDenial?.doc).toBe('agenda');
      expect(part.provider.unsynced).toBe(0);
    });
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
