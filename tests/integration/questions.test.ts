import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { readQuestions } from '../../shared/ops/questions';
import { boardQuestions, localOrigin, serverOrigin } from '../../shared/schema';
import { QUESTIONS_PER_MINUTE } from '../../server/http/questions';
import { mintPerson, SioClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

const srv = serverOrigin('test');

/** Every byte a client was sent, as text (frames are UTF-8 inside; a search finds any string they carry). */
class Recorder {
  private readonly chunks: Buffer[] = [];
  add(data: unknown): void {
    if (data instanceof ArrayBuffer) this.chunks.push(Buffer.from(data));
    else if (ArrayBuffer.isView(data))
      this.chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else if (Array.isArray(data)) for (const d of data) this.add(d);
    else if (typeof data === 'string') this.chunks.push(Buffer.from(data));
    else if (data !== undefined) this.chunks.push(Buffer.from(JSON.stringify(data) ?? ''));
  }
  saw(s: string): boolean {
    return Buffer.concat(this.chunks).includes(Buffer.from(s));
  }
  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }
}

const providers: WebsocketProvider[] = [];
afterEach(() => {
  for (const p of providers.splice(0)) {
    p.destroy();
    p.doc.destroy();
  }
});

/** A stock y-websocket client of the board document that records everything it is sent. */
function stockClient(
  server: TestServer,
  board: CreatedBoard,
  token: string,
): { doc: Y.Doc; rec: Recorder; provider: WebsocketProvider } {
  const rec = new Recorder();
  class RecordingSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('message', (d: unknown) => rec.add(d));
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.wsUrl}/yjs`, `${board.id}/board`, doc, {
    WebSocketPolyfill: RecordingSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
  });
  providers.push(provider);
  return { doc, rec, provider };
}

interface Person {
  identity: Identity;
  name: string;
  token: string;
}

async function env() {
  const server = await startTestServer();
  const board = await server.createBoard('Q&A');
  let talk = '';
  await server.docs.change(board.id, 'agenda', 'test', (d) => {
    talk = addItem(d, { start: '09:00', minutes: 30, title: 'Keynote', kind: 'talk' }, srv);
    setCurrentItem(d, talk, srv);
  });
  const person = async (role: 'organizer' | 'participant' | 'viewer', name: string): Promise<Person> => ({
    identity: await mintPerson(server.url, board.id, board.tokens[role], name),
    name,
    token: board.tokens[role],
  });
  const olga = await person('organizer', 'Olga Organizer');
  const ana = await person('participant', 'Ana Asker');
  const ben = await person('participant', 'Ben Bystander');
  const vic = await person('viewer', 'Vic Viewer');

  // Everyone who must never see a waiting question, each recording what it is sent.
  const benSio = new SioClient(
    server.url,
    { board: board.id, token: ben.token, name: ben.name },
    { identity: ben.identity },
  );
  const benRec = new Recorder();
  benSio.socket.onAny((...args: unknown[]) => benRec.add(args));
  const stockParticipant = stockClient(server, board, board.tokens.participant);
  const stockViewer = stockClient(server, board, board.tokens.viewer);
  await eventually(() => {
    expect(benSio.synced.size).toBe(3);
    expect(stockParticipant.provider.synced).toBe(true);
    expect(stockViewer.provider.synced).toBe(true);
  });
  const watchers = [
    { name: 'Ben (Socket.io)', rec: benRec, doc: benSio.docs.board },
    { name: 'stock participant', rec: stockParticipant.rec, doc: stockParticipant.doc },
    { name: 'stock viewer', rec: stockViewer.rec, doc: stockViewer.doc },
  ];

  const call = (who: Person | null, method: string, path: string, body?: unknown, token?: string) =>
    fetch(`${server.url}/api/boards/${board.id}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token ?? who?.token ?? ''}`,
        'content-type': 'application/json',
        ...(who ? { 'x-plenary-user': who.identity.userId, 'x-plenary-key': who.identity.key } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ask = async (who: Person, text: string, anonymous = false) => {
    const res = await call(who, 'POST', 'questions', { text, anonymous });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; status: string; authorName: string | null };
  };
  const list = async (who: Person | null, token?: string) => {
    const res = await call(who, 'GET', 'questions', undefined, token);
    expect(res.status).toBe(200);
    return (await res.json()) as {
      moderated: boolean;
      questions: {
        id: string;
        text: string;
        upvotes: number;
        status: string;
        pinned: boolean;
        authorName: string | null;
        upvoted?: boolean;
      }[];
      waiting: { id: string; text: string; status: string; mine?: boolean; authorName: string | null }[];
    };
  };
  return { server, board, talk, olga, ana, ben, vic, benSio, watchers, call, ask, list };
}

const onBoard = (doc: Y.Doc) => readQuestions(doc);

describe('Q&A per talk (QA1–QA5)', () => {
  it('QA1: a question is tagged with the live talk and reaches every client; an anonymous one carries no author', async () => {
    const e = await env();
    const q = await e.ask(e.ana, 'What about privacy?');
    expect(q.status).toBe('visible');
    const anon = await e.ask(e.ana, 'Is the budget real?', true);
    expect(anon.authorName).toBeNull();
    await eventually(() => {
      for (const w of e.watchers)
        expect(
          onBoard(w.doc)
            .map((x) => x.text)
            .sort(),
        ).toEqual(['Is the budget real?', 'What about privacy?']);
    });
    for (const w of e.watchers) {
      const named = onBoard(w.doc).find((x) => x.id === q.id)!;
      expect(named).toMatchObject({
        authorName: 'Ana Asker',
        itemId: e.talk,
        status: 'visible',
        pinned: false,
      });
      // The anonymous one: no name, and nothing else of its author in the entry.
      const entry = boardQuestions(w.doc).get(anon.id)!;
      expect(entry.get('authorName')).toBe('');
      expect([...entry.keys()].sort()).toEqual([
        'authorName',
        'createdAt',
        'itemId',
        'pinned',
        'status',
        'text',
        'votes',
      ]);
      expect(JSON.stringify(entry.toJSON())).not.toContain(e.ana.identity.userId);
    }
    const seen = await e.list(e.ben);
    expect(seen.questions.find((x) => x.id === anon.id)!.authorName).toBeNull();
    expect(JSON.stringify(seen)).not.toContain(e.ana.identity.userId);

    // Who may ask: participants and organizers with their identity.
    expect((await e.call(e.vic, 'POST', 'questions', { text: 'Viewer?' })).status).toBe(403);
    expect(
      (await e.call(null, 'POST', 'questions', { text: 'Nobody?' }, e.board.tokens.participant)).status,
    ).toBe(401);
    const wrongKey = { ...e.ana, identity: { ...e.ana.identity, key: 'not-the-key' } };
    expect((await e.call(wrongKey, 'POST', 'questions', { text: 'Forged?' })).status).toBe(401);
    for (const text of ['', '   ', 'x'.repeat(501), 42])
      expect((await e.call(e.ana, 'POST', 'questions', { text })).status).toBe(400);
  });

  it('QA1: one person asks at most QUESTIONS_PER_MINUTE questions a minute (429 with Retry-After); others still can', async () => {
    const e = await env();
    for (let i = 0; i < QUESTIONS_PER_MINUTE; i++) await e.ask(e.ana, `Question ${i}`);
    const over = await e.call(e.ana, 'POST', 'questions', { text: 'One too many' });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
    // A forged user id header gets 401 and does not use anyone's budget.
    const forged = await e.call(
      { ...e.ben, identity: { ...e.ben.identity, key: 'wrong' } },
      'POST',
      'questions',
      { text: 'Forged' },
    );
    expect(forged.status).toBe(401);
    await e.ask(e.ben, 'Ben still asks');
    expect(await e.server.docs.read(e.board.id, 'board', (d) => readQuestions(d).length)).toBe(
      QUESTIONS_PER_MINUTE + 1,
    );
  });

  it('QA1: a client may not write questions itself (forbidden): the server writes them', async () => {
    const e = await env();
    const q = await e.ask(e.ana, 'Real question');
    await eventually(() => expect(onBoard(e.benSio.docs.board)).toHaveLength(1));
    e.benSio.docs.board.transact(() => {
      const m = new Y.Map<unknown>();
      m.set('text', 'Injected');
      m.set('authorName', 'Ben');
      m.set('itemId', null);
      m.set('createdAt', 1);
      m.set('status', 'visible');
      m.set('pinned', true);
      m.set('votes', new Y.Map());
      boardQuestions(e.benSio.docs.board).set('forged', m);
    }, localOrigin(e.ben.identity.userId));
    await eventually(() => expect(e.benSio.denials.at(-1)).toMatchObject({ code: 'forbidden' }));
    const ids = await e.server.docs.read(e.board.id, 'board', (d) => readQuestions(d).map((x) => x.id));
    expect(ids).toEqual([q.id]);
  });

  it('QA2: while moderated, a waiting question is never sent to participants or viewers; only organizers and its author see it', async () => {
    const e = await env();
    expect((await e.call(e.ana, 'PUT', 'questions/settings', { moderated: true })).status).toBe(403);
    expect((await e.call(e.olga, 'PUT', 'questions/settings', { moderated: true })).status).toBe(200);
    const secret = 'SECRET-waiting-question-7f3a';
    const anonSecret = 'ANON-waiting-question-19c2';
    const q = await e.ask(e.ana, secret);
    const anon = await e.ask(e.ana, anonSecret, true);
    expect(q.status).toBe('pending');
    // Something else happens on the board meanwhile (the watchers keep receiving).
    const visibleBefore = await e.call(e.olga, 'POST', 'questions', { text: 'Organizer asks openly' });
    expect(visibleBefore.status).toBe(201); // moderation holds organizers' questions too
    expect(((await visibleBefore.json()) as { status: string }).status).toBe('pending');

    // The organizer sees both waiting questions; the anonymous one without its author.
    const org = await e.list(e.olga);
    expect(org.moderated).toBe(true);
    expect(org.waiting.map((x) => x.text)).toEqual([secret, anonSecret, 'Organizer asks openly']);
    expect(org.waiting.find((x) => x.id === anon.id)!.authorName).toBeNull();
    expect(JSON.stringify(org)).not.toContain(e.ana.identity.userId);
    // Its author sees their own, marked; Ben and the viewer see none.
    const mine = await e.list(e.ana);
    expect(mine.waiting.map((x) => [x.text, x.mine])).toEqual([
      [secret, true],
      [anonSecret, true],
    ]);
    expect((await e.list(e.ben)).waiting).toEqual([]);
    expect((await e.list(e.vic)).waiting).toEqual([]);
    expect((await e.list(null, e.board.tokens.participant)).waiting).toEqual([]);
    // Only an organizer approves or rejects.
    expect((await e.call(e.ana, 'POST', `questions/${q.id}/approve`)).status).toBe(403);

    // Approve one, reject the other: the approved one reaches everyone, the rejected one no one.
    expect((await e.call(e.olga, 'POST', `questions/${q.id}/approve`)).status).toBe(200);
    expect((await e.call(e.olga, 'POST', `questions/${anon.id}/reject`)).status).toBe(200);
    expect((await e.call(e.olga, 'POST', `questions/${anon.id}/approve`)).status).toBe(404);
    await eventually(() => {
      for (const w of e.watchers) expect(onBoard(w.doc).map((x) => x.text)).toEqual([secret]);
    });
    for (const w of e.watchers) {
      // The recorder does see what is sent: the approved question is there.
      expect(w.rec.saw(secret), `${w.name} recorded the approved question`).toBe(true);
      expect(w.rec.saw(anonSecret), `${w.name} was sent the rejected question`).toBe(false);
      expect(w.rec.saw('Organizer asks openly'), `${w.name} was sent a waiting question`).toBe(false);
    }
    expect((await e.list(e.olga)).waiting.map((x) => x.text)).toEqual(['Organizer asks openly']);

    // One person cannot flood the organizers' inbox: 20 waiting questions at most.
    for (let i = 0; i < 20; i++) await e.ask(e.ben, `Flood ${i}`);
    expect((await e.call(e.ben, 'POST', 'questions', { text: 'One too many' })).status).toBe(429);
    expect((await e.call(e.ana, 'POST', 'questions', { text: 'Ana may still ask' })).status).toBe(201);
  });

  it('QA3: the organizer marks answered, pins, hides (taken off every client) and shows again with its upvotes', async () => {
    const e = await env();
    const a = await e.ask(e.ana, 'First question');
    const b = await e.ask(e.ben, 'Second question');
    expect((await e.call(e.ben, 'PUT', `questions/${a.id}/upvote`)).status).toBe(200);
    expect((await e.call(e.ana, 'PATCH', `questions/${b.id}`, { pinned: true })).status).toBe(403);
    expect((await e.call(e.olga, 'PATCH', `questions/${b.id}`, { pinned: true })).status).toBe(200);
    expect((await e.call(e.olga, 'PATCH', `questions/${a.id}`, { status: 'answered' })).status).toBe(200);
    expect((await e.call(e.olga, 'PATCH', `questions/${a.id}`, { status: 'gone' })).status).toBe(400);
    await eventually(() => {
      for (const w of e.watchers)
        expect(onBoard(w.doc).map((x) => [x.text, x.status, x.pinned, x.voters.length])).toEqual([
          ['Second question', 'visible', true, 0],
          ['First question', 'answered', false, 1],
        ]);
    });
    expect((await e.call(e.olga, 'PATCH', `questions/${a.id}`, { status: 'hidden' })).status).toBe(200);
    await eventually(() => {
      for (const w of e.watchers) expect(onBoard(w.doc).map((x) => x.id)).toEqual([b.id]);
    });
    expect((await e.list(e.ben)).waiting).toEqual([]);
    expect((await e.list(e.olga)).waiting).toMatchObject([{ id: a.id, status: 'hidden', upvotes: 1 }]);
    expect((await e.call(e.olga, 'PATCH', `questions/${a.id}`, { status: 'answered' })).status).toBe(200);
    await eventually(() => {
      for (const w of e.watchers) {
        const back = onBoard(w.doc).find((x) => x.id === a.id);
        expect(back).toMatchObject({ status: 'answered', voters: [e.ben.identity.userId] });
      }
    });
  });

  it('QA4: one upvote per person per question, enforced by the server; questions sort by upvotes', async () => {
    const e = await env();
    const a = await e.ask(e.ana, 'Less popular');
    const b = await e.ask(e.ana, 'More popular');
    for (let i = 0; i < 3; i++)
      expect((await e.call(e.ben, 'PUT', `questions/${b.id}/upvote`)).status).toBe(200);
    expect((await e.call(e.ana, 'PUT', `questions/${b.id}/upvote`)).status).toBe(200);
    expect((await e.call(e.olga, 'PUT', `questions/${a.id}/upvote`)).status).toBe(200);
    expect((await e.call(e.vic, 'PUT', `questions/${a.id}/upvote`)).status).toBe(403);
    expect(
      (await e.call(null, 'PUT', `questions/${a.id}/upvote`, undefined, e.board.tokens.participant)).status,
    ).toBe(401);
    expect((await e.call(e.ben, 'PUT', 'questions/nosuch/upvote')).status).toBe(404);
    const seen = await e.list(e.ben);
    expect(seen.questions.map((x) => [x.text, x.upvotes, x.upvoted])).toEqual([
      ['More popular', 2, true],
      ['Less popular', 1, false],
    ]);
    expect((await e.call(e.ben, 'DELETE', `questions/${b.id}/upvote`)).status).toBe(200);
    expect((await e.list(e.ben)).questions.find((x) => x.id === b.id)!.upvotes).toBe(1);
    await eventually(() => {
      for (const w of e.watchers)
        expect(onBoard(w.doc).find((x) => x.id === b.id)!.voters).toEqual([e.ana.identity.userId]);
    });
    // A waiting question cannot be upvoted.
    await e.call(e.olga, 'PUT', 'questions/settings', { moderated: true });
    const waiting = await e.ask(e.ana, 'Waiting one');
    expect((await e.call(e.ben, 'PUT', `questions/${waiting.id}/upvote`)).status).toBe(404);
  });

  it('QA5: export.json lists questions (waiting ones only for organizers); the minutes list each talk’s questions', async () => {
    const e = await env();
    const a = await e.ask(e.ana, 'Answered one');
    await e.ask(e.ana, 'Open one', true);
    await e.call(e.ben, 'PUT', `questions/${a.id}/upvote`);
    await e.call(e.olga, 'PATCH', `questions/${a.id}`, { status: 'answered' });
    await e.call(e.olga, 'PUT', 'questions/settings', { moderated: true });
    await e.ask(e.ana, 'Still waiting');
    const exported = async (who: Person) =>
      (await (await e.call(who, 'GET', 'export.json')).json()) as {
        questions: {
          id: string;
          text: string;
          authorName: string | null;
          itemId: string | null;
          createdAt: number;
          upvotes: number;
          status: string;
        }[];
      };
    const forBen = await exported(e.ben);
    expect(forBen.questions.map((q) => [q.text, q.status, q.upvotes, q.authorName])).toEqual([
      ['Answered one', 'answered', 1, 'Ana Asker'],
      ['Open one', 'visible', 0, null],
    ]);
    expect(Object.keys(forBen.questions[0]!).sort()).toEqual([
      'authorName',
      'createdAt',
      'id',
      'itemId',
      'status',
      'text',
      'upvotes',
    ]);
    expect(forBen.questions[0]!.itemId).toBe(e.talk);
    const forOlga = await exported(e.olga);
    expect(forOlga.questions.map((q) => [q.text, q.status])).toContainEqual(['Still waiting', 'pending']);
    expect(JSON.stringify(await exported(e.vic))).not.toContain('Still waiting');

    const md = await (await e.call(e.vic, 'GET', 'export.md')).text();
    const section = md.slice(md.indexOf('## Questions'), md.indexOf('## Tasks'));
    expect(section).toContain('### Keynote');
    expect(section).toMatch(/- \[x\] \*\*1 upvote\*\*: Answered one — Ana Asker \*\(answered\)\*/);
    expect(section).toMatch(/- \[ \] \*\*0 upvotes\*\*: Open one \*\(not answered\)\*/);
    expect(section).not.toContain('Still waiting');
  });
});
