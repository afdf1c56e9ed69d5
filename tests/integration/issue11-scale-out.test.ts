import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { addItem, setCurrentItem, setMeta } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { readQuestions } from '../../shared/ops/questions';
import { localOrigin, readNotes, serverOrigin } from '../../shared/schema';
import { createLogger } from '../../server/log';
import { PostgresStore } from '../../server/persistence/postgres';
import { RedisRelay } from '../../server/relay/redis';
import { mintPerson, SioClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { PG_URL, postgresAvailable, REDIS_URL, redisAvailable, uniqueSchema } from '../helpers/services';

/**
 * Issue 11 on two instances sharing PostgreSQL and Redis: the Q&A inbox is
 * one per board whichever instance a request reaches (QA2), and the history
 * snapshots a talk once, on the instance that stored the live-item change (HS1).
 */
const available = (await postgresAvailable()) && (await redisAvailable());
const schema = uniqueSchema();

afterAll(async () => {
  if (!available) return;
  const client = new pg.Client(PG_URL);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await client.end();
});

async function instance(): Promise<TestServer> {
  const log = createLogger('silent');
  const relay = new RedisRelay(REDIS_URL, log, `plenary-test-${schema}:`);
  await relay.ready();
  return startTestServer({}, { store: new PostgresStore(PG_URL, schema), relay, log });
}

function call(
  server: TestServer,
  board: CreatedBoard,
  token: string,
  who: Identity | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${server.url}/api/boards/${board.id}/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(who ? { 'x-plenary-user': who.userId, 'x-plenary-key': who.key } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe.skipIf(!available)('issue 11 on two instances (PostgreSQL + Redis)', () => {
  it('QA2: moderation and the waiting questions are the same on both instances; an approved question reaches clients of both', async () => {
    const a = await instance();
    const b = await instance();
    const board = await a.createBoard('Two instances');
    const olga = await mintPerson(a.url, board.id, board.tokens.organizer, 'Olga');
    const ana = await mintPerson(b.url, board.id, board.tokens.participant, 'Ana');
    const onA = new SioClient(a.url, { board: board.id, token: board.tokens.viewer, name: 'Vic' });
    const onB = new SioClient(b.url, { board: board.id, token: board.tokens.viewer, name: 'Val' });
    await eventually(() => expect(onA.synced.size + onB.synced.size).toBe(6));

    // Moderation switched on through A applies to a question asked through B.
    expect(
      (await call(a, board, board.tokens.organizer, olga, 'PUT', 'questions/settings', { moderated: true }))
        .status,
    ).toBe(200);
    const asked = await call(b, board, board.tokens.participant, ana, 'POST', 'questions', {
      text: 'Asked on B',
    });
    expect(((await asked.json()) as { status: string }).status).toBe('pending');
    // The organizer on A sees it waiting; then approves it there.
    const waiting = (await (
      await call(a, board, board.tokens.organizer, olga, 'GET', 'questions')
    ).json()) as {
      waiting: { id: string; text: string }[];
    };
    expect(waiting.waiting.map((q) => q.text)).toEqual(['Asked on B']);
    expect(
      (
        await call(
          a,
          board,
          board.tokens.organizer,
          null,
          'POST',
          `questions/${waiting.waiting[0]!.id}/approve`,
        )
      ).status,
    ).toBe(200);
    await eventually(() => {
      expect(readQuestions(onA.docs.board).map((q) => q.text)).toEqual(['Asked on B']);
      expect(readQuestions(onB.docs.board).map((q) => q.text)).toEqual(['Asked on B']);
    });
    // Nothing waits any more, seen from B.
    const afterB = (await (
      await call(b, board, board.tokens.organizer, olga, 'GET', 'questions')
    ).json()) as {
      waiting: unknown[];
    };
    expect(afterB.waiting).toEqual([]);
  });

  it('HS1: a live-item change made on one instance is snapshotted once, and both instances list it', async () => {
    const a = await instance();
    const b = await instance();
    const board = await a.createBoard('History on two');
    const srv = serverOrigin('test');
    let talkA = '';
    let talkB = '';
    await a.docs.change(board.id, 'agenda', 'test', (d) => {
      talkA = addItem(d, { start: '09:00', minutes: 30, title: 'First', kind: 'talk' }, srv);
      talkB = addItem(d, { start: '09:30', minutes: 30, title: 'Second', kind: 'talk' }, srv);
      setCurrentItem(d, talkA, srv);
    });
    const olgaId = await mintPerson(b.url, board.id, board.tokens.organizer, 'Olga');
    const anaId = await mintPerson(a.url, board.id, board.tokens.participant, 'Ana');
    const olga = new SioClient(
      b.url,
      { board: board.id, token: board.tokens.organizer, name: 'Olga' },
      { identity: olgaId },
    );
    const ana = new SioClient(
      a.url,
      { board: board.id, token: board.tokens.participant, name: 'Ana' },
      { identity: anaId },
    );
    await eventually(() => expect(olga.synced.size + ana.synced.size).toBe(6));
    addNote(
      ana.docs.board,
      { text: 'Written on A', x: 0, y: 0, authorId: anaId.userId, authorName: 'Ana', itemId: talkA },
      localOrigin(anaId.userId),
    );
    await eventually(async () =>
      expect(await b.docs.read(board.id, 'board', (d) => readNotes(d))).toHaveLength(1),
    );
    // The organizer, connected to B, moves on to the second talk.
    setCurrentItem(olga.docs.agenda, talkB, localOrigin(olgaId.userId));
    const list = async (s: TestServer) =>
      (
        (await (await call(s, board, board.tokens.viewer, null, 'GET', 'snapshots')).json()) as {
          snapshots: { label: string; itemId: string }[];
        }
      ).snapshots;
    await eventually(async () => expect(await list(b)).toHaveLength(1));
    expect(await list(a)).toEqual(await list(b));
    expect((await list(a))[0]).toMatchObject({ label: 'After First', itemId: talkA });

    // A saw that change relayed: it takes no snapshot of its own, also not when it later
    // stores other agenda changes while the board has changed.
    addNote(
      ana.docs.board,
      { text: 'Second note', x: 0, y: 0, authorId: anaId.userId, authorName: 'Ana', itemId: talkB },
      localOrigin(anaId.userId),
    );
    await eventually(async () =>
      expect(await a.docs.read(board.id, 'board', (d) => readNotes(d))).toHaveLength(2),
    );
    await a.docs.change(board.id, 'agenda', 'test', (d) => setMeta(d, { title: 'Renamed on A' }, srv));
    // The next switch, made through A, is snapshotted by A with the right label.
    await a.docs.change(board.id, 'agenda', 'test', (d) => setCurrentItem(d, talkA, srv));
    await eventually(async () => expect(await list(b)).toHaveLength(2));
    expect((await list(a)).map((s) => s.label)).toEqual(['After First', 'After Second']);
  });
});
