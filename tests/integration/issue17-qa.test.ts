import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { QuestionsPush } from '../../shared/protocol';
import { SOCKET_PATH } from '../../shared/protocol';
import { readQuestions } from '../../shared/ops/questions';
import { readRoster } from '../../shared/schema';
import type { Config } from '../../server/config';
import { MAX_WAITING_PER_PERSON } from '../../server/questions/service';
import { mintPerson, SioClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * Issue 17: a Q&A that stays usable (QA6, QA7), pushed instead of polled
 * (QA9), history that forgets what was hidden (QA8), guests that leave no
 * trace (R5). A real server on port 0, real HTTP and Socket.io clients.
 */

type Role = 'organizer' | 'participant' | 'viewer';
interface Person {
  identity: Identity;
  token: string;
  role: Role;
}

async function env(overrides: Partial<Config> = {}) {
  const server = await startTestServer(overrides);
  const board = await server.createBoard('Q&A');
  const person = async (role: Role, name: string): Promise<Person> => ({
    identity: await mintPerson(server.url, board.id, board.tokens[role], name),
    token: board.tokens[role],
    role,
  });
  const call = (who: Person | { token: string }, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/boards/${board.id}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${who.token}`,
        'content-type': 'application/json',
        ...('identity' in who
          ? { 'x-plenary-user': who.identity.userId, 'x-plenary-key': who.identity.key }
          : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ask = async (who: Person, text: string, status = 201) => {
    const res = await call(who, 'POST', 'questions', { text });
    expect(res.status, await res.clone().text()).toBe(status);
    return (await res.json()) as { id: string; status: string };
  };
  const organizerList = async (who: Person) =>
    (await (await call(who, 'GET', 'questions')).json()) as {
      moderated: boolean;
      questions: { id: string; text: string }[];
      waiting: { id: string; text: string; status: string }[];
    };
  const publicTexts = () =>
    server.docs.read(board.id, 'board', (d) =>
      readQuestions(d)
        .map((q) => q.text)
        .sort(),
    );
  const moderate = async (org: Person, on: boolean) =>
    expect((await call(org, 'PUT', 'questions/settings', { moderated: on })).status).toBe(200);
  return { server, board, person, call, ask, organizerList, publicTexts, moderate };
}

describe('QA6: the questions cap stays usable', () => {
  it('QA6: hidden and rejected questions do not count, an organizer is never refused', async () => {
    const { person, call, ask, organizerList, moderate } = await env({ maxQuestions: 6 });
    const org = await person('organizer', 'Olga');
    const troll = await person('participant', 'Troll');
    const honest = await person('participant', 'Hana');
    const asked = [];
    for (let i = 0; i < 6; i++) asked.push(await ask(troll, `spam ${i}`));
    const full = await call(honest, 'POST', 'questions', { text: 'a real question' });
    expect(full.status).toBe(409);
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe('board-full');
    // The organizer is never refused for the cap.
    expect((await ask(org, 'organizer question')).status).toBe('visible');
    // Hiding frees places: hidden questions do not count.
    for (const q of asked.slice(0, 3))
      expect((await call(org, 'PATCH', `questions/${q.id}`, { status: 'hidden' })).status).toBe(200);
    await ask(honest, 'a real question');
    // Waiting questions count; rejected ones do not.
    await moderate(org, true);
    const waiting = await ask(troll, 'waiting spam');
    expect(waiting.status).toBe('pending');
    await call(honest, 'POST', 'questions', { text: 'another' }).then((r) => expect(r.status).toBe(409));
    expect((await call(org, 'POST', `questions/${waiting.id}/reject`)).status).toBe(200);
    expect((await ask(honest, 'another')).status).toBe('pending');
    expect((await organizerList(org)).waiting.filter((q) => q.status === 'hidden')).toHaveLength(3);
  });

  it('QA6: one address cannot fill the board by minting people (QUESTIONS_PER_ADDRESS, 429 Retry-After)', async () => {
    const { person, call, ask } = await env({ questionsPerAddress: 4 });
    const org = await person('organizer', 'Olga');
    const people = await Promise.all([0, 1, 2, 3, 4].map((i) => person('participant', `Sock ${i}`)));
    for (const [i, p] of people.slice(0, 4).entries()) await ask(p, `question ${i}`);
    const refused = await call(people[4]!, 'POST', 'questions', { text: 'one too many' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Organizers are not counted.
    await ask(org, 'still fine');
  });

  it('QA6: one person has at most MAX_QUESTIONS_PER_PERSON public and waiting questions', async () => {
    const { person, call, ask, moderate } = await env();
    const org = await person('organizer', 'Olga');
    const troll = await person('participant', 'Troll');
    await moderate(org, true);
    const ids: string[] = [];
    for (let i = 0; i < MAX_WAITING_PER_PERSON; i++) ids.push((await ask(troll, `q${i}`)).id);
    for (const id of ids) expect((await call(org, 'POST', `questions/${id}/approve`)).status).toBe(200);
    for (let i = 0; i < 10; i++) await ask(troll, `more ${i}`);
    const refused = await call(troll, 'POST', 'questions', { text: 'the 31st' });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/30 questions/);
  });
});

describe('QA7: an organizer deletes questions, one or all of a person’s', () => {
  it('QA7: DELETE removes a public, waiting or hidden question; only organizers', async () => {
    const { person, call, ask, organizerList, publicTexts, moderate } = await env();
    const org = await person('organizer', 'Olga');
    const ana = await person('participant', 'Ana');
    const pub = await ask(ana, 'public one');
    const hidden = await ask(ana, 'hidden one');
    await call(org, 'PATCH', `questions/${hidden.id}`, { status: 'hidden' });
    await moderate(org, true);
    const waiting = await ask(ana, 'waiting one');
    expect((await call(ana, 'DELETE', `questions/${pub.id}`)).status).toBe(403);
    for (const q of [pub, hidden, waiting])
      expect((await call(org, 'DELETE', `questions/${q.id}`)).status).toBe(204);
    expect((await call(org, 'DELETE', `questions/${pub.id}`)).status).toBe(404);
    expect(await publicTexts()).toEqual([]);
    expect((await organizerList(org)).waiting).toEqual([]);
  });

  it('QA7: hide, reject or delete all questions of the person who asked one, never naming them', async () => {
    const { person, call, ask, organizerList, publicTexts, moderate } = await env();
    const org = await person('organizer', 'Olga');
    const troll = await person('participant', 'Troll');
    const ana = await person('participant', 'Ana');
    const first = await ask(troll, 'troll 1');
    await ask(troll, 'troll 2');
    await ask(ana, 'ana public');
    await moderate(org, true);
    await ask(troll, 'troll waiting 1');
    await ask(troll, 'troll waiting 2');
    await ask(ana, 'ana waiting');
    expect((await call(ana, 'POST', `questions/${first.id}/author`, { action: 'hide' })).status).toBe(403);
    expect((await call(org, 'POST', `questions/${first.id}/author`, { action: 'nope' })).status).toBe(400);

    const rejected = await call(org, 'POST', `questions/${first.id}/author`, { action: 'reject' });
    expect(await rejected.json()).toEqual({ count: 2 });
    expect((await organizerList(org)).waiting.map((q) => q.text)).toEqual(['ana waiting']);

    const hidden = await call(org, 'POST', `questions/${first.id}/author`, { action: 'hide' });
    expect(await hidden.json()).toEqual({ count: 2 });
    expect(await publicTexts()).toEqual(['ana public']);
    const list = await organizerList(org);
    expect(
      list.waiting
        .filter((q) => q.status === 'hidden')
        .map((q) => q.text)
        .sort(),
    ).toEqual(['troll 1', 'troll 2']);
    expect(JSON.stringify(list)).not.toContain(troll.identity.userId);

    const deleted = await call(org, 'POST', `questions/${first.id}/author`, { action: 'delete' });
    expect(await deleted.json()).toEqual({ count: 2 });
    expect((await organizerList(org)).waiting.map((q) => q.text)).toEqual(['ana waiting']);
    expect(await publicTexts()).toEqual(['ana public']);
    expect((await call(org, 'POST', `questions/${first.id}/author`, { action: 'delete' })).status).toBe(404);
  });
});

describe('QA8: history forgets what was hidden', () => {
  it('QA8: a question public at snapshot time and hidden later is in no snapshot export', async () => {
    const { board, person, call, ask } = await env();
    const org = await person('organizer', 'Olga');
    const ana = await person('participant', 'Ana');
    const secret = await ask(ana, 'the question that gets hidden');
    await ask(ana, 'the question that stays');
    const snap = (await (await call(org, 'POST', 'snapshots', { label: 'with questions' })).json()) as {
      id: string;
    };
    const exported = async (token: string) => {
      const res = await call({ token }, 'GET', `snapshots/${snap.id}/export.json`);
      expect(res.status).toBe(200);
      return ((await res.json()) as { questions: { text: string }[] }).questions.map((q) => q.text);
    };
    expect(await exported(board.tokens.viewer)).toContain('the question that gets hidden');
    await call(org, 'PATCH', `questions/${secret.id}`, { status: 'hidden' });
    for (const token of [board.tokens.participant, board.tokens.viewer, board.tokens.organizer])
      expect(await exported(token)).toEqual(['the question that stays']);
    const svg = await call({ token: board.tokens.viewer }, 'GET', `snapshots/${snap.id}/board.svg`);
    expect(await svg.text()).not.toContain('gets hidden');
    // Shown again, it is history again.
    await call(org, 'PATCH', `questions/${secret.id}`, { status: 'visible' });
    expect((await exported(board.tokens.viewer)).sort()).toEqual([
      'the question that gets hidden',
      'the question that stays',
    ]);
  });
});

/** A Socket.io client that keeps every `questions` push. */
function listener(
  server: TestServer,
  board: CreatedBoard,
  who: Person,
): { pushes: QuestionsPush[]; sio: SioClient } {
  const sio = new SioClient(server.url, { board: board.id, token: who.token }, { identity: who.identity });
  const pushes: QuestionsPush[] = [];
  sio.socket.on('questions', (p) => pushes.push(p));
  return { pushes, sio };
}

describe('QA9: waiting questions are pushed, not polled', () => {
  it('QA9: organizers get every waiting question, its author their own, others only the switch', async () => {
    const { server, board, person, call, ask, moderate } = await env();
    const org = await person('organizer', 'Olga');
    const ana = await person('participant', 'Ana');
    const ben = await person('participant', 'Ben');
    const o = listener(server, board, org);
    const a = listener(server, board, ana);
    const b = listener(server, board, ben);
    await eventually(() => expect([o, a, b].every((l) => l.sio.session !== null)).toBe(true));
    await moderate(org, true);
    await eventually(() => expect(b.pushes.at(-1)).toEqual({ moderated: true }));
    const q = await ask(ana, 'secret waiting question');
    await eventually(() => {
      expect(o.pushes.at(-1)?.waiting?.map((w) => w.text)).toEqual(['secret waiting question']);
      expect(a.pushes.at(-1)?.waiting?.map((w) => [w.text, w.mine])).toEqual([
        ['secret waiting question', true],
      ]);
    });
    await call(org, 'POST', `questions/${q.id}/approve`);
    await eventually(() => {
      expect(o.pushes.at(-1)?.waiting).toEqual([]);
      expect(a.pushes.at(-1)?.waiting).toEqual([]);
    });
    expect(JSON.stringify(b.pushes)).not.toContain('secret');
    expect(b.pushes.every((p) => p.waiting === undefined)).toBe(true);
    for (const l of [o, a, b]) l.sio.close();
  });
});

describe('R5: Socket.io guests leave the roster with their connection', () => {
  it('R5: 60 guest joins (no userId) closed right after `session` leave no roster entry', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    await Promise.all(
      Array.from(
        { length: 60 },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const s = io(server.url, {
              path: SOCKET_PATH,
              auth: { board: b.id, token: b.tokens.participant, name: `guest ${i}` },
              transports: i % 2 === 0 ? ['websocket'] : ['polling', 'websocket'],
              reconnection: false,
              forceNew: true,
            });
            s.on('session', () => {
              s.close();
              resolve();
            });
            s.on('connect_error', reject);
          }),
      ),
    );
    await eventually(async () =>
      expect(await server.docs.read(b.id, 'board', (d) => readRoster(d).length)).toBe(0),
    );
  });
});
