import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, castVote, noteText } from '../../shared/ops/board';
import { openVoting, setAnonymousNotes } from '../../shared/ops/live';
import { authorFields } from '../../shared/policy';
import { boardNotes, localOrigin, readLive, readNotes } from '../../shared/schema';
import { newWriterId, withWriter } from '../../client/src/lib/sync/anonymous';
import { mintPerson, SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/** Yjs client ids of every struct that makes up note `id` (its entry, its fields, its text and votes). */
function writersOf(doc: Y.Doc, id: string): Set<number> {
  const clients = new Set<number>();
  const notes = boardNotes(doc) as unknown as { _map: Map<string, Y.Item> };
  const entry = notes._map.get(id);
  if (!entry) return clients;
  clients.add(entry.id.client);
  const visit = (type: Y.AbstractType<unknown>): void => {
    const t = type as unknown as { _map: Map<string, Y.Item>; _start: Y.Item | null };
    const items: Y.Item[] = [...t._map.values()];
    for (let i = t._start; i !== null; i = i.right) items.push(i);
    for (const item of items) {
      clients.add(item.id.client);
      if (item.content instanceof Y.ContentType) visit(item.content.type);
    }
  };
  visit((entry.content as Y.ContentType).type);
  return clients;
}

const text = new TextDecoder('latin1');

describe('NB1: an anonymous note never reaches other clients with a way back to its author', () => {
  it('NB1: a stock client that reads every frame sees no name, id or Yjs client id of the author, now or after unticking', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Anonymous');
    const org = new SioClient(server.url, { board: board.id, token: board.tokens.organizer, name: 'Org' });
    const cara = await mintPerson(server.url, board.id, board.tokens.participant, 'Cara');
    const author = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.participant, name: 'Cara' },
      { identity: cara },
    );
    // Dan reads everything he is sent, as any Socket.io client could.
    const seen: { event: string; bytes: string }[] = [];
    const dan = new SioClient(server.url, { board: board.id, token: board.tokens.participant, name: 'Dan' });
    dan.socket.onAny((event: string, ...args: unknown[]) => {
      for (const a of args)
        seen.push({
          event,
          bytes:
            a instanceof ArrayBuffer || ArrayBuffer.isView(a)
              ? text.decode(a as ArrayBuffer)
              : JSON.stringify(a),
        });
    });
    await eventually(() => expect(org.synced.size + author.synced.size + dan.synced.size).toBe(9));
    const orgOrigin = localOrigin(org.session!.userId);
    const me = localOrigin(cara.userId);
    const s = author.session!;

    // Cara signs one note and votes on it (her own Yjs client id, her user id as the vote's key) ...
    openVoting(org.docs.agenda, 3, orgOrigin);
    await eventually(() => expect(readLive(author.docs.agenda).votingOpen).toBe(true));
    const signed = addNote(
      author.docs.board,
      { text: 'signed', x: 0, y: 0, itemId: null, ...authorFields(s, s.name, readLive(author.docs.agenda)) },
      me,
    );
    castVote(author.docs.board, signed, cara.userId, readLive(author.docs.agenda), me);
    // ... then writes one while notes are anonymous, as the app does: under a writer id of its own.
    setAnonymousNotes(org.docs.agenda, true, orgOrigin);
    await eventually(() => expect(readLive(author.docs.agenda).anonymousNotes).toBe(true));
    const writer = newWriterId();
    const anon = withWriter(author.docs.board, writer, () =>
      addNote(
        author.docs.board,
        {
          text: 'an honest doubt',
          x: 0,
          y: 0,
          itemId: null,
          ...authorFields(s, s.name, readLive(author.docs.agenda)),
        },
        me,
      ),
    );
    withWriter(author.docs.board, writer, () =>
      author.docs.board.transact(() => noteText(author.docs.board, anon)!.insert(0, 'Maybe '), me),
    );
    await eventually(() => expect(author.acks.filter((a) => a.ok)).toHaveLength(4));
    await eventually(() =>
      expect(
        readNotes(dan.docs.board)
          .map((n) => n.text)
          .sort(),
      ).toHaveLength(2),
    );

    const note = readNotes(dan.docs.board).find((n) => n.id === anon)!;
    expect(note).toMatchObject({ text: 'Maybe an honest doubt', authorName: '', authorId: s.pseudonym });
    const raw = JSON.stringify(boardNotes(dan.docs.board).get(anon)!.toJSON());
    expect(raw).not.toContain(cara.userId);
    expect(raw).not.toContain('Cara');
    // The structs of the anonymous note share no Yjs client id with what carries her name or id.
    const named = writersOf(dan.docs.board, signed);
    const anonymous = writersOf(dan.docs.board, anon);
    expect(named.has(author.docs.board.clientID)).toBe(true);
    expect([...anonymous]).toEqual([writer]);
    for (const c of anonymous) expect(named.has(c)).toBe(false);
    // No other note or entry of the board was written under the anonymous writer id.
    for (const other of readNotes(dan.docs.board))
      if (other.id !== anon) expect(writersOf(dan.docs.board, other.id).has(writer)).toBe(false);

    // Unticking sends nothing that names her; the note still says nobody.
    const mark = seen.length;
    setAnonymousNotes(org.docs.agenda, false, orgOrigin);
    await eventually(() => expect(readLive(dan.docs.agenda).anonymousNotes).toBe(false));
    const after = seen.slice(mark);
    expect(after.length).toBeGreaterThan(0);
    for (const f of after) {
      expect(f.bytes).not.toContain('Cara');
      expect(f.bytes).not.toContain(cara.userId);
    }
    expect(readNotes(dan.docs.board).find((n) => n.id === anon)).toMatchObject({
      authorName: '',
      authorId: s.pseudonym,
    });
  });
});
