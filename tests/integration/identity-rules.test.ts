import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, castVote } from '../../shared/ops/board';
import { openVoting, setAnonymousNotes } from '../../shared/ops/live';
import { authorFields } from '../../shared/policy';
import { localOrigin, readLive, readNotes, readRoster } from '../../shared/schema';
import { mintPerson, SioClient, yWebsocketClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/** A board with voting open (2 votes each) and three notes by the organizer. */
async function votingBoard(): Promise<{ server: TestServer; board: CreatedBoard; org: SioClient }> {
  const server = await startTestServer();
  const board = await server.createBoard('Votes');
  const org = new SioClient(server.url, { board: board.id, token: board.tokens.organizer, name: 'Org' });
  await eventually(() => expect(org.synced.size).toBe(3));
  const me = localOrigin(org.session!.userId);
  openVoting(org.docs.agenda, 2, me);
  for (const id of ['n1', 'n2', 'n3'])
    addNote(
      org.docs.board,
      { id, text: id, x: 0, y: 0, authorId: org.session!.userId, authorName: 'Org', itemId: null },
      me,
    );
  await eventually(async () =>
    expect(await server.docs.read(board.id, 'board', (d) => readNotes(d).length)).toBe(3),
  );
  return { server, board, org };
}

const votesOf = (doc: Y.Doc, userId: string): number =>
  readNotes(doc).reduce((s, n) => s + (n.votes[userId] ?? 0), 0);

describe('ID2, G3: votes stay within the limit for a person, whatever their connections', () => {
  it('Socket.io: across a reconnect, a reload (new connection, same key) and two tabs at once', async () => {
    const { server, board } = await votingBoard();
    const ada = await mintPerson(server.url, board.id, board.tokens.participant, 'Ada');
    const join = (): SioClient =>
      new SioClient(
        server.url,
        { board: board.id, token: board.tokens.participant, name: 'Ada' },
        { identity: ada },
      );

    const first = join();
    await eventually(() => expect(first.synced.size).toBe(3));
    const live = readLive(first.docs.agenda);
    castVote(first.docs.board, 'n1', ada.userId, live, localOrigin(ada.userId));
    await eventually(() => expect(first.acks).toEqual([{ ok: true }]));
    first.close();

    // The same person again (a reload): one vote left, then none.
    const second = join();
    const tab = join();
    await eventually(() => expect(second.synced.size + tab.synced.size).toBe(6));
    castVote(second.docs.board, 'n2', ada.userId, live, localOrigin(ada.userId));
    await eventually(() => expect(second.acks).toEqual([{ ok: true }]));
    await eventually(() => expect(votesOf(tab.docs.board, ada.userId)).toBe(2));
    // The other tab votes once more, as a client that believes it has votes left would.
    const votes = tab.docs.board.getMap('notes').get('n3') as Y.Map<unknown>;
    tab.docs.board.transact(() => (votes.get('votes') as Y.Map<number>).set(ada.userId, 1));
    await eventually(() => expect(tab.denials.map((d) => d.code)).toEqual(['no-votes-left']));
    expect(await server.docs.read(board.id, 'board', (d) => votesOf(d, ada.userId))).toBe(2);
  });

  it('y-websocket: a new connection with the same key has no fresh votes', async () => {
    const { server, board } = await votingBoard();
    const bo = await mintPerson(server.url, board.id, board.tokens.participant, 'Bo');
    const params = { ...bo, name: 'Bo' };
    const a = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.participant, params);
    await eventually(() => expect(a.provider.synced).toBe(true));
    const live = { votingOpen: true, votesPerPerson: 2 };
    castVote(a.doc, 'n1', bo.userId, live, localOrigin(bo.userId));
    castVote(a.doc, 'n2', bo.userId, live, localOrigin(bo.userId));
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'board', (d) => votesOf(d, bo.userId))).toBe(2),
    );
    a.provider.destroy();
    const b = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.participant, params);
    await eventually(() => expect(b.provider.synced && votesOf(b.doc, bo.userId) === 2).toBe(true));
    b.doc.transact(() =>
      ((b.doc.getMap('notes').get('n3') as Y.Map<unknown>).get('votes') as Y.Map<number>).set(bo.userId, 1),
    );
    // A marker written after it proves the server handled the vote before.
    const org = new SioClient(server.url, { board: board.id, token: board.tokens.viewer });
    await eventually(() => expect(org.synced.size).toBe(3));
    await server.rooms.acquire(board.id, 'board').then(async (l) => {
      await l.room.flush();
      l.release();
    });
    expect(await server.docs.read(board.id, 'board', (d) => votesOf(d, bo.userId))).toBe(2);
    expect(votesOf(org.docs.board, bo.userId)).toBe(2);
  });
});

describe('ID3: an anonymous note cannot be traced to its author from what others receive', () => {
  it('carries the pseudonym and no name; no roster id, presence id or name of another client maps to it', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Anonymous');
    const org = new SioClient(server.url, { board: board.id, token: board.tokens.organizer, name: 'Org' });
    const cara = await mintPerson(server.url, board.id, board.tokens.participant, 'Cara');
    const author = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.participant, name: 'Cara' },
      { identity: cara },
    );
    await eventually(() => expect(org.synced.size + author.synced.size).toBe(6));
    setAnonymousNotes(org.docs.agenda, true, localOrigin(org.session!.userId));
    await eventually(() => expect(readLive(author.docs.agenda).anonymousNotes).toBe(true));
    author.awareness.board.setLocalState({ user: { name: 'Cara' }, cursor: { x: 1, y: 1 } });
    const s = author.session!;
    addNote(
      author.docs.board,
      {
        id: 'secret',
        text: 'an honest doubt',
        x: 0,
        y: 0,
        itemId: null,
        ...authorFields(s, s.name, readLive(author.docs.agenda)),
      },
      localOrigin(s.userId),
    );

    // What another participant receives: documents, presence and its own session.
    const other = new SioClient(server.url, {
      board: board.id,
      token: board.tokens.participant,
      name: 'Dan',
    });
    await eventually(() => {
      expect(readNotes(other.docs.board).map((n) => n.id)).toEqual(['secret']);
      expect(other.awareness.board.getStates().size).toBeGreaterThan(0);
    });
    const note = readNotes(other.docs.board)[0]!;
    expect(note.authorName).toBe('');
    expect(note.authorId).toBe(s.pseudonym);
    expect(note.authorId).not.toBe(cara.userId);
    const roster = readRoster(other.docs.board);
    expect(roster.map((r) => r.id)).toContain(cara.userId);
    expect(roster.map((r) => r.id)).not.toContain(note.authorId);
    const presenceIds = [...other.awareness.board.getStates().values()].map(
      (st) => (st as { user?: { id?: string } }).user?.id,
    );
    expect(presenceIds).not.toContain(note.authorId);
    // Nothing in the note names or identifies Cara.
    const raw = JSON.stringify(other.docs.board.getMap('notes').toJSON());
    expect(raw).not.toContain(cara.userId);
    expect(raw).not.toContain('Cara');
    // Pseudonyms are per person: another participant's is not hers.
    expect(other.session!.pseudonym).not.toBe(note.authorId);
  });
});
