import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { addNote, deleteNote, moveNote, setNoteText } from '../../shared/ops/board';
import { createGroup } from '../../shared/ops/groups';
import { createTask, setStatus } from '../../shared/ops/tasks';
import {
  localOrigin,
  readGroups,
  readLive,
  readNotes,
  readTasks,
  serverOrigin,
  type Note,
} from '../../shared/schema';
import { mintPerson, SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

const srv = serverOrigin('test');

interface SnapshotJson {
  id: string;
  label: string;
  createdAt: number;
  itemId: string | null;
  kind: string;
}

async function join(
  server: TestServer,
  board: CreatedBoard,
  role: 'organizer' | 'participant',
  name: string,
) {
  const identity = await mintPerson(server.url, board.id, board.tokens[role], name);
  const c = new SioClient(server.url, { board: board.id, token: board.tokens[role], name }, { identity });
  await eventually(() => expect(c.synced.size).toBe(3));
  return c;
}

const api = (server: TestServer, board: CreatedBoard, token: string, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api/boards/${board.id}/${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

async function list(
  server: TestServer,
  board: CreatedBoard,
  token = board.tokens.viewer,
): Promise<SnapshotJson[]> {
  const res = await api(server, board, token, 'snapshots');
  expect(res.status).toBe(200);
  return ((await res.json()) as { snapshots: SnapshotJson[] }).snapshots;
}

/** A board with two talks, an organizer and a participant who writes notes through Socket.io. */
async function workshop() {
  const server = await startTestServer();
  const board = await server.createBoard('History');
  let talkA = '';
  let talkB = '';
  await server.docs.change(board.id, 'agenda', 'test', (d) => {
    talkA = addItem(d, { start: '09:00', minutes: 30, title: 'Talk A', kind: 'talk' }, srv);
    talkB = addItem(d, { start: '09:30', minutes: 30, title: 'Talk B', kind: 'talk' }, srv);
  });
  const org = await join(server, board, 'organizer', 'Olga');
  const ana = await join(server, board, 'participant', 'Ana');
  const note = (c: SioClient, id: string, text: string, itemId: string | null) =>
    addNote(
      c.docs.board,
      { id, text, x: 0, y: 0, authorId: c.session!.userId, authorName: 'Ana', itemId },
      localOrigin(c.session!.userId),
    );
  const goLive = async (itemId: string) => {
    setCurrentItem(org.docs.agenda, itemId, localOrigin(org.session!.userId));
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'agenda', (d) => readLive(d).currentItemId)).toBe(itemId),
    );
  };
  return { server, board, org, ana, talkA, talkB, note, goLive };
}

const serverNotes = (server: TestServer, board: CreatedBoard): Promise<Note[]> =>
  server.docs.read(board.id, 'board', (d) => readNotes(d));

describe('history per talk (HS1–HS4)', () => {
  it('HS1: when the live item changes, the board is kept as the ended talk left it, labelled with that talk', async () => {
    const { server, board, ana, talkA, talkB, note, goLive } = await workshop();
    await goLive(talkA);
    note(ana, 'n1', 'During talk A', talkA);
    await eventually(async () => expect(await serverNotes(server, board)).toHaveLength(1));
    expect(await list(server, board)).toEqual([]); // nothing had ended yet
    await goLive(talkB);
    await eventually(async () => expect(await list(server, board)).toHaveLength(1));
    const [after] = await list(server, board);
    expect(after).toMatchObject({ label: 'After Talk A', itemId: talkA, kind: 'talk' });
    expect(after!.createdAt).toBeGreaterThan(0);

    note(ana, 'n2', 'During talk B', talkB);
    await eventually(async () => expect(await serverNotes(server, board)).toHaveLength(2));
    await goLive(talkA);
    await eventually(async () => expect(await list(server, board)).toHaveLength(2));
    expect((await list(server, board))[1]).toMatchObject({ label: 'After Talk B', itemId: talkB });

    // The export of "after talk A" has the board as it was then.
    const res = await api(server, board, board.tokens.participant, `snapshots/${after!.id}/export.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const json = (await res.json()) as { notes: { id: string; text: string }[]; agenda: { live: unknown } };
    expect(json.notes.map((n) => n.text)).toEqual(['During talk A']);
    // Taken as the live item moved on: the agenda in it already shows the next talk live.
    expect(json.agenda.live).toMatchObject({ currentItemId: talkB });
    // And as a picture: the note of talk A only.
    const svg = await (
      await api(server, board, board.tokens.viewer, `snapshots/${after!.id}/board.svg`)
    ).text();
    expect(svg).toContain('During talk A');
    expect(svg).not.toContain('During talk B');
    expect((await api(server, board, board.tokens.viewer, 'snapshots/nope/board.svg')).status).toBe(404);
  });

  it('HS3: a live-item change with nothing changed on the board stores nothing new', async () => {
    const { server, board, ana, talkA, talkB, note, goLive } = await workshop();
    await goLive(talkA);
    note(ana, 'n1', 'Only note', talkA);
    await eventually(async () => expect(await serverNotes(server, board)).toHaveLength(1));
    await goLive(talkB);
    await eventually(async () => expect(await list(server, board)).toHaveLength(1));
    await goLive(talkA);
    await goLive(talkB);
    // The organizer's own snapshot of the same state is the stored one too.
    const again = await api(server, board, board.tokens.organizer, 'snapshots', {
      method: 'POST',
      body: JSON.stringify({ label: 'Same again' }),
    });
    expect(again.status).toBe(200);
    const snapshots = await list(server, board);
    expect(snapshots).toHaveLength(1);
    expect(((await again.json()) as SnapshotJson).id).toBe(snapshots[0]!.id);
  });

  it('HS2: an organizer takes a labelled snapshot (201); others may list and export but not take or restore', async () => {
    const { server, board, ana, talkA, note, goLive } = await workshop();
    await goLive(talkA);
    note(ana, 'n1', 'Before the break', talkA);
    await eventually(async () => expect(await serverNotes(server, board)).toHaveLength(1));
    const res = await api(server, board, board.tokens.organizer, 'snapshots', {
      method: 'POST',
      body: JSON.stringify({ label: '  Before the break  ' }),
    });
    expect(res.status).toBe(201);
    const taken = (await res.json()) as SnapshotJson;
    expect(Object.keys(taken).sort()).toEqual(['createdAt', 'id', 'itemId', 'kind', 'label']);
    expect(taken).toMatchObject({ label: 'Before the break', itemId: talkA, kind: 'manual' });
    for (const role of ['organizer', 'participant', 'viewer'] as const)
      expect((await list(server, board, board.tokens[role])).map((s) => s.id)).toEqual([taken.id]);

    for (const token of [board.tokens.participant, board.tokens.viewer]) {
      expect((await api(server, board, token, 'snapshots', { method: 'POST', body: '{}' })).status).toBe(403);
      expect(
        (await api(server, board, token, `snapshots/${taken.id}/restore`, { method: 'POST' })).status,
      ).toBe(403);
    }
    expect((await api(server, board, 'nope', 'snapshots')).status).toBe(401);
    const other = await server.createBoard('Other');
    expect(
      (await api(server, board, other.tokens.organizer, `snapshots/${taken.id}/export.json`)).status,
    ).toBe(401);
    // Another board's snapshot id is unknown here.
    expect(
      (await api(server, other, other.tokens.organizer, `snapshots/${taken.id}/export.json`)).status,
    ).toBe(404);
    expect(
      (await api(server, board, board.tokens.organizer, 'snapshots/nope/restore', { method: 'POST' })).status,
    ).toBe(404);
    const bad = await api(server, board, board.tokens.organizer, 'snapshots', {
      method: 'POST',
      body: JSON.stringify({ label: 'x'.repeat(500) }),
    });
    expect(bad.status).toBe(400);
    expect(
      (await api(server, board, board.tokens.organizer, 'snapshots', { method: 'POST', body: '{"label":7}' }))
        .status,
    ).toBe(400);
  });

  it('HS4: a restore brings notes, groups and tasks back as a change every client receives and the store keeps', async () => {
    const { server, board, org, ana, talkA, note, goLive } = await workshop();
    const ben = await join(server, board, 'participant', 'Ben');
    await goLive(talkA);
    note(ana, 'n1', 'Keep this text', talkA);
    note(ana, 'n2', 'Will be deleted', talkA);
    createTask(
      ana.docs.tasks,
      { title: 'Write minutes', status: 'open', createdBy: ana.session!.userId },
      localOrigin(ana.session!.userId),
    );
    await eventually(async () => {
      expect(await serverNotes(server, board)).toHaveLength(2);
      expect(readNotes(ben.docs.board)).toHaveLength(2);
      expect(readTasks(ben.docs.tasks)).toHaveLength(1);
    });
    createGroup(
      ana.docs.board,
      { title: 'Pair', x: 0, y: 0 },
      ['n1', 'n2'],
      localOrigin(ana.session!.userId),
    );
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'board', (d) => readGroups(d))).toHaveLength(1),
    );
    const taken = (await (
      await api(server, board, board.tokens.organizer, 'snapshots', {
        method: 'POST',
        body: JSON.stringify({ label: 'Good state' }),
      })
    ).json()) as SnapshotJson;
    const want = {
      notes: await serverNotes(server, board),
      groups: await server.docs.read(board.id, 'board', (d) => readGroups(d)),
      tasks: await server.docs.read(board.id, 'tasks', (d) => readTasks(d)),
    };

    // Then the board moves on: an edit, a move, a deletion, a new note and a task done.
    const anaOrigin = localOrigin(ana.session!.userId);
    setNoteText(ana.docs.board, 'n1', 'Keep this text, but changed', anaOrigin);
    moveNote(ana.docs.board, 'n1', 500, 500, anaOrigin);
    deleteNote(
      ana.docs.board,
      'n2',
      { role: 'participant', userId: ana.session!.userId, pseudonym: '' },
      anaOrigin,
    );
    addNote(
      ben.docs.board,
      {
        id: 'n3',
        text: 'Added later',
        x: 0,
        y: 0,
        authorId: ben.session!.userId,
        authorName: 'Ben',
        itemId: talkA,
      },
      localOrigin(ben.session!.userId),
    );
    const taskId = readTasks(ben.docs.tasks)[0]!.id;
    setStatus(ben.docs.tasks, taskId, 'done', localOrigin(ben.session!.userId));
    await eventually(async () => {
      const notes = await serverNotes(server, board);
      expect(notes.map((n) => n.id).sort()).toEqual(['n1', 'n3']);
      expect((await server.docs.read(board.id, 'tasks', (d) => readTasks(d)))[0]!.status).toBe('done');
    });

    const res = await api(server, board, board.tokens.organizer, `snapshots/${taken.id}/restore`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { restored: SnapshotJson }).restored.id).toBe(taken.id);

    // Every copy converges on the snapshot's content: server, both participants and the organizer.
    await eventually(async () => {
      expect(await serverNotes(server, board)).toEqual(want.notes);
      expect(await server.docs.read(board.id, 'tasks', (d) => readTasks(d))).toEqual(want.tasks);
      for (const c of [ana, ben, org]) {
        expect(readNotes(c.docs.board)).toEqual(want.notes);
        expect(readGroups(c.docs.board)).toEqual(want.groups);
        expect(readTasks(c.docs.tasks)).toEqual(want.tasks);
      }
    });
    // The clients can go on editing the restored note (its text is the same shared text, edited).
    setNoteText(ben.docs.board, 'n1', 'Edited after the restore', localOrigin(ben.session!.userId));
    await eventually(() =>
      expect(readNotes(ana.docs.board).find((n) => n.id === 'n1')!.text).toBe('Edited after the restore'),
    );
    expect([...ana.denials, ...ben.denials]).toEqual([]);

    // Stored: what the store holds for the board document has the restored content.
    const stored = new Y.Doc();
    for (const u of (await server.store.load(`${board.id}/board`)).updates) Y.applyUpdate(stored, u);
    expect(
      readNotes(stored)
        .map((n) => n.id)
        .sort(),
    ).toEqual(['n1', 'n2']);

    // The state before the restore was kept, so the restore can be undone.
    const snapshots = await list(server, board);
    expect(snapshots.map((s) => s.kind)).toEqual(['manual', 'restore']);
    expect(snapshots[1]!.label).toBe('Before restoring “Good state”');
  });
});
