import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addItem } from '../../shared/ops/agenda';
import { addNote, castVote } from '../../shared/ops/board';
import {
  castGroupVote,
  createGroup,
  deleteGroup,
  moveGroup,
  renameGroup,
  retractGroupVote,
  setGroupVotes,
  setNoteGroup,
} from '../../shared/ops/groups';
import { openVoting } from '../../shared/ops/live';
import {
  boardGroups,
  localOrigin,
  readGroups,
  readLive,
  readNotes,
  serverOrigin,
  type Group,
  type Note,
} from '../../shared/schema';
import { mintPerson, SioClient, type Identity } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { threeTopicNotes } from '../fixtures/notes/three-topics';

const srv = serverOrigin('test');

interface Env {
  server: TestServer;
  board: CreatedBoard;
  org: SioClient;
  ana: SioClient;
  ben: SioClient;
}

const identities = new WeakMap<
  SioClient,
  { identity: Identity; role: 'organizer' | 'participant'; name: string }
>();

async function person(
  server: TestServer,
  board: CreatedBoard,
  role: 'organizer' | 'participant',
  name: string,
  identity?: Identity,
): Promise<SioClient> {
  const id = identity ?? (await mintPerson(server.url, board.id, board.tokens[role], name));
  const c = new SioClient(server.url, { board: board.id, token: board.tokens[role], name }, { identity: id });
  identities.set(c, { identity: id, role, name });
  await eventually(() => expect(c.synced.size).toBe(3));
  return c;
}

/**
 * A refused change, sent from a fresh connection of the same person (a
 * client that keeps a refused change is out of step with the server, so
 * each attempt starts from the server's state). Returns the denial.
 */
async function refused(env: Env, as: SioClient, change: (board: Y.Doc, userId: string) => void) {
  const who = identities.get(as)!;
  const c = await person(env.server, env.board, who.role, who.name, who.identity);
  await eventually(() => expect(readLive(c.docs.agenda)).toEqual(readLive(as.docs.agenda)));
  c.docs.board.transact(() => change(c.docs.board, who.identity.userId), localOrigin(who.identity.userId));
  await eventually(() => expect(c.denials).toHaveLength(1));
  c.close();
  return c.denials[0]!;
}

/** A board with two participants' notes, an organizer and two participants connected over Socket.io. */
async function setup(): Promise<Env> {
  const server = await startTestServer();
  const board = await server.createBoard('Groups');
  const org = await person(server, board, 'organizer', 'Olga');
  const ana = await person(server, board, 'participant', 'Ana');
  const ben = await person(server, board, 'participant', 'Ben');
  for (const [c, id] of [
    [ana, 'a1'],
    [ana, 'a2'],
    [ben, 'b1'],
  ] as const) {
    const name = c === ana ? 'Ana' : 'Ben';
    addNote(
      c.docs.board,
      { id, text: `note ${id}`, x: 0, y: 0, authorId: c.session!.userId, authorName: name, itemId: null },
      localOrigin(c.session!.userId),
    );
  }
  await eventually(async () => {
    expect(await serverNotes(server, board)).toHaveLength(3);
    for (const c of [org, ana, ben]) expect(readNotes(c.docs.board)).toHaveLength(3);
  });
  return { server, board, org, ana, ben };
}

const serverNotes = (s: TestServer, b: CreatedBoard): Promise<Note[]> =>
  s.docs.read(b.id, 'board', (d) => readNotes(d));
const serverGroups = (s: TestServer, b: CreatedBoard): Promise<Group[]> =>
  s.docs.read(b.id, 'board', (d) => readGroups(d));
const as = (c: SioClient) => localOrigin(c.session!.userId);

/** Waits for the organizer's live switches to reach a client. */
async function liveOnClients(env: Env, check: (c: SioClient) => boolean): Promise<void> {
  await eventually(() => {
    for (const c of [env.org, env.ana, env.ben]) expect(check(c)).toBe(true);
  });
}

/** Opens voting (5 each) with votes going to groups or not. */
async function voting(env: Env, groupVotes: boolean): Promise<void> {
  await env.server.docs.change(env.board.id, 'agenda', 'test', (d) => {
    openVoting(d, 5, srv);
    setGroupVotes(d, groupVotes, srv);
  });
  await liveOnClients(env, (c) => {
    const l = readLive(c.docs.agenda);
    return l.votingOpen && l.groupVotes === groupVotes;
  });
}

describe('groups of notes (GR1–GR3)', () => {
  it('GR1: a participant groups notes (anyone’s), titles, moves and ungroups them; everyone converges', async () => {
    const env = await setup();
    const { server, board, ana, ben } = env;
    const g = createGroup(ben.docs.board, { title: 'Ideas', x: 10, y: 20 }, ['a1', 'b1'], as(ben));
    await eventually(async () => {
      const groups = await serverGroups(server, board);
      expect(groups).toEqual([{ id: g, title: 'Ideas', x: 10, y: 20, votes: {} }]);
    });
    // Ana works on the group once her copy has it (the server has it before she does).
    await eventually(() => expect(readGroups(ana.docs.board).map((x) => x.id)).toEqual([g]));
    renameGroup(ana.docs.board, g, 'Ideas for the lab', as(ana));
    moveGroup(ana.docs.board, g, 110, 220, as(ana));
    setNoteGroup(ana.docs.board, 'a2', g, as(ana));
    setNoteGroup(ana.docs.board, 'b1', null, as(ana));
    await eventually(async () => {
      const notes = await serverNotes(server, board);
      const byId = new Map(notes.map((n) => [n.id, n]));
      expect(byId.get('a1')).toMatchObject({ groupId: g, x: 100, y: 200 });
      expect(byId.get('a2')!.groupId).toBe(g);
      expect(byId.get('b1')!.groupId ?? null).toBeNull();
      expect((await serverGroups(server, board))[0]).toMatchObject({
        title: 'Ideas for the lab',
        x: 110,
        y: 220,
      });
      for (const c of [env.org, ben]) {
        expect(readGroups(c.docs.board)).toEqual(await serverGroups(server, board));
        expect(readNotes(c.docs.board)).toEqual(notes);
      }
    });
    deleteGroup(ben.docs.board, g, as(ben));
    await eventually(async () => {
      expect(await serverGroups(server, board)).toEqual([]);
      expect((await serverNotes(server, board)).every((n) => (n.groupId ?? null) === null)).toBe(true);
    });
    expect([...ana.denials, ...ben.denials]).toEqual([]);
  });

  it('GR1: malformed groups are refused whole (schema), and nothing reaches the others', async () => {
    const env = await setup();
    const { server, board, ana } = env;
    const attempts: ((d: Y.Doc) => void)[] = [
      // x is not a number
      (d) => {
        const m = new Y.Map<unknown>();
        m.set('title', new Y.Text('t'));
        m.set('x', 'left');
        m.set('y', 0);
        boardGroups(d).set('bad1', m);
      },
      // the title is a plain string, not a shared text
      (d) => {
        const m = new Y.Map<unknown>();
        m.set('title', 'plain');
        m.set('x', 0);
        m.set('y', 0);
        boardGroups(d).set('bad2', m);
      },
      // a field the schema does not have
      (d) => {
        const m = new Y.Map<unknown>();
        m.set('x', 0);
        m.set('y', 0);
        m.set('owner', 'me');
        boardGroups(d).set('bad3', m);
      },
      // a title over 200 characters
      (d) => {
        const m = new Y.Map<unknown>();
        m.set('title', new Y.Text('x'.repeat(201)));
        m.set('x', 0);
        m.set('y', 0);
        boardGroups(d).set('bad4', m);
      },
      // a group that is not a map
      (d) => boardGroups(d).set('bad5', 'just text' as unknown as Y.Map<unknown>),
      // a note's groupId that is not an id
      (d) => {
        const n = d.getMap('notes').get('a1') as Y.Map<unknown>;
        n.set('groupId', { nested: true });
      },
    ];
    for (const attempt of attempts)
      expect(await refused(env, ana, (d) => attempt(d))).toMatchObject({ doc: 'board', code: 'schema' });
    expect(await serverGroups(server, board)).toEqual([]);
    expect(readGroups(env.ben.docs.board)).toEqual([]);
    expect((await serverNotes(server, board)).find((n) => n.id === 'a1')!.groupId ?? null).toBeNull();
  });

  it('GR2: a participant may not remove a group that has votes, nor its votes; an organizer may', async () => {
    const env = await setup();
    const { server, board, org, ana, ben } = env;
    const g = createGroup(ana.docs.board, { title: 'Voted', x: 0, y: 0 }, ['a1'], as(ana));
    await voting(env, true);
    await eventually(() => expect(readGroups(ben.docs.board)).toHaveLength(1));
    castGroupVote(ben.docs.board, g, ben.session!.userId, readLive(ben.docs.agenda), as(ben));
    await eventually(async () =>
      expect((await serverGroups(server, board))[0]!.votes).toEqual({ [ben.session!.userId]: 1 }),
    );
    await eventually(() =>
      expect(readGroups(ana.docs.board)[0]!.votes).toEqual({ [ben.session!.userId]: 1 }),
    );

    expect(await refused(env, ana, (d) => deleteGroup(d, g, as(ana)))).toMatchObject({ code: 'forbidden' });
    expect(
      await refused(env, ana, (d) => {
        boardGroups(d).get(g)!.set('votes', new Y.Map());
      }),
    ).toMatchObject({ code: 'forbidden' });
    expect(await serverGroups(server, board)).toHaveLength(1);
    expect((await serverGroups(server, board))[0]!.votes).toEqual({ [ben.session!.userId]: 1 });

    deleteGroup(org.docs.board, g, as(org));
    await eventually(async () => expect(await serverGroups(server, board)).toEqual([]));
    expect(org.denials).toEqual([]);
  });

  it('GR3: votes go to groups only while the organizer says so; one budget over notes and groups; own votes only', async () => {
    const env = await setup();
    const { server, board, org, ana, ben } = env;
    const g = createGroup(ana.docs.board, { title: 'G', x: 0, y: 0 }, ['a1', 'a2'], as(ana));
    const h = createGroup(ana.docs.board, { title: 'H', x: 0, y: 0 }, ['b1'], as(ana));
    await eventually(() => expect(readGroups(ben.docs.board)).toHaveLength(2));
    const benId = ben.session!.userId;

    // Votes to notes: a vote on a group is refused, one on a note is fine.
    await voting(env, false);
    castVote(ben.docs.board, 'a1', benId, readLive(ben.docs.agenda), as(ben));
    await eventually(async () =>
      expect((await serverNotes(server, board)).find((n) => n.id === 'a1')!.votes).toEqual({ [benId]: 1 }),
    );
    const groupVote =
      (id: string, count: (before: number) => number, voter?: string) => (d: Y.Doc, me: string) => {
        const votes = boardGroups(d).get(id)!.get('votes') as Y.Map<number>;
        votes.set(voter ?? me, count(votes.get(voter ?? me) ?? 0));
      };
    expect(
      await refused(
        env,
        ben,
        groupVote(g, () => 1),
      ),
    ).toMatchObject({ code: 'forbidden' });
    expect((await serverGroups(server, board)).find((x) => x.id === g)!.votes).toEqual({});

    // Votes to groups: a new vote on a note is refused; group votes count against the same 5.
    await voting(env, true);
    expect(
      await refused(env, ben, (d, me) => {
        const note = d.getMap('notes').get('b1') as Y.Map<unknown>;
        (note.get('votes') as Y.Map<number>).set(me, 1);
      }),
    ).toMatchObject({ code: 'forbidden' });
    // Ben has 1 vote on a note: 4 more go to groups, the 6th is refused.
    for (let i = 0; i < 4; i++)
      castGroupVote(ben.docs.board, i % 2 ? g : h, benId, readLive(ben.docs.agenda), as(ben));
    const given = async () =>
      (await serverGroups(server, board)).reduce((s, x) => s + (x.votes[benId] ?? 0), 0);
    await eventually(async () => expect(await given()).toBe(4));
    await eventually(() =>
      expect(readGroups(ben.docs.board).reduce((s, x) => s + (x.votes[benId] ?? 0), 0)).toBe(4),
    );
    expect(
      await refused(
        env,
        ben,
        groupVote(g, (n) => n + 1),
      ),
    ).toMatchObject({ code: 'no-votes-left' });
    // Someone else's vote entry on a group is refused.
    expect(
      await refused(
        env,
        ana,
        groupVote(h, () => 3, benId),
      ),
    ).toMatchObject({ code: 'forbidden' });
    // Taking a vote back is fine, and the organizer may clear votes.
    retractGroupVote(ben.docs.board, g, benId, readLive(ben.docs.agenda), as(ben));
    await eventually(async () => expect(await given()).toBe(3));
    org.docs.board.transact(() => {
      (boardGroups(org.docs.board).get(h)!.get('votes') as Y.Map<number>).delete(benId);
    }, as(org));
    await eventually(async () => expect(await given()).toBe(1));
    expect([...ben.denials, ...org.denials]).toEqual([]);
  });
});

describe('suggested groups and exports (GR4, GR5)', () => {
  async function topicBoard() {
    const server = await startTestServer();
    const board = await server.createBoard('Three topics');
    await server.docs.change(board.id, 'board', 'test', (d) => {
      for (const [i, n] of threeTopicNotes().entries())
        addNote(
          d,
          {
            id: n.id,
            text: n.text,
            x: i * 10,
            y: 0,
            authorId: 'u1',
            authorName: 'U',
            itemId: null,
            createdAt: i,
          },
          srv,
        );
    });
    return { server, board };
  }
  const post = (server: TestServer, board: CreatedBoard, token: string, body: unknown = {}) =>
    fetch(`${server.url}/api/boards/${board.id}/groups/suggest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('GR4: the organizer gets each topic as one group, titled, and the board is not changed', async () => {
    const { server, board } = await topicBoard();
    const before = await server.docs.read(board.id, 'board', (d) => Y.encodeStateVector(d));
    const res = await post(server, board, board.tokens.organizer);
    expect(res.status).toBe(200);
    const { groups } = (await res.json()) as { groups: { title: string; noteIds: string[] }[] };
    expect(groups).toHaveLength(3);
    for (const topic of ['coffee', 'deploy', 'hiring']) {
      const g = groups.find((x) => x.noteIds.some((id) => id.startsWith(topic)))!;
      expect(g.noteIds.every((id) => id.startsWith(topic))).toBe(true);
      expect(g.noteIds).toHaveLength(5);
      expect(g.title.length).toBeGreaterThan(0);
    }
    const after = await server.docs.read(board.id, 'board', (d) => Y.encodeStateVector(d));
    expect(after).toEqual(before);
  });

  it('GR4: participants and viewers may not ask (403); a malformed body is 400; one talk only with itemId', async () => {
    const { server, board } = await topicBoard();
    expect((await post(server, board, board.tokens.participant)).status).toBe(403);
    expect((await post(server, board, board.tokens.viewer)).status).toBe(403);
    expect((await post(server, board, 'wrong')).status).toBe(401);
    expect((await post(server, board, board.tokens.organizer, { itemId: 42 })).status).toBe(400);
    expect((await post(server, board, board.tokens.organizer, [1, 2])).status).toBe(400);
    const none = await post(server, board, board.tokens.organizer, { itemId: 'no-such-talk' });
    expect(await none.json()).toEqual({ groups: [] });
  });

  it('GR5: export.json lists groups with their notes and votes, each note its groupId; the minutes list notes under their groups', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Export groups');
    let g = '';
    await server.docs.change(board.id, 'agenda', 'test', (d) => {
      addItem(d, { start: '09:00', minutes: 30, title: 'Talk one', kind: 'talk' }, srv);
      openVoting(d, 5, srv);
      setGroupVotes(d, true, srv);
    });
    await server.docs.change(board.id, 'board', 'test', (d) => {
      const mk = (id: string, text: string) =>
        addNote(d, { id, text, x: 0, y: 0, authorId: 'u1', authorName: 'Una', itemId: null }, srv);
      mk('n1', 'Grouped first');
      mk('n2', 'Grouped second');
      mk('n3', 'On its own');
      g = createGroup(d, { title: 'Our *group*', x: 0, y: 0 }, ['n1', 'n2'], srv);
      castGroupVote(d, g, 'voter-1', { votingOpen: true, votesPerPerson: 5, groupVotes: true }, srv);
    });
    const get = (path: string) =>
      fetch(`${server.url}/api/boards/${board.id}/${path}`, {
        headers: { authorization: `Bearer ${board.tokens.viewer}` },
      });
    const json = (await (await get('export.json')).json()) as {
      groups: { id: string; title: string; noteIds: string[]; votes: Record<string, number> }[];
      notes: { id: string; groupId: string | null }[];
    };
    expect(json.groups).toEqual([
      { id: g, title: 'Our *group*', noteIds: ['n1', 'n2'], votes: { 'voter-1': 1 } },
    ]);
    expect(Object.fromEntries(json.notes.map((n) => [n.id, n.groupId]))).toEqual({ n1: g, n2: g, n3: null });

    const md = await (await get('export.md')).text();
    const section = md.slice(md.indexOf('## Notes'), md.indexOf('## Tasks'));
    expect(section).toContain('### Group: Our \\*group\\* (1 vote)');
    const groupPart = section.slice(section.indexOf('### Group'));
    expect(groupPart.indexOf('Grouped first')).toBeGreaterThan(0);
    expect(groupPart.indexOf('Grouped second')).toBeGreaterThan(0);
    // Grouped notes are listed once, under their group.
    expect(section.split('Grouped first')).toHaveLength(2);
    expect(section).toContain('On its own');
  });
});
