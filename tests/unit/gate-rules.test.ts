import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkUpdate, ClientIds, type VoteReport } from '../../server/sync/gate';
import { BOARD_LIMITS, type Actor, type BoardLimits } from '../../shared/policy';
import { addNote, castVote, deleteNote, moveNote, noteText } from '../../shared/ops/board';
import { castGroupVote, createGroup, deleteGroup } from '../../shared/ops/groups';
import { createTask } from '../../shared/ops/tasks';
import {
  agendaItems,
  agendaTimeline,
  boardInfo,
  boardNotes,
  boardRoster,
  boardQuestions,
  DEFAULT_LIVE,
  localOrigin,
  privateNotes,
  serverOrigin,
  taskMap,
  type DocKind,
  type LiveState,
} from '../../shared/schema';

/**
 * The rule gate as the pure function it is (docs/SPEC.md G1–G5, GR1–GR3, PW1,
 * QA1, B2): each case builds the server's document, makes one edit on a copy of
 * it as a client would, and hands the resulting update to `checkUpdate`. What
 * needs a real server (transports, refusal frames, resync) stays in
 * tests/integration/rule-gate.test.ts.
 */

type Person = Actor & { name: string };
const person = (role: Actor['role'], userId: string, name: string, issued = true): Person => ({
  role,
  userId,
  name,
  pseudonym: `anon-${userId}`,
  issued,
});
const ORG = person('organizer', 'olga', 'Olga');
const HANA = person('participant', 'hana', 'Hana');
const ALI = person('participant', 'ali', 'Ali');
const GUEST = person('participant', 'guest', 'Guest', false);

const SERVER = serverOrigin('test fixture');
const VOTING: LiveState = { ...DEFAULT_LIVE, votingOpen: true, votesPerPerson: 3 };

/** A note by `who` with id `id`, written by the server (fixtures skip the gate). */
const noteBy = (doc: Y.Doc, who: Person, id: string): string =>
  addNote(
    doc,
    { id, text: 'idea', x: 0, y: 0, authorId: who.userId, authorName: who.name, itemId: null },
    SERVER,
  );

interface Case {
  name: string;
  kind?: DocKind;
  who: Person;
  /** The server's document before the update. */
  given?: (doc: Y.Doc) => void;
  /** The edit, on a client's copy of that document. */
  edit: (doc: Y.Doc) => void;
  live?: LiveState;
  limits?: Partial<BoardLimits>;
  privateWriting?: boolean;
  /** The denial code, or null when the update is accepted. */
  expected: string | null;
}

/** Runs one case through the gate: the denial's code, or null. */
function gate(c: Case, votes?: VoteReport): string | null {
  const server = new Y.Doc();
  if (c.given) c.given(server);
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  c.edit(client);
  const update = Y.encodeStateAsUpdate(client, Y.encodeStateVector(server));
  const denial = checkUpdate(
    {
      kind: c.kind ?? 'board',
      doc: server,
      conn: 'connection',
      actor: c.who,
      live: c.live ?? DEFAULT_LIVE,
      limits: { ...BOARD_LIMITS, ...c.limits },
      clientIds: new ClientIds<string>(),
      docBytes: 0,
      votes,
      privateWriting: c.privateWriting,
    },
    update,
  );
  return denial?.code ?? null;
}

const run = (cases: Case[]): void => {
  for (const c of cases) it(c.name, () => expect(gate(c)).toBe(c.expected));
};

describe('G2: notes carry their author; only the author or an organizer removes them', () => {
  const hanasNote = (d: Y.Doc): string => noteBy(d, HANA, 'n1');
  run([
    {
      name: 'G2: a participant adds a note under their own id and name',
      who: HANA,
      edit: (d) => noteBy(d, HANA, 'n2'),
      expected: null,
    },
    {
      name: "G2: a new note under someone else's id is refused",
      who: HANA,
      edit: (d) => noteBy(d, ALI, 'n2'),
      expected: 'forbidden',
    },
    {
      name: 'G2: an organizer may write a note under any name (undo of a deletion)',
      who: ORG,
      edit: (d) => noteBy(d, ALI, 'n2'),
      expected: null,
    },
    {
      name: 'G2: the author deletes their note',
      who: HANA,
      given: hanasNote,
      edit: (d) => boardNotes(d).delete('n1'),
      expected: null,
    },
    {
      name: "G2: deleting another person's note is refused",
      who: ALI,
      given: hanasNote,
      edit: (d) => boardNotes(d).delete('n1'),
      expected: 'forbidden',
    },
    {
      name: "G2: replacing another person's note is refused",
      who: ALI,
      given: hanasNote,
      edit: (d) => boardNotes(d).set('n1', new Y.Map()),
      expected: 'forbidden',
    },
    {
      name: "G2: an organizer deletes anyone's note",
      who: ORG,
      given: hanasNote,
      edit: (d) => deleteNote(d, 'n1', ORG, localOrigin(ORG.userId)),
      expected: null,
    },
    {
      name: "G2: only an organizer changes a note's createdAt (the author neither)",
      who: HANA,
      given: hanasNote,
      edit: (d) => boardNotes(d).get('n1')!.set('createdAt', 1),
      expected: 'forbidden',
    },
    {
      name: "G2: an organizer changes a note's createdAt",
      who: ORG,
      given: hanasNote,
      edit: (d) => boardNotes(d).get('n1')!.set('createdAt', 1),
      expected: null,
    },
    {
      name: "G2: anyone edits the characters of a note's text and moves it",
      who: ALI,
      given: hanasNote,
      edit: (d) => {
        noteText(d, 'n1')!.insert(0, 'better ');
        moveNote(d, 'n1', 10, 20, localOrigin(ALI.userId));
      },
      expected: null,
    },
    {
      name: "G2: the author removing their note's votes map (everyone's votes) is refused",
      who: HANA,
      given: hanasNote,
      edit: (d) => boardNotes(d).get('n1')!.delete('votes'),
      expected: 'forbidden',
    },
    {
      name: "G2: another participant removing a note's colour is refused",
      who: ALI,
      given: hanasNote,
      edit: (d) => boardNotes(d).get('n1')!.delete('color'),
      expected: 'forbidden',
    },
  ]);
});

describe('G2, QA1, B2: the roster, the questions and the board info are written by the server only', () => {
  const entry = (): Y.Map<unknown> => new Y.Map();
  run([
    {
      name: 'G2: an organizer writing the roster is refused',
      who: ORG,
      edit: (d) => boardRoster(d).set('x', entry()),
      expected: 'forbidden',
    },
    {
      name: 'QA1: a participant writing a question is refused',
      who: HANA,
      edit: (d) => boardQuestions(d).set('q', entry()),
      expected: 'forbidden',
    },
    {
      name: 'B2: an organizer writing the board title is refused',
      who: ORG,
      edit: (d) => boardInfo(d).set('title', 'Mine'),
      expected: 'forbidden',
    },
    {
      name: 'B2: removing a field of the board info is refused',
      who: ORG,
      given: (d) => boardInfo(d).set('title', 'Ours'),
      edit: (d) => boardInfo(d).delete('title'),
      expected: 'forbidden',
    },
  ]);
});

describe('G3: one’s own votes, while voting is open, within the budget', () => {
  const given = (d: Y.Doc): void => void noteBy(d, HANA, 'n1');
  const vote = (who: Person) => (d: Y.Doc) => castVote(d, 'n1', who.userId, VOTING, localOrigin(who.userId));
  const withVote = (d: Y.Doc): void => {
    given(d);
    (boardNotes(d).get('n1')!.get('votes') as Y.Map<number>).set(ALI.userId, 2);
  };
  run([
    {
      name: 'G3: a participant votes while voting is open',
      who: ALI,
      given,
      edit: vote(ALI),
      live: VOTING,
      expected: null,
    },
    {
      name: 'G3: a vote while voting is closed is refused',
      who: ALI,
      given,
      edit: vote(ALI),
      expected: 'voting-closed',
    },
    {
      name: 'G3: a vote under another id is refused',
      who: ALI,
      given,
      edit: vote(HANA),
      live: VOTING,
      expected: 'forbidden',
    },
    {
      name: 'G3: a vote without an issued identity is refused',
      who: GUEST,
      given,
      edit: vote(GUEST),
      live: VOTING,
      expected: 'forbidden',
    },
    {
      name: 'G3: votes over the budget are refused',
      who: ALI,
      given,
      edit: (d) => (boardNotes(d).get('n1')!.get('votes') as Y.Map<number>).set(ALI.userId, 4),
      live: VOTING,
      expected: 'no-votes-left',
    },
    {
      name: 'G3: a new note that starts with votes is refused',
      who: HANA,
      edit: (d) => {
        noteBy(d, HANA, 'n2');
        (boardNotes(d).get('n2')!.get('votes') as Y.Map<number>).set(HANA.userId, 1);
      },
      live: VOTING,
      expected: 'forbidden',
    },
    {
      name: "G3: a participant removing another's votes is refused",
      who: HANA,
      given: withVote,
      edit: (d) => (boardNotes(d).get('n1')!.get('votes') as Y.Map<number>).delete(ALI.userId),
      live: VOTING,
      expected: 'forbidden',
    },
    {
      name: 'G3: taking one’s own vote back after voting closed is refused',
      who: ALI,
      given: withVote,
      edit: (d) => (boardNotes(d).get('n1')!.get('votes') as Y.Map<number>).delete(ALI.userId),
      expected: 'voting-closed',
    },
    {
      name: "G3: an organizer removes anyone's votes at any time",
      who: ORG,
      given: withVote,
      edit: (d) => (boardNotes(d).get('n1')!.get('votes') as Y.Map<number>).delete(ALI.userId),
      expected: null,
    },
  ]);

  it('R6: an accepted vote is reported to the cluster budget (delta and target)', () => {
    const votes: VoteReport = { delta: 0, targets: new Map() };
    expect(
      gate({ name: '', who: ALI, given, edit: vote(ALI), live: VOTING, expected: null }, votes),
    ).toBeNull();
    expect(votes.delta).toBe(1);
    expect(votes.targets.get('note:n1')).toMatchObject({ count: 1, item: expect.any(Object) });
  });
});

describe('GR1–GR3: groups', () => {
  const voted = (d: Y.Doc): void => {
    noteBy(d, HANA, 'n1');
    createGroup(d, { id: 'g1', title: 'Theme', x: 0, y: 0 }, ['n1'], SERVER);
  };
  const groupVotes: LiveState = { ...VOTING, groupVotes: true };
  const withGroupVote = (d: Y.Doc): void => {
    voted(d);
    castGroupVote(d, 'g1', ALI.userId, groupVotes, SERVER);
  };
  run([
    {
      name: 'GR1: a participant makes a group of notes',
      who: HANA,
      given: (d) => void noteBy(d, HANA, 'n1'),
      edit: (d) => createGroup(d, { title: 'Theme', x: 0, y: 0 }, ['n1'], localOrigin(HANA.userId)),
      expected: null,
    },
    {
      name: 'GR1: groups over the board limit (500) are refused (board-full)',
      who: HANA,
      given: (d) => {
        for (let i = 0; i < 500; i++) createGroup(d, { title: `g${i}`, x: 0, y: 0 }, [], SERVER);
      },
      edit: (d) => void d.getMap('groups').set('one-more', new Y.Map()),
      expected: 'board-full',
    },
    {
      name: 'GR2: a participant removes a group without votes',
      who: HANA,
      given: voted,
      edit: (d) => deleteGroup(d, 'g1', localOrigin(HANA.userId)),
      expected: null,
    },
    {
      name: 'GR2: a participant removing a voted group is refused',
      who: HANA,
      given: withGroupVote,
      edit: (d) => deleteGroup(d, 'g1', localOrigin(HANA.userId)),
      expected: 'forbidden',
    },
    {
      name: 'GR2: an organizer removes a voted group',
      who: ORG,
      given: withGroupVote,
      edit: (d) => deleteGroup(d, 'g1', localOrigin(ORG.userId)),
      expected: null,
    },
    {
      name: "GR2: a participant replacing a group's votes is refused",
      who: HANA,
      given: withGroupVote,
      edit: (d) => d.getMap<Y.Map<unknown>>('groups').get('g1')!.set('votes', new Y.Map()),
      expected: 'forbidden',
    },
    {
      name: 'GR3: a vote on a group while votes go to groups is accepted',
      who: ALI,
      given: voted,
      edit: (d) => castGroupVote(d, 'g1', ALI.userId, groupVotes, localOrigin(ALI.userId)),
      live: groupVotes,
      expected: null,
    },
    {
      name: 'GR3: a vote on a single note while votes go to groups is refused',
      who: ALI,
      given: voted,
      edit: (d) => castVote(d, 'n1', ALI.userId, VOTING, localOrigin(ALI.userId)),
      live: groupVotes,
      expected: 'forbidden',
    },
  ]);
});

describe('PW1: new notes are private while private writing lasts', () => {
  const privately = (d: Y.Doc): void => void boardInfo(d).set('privateWriting', true);
  const inMine = (d: Y.Doc): void => {
    const m = new Y.Map<unknown>();
    m.set('authorId', HANA.userId);
    m.set('authorName', HANA.name);
    privateNotes(d).set('p1', m);
  };
  run([
    {
      name: 'PW1: a new board note during private writing is refused',
      who: HANA,
      given: privately,
      edit: (d) => noteBy(d, HANA, 'n1'),
      expected: 'forbidden',
    },
    {
      name: 'PW1: an organizer’s new board note during private writing is refused too',
      who: ORG,
      given: privately,
      edit: (d) => noteBy(d, ORG, 'n1'),
      expected: 'forbidden',
    },
    {
      name: 'PW1: a private note during private writing is accepted',
      kind: 'mine',
      who: HANA,
      edit: inMine,
      privateWriting: true,
      expected: null,
    },
    {
      name: 'PW1: a private note after private writing is refused',
      kind: 'mine',
      who: HANA,
      edit: inMine,
      privateWriting: false,
      expected: 'forbidden',
    },
  ]);
});

describe('G2, G5: tasks and agenda items', () => {
  const task = (createdBy: string) => (d: Y.Doc) =>
    createTask(d, { title: 'Follow up', createdBy }, localOrigin(HANA.userId));
  run([
    {
      name: 'G2: a task created by its sender is accepted',
      kind: 'tasks',
      who: HANA,
      edit: task(HANA.userId),
      expected: null,
    },
    {
      name: "G2: a task under someone else's createdBy is refused",
      kind: 'tasks',
      who: HANA,
      edit: task(ALI.userId),
      expected: 'forbidden',
    },
    {
      name: "G2: changing a task's createdBy later is refused",
      kind: 'tasks',
      who: HANA,
      given: (d) => void createTask(d, { title: 'Old', createdBy: HANA.userId }, SERVER),
      edit: (d) => [...taskMap(d).values()][0]!.set('createdBy', HANA.userId),
      expected: 'forbidden',
    },
    {
      name: "G2: removing a task's createdBy is refused",
      kind: 'tasks',
      who: HANA,
      given: (d) => void createTask(d, { title: 'Old', createdBy: HANA.userId }, SERVER),
      edit: (d) => [...taskMap(d).values()][0]!.delete('createdBy'),
      expected: 'forbidden',
    },
    {
      name: 'G5: tasks over the board limit are refused (board-full)',
      kind: 'tasks',
      who: HANA,
      given: task(''),
      edit: task(''),
      limits: { tasks: 1 },
      expected: 'board-full',
    },
    {
      name: 'G5: agenda items over the limit are refused (board-full)',
      kind: 'agenda',
      who: ORG,
      given: (d) => agendaItems(d).set('a', new Y.Map()),
      edit: (d) => agendaItems(d).set('b', new Y.Map()),
      limits: { items: 1 },
      expected: 'board-full',
    },
    {
      name: 'G5: notes over the board limit are refused (board-full)',
      who: HANA,
      given: (d) => void noteBy(d, HANA, 'n1'),
      edit: (d) => noteBy(d, HANA, 'n2'),
      limits: { notes: 1 },
      expected: 'board-full',
    },
  ]);
});

describe('AG7: when items really ran is written by organizers only', () => {
  run([
    {
      name: 'AG7: an organizer records when an item started and ended',
      kind: 'agenda',
      who: ORG,
      edit: (d) => agendaTimeline(d).set('i1', { start: 1_000, end: 2_000 }),
      expected: null,
    },
    {
      name: 'AG7: a participant’s record of a run is refused (forbidden)',
      kind: 'agenda',
      who: HANA,
      edit: (d) => agendaTimeline(d).set('i1', { start: 1_000, end: null }),
      expected: 'forbidden',
    },
    {
      name: 'AG7: a participant cannot remove a run either (forbidden)',
      kind: 'agenda',
      who: HANA,
      given: (d) => agendaTimeline(d).set('i1', { start: 1_000, end: null }),
      edit: (d) => agendaTimeline(d).delete('i1'),
      expected: 'forbidden',
    },
    {
      name: 'AG7: a run that ends before it starts is refused (schema)',
      kind: 'agenda',
      who: ORG,
      edit: (d) => agendaTimeline(d).set('i1', { start: 2_000, end: 1_000 }),
      expected: 'schema',
    },
  ]);
});

describe('G1, G4: shape and authorship of structs', () => {
  run([
    {
      name: 'G1: an unknown root is refused (schema)',
      who: ORG,
      edit: (d) => d.getMap('extra').set('x', 1),
      expected: 'schema',
    },
    {
      name: 'G1: an unknown key in a note is refused (schema)',
      who: HANA,
      given: (d) => void noteBy(d, HANA, 'n1'),
      edit: (d) => boardNotes(d).get('n1')!.set('colour', 'red'),
      expected: 'schema',
    },
    {
      name: 'G1: a note text over 2,000 characters is refused (schema)',
      who: HANA,
      given: (d) => void noteBy(d, HANA, 'n1'),
      edit: (d) => noteText(d, 'n1')!.insert(0, 'x'.repeat(2000)),
      expected: 'schema',
    },
  ]);

  it('G4: an update under the server’s own client id is refused (client-id)', () => {
    const server = new Y.Doc();
    const forged = new Y.Doc();
    forged.clientID = server.clientID;
    noteBy(forged, HANA, 'n1');
    const denial = checkUpdate(
      {
        kind: 'board',
        doc: server,
        conn: 'c',
        actor: HANA,
        live: DEFAULT_LIVE,
        limits: BOARD_LIMITS,
        clientIds: new ClientIds<string>(),
        docBytes: 0,
      },
      Y.encodeStateAsUpdate(forged),
    );
    expect(denial?.code).toBe('client-id');
  });
});
