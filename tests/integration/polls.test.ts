import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readPolls } from '../../shared/ops/polls';
import { addItem } from '../../shared/ops/agenda';
import { boardPolls, localOrigin, serverOrigin } from '../../shared/schema';
import { mintPerson, SioClient, yWebsocketClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

type Role = 'organizer' | 'participant' | 'viewer';
interface Person {
  identity: Identity | null;
  token: string;
}
interface PollJson {
  id: string;
  kind: string;
  question: string;
  options: string[];
  multiple: boolean;
  itemId: string | null;
  status: string;
  resultsVisible: boolean;
  answers: number;
  results?: { counts?: number[]; mean?: number | null; words?: Record<string, number> };
}

async function env() {
  const server = await startTestServer();
  const board = await server.createBoard('Polls');
  const person = async (role: Role, name: string): Promise<Person> => ({
    identity: await mintPerson(server.url, board.id, board.tokens[role], name),
    token: board.tokens[role],
  });
  const olga = await person('organizer', 'Olga');
  const ana = await person('participant', 'Ana');
  const ben = await person('participant', 'Ben');
  const vic = await person('viewer', 'Vic');
  /** A participant's link without an issued identity (a per-connection guest). */
  const guest: Person = { identity: null, token: board.tokens.participant };
  const call = (who: Person, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/boards/${board.id}/polls${path}`, {
      method,
      headers: {
        authorization: `Bearer ${who.token}`,
        'content-type': 'application/json',
        ...(who.identity ? { 'x-plenary-user': who.identity.userId, 'x-plenary-key': who.identity.key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const create = async (body: unknown): Promise<PollJson> => {
    const res = await call(olga, 'POST', '', body);
    expect(res.status).toBe(201);
    return (await res.json()) as PollJson;
  };
  const open = async (id: string): Promise<void> => {
    expect((await call(olga, 'POST', `/${id}/open`)).status).toBe(200);
  };
  const list = async (who: Person): Promise<PollJson[]> => {
    const res = await call(who, 'GET', '');
    expect(res.status).toBe(200);
    return ((await res.json()) as { polls: PollJson[] }).polls;
  };
  const answer = (who: Person, id: string, body: unknown) => call(who, 'PUT', `/${id}/answer`, body);
  return { server, board, olga, ana, ben, vic, guest, call, create, open, list, answer };
}

describe('Live polls (issue 22, PO1–PO4)', () => {
  it('PO1: an organizer creates a draft, opens, edits, closes and deletes a poll; others may not', async () => {
    const e = await env();
    const p = await e.create({ kind: 'choice', question: ' Lunch? ', options: ['Pizza', ' Salad '] });
    expect(p).toMatchObject({
      kind: 'choice',
      question: 'Lunch?',
      options: ['Pizza', 'Salad'],
      multiple: false,
      itemId: null,
      status: 'draft',
    });
    for (const who of [e.ana, e.vic]) {
      expect((await e.call(who, 'POST', '', { kind: 'rating', question: 'x' })).status).toBe(403);
      expect((await e.call(who, 'POST', `/${p.id}/open`)).status).toBe(403);
      expect((await e.call(who, 'PATCH', `/${p.id}`, { resultsVisible: true })).status).toBe(403);
      expect((await e.call(who, 'DELETE', `/${p.id}`)).status).toBe(403);
    }
    await e.open(p.id);
    const patched = await e.call(e.olga, 'PATCH', `/${p.id}`, { question: 'Lunch today?' });
    expect(await patched.json()).toMatchObject({ question: 'Lunch today?', status: 'open' });
    const closed = await e.call(e.olga, 'POST', `/${p.id}/close`);
    expect(await closed.json()).toMatchObject({ status: 'closed' });
    expect((await e.list(e.vic)).map((x) => x.status)).toEqual(['closed']);
    expect((await e.call(e.olga, 'DELETE', `/${p.id}`)).status).toBe(204);
    expect(await e.list(e.olga)).toEqual([]);
    expect((await e.call(e.olga, 'DELETE', `/${p.id}`)).status).toBe(404);
    expect((await e.call(e.olga, 'POST', `/${p.id}/open`)).status).toBe(404);
  });

  it('PO1: a poll is checked when made (kinds, 2–10 options, question) with a clear 400', async () => {
    const e = await env();
    const bad = [
      [{ kind: 'quiz', question: 'Q' }, 'kind'],
      [{ kind: 'choice', question: 'Q', options: ['only one'] }, 'options'],
      [{ kind: 'choice', question: 'Q', options: Array.from({ length: 11 }, (_, i) => `o${i}`) }, 'options'],
      [{ kind: 'choice', question: 'Q', options: ['a', ' '] }, 'option'],
      [{ kind: 'rating', question: 'Q', options: ['a', 'b'] }, 'options'],
      [{ kind: 'words', question: '' }, 'question'],
      [{ kind: 'words', question: 'Q', multiple: 'yes' }, 'multiple'],
      [{ kind: 'words', question: 'Q', itemId: 'nosuchitem' }, 'itemId'],
      [{ kind: 'words', question: 'Q', itemId: 7 }, 'itemId'],
    ] as const;
    for (const [body, word] of bad) {
      const res = await e.call(e.olga, 'POST', '', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(word);
    }
    let talk = '';
    await e.server.docs.change(e.board.id, 'agenda', 'test', (d) => {
      talk = addItem(
        d,
        { start: '09:00', minutes: 30, title: 'Keynote', kind: 'talk' },
        serverOrigin('test'),
      );
    });
    const rating = await e.create({ kind: 'rating', question: 'How was it?', itemId: talk });
    expect(rating).toMatchObject({ options: [], itemId: talk, status: 'draft' });
  });

  it('PO2: answers: 409 unless open, 403 for viewers and per-connection guests, 401 with a wrong key, 400 when malformed', async () => {
    const e = await env();
    const p = await e.create({ kind: 'choice', question: 'Pick', options: ['A', 'B', 'C'] });
    expect((await e.answer(e.ana, p.id, { choices: [0] })).status).toBe(409);
    await e.open(p.id);
    expect((await e.answer(e.vic, p.id, { choices: [0] })).status).toBe(403);
    expect((await e.answer(e.guest, p.id, { choices: [0] })).status).toBe(403);
    const wrongKey: Person = {
      token: e.ana.token,
      identity: { userId: e.ana.identity!.userId, key: 'x'.repeat(43) },
    };
    expect((await e.answer(wrongKey, p.id, { choices: [0] })).status).toBe(401);
    for (const body of [
      { choices: [3] },
      { choices: [0, 1] },
      { choices: [] },
      { rating: 3 },
      { choices: ['0'] },
    ])
      expect((await e.answer(e.ana, p.id, body)).status).toBe(400);
    expect((await e.answer(e.ana, p.id, { choices: [1] })).status).toBe(200);
    // A later answer replaces the earlier one.
    expect((await e.answer(e.ana, p.id, { choices: [2] })).status).toBe(200);
    expect((await e.answer(e.olga, p.id, { choices: [2] })).status).toBe(200);
    const [seen] = await e.list(e.olga);
    expect(seen).toMatchObject({ answers: 2, results: { counts: [0, 0, 2] } });
    await e.call(e.olga, 'POST', `/${p.id}/close`);
    expect((await e.answer(e.ben, p.id, { choices: [0] })).status).toBe(409);
    expect((await e.answer(e.ana, 'nosuchpoll', { choices: [0] })).status).toBe(404);

    const multi = await e.create({
      kind: 'choice',
      question: 'All that apply',
      options: ['A', 'B'],
      multiple: true,
    });
    const rating = await e.create({ kind: 'rating', question: 'Rate' });
    await e.open(multi.id);
    await e.open(rating.id);
    expect((await e.answer(e.ana, multi.id, { choices: [1, 0, 1] })).status).toBe(200);
    for (const r of [0, 6, 2.5, '4'])
      expect((await e.answer(e.ana, rating.id, { rating: r })).status).toBe(400);
    expect((await e.answer(e.ana, rating.id, { rating: 4 })).status).toBe(200);
    expect((await e.answer(e.ben, rating.id, { rating: 5 })).status).toBe(200);
    const polls = await e.list(e.olga);
    expect(polls.find((x) => x.id === multi.id)!.results).toEqual({ counts: [1, 1] });
    expect(polls.find((x) => x.id === rating.id)!.results).toEqual({ counts: [0, 0, 0, 1, 1], mean: 4.5 });
  });

  it('PO2: words are counted after trimming, case-folding and NFKC; at most 3 of at most 25 characters', async () => {
    const e = await env();
    const p = await e.create({ kind: 'words', question: 'One word for today?' });
    await e.open(p.id);
    for (const words of [[], ['a', 'b', 'c', 'd'], ['x'.repeat(26)], ['   '], [7], ['__proto__']])
      expect((await e.answer(e.ana, p.id, { words })).status).toBe(400);
    expect((await e.answer(e.ana, p.id, { words: ['Privacy', ' Open  Source '] })).status).toBe(200);
    expect((await e.answer(e.ben, p.id, { words: ['privacy ', 'PRIVACY', 'ｏｐｅｎ source'] })).status).toBe(
      200,
    );
    expect((await e.answer(e.olga, p.id, { words: ['Ｐｒｉｖａｃｙ'] })).status).toBe(200);
    const [seen] = await e.list(e.olga);
    expect(seen!.results).toEqual({ words: { privacy: 3, 'open source': 2 } });
  });

  it('PO4: while resultsVisible is false participants and viewers get no results, in the route or the board document', async () => {
    const e = await env();
    const p = await e.create({ kind: 'choice', question: 'Pick', options: ['A', 'B'] });
    await e.open(p.id);
    await e.answer(e.ana, p.id, { choices: [1] });
    for (const who of [e.ana, e.vic]) {
      const [seen] = await e.list(who);
      expect(seen).toMatchObject({ answers: 1, resultsVisible: false });
      expect(seen).not.toHaveProperty('results');
    }
    expect((await e.list(e.olga))[0]!.results).toEqual({ counts: [0, 1] });
    await eventually(async () => {
      const inDoc = await e.server.docs.read(e.board.id, 'board', (d) => readPolls(d)[0]);
      expect(inDoc).toMatchObject({ answers: 1, results: null });
    });
    // No answer, and no person's id, is ever in the board document.
    const bytes = await e.server.docs.read(e.board.id, 'board', (d) => Buffer.from(Y.encodeStateAsUpdate(d)));
    expect(bytes.includes(Buffer.from(e.ana.identity!.userId))).toBe(false);

    await e.call(e.olga, 'PATCH', `/${p.id}`, { resultsVisible: true });
    for (const who of [e.ana, e.vic]) expect((await e.list(who))[0]!.results).toEqual({ counts: [0, 1] });
    await e.call(e.olga, 'PATCH', `/${p.id}`, { resultsVisible: false });
    expect((await e.list(e.vic))[0]).not.toHaveProperty('results');
  });

  it('PO2: two simultaneous answers from the same person (two tabs) count once', async () => {
    const e = await env();
    const p = await e.create({ kind: 'choice', question: 'Pick', options: ['A', 'B'] });
    await e.open(p.id);
    const replies = await Promise.all([
      e.answer(e.ana, p.id, { choices: [0] }),
      e.answer(e.ana, p.id, { choices: [1] }),
      e.answer(e.ana, p.id, { choices: [1] }),
      e.answer(e.ben, p.id, { choices: [0] }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const [seen] = await e.list(e.olga);
    expect(seen!.answers).toBe(2);
    expect(seen!.results!.counts!.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('PO3: results reach clients of both transports live through the board document; a client may not write polls (forbidden)', async () => {
    const e = await env();
    const sio = new SioClient(
      e.server.url,
      { board: e.board.id, token: e.ben.token, name: 'Ben' },
      { identity: e.ben.identity! },
    );
    const yws = yWebsocketClient(e.server.wsUrl, e.board.id, 'board', e.board.tokens.viewer);
    await eventually(() => {
      expect(sio.synced.has('board')).toBe(true);
      expect(yws.provider.synced).toBe(true);
    });
    const p = await e.create({ kind: 'words', question: 'A word?' });
    await e.open(p.id);
    await e.call(e.olga, 'PATCH', `/${p.id}`, { resultsVisible: true });
    await e.answer(e.ana, p.id, { words: ['Hello'] });
    for (const doc of [sio.docs.board, yws.doc])
      await eventually(() =>
        expect(readPolls(doc)[0]).toMatchObject({
          status: 'open',
          answers: 1,
          results: { words: { hello: 1 } },
        }),
      );

    sio.docs.board.transact(() => {
      const m = new Y.Map<unknown>();
      m.set('kind', 'words');
      m.set('question', 'Forged');
      boardPolls(sio.docs.board).set('forged', m);
      (boardPolls(sio.docs.board).get(p.id) as Y.Map<unknown>).set('answers', 99);
    }, localOrigin(e.ben.identity!.userId));
    await eventually(() => expect(sio.denials.at(-1)).toMatchObject({ code: 'forbidden' }));
    const stored = await e.server.docs.read(e.board.id, 'board', (d) => readPolls(d));
    expect(stored.map((x) => [x.id, x.answers])).toEqual([[p.id, 1]]);
  });
});
