import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/board';
import { addItem } from '../../shared/ops/agenda';
import {
  boardInfo,
  boardNotes,
  isPrivateWriting,
  localOrigin,
  privateCounts,
  privateNotes,
  readNotes,
  serverOrigin,
} from '../../shared/schema';
import { mintPerson, SioClient, yWebsocketClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SECRET_A = 'Ada secret idea: merge the two pipelines';
const SECRET_B = 'Bo private thought: drop the legacy format';
const SECRET_O = 'Organizer draft: ask about funding';

const phase = (server: TestServer, board: CreatedBoard, action: 'start' | 'reveal', token?: string) =>
  fetch(`${server.url}/api/boards/${board.id}/private-writing`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token ?? board.tokens.organizer}`,
    },
    body: JSON.stringify({ action }),
  });

/** A private note written the way the app writes it: its author's own fields, into `mine`. */
function writePrivate(doc: Y.Doc, who: Identity, name: string, text: string, itemId: string | null): string {
  return addNote(
    doc,
    { text, x: 0, y: 0, color: 'sky', authorId: who.userId, authorName: name, itemId },
    localOrigin('test'),
  );
}

const noSecret = (s: string): void => {
  for (const secret of [SECRET_A, SECRET_B, SECRET_O]) expect(s).not.toContain(secret);
};

/** Everything a Y.Doc holds, as text, to look for a note's words anywhere in it. */
const docText = (doc: Y.Doc): string => JSON.stringify(doc.toJSON());

async function setup(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(overrides);
  const board = await server.createBoard('Private writing');
  let talk = '';
  await server.docs.change(board.id, 'agenda', 'test', (d) => {
    talk = addItem(
      d,
      { start: '09:00', minutes: 30, title: 'Pipelines', kind: 'talk' },
      serverOrigin('test'),
    );
  });
  return { server, board, talk };
}

describe('PW1: while private, nobody else receives a note’s text', () => {
  it('PW1: over Socket.io and y-websocket, the others and a viewer get a count, never the text; the board refuses new notes', async () => {
    const { server, board, talk } = await setup();
    expect((await phase(server, board, 'start')).status).toBe(200);
    expect((await phase(server, board, 'start', board.tokens.participant)).status).toBe(403);

    const ada = await mintPerson(server.url, board.id, board.tokens.participant, 'Ada');
    const bo = await mintPerson(server.url, board.id, board.tokens.participant, 'Bo');
    const aSio = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.participant, name: 'Ada' },
      { identity: ada, mine: true },
    );
    const bSio = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.participant, name: 'Bo' },
      { identity: bo, mine: true },
    );
    const viewer = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.viewer, name: 'V' },
      { mine: true },
    );
    // The stock y-websocket client, as Bo and as a viewer, on the board and on "their" private notes.
    const bWsBoard = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.participant, {
      ...bo,
      name: 'Bo',
    });
    const bWsMine = yWebsocketClient(server.wsUrl, board.id, 'mine', board.tokens.participant, {
      ...bo,
      name: 'Bo',
    });
    const vWsBoard = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.viewer);
    const vWsMine = yWebsocketClient(server.wsUrl, board.id, 'mine', board.tokens.viewer);
    for (const c of [aSio, bSio, viewer]) await eventually(() => expect(c.synced.has('mine')).toBe(true));
    for (const c of [bWsBoard, bWsMine, vWsBoard, vWsMine])
      await eventually(() => expect(c.provider.synced).toBe(true));

    const aNote = writePrivate(aSio.docs.mine, ada, 'Ada', SECRET_A, talk);
    writePrivate(bSio.docs.mine, bo, 'Bo', SECRET_B, talk);
    // The count reaches everyone, over both transports.
    for (const d of [aSio.docs.board, bSio.docs.board, viewer.docs.board, bWsBoard.doc, vWsBoard.doc])
      await eventually(() => expect([...privateCounts(d).values()].reduce((a, b) => a + b, 0)).toBe(2));
    expect(isPrivateWriting(viewer.docs.board)).toBe(true);
    expect(aSio.acks.every((a) => a.ok)).toBe(true);

    // Each person's own document holds only their own note.
    expect(readNotes(aSio.docs.mine).map((n) => n.text)).toEqual([SECRET_A]);
    expect(readNotes(bSio.docs.mine).map((n) => n.text)).toEqual([SECRET_B]);
    await eventually(() => expect(readNotes(bWsMine.doc).map((n) => n.text)).toEqual([SECRET_B]));
    // Nobody else receives it, through either transport, in any document.
    for (const d of [
      ...Object.values(bSio.docs),
      ...Object.values(viewer.docs),
      bWsBoard.doc,
      vWsBoard.doc,
      vWsMine.doc,
    ])
      expect(docText(d)).not.toContain(SECRET_A);
    for (const d of [...Object.values(viewer.docs), vWsBoard.doc, vWsMine.doc]) noSecret(docText(d));
    // A viewer writes no private notes; another's note cannot be changed by naming its id.
    writePrivate(viewer.docs.mine, ada, 'Ada', 'viewer tries', talk);
    await eventually(() =>
      expect(viewer.denials.some((d) => d.doc === 'mine' && d.code === 'read-only')).toBe(true),
    );

    // A new note on the shared board is refused, for participants and organizers alike.
    addNote(
      bSio.docs.board,
      { text: SECRET_B, x: 0, y: 0, authorId: bo.userId, authorName: 'Bo', itemId: talk },
      localOrigin('t'),
    );
    await eventually(() =>
      expect(bSio.denials.some((d) => d.doc === 'board' && /private writing/.test(d.reason))).toBe(true),
    );
    const org = await mintPerson(server.url, board.id, board.tokens.organizer, 'Olga');
    const oSio = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.organizer, name: 'Olga' },
      { identity: org, mine: true },
    );
    await eventually(() => expect(oSio.synced.has('board')).toBe(true));
    addNote(
      oSio.docs.board,
      { text: SECRET_O, x: 0, y: 0, authorId: org.userId, authorName: 'Olga', itemId: talk },
      localOrigin('t'),
    );
    await eventually(() =>
      expect(oSio.denials.some((d) => d.doc === 'board' && /private writing/.test(d.reason))).toBe(true),
    );
    writePrivate(oSio.docs.mine, org, 'Olga', SECRET_O, talk);
    await eventually(() =>
      expect([...privateCounts(viewer.docs.board).values()].reduce((a, b) => a + b, 0)).toBe(3),
    );
    const stored = await server.docs.read(board.id, 'board', (d) => docText(d));
    noSecret(stored);

    // Exports, snapshots and pictures hold none of it.
    const get = (p: string, token = board.tokens.organizer) =>
      fetch(`${server.url}/api/boards/${board.id}/${p}`, { headers: { authorization: `Bearer ${token}` } });
    for (const p of ['export.json', 'export.md', 'tasks.csv', 'notes.csv', 'board.svg']) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      noSecret(await res.text());
    }
    const snap = await fetch(`${server.url}/api/boards/${board.id}/snapshots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
      body: JSON.stringify({ label: 'during private writing' }),
    });
    expect([200, 201]).toContain(snap.status);
    const { id: sid } = (await snap.json()) as { id: string };
    for (const p of [`snapshots/${sid}/export.json`, `snapshots/${sid}/board.svg`]) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      noSecret(await res.text());
    }
    const docs = await get('docs', board.tokens.viewer);
    expect(docs.status).toBe(200);
    noSecret(Buffer.from(await docs.arrayBuffer()).toString('utf8'));
    expect(aNote).toMatch(/^[0-9a-f]+$/);
  });
});

describe('PW1: private notes are loaded only when they can hold something', () => {
  it('PW1: a connection opens its private notes only while private writing is on or when its person has some', async () => {
    const { server, board, talk } = await setup();
    const ada = await mintPerson(server.url, board.id, board.tokens.participant, 'Ada');
    const bo = await mintPerson(server.url, board.id, board.tokens.participant, 'Bo');
    const connect = (who: Identity, name: string) =>
      new SioClient(
        server.url,
        { board: board.id, token: board.tokens.participant, name },
        { identity: who, mine: true },
      );
    const a = connect(ada, 'Ada');
    // Synced like every document (empty), yet nothing is loaded for it.
    await eventually(() => expect(a.synced.size).toBe(4));
    expect(server.rooms.isLoaded(board.id, 'mine', ada.userId)).toBe(false);
    expect(server.rooms.loadedCount).toBe(3);

    // The phase starts: the open connection's private notes are loaded and it writes there.
    expect((await phase(server, board, 'start')).status).toBe(200);
    await eventually(() => expect(server.rooms.isLoaded(board.id, 'mine', ada.userId)).toBe(true));
    writePrivate(a.docs.mine, ada, 'Ada', SECRET_A, talk);
    await eventually(() => expect(privateCounts(a.docs.board).get(ada.userId)).toBe(1));
    expect(a.acks.every((x) => x.ok)).toBe(true);
    expect(
      await server.docs.read(board.id, 'mine', (d) => readNotes(d).map((n) => n.text), ada.userId),
    ).toEqual([SECRET_A]);

    // The phase ends without a Reveal (as a restart mid-way could leave it): whoever still has
    // private notes gets them on a new connection; someone without any loads nothing.
    await server.docs.change(board.id, 'board', 'test', (d) => boardInfo(d).set('privateWriting', false));
    a.close();
    const a2 = connect(ada, 'Ada');
    const b = connect(bo, 'Bo');
    await eventually(() => expect(readNotes(a2.docs.mine).map((n) => n.text)).toEqual([SECRET_A]));
    await eventually(() => expect(b.synced.size).toBe(4));
    expect(server.rooms.isLoaded(board.id, 'mine', bo.userId)).toBe(false);
    expect(readNotes(b.docs.mine)).toEqual([]);
    // A private note sent anyway loads the document, whose gate refuses it, as before.
    writePrivate(b.docs.mine, bo, 'Bo', SECRET_B, talk);
    await eventually(() =>
      expect(b.denials.some((d) => d.doc === 'mine' && /ended/.test(d.reason))).toBe(true),
    );
    expect(await server.docs.read(board.id, 'mine', (d) => privateNotes(d).size, bo.userId)).toBe(0);
  });
});

describe('PW2: Reveal moves every private note onto the board', () => {
  it('PW2: with author, talk and colour, in the talk’s lane; both transports converge; Reveal again changes nothing', async () => {
    const { server, board, talk } = await setup();
    await phase(server, board, 'start');
    const ada = await mintPerson(server.url, board.id, board.tokens.participant, 'Ada');
    const bo = await mintPerson(server.url, board.id, board.tokens.participant, 'Bo');
    const aSio = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.participant, name: 'Ada' },
      { identity: ada, mine: true },
    );
    const bWs = yWebsocketClient(server.wsUrl, board.id, 'mine', board.tokens.participant, {
      ...bo,
      name: 'Bo',
    });
    const bWsBoard = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.participant, {
      ...bo,
      name: 'Bo',
    });
    await eventually(() => expect(aSio.synced.has('mine')).toBe(true));
    await eventually(() => expect(bWs.provider.synced && bWsBoard.provider.synced).toBe(true));
    writePrivate(aSio.docs.mine, ada, 'Ada', SECRET_A, talk);
    writePrivate(aSio.docs.mine, ada, 'Ada', 'Ada second', null);
    writePrivate(bWs.doc, bo, 'Bo', SECRET_B, talk);
    await eventually(() =>
      expect([...privateCounts(aSio.docs.board).values()].reduce((a, b) => a + b, 0)).toBe(3),
    );

    const res = await phase(server, board, 'reveal');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ privateWriting: false, moved: 3 });
    for (const d of [aSio.docs.board, bWsBoard.doc])
      await eventually(() => expect(readNotes(d)).toHaveLength(3));
    const notes = readNotes(aSio.docs.board);
    const byText = new Map(notes.map((n) => [n.text, n]));
    expect(byText.get(SECRET_A)).toMatchObject({
      authorId: ada.userId,
      authorName: 'Ada',
      itemId: talk,
      color: 'sky',
    });
    expect(byText.get(SECRET_B)).toMatchObject({ authorId: bo.userId, authorName: 'Bo', itemId: talk });
    expect(byText.get('Ada second')).toMatchObject({ itemId: null });
    // Placed apart: no two notes share a spot; the talk's notes share its lane, the unlinked one is elsewhere.
    expect(new Set(notes.map((n) => `${n.x},${n.y}`)).size).toBe(3);
    expect(
      byText.get(SECRET_A)!.x === byText.get(SECRET_B)!.x ||
        byText.get(SECRET_A)!.y === byText.get(SECRET_B)!.y,
    ).toBe(true);
    expect(byText.get('Ada second')!.x).not.toBe(byText.get(SECRET_A)!.x);
    // Both clients converge: the private documents are empty, the board is the same, the count is gone.
    await eventually(() => expect(readNotes(aSio.docs.mine)).toEqual([]));
    await eventually(() => expect(readNotes(bWs.doc)).toEqual([]));
    await eventually(() =>
      expect(Y.encodeStateVector(aSio.docs.board)).toEqual(Y.encodeStateVector(bWsBoard.doc)),
    );
    await eventually(() => expect(privateCounts(bWsBoard.doc).size).toBe(0));
    expect(isPrivateWriting(bWsBoard.doc)).toBe(false);
    // After Reveal, a note goes to the board again and no longer to the private document.
    writePrivate(aSio.docs.mine, ada, 'Ada', 'too late', talk);
    await eventually(() =>
      expect(aSio.denials.some((d) => d.doc === 'mine' && /ended/.test(d.reason))).toBe(true),
    );
    expect(await (await phase(server, board, 'reveal')).json()).toEqual({ privateWriting: false, moved: 0 });
    expect(await server.docs.read(board.id, 'board', (d) => boardNotes(d).size)).toBe(3);
  });

  it('PW3: private notes are stored, and Reveal after a restart still moves them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plenary-pw-'));
    dirs.push(dir);
    const cfg = { dataDir: dir, dbFile: path.join(dir, 'p.db') };
    const first = await setup(cfg);
    const { board, talk } = first;
    await phase(first.server, board, 'start');
    const ada = await mintPerson(first.server.url, board.id, board.tokens.participant, 'Ada');
    const a = new SioClient(
      first.server.url,
      { board: board.id, token: board.tokens.participant, name: 'Ada' },
      { identity: ada, mine: true },
    );
    await eventually(() => expect(a.synced.has('mine')).toBe(true));
    writePrivate(a.docs.mine, ada, 'Ada', SECRET_A, talk);
    await eventually(() => expect(a.acks.length).toBeGreaterThan(0));
    await eventually(() => expect(privateCounts(a.docs.board).get(ada.userId)).toBe(1));
    a.close();
    await first.server.close();

    const second = await startTestServer(cfg);
    expect(await second.docs.read(board.id, 'board', (d) => isPrivateWriting(d))).toBe(true);
    expect(await second.docs.read(board.id, 'mine', (d) => privateNotes(d).size, ada.userId)).toBe(1);
    const res = await phase(second, board, 'reveal');
    expect(await res.json()).toEqual({ privateWriting: false, moved: 1 });
    const notes = await second.docs.read(board.id, 'board', (d) => readNotes(d));
    expect(notes.map((n) => [n.text, n.authorId])).toEqual([[SECRET_A, ada.userId]]);
    expect(await second.docs.read(board.id, 'mine', (d) => privateNotes(d).size, ada.userId)).toBe(0);
  });
});
