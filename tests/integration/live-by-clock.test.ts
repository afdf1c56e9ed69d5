import { describe, expect, it } from 'vitest';
import { addItem, setCurrentItem, updateItem, setMeta } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { readNotes, serverOrigin } from '../../shared/schema';
import { wallTimeToMs } from '../../shared/time/schedule';
import { mintPerson } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * A day that runs on time: nobody pins a talk, the clock makes each one live
 * (AG4). The server's clock stands a moment before `startAt` on the event
 * date until the test lets it run (`go`), then runs at real speed: talk A
 * ends by the clock that moment later, however long the setup took.
 */
const srv = serverOrigin('test');
const DATE = '2031-05-06';
const ZONE = 'Europe/Berlin';

interface SnapshotJson {
  id: string;
  label: string;
  itemId: string | null;
  kind: string;
}

async function clockDay(startAt: string, msBefore: number) {
  const base = wallTimeToMs(DATE, startAt, ZONE) - msBefore;
  let running: number | null = null;
  const now = () => (running === null ? base : base + (Date.now() - running));
  const go = () => {
    running = Date.now();
  };
  const server = await startTestServer({}, { now });
  const board = await server.createBoard('On time');
  const ids: Record<string, string> = {};
  await server.docs.change(board.id, 'agenda', 'test', (d) => {
    setMeta(d, { date: DATE, timeZone: ZONE }, srv);
    ids.a = addItem(d, { start: '09:00', minutes: 30, title: 'Talk A', kind: 'talk' }, srv);
    ids.b = addItem(d, { start: '09:30', minutes: 30, title: 'Talk B', kind: 'talk' }, srv);
    ids.c = addItem(d, { start: '10:00', minutes: 30, title: 'Talk C', kind: 'talk' }, srv);
  });
  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/boards/${board.id}/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  const list = async (): Promise<SnapshotJson[]> =>
    ((await (await api('snapshots', board.tokens.viewer)).json()) as { snapshots: SnapshotJson[] }).snapshots;
  const note = (id: string, text: string) =>
    server.docs.change(board.id, 'board', 'test', (d) =>
      addNote(d, { id, text, x: 0, y: 0, authorId: 'u1', authorName: 'Ana', itemId: null }, srv),
    );
  return { server, board, ids, api, list, note, go };
}

const notes = (server: TestServer, board: CreatedBoard) =>
  server.docs.read(board.id, 'board', (d) => readNotes(d).length);

describe('a day that follows the clock (issue 20)', () => {
  it('HS1: a talk that ends by the clock gets its snapshot, once; editing the agenda takes none', async () => {
    const { server, board, ids, list, note, go } = await clockDay('09:30', 1000);
    await note('n1', 'During talk A');
    await eventually(async () => expect(await notes(server, board)).toBe(1));
    expect(await list()).toEqual([]);
    go();
    // 09:30 passes: talk B is live by the clock, talk A's board is kept.
    await eventually(async () => expect(await list()).toHaveLength(1), { timeout: 10_000 });
    expect((await list())[0]).toMatchObject({ label: 'After Talk A', itemId: ids.a, kind: 'talk' });
    // An edit of the agenda during talk B changes no live item: nothing more.
    await server.docs.change(board.id, 'agenda', 'test', (d) =>
      updateItem(d, ids.b!, { title: 'Talk B, renamed' }, srv),
    );
    await note('n2', 'During talk B');
    const snap = await list();
    expect(snap).toHaveLength(1);
    // Pinning the talk that is already live by the clock ends nothing either.
    await server.docs.change(board.id, 'agenda', 'test', (d) => setCurrentItem(d, ids.b!, srv));
    // Moving on to talk C ends talk B, under its current title.
    await server.docs.change(board.id, 'agenda', 'test', (d) => setCurrentItem(d, ids.c!, srv));
    await eventually(async () => expect(await list()).toHaveLength(2));
    expect((await list())[1]).toMatchObject({ label: 'After Talk B, renamed', itemId: ids.b, kind: 'talk' });
  });

  it('HS3: a talk that ends right after an organizer’s snapshot still gets its “After …” entry', async () => {
    const { board, ids, api, list, note, go } = await clockDay('09:30', 1000);
    await note('n1', 'During talk A');
    const manual = await api('snapshots', board.tokens.organizer, {
      method: 'POST',
      body: JSON.stringify({ label: 'Before the break' }),
    });
    expect(manual.status).toBe(201);
    expect(((await manual.json()) as SnapshotJson).itemId).toBe(ids.a); // live by the clock
    go();
    await eventually(async () => expect(await list()).toHaveLength(2), { timeout: 15_000 });
    expect((await list()).map((s) => [s.kind, s.label])).toEqual([
      ['manual', 'Before the break'],
      ['talk', 'After Talk A'],
    ]);
    // A second manual snapshot of the same state is the newest one answering (HS3).
    const again = await api('snapshots', board.tokens.organizer, { method: 'POST', body: '{}' });
    expect(again.status).toBe(200);
    expect(await list()).toHaveLength(2);
  });

  it('QA1: a question asked while a talk is live by the clock is tagged with that talk', async () => {
    const { server, board, ids, api } = await clockDay('09:10', 0);
    const ana = await mintPerson(server.url, board.id, board.tokens.participant, 'Ana');
    const res = await api('questions', board.tokens.participant, {
      method: 'POST',
      headers: { 'x-plenary-user': ana.userId, 'x-plenary-key': ana.key },
      body: JSON.stringify({ text: 'Which data sets are open?', anonymous: false }),
    });
    expect(res.status).toBe(201);
    const listed = (await (await api('questions', board.tokens.viewer)).json()) as {
      questions: { text: string; itemId?: string | null }[];
    };
    const json = (await (await api('export.json', board.tokens.viewer)).json()) as {
      questions: { text: string; itemId: string | null }[];
    };
    expect(listed.questions.map((q) => q.text)).toEqual(['Which data sets are open?']);
    expect(json.questions).toMatchObject([{ text: 'Which data sets are open?', itemId: ids.a }]);
  });
});
