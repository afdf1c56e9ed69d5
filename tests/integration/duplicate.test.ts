import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { addItem, setCurrentItem, setMeta, shiftDelay } from '../../shared/ops/agenda';
import { addNote, castVote } from '../../shared/ops/board';
import { createGroup } from '../../shared/ops/groups';
import {
  openVoting,
  setAnonymousNotes,
  setHideVotes,
  setTimerLabel,
  startTimer,
} from '../../shared/ops/live';
import { createTask } from '../../shared/ops/tasks';
import { readQuestions } from '../../shared/ops/questions';
import { TEMPLATES } from '../../shared/protocol/sharing';
import {
  readAgenda,
  readGroups,
  readNotes,
  readRoster,
  readTasks,
  serverOrigin,
  type DocKind,
} from '../../shared/schema';
import { SHAPE, shapeAt } from '../../shared/schema/shape';
import { SqliteStore } from '../../server/persistence/sqlite';
import { mintPerson, SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { call, callJson } from '../helpers/sharing';

/**
 * Duplicating a board and starting from a template (issue 19): a new board
 * with its own id and links that takes the parts asked for and nothing of
 * the people (no roster, votes, questions, history or live state).
 */

const origin = serverOrigin('test');

const duplicate = (
  server: TestServer,
  b: CreatedBoard,
  body: unknown,
  token = b.tokens.organizer,
  headers = {},
) =>
  callJson<CreatedBoard & { error?: { code: string } }>(server.url, `/api/boards/${b.id}/duplicate`, {
    token,
    body,
    headers,
  });

const read = <T>(server: TestServer, id: string, kind: DocKind, fn: (d: Y.Doc) => T) =>
  server.docs.read(id, kind, fn);

/** A workshop in full swing: agenda live, voted notes in a voted group, tasks with owners, a question, people. */
async function busyBoard(server: TestServer): Promise<{ b: CreatedBoard; items: string[] }> {
  const b = await server.createBoard('Workshop 2026');
  const items: string[] = [];
  await server.docs.change(b.id, 'agenda', 'setup', (d) => {
    setMeta(d, { title: 'Workshop 2026', timeZone: 'Europe/Berlin', date: '2026-05-04' }, origin);
    items.push(
      addItem(d, { start: '09:00', minutes: 30, title: 'Opening', speaker: 'Ana', kind: 'talk' }, origin),
    );
    items.push(addItem(d, { start: '09:30', minutes: 15, title: 'Coffee', kind: 'break' }, origin));
    setCurrentItem(d, items[0]!, origin);
    shiftDelay(d, 10, origin);
    openVoting(d, 4, origin);
    setHideVotes(d, true, origin);
    setAnonymousNotes(d, true, origin);
    setTimerLabel(d, 'Silent writing', origin);
    startTimer(d, Date.now() + 60_000, origin);
  });
  const ada = await mintPerson(server.url, b.id, b.tokens.participant, 'Ada');
  await server.docs.change(b.id, 'board', 'setup', (d) => {
    const n1 = addNote(
      d,
      {
        text: 'Open data',
        x: 10,
        y: 20,
        color: 'sky',
        authorId: ada.userId,
        authorName: 'Ada',
        itemId: items[0]!,
      },
      origin,
    );
    const n2 = addNote(
      d,
      { text: 'Licences', x: 240, y: 20, authorId: ada.userId, authorName: 'Ada', itemId: null },
      origin,
    );
    createGroup(d, { title: 'Openness', x: 0, y: 0 }, [n1, n2], origin);
    castVote(d, n1, ada.userId, { votingOpen: true, votesPerPerson: 4 }, origin);
  });
  const notes = await read(server, b.id, 'board', (d) => readNotes(d));
  await server.docs.change(b.id, 'tasks', 'setup', (d) => {
    createTask(
      d,
      {
        title: 'Publish the data',
        owner: 'Ada',
        ownerId: ada.userId,
        due: '2026-06-01',
        status: 'doing',
        noteId: notes.find((n) => n.text === 'Open data')!.id,
        itemId: items[0]!,
      },
      origin,
    );
  });
  await callJson(server.url, `/api/boards/${b.id}/questions`, {
    token: b.tokens.participant,
    person: ada,
    body: { text: 'Slides?' },
  });
  return { b, items };
}

describe('DU1: POST /api/boards/:id/duplicate', () => {
  it('answers 201 like a new board; the copy keeps agenda, settings, notes, groups and tasks, and nothing of the people or the live state', async () => {
    const server = await startTestServer();
    const { b } = await busyBoard(server);
    const res = await duplicate(server, b, {
      title: 'Workshop 2027',
      include: ['agenda', 'notes', 'groups', 'tasks'],
    });
    expect(res.status).toBe(201);
    const copy = res.body;
    expect(copy.id).not.toBe(b.id);
    expect(copy.title).toBe('Workshop 2027');
    for (const role of ['organizer', 'participant', 'viewer'] as const) {
      expect(copy.tokens[role]).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(copy.urls[role]).toBe(`${server.url}/b/${copy.id}#${copy.tokens[role]}`);
    }
    // The copy's links are kept like a new board's: any organizer device shows them.
    const links = await callJson<Record<string, { token: string }>>(
      server.url,
      `/api/boards/${copy.id}/links`,
      {
        token: copy.tokens.organizer,
      },
    );
    expect(links.body.participant?.token).toBe(copy.tokens.participant);

    const agenda = await read(server, copy.id, 'agenda', (d) => readAgenda(d));
    expect(agenda.meta).toMatchObject({
      title: 'Workshop 2027',
      timeZone: 'Europe/Berlin',
      date: '2026-05-04',
    });
    expect(
      agenda.items.map(({ start, minutes, title, speaker, kind }) => ({
        start,
        minutes,
        title,
        speaker,
        kind,
      })),
    ).toEqual([
      { start: '09:00', minutes: 30, title: 'Opening', speaker: 'Ana', kind: 'talk' },
      { start: '09:30', minutes: 15, title: 'Coffee', kind: 'break', speaker: '' },
    ]);
    // Event settings stay; live state does not.
    expect(agenda.live).toMatchObject({
      votesPerPerson: 4,
      hideVotes: true,
      anonymousNotes: true,
      timerLabel: 'Silent writing',
      currentItemId: null,
      delayMinutes: 0,
      votingOpen: false,
      timerEndsAt: null,
    });
    const opening = agenda.items[0]!.id;
    const notes = await read(server, copy.id, 'board', (d) => readNotes(d));
    const groups = await read(server, copy.id, 'board', (d) => readGroups(d));
    expect(groups).toEqual([expect.objectContaining({ title: 'Openness', x: 0, y: 0, votes: {} })]);
    notes.sort((a, c) => a.x - c.x);
    expect(notes.map((n) => [n.text, n.x, n.y, n.color, n.itemId, n.groupId, n.authorId, n.votes])).toEqual([
      ['Open data', 10, 20, 'sky', opening, groups[0]!.id, '', {}],
      ['Licences', 240, 20, 'yellow', null, groups[0]!.id, '', {}],
    ]);
    const tasks = await read(server, copy.id, 'tasks', (d) => readTasks(d));
    expect(tasks).toEqual([
      expect.objectContaining({
        title: 'Publish the data',
        owner: '',
        ownerId: '',
        due: '2026-06-01',
        status: 'open',
        noteId: notes[0]!.id,
        itemId: opening,
      }),
    ]);
    expect(await read(server, copy.id, 'board', (d) => readQuestions(d))).toEqual([]);
    expect(await read(server, copy.id, 'board', (d) => readRoster(d))).toEqual([]);
    expect(
      (
        await callJson<{ snapshots: unknown[] }>(server.url, `/api/boards/${copy.id}/snapshots`, {
          token: copy.tokens.viewer,
        })
      ).body.snapshots,
    ).toEqual([]);
    // The source is untouched.
    expect((await read(server, b.id, 'agenda', (d) => readAgenda(d))).live.votingOpen).toBe(true);
    expect(await read(server, b.id, 'board', (d) => readNotes(d).length)).toBe(2);

    // Everything a copy holds passes the rule gate's schema: a client editing it is never refused for it.
    const olga = new SioClient(server.url, { board: copy.id, token: copy.tokens.organizer, name: 'Olga' });
    await eventually(() => expect(olga.synced.size).toBe(3));
    for (const kind of ['agenda', 'board', 'tasks'] as const)
      for (const root of Object.keys(SHAPE[kind]))
        olga.docs[kind].getMap(root).forEach((_v, key) => expect(shapeAt(kind, [root, key])).not.toBeNull());
  });

  it('takes only the parts in include; references to parts left out are cleared', async () => {
    const server = await startTestServer();
    const { b } = await busyBoard(server);
    const notesOnly = (await duplicate(server, b, { title: 'Only notes', include: ['notes'] })).body;
    expect((await read(server, notesOnly.id, 'agenda', (d) => readAgenda(d))).items).toEqual([]);
    const notes = await read(server, notesOnly.id, 'board', (d) => readNotes(d));
    expect(notes.map((n) => [n.text, n.itemId, n.groupId ?? null]).sort()).toEqual([
      ['Licences', null, null],
      ['Open data', null, null],
    ]);
    expect(await read(server, notesOnly.id, 'board', (d) => readGroups(d))).toEqual([]);
    expect(await read(server, notesOnly.id, 'tasks', (d) => readTasks(d))).toEqual([]);

    const agendaAndTasks = (await duplicate(server, b, { title: 'Plan', include: ['agenda', 'tasks'] })).body;
    expect(await read(server, agendaAndTasks.id, 'board', (d) => readNotes(d))).toEqual([]);
    const [task] = await read(server, agendaAndTasks.id, 'tasks', (d) => readTasks(d));
    expect(task).toMatchObject({ title: 'Publish the data', noteId: null });
    const [opening] = (await read(server, agendaAndTasks.id, 'agenda', (d) => readAgenda(d))).items;
    expect(task!.itemId).toBe(opening!.id);
    // Without include: everything.
    const all = (await duplicate(server, b, { title: 'All' })).body;
    expect(await read(server, all.id, 'board', (d) => readGroups(d).length)).toBe(1);
  });

  it('refuses: other roles 403, a wrong token 401, a bad title or include 400, the admin token when set, the creation limit', async () => {
    const server = await startTestServer({ boardsPerAddress: 5 });
    const b = await server.createBoard('Source');
    expect((await duplicate(server, b, { title: 'x' }, b.tokens.participant)).status).toBe(403);
    expect((await duplicate(server, b, { title: 'x' }, b.tokens.viewer)).status).toBe(403);
    expect((await duplicate(server, b, { title: 'x' }, 'A'.repeat(43))).status).toBe(401);
    expect((await duplicate(server, b, { title: '   ' })).status).toBe(400);
    expect((await duplicate(server, b, { include: ['notes'] })).status).toBe(400);
    expect((await duplicate(server, b, { title: 'x', include: ['people'] })).status).toBe(400);
    expect((await duplicate(server, b, { title: 'x', include: 'notes' })).status).toBe(400);
    // The board above counted; the refused copies too (they may be guesses); then 429.
    const limited = await duplicate(server, b, { title: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('too-many-boards');

    const admin = await startTestServer({ adminToken: 'the-admin-token-of-this-test' });
    const own = await admin.createBoard('Admin made');
    const without = await duplicate(admin, own, { title: 'Copy' });
    expect(without.status).toBe(401);
    expect(without.body.error?.code).toBe('admin-token-required');
    expect(
      (await duplicate(admin, own, { title: 'Copy' }, own.tokens.organizer, { 'x-plenary-admin': 'wrong' }))
        .status,
    ).toBe(401);
    expect(
      (
        await duplicate(admin, own, { title: 'Copy' }, own.tokens.organizer, {
          'x-plenary-admin': 'the-admin-token-of-this-test',
        })
      ).status,
    ).toBe(201);
  });

  it('leaves nothing behind when the copy cannot be written (500, no new board)', async () => {
    // A store that cannot load any document of a board other than the source (a failing disk).
    const store = new SqliteStore(':memory:');
    let source = '';
    const failing = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'load')
          return (name: string) =>
            source && !name.startsWith(`${source}/`)
              ? Promise.reject(new Error('disk on fire'))
              : target.load(name);
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const server = await startTestServer({}, { store: failing });
    const { b } = await busyBoard(server);
    source = b.id;
    const res = await duplicate(server, b, { title: 'Doomed copy' });
    expect(res.status).toBe(500);
    expect(await store.countBoards()).toBe(1);
  });
});

describe('DU2: starting from a template', () => {
  const create = (server: TestServer, body: unknown) =>
    callJson<CreatedBoard & { error?: { code: string } }>(server.url, '/api/boards', { body });

  it('a workshop day has talks, discussions and breaks from 9:00 to 17:00 in the creator’s zone, undated, nothing live', async () => {
    const server = await startTestServer();
    const res = await create(server, { title: 'Our day', template: 'workshop', timeZone: 'Asia/Tokyo' });
    expect(res.status).toBe(201);
    const agenda = await read(server, res.body.id, 'agenda', (d) => readAgenda(d));
    expect(agenda.meta).toMatchObject({ title: 'Our day', timeZone: 'Asia/Tokyo', date: '' });
    expect(agenda.items[0]!.start).toBe('09:00');
    const last = agenda.items.at(-1)!;
    expect(last.start).toBe('16:00');
    expect(last.minutes).toBe(60);
    expect(new Set(agenda.items.map((i) => i.kind))).toEqual(
      new Set(['talk', 'break', 'discussion', 'other']),
    );
    expect(agenda.items.filter((i) => i.kind === 'break').map((i) => i.title)).toEqual([
      'Coffee break',
      'Lunch',
      'Coffee break',
    ]);
    expect(agenda.live).toMatchObject({ votingOpen: false, timerEndsAt: null, currentItemId: null });
    expect((await read(server, res.body.id, 'tasks', (d) => readTasks(d))).length).toBeGreaterThan(0);
  });

  it('a retrospective has three columns of groups and three votes each; a brainstorm has its timer and hidden-count voting set up', async () => {
    const server = await startTestServer();
    const retro = (
      await create(server, { title: 'Sprint 12', template: 'retrospective', timeZone: 'Not/AZone' })
    ).body;
    const groups = (await read(server, retro.id, 'board', (d) => readGroups(d))).sort((a, b) => a.x - b.x);
    expect(groups.map((g) => [g.title, g.y])).toEqual([
      ['Went well', 0],
      ['To improve', 0],
      ['To try next', 0],
    ]);
    expect(groups[1]!.x - groups[0]!.x).toBeGreaterThanOrEqual(700);
    const retroAgenda = await read(server, retro.id, 'agenda', (d) => readAgenda(d));
    expect(retroAgenda.live.votesPerPerson).toBe(3);
    // An unknown zone falls back to UTC.
    expect(retroAgenda.meta.timeZone).toBe('UTC');

    const storm = (await create(server, { title: 'Ideas', template: 'brainstorm' })).body;
    const live = (await read(server, storm.id, 'agenda', (d) => readAgenda(d))).live;
    expect(live).toMatchObject({
      timerLabel: 'Silent brainstorming',
      votesPerPerson: 5,
      hideVotes: true,
      votingOpen: false,
    });
    const items = (await read(server, storm.id, 'agenda', (d) => readAgenda(d))).items;
    expect(items.map((i) => i.title)).toContain('Silent brainstorming');
  });

  it('every template is known to the client list; an unknown one is 400 and creates nothing', async () => {
    const server = await startTestServer();
    for (const t of TEMPLATES)
      expect((await create(server, { title: t.name, template: t.id })).status).toBe(201);
    expect(await server.store.countBoards()).toBe(TEMPLATES.length);
    const bad = await create(server, { title: 'x', template: 'party' });
    expect(bad.status).toBe(400);
    expect(await server.store.countBoards()).toBe(TEMPLATES.length);
    expect((await call(server.url, '/api/boards', { body: { title: 'plain' } })).status).toBe(201);
  });
});
