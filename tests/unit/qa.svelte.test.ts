import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { publishQuestion, type Question } from '../../shared/ops/questions';
import { readNotes, readTasks, serverOrigin } from '../../shared/schema';
import { startChildServer } from '../helpers/child-server';
import { fakeSession } from '../helpers/fake-session';
import type { Person } from '../../client/src/lib/sync/identity';
import { QaState, questionsFor } from '../../client/src/lib/qa/qa.svelte';

const srv = serverOrigin('test');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const question = (id: string, over: Partial<Question> = {}): Question => ({
  id,
  text: `Question ${id}`,
  authorName: 'Ana',
  itemId: null,
  createdAt: 1,
  status: 'visible',
  pinned: false,
  voters: [],
  ...over,
});

/** Node's HTTP client as `fetch` (the DOM environment's fetch applies page rules to a test server). */
function nodeFetch(base: string): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), base);
    const body = typeof init.body === 'string' ? init.body : undefined;
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        url,
        { method: init.method ?? 'GET', headers: init.headers as Record<string, string> },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve(new Response(Buffer.concat(chunks).toString('utf8'), { status: res.statusCode ?? 500 })),
          );
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }) as typeof fetch;
}

describe('QaState', () => {
  it('QA4: public questions come from the board document, pinned first then by upvotes, for the live talk or all', () => {
    const session = fakeSession('participant', { user: { id: 'me', name: 'Me' } });
    const talk = addItem(session.docs.agenda, { start: '09:00', minutes: 30, title: 'Talk' }, srv);
    setCurrentItem(session.docs.agenda, talk, srv);
    const qa = new QaState(session, () => null);
    const cleanup = $effect.root(() => {
      $effect(() => {
        void qa.questions;
      });
    });
    try {
      publishQuestion(session.docs.board, question('a', { itemId: talk, voters: ['x'] }), srv);
      publishQuestion(session.docs.board, question('b', { itemId: talk, voters: ['x', 'me'] }), srv);
      publishQuestion(session.docs.board, question('c', { itemId: null, pinned: true }), srv);
      publishQuestion(session.docs.board, question('d', { itemId: talk, pinned: true }), srv);
      flushSync();
      expect(qa.liveItemId).toBe(talk);
      expect(qa.questions.map((q) => q.id)).toEqual(['c', 'd', 'b', 'a']);
      expect(questionsFor(qa.questions, 'talk', talk).map((q) => q.id)).toEqual(['d', 'b', 'a']);
      expect(qa.upvoted(qa.questions.find((q) => q.id === 'b')!)).toBe(true);
      expect(qa.upvoted(qa.questions.find((q) => q.id === 'a')!)).toBe(false);
      expect(qa.canAsk).toBe(true);
      expect(new QaState(fakeSession('viewer'), () => null).canAsk).toBe(false);
    } finally {
      cleanup();
      session.destroy();
    }
  });

  it('QA3: an organizer turns a question into a note or a task of its talk in one action; others may not', () => {
    const session = fakeSession('organizer', { user: { id: 'olga', name: 'Olga' }, nowMs: 5000 });
    const talk = addItem(session.docs.agenda, { start: '09:00', minutes: 30, title: 'Talk' }, srv);
    const qa = new QaState(session, () => null);
    const q = question('q1', { text: 'How do we fund this?', itemId: talk });
    const noteId = qa.toNote(q)!;
    expect(readNotes(session.docs.board)).toEqual([
      expect.objectContaining({
        id: noteId,
        text: 'How do we fund this?',
        itemId: talk,
        authorId: 'olga',
        authorName: 'Olga',
        createdAt: 5000,
      }),
    ]);
    const second = qa.toNote(q)!;
    expect(readNotes(session.docs.board).find((n) => n.id === second)!.y).toBeGreaterThan(0);
    const taskId = qa.toTask(q)!;
    expect(readTasks(session.docs.tasks)).toEqual([
      expect.objectContaining({ id: taskId, title: 'How do we fund this?', itemId: talk, status: 'open' }),
    ]);
    const participant = fakeSession('participant');
    const theirs = new QaState(participant, () => null);
    expect(theirs.toNote(q)).toBeNull();
    expect(theirs.toTask(q)).toBeNull();
    expect(readNotes(participant.docs.board)).toEqual([]);
    session.destroy();
    participant.destroy();
  });

  it('QA2: asks, moderates and approves through the real server; a waiting question is shown to its author and organizers only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plenary-qa-'));
    dirs.push(dir);
    const server = await startChildServer({ DB_FILE: path.join(dir, 'qa.db') });
    const http = nodeFetch(server.url);
    const created = (await (
      await http(`${server.url}/api/boards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Q&A client' }),
      })
    ).json()) as { id: string; tokens: Record<'organizer' | 'participant' | 'viewer', string> };
    const person = async (role: 'organizer' | 'participant', name: string): Promise<Person> =>
      (await (
        await http(`${server.url}/api/boards/${created.id}/people`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${created.tokens[role]}` },
          body: JSON.stringify({ name }),
        })
      ).json()) as Person;
    const state = async (role: 'organizer' | 'participant' | 'viewer', name: string) => {
      const p = role === 'viewer' ? null : await person(role, name);
      const session = {
        ...fakeSession(role, { user: { id: p?.userId ?? 'viewer', name } }),
        boardId: created.id,
        token: created.tokens[role],
      };
      return new QaState(session, () => p, http);
    };
    const olga = await state('organizer', 'Olga');
    const ana = await state('participant', 'Ana');
    const ben = await state('participant', 'Ben');
    const vic = await state('viewer', 'Vic');

    expect(await ana.ask('   ', false)).toBeNull();
    expect(ana.error).toBe('Write a question first.');

    await olga.setModerated(true);
    expect(olga.moderated).toBe(true);
    expect(await ana.ask('Will the slides be shared?', true)).toBe('pending');
    expect(ana.waiting.map((q) => [q.text, q.mine, q.authorName])).toEqual([
      ['Will the slides be shared?', true, null],
    ]);
    await ben.refresh();
    await vic.refresh();
    expect(ben.waiting).toEqual([]);
    expect(vic.waiting).toEqual([]);
    expect(ben.moderated).toBe(true);
    await olga.refresh();
    expect(olga.waiting.map((q) => q.text)).toEqual(['Will the slides be shared?']);

    await olga.decide(olga.waiting[0]!.id, true);
    expect(olga.waiting).toEqual([]);
    const exported = (await (
      await http(`${server.url}/api/boards/${created.id}/export.json`, {
        headers: { authorization: `Bearer ${created.tokens.viewer}` },
      })
    ).json()) as { questions: { text: string; status: string; authorName: string | null }[] };
    expect(exported.questions).toEqual([
      expect.objectContaining({ text: 'Will the slides be shared?', status: 'visible', authorName: null }),
    ]);

    // A refused action tells the person why.
    await ben.decide('nope', true);
    expect(ben.error).toMatch(/organizer/);
  }, 60_000);
});
