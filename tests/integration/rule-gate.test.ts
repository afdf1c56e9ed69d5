import { connect as netConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  arrangeByTalk,
  addNote,
  castVote,
  deleteNote,
  moveNote,
  noteText,
  retractVote,
  setNoteText,
} from '../../shared/ops/board';
import { closeVoting, openVoting } from '../../shared/ops/live';
import { assignTask, createTask, deleteTask, setStatus } from '../../shared/ops/tasks';
import { BOARD_LIMITS, UPDATE_LIMITS, type BoardLimits } from '../../shared/policy';
import type { DenialCode } from '../../shared/protocol';
import {
  boardNotes,
  boardRoster,
  DOC_KINDS,
  LIMITS,
  localOrigin,
  readLive,
  readNotes,
  readTasks,
  ROOTS,
  taskMap,
  type DocKind,
  type Origin,
} from '../../shared/schema';
import {
  attacker,
  charId,
  craft,
  freshClientId,
  guest,
  HostileSio,
  issuePerson,
  nestedArrays,
  rawUpdate,
  sameSpotInserts,
  setRawContent,
  TRANSPORTS,
  wsParams,
  type Attacker,
  type Outcome,
  type Person,
  type RawItem,
  type Transport,
  withDeleteSet,
} from '../helpers/attacks';
import { SioClient, yWebsocketClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { checkBoard, formatViolations, type KnownPerson } from '../helpers/invariants';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * The rule gate (docs/SPEC.md G1–G6, issue 8): every update from a
 * connection is checked before it is applied, stored or relayed, on both
 * transports. One named test per row of the issue's attack table, each over
 * Socket.io and the y-websocket endpoint, plus the honest changes that must
 * stay accepted. After every hostile update: it was refused whole (the
 * server's state vector and stored rows did not move), the sender was told
 * why (Socket.io: `denied` with its code and `{ ok: false }`; y-websocket: the
 * auth message, which carries the reason only), its connection is still open
 * (except 4400/4413), and an honest client of the board converges with the
 * server without ever seeing the hostile change.
 */

// ---- a board with an organizer, an honest participant and an attacker ----------------

interface Env {
  server: TestServer;
  board: CreatedBoard;
  org: SioClient;
  hana: SioClient;
  mal: Attacker;
  malPerson: Person;
  /** The Yjs client id the attacker writes under (one per document, like an honest client). */
  cid: number;
  /** An organizer's connection to another board, to check that it keeps answering. */
  other: HostileSio;
  people: KnownPerson[];
}

interface SetupOptions {
  boardLimits?: BoardLimits;
  /** The attacker joins without an issued identity. */
  guestAttacker?: boolean;
}

async function setup(transport: Transport, opts: SetupOptions = {}): Promise<Env> {
  const server = await startTestServer(opts.boardLimits ? { boardLimits: opts.boardLimits } : {});
  const board = await server.createBoard('Rule gate');
  const orgPerson = await issuePerson(server.url, board.id, board.tokens.organizer, 'Olga');
  const hanaPerson = await issuePerson(server.url, board.id, board.tokens.participant, 'Hana');
  const malPerson = opts.guestAttacker
    ? guest('Mallory')
    : await issuePerson(server.url, board.id, board.tokens.participant, 'Mallory');
  const org = new SioClient(
    server.url,
    { board: board.id, token: board.tokens.organizer, name: 'Olga' },
    {
      identity: { userId: orgPerson.userId!, key: orgPerson.key! },
    },
  );
  const hana = new SioClient(
    server.url,
    { board: board.id, token: board.tokens.participant, name: 'Hana' },
    {
      identity: { userId: hanaPerson.userId!, key: hanaPerson.key! },
    },
  );
  await eventually(() => expect(org.synced.size + hana.synced.size).toBe(6));
  const mal = await attacker(transport, server, board.id, board.tokens.participant, malPerson);

  const otherBoard = await server.createBoard('Another workshop');
  const other = new HostileSio(server.url, otherBoard.id, otherBoard.tokens.organizer, guest('Otto'));
  expect(await other.ready()).toBe(true);

  const people: KnownPerson[] = [
    {
      userId: org.session!.userId,
      name: 'Olga',
      role: 'organizer',
      pseudonym: org.session!.pseudonym,
      issued: true,
    },
    {
      userId: hana.session!.userId,
      name: 'Hana',
      role: 'participant',
      pseudonym: hana.session!.pseudonym,
      issued: true,
    },
  ];
  if (mal instanceof HostileSio && mal.session)
    people.push({
      userId: mal.session.userId,
      name: mal.session.name,
      role: 'participant',
      pseudonym: mal.session.pseudonym,
      issued: mal.session.issued,
    });
  // Every join is in the roster before anything is measured (the server writes it).
  const joins = transport === 'socket.io' || malPerson.userId ? 3 : 2 + DOC_KINDS.length;
  await eventually(async () =>
    expect(await server.docs.read(board.id, 'board', (d) => boardRoster(d).size)).toBe(joins),
  );
  if (malPerson.userId && !people.some((p) => p.userId === malPerson.userId))
    people.push({ userId: malPerson.userId, name: 'Mallory', role: 'participant', issued: true });
  // A guest on the y-websocket endpoint gets an identity per connection, which only the roster tells.
  if (transport === 'y-websocket' && !malPerson.userId)
    for (const [userId, name] of await server.docs.read(board.id, 'board', (d) =>
      [...boardRoster(d).entries()].map(([id, m]) => [id, m.get('name')] as const),
    ))
      if (!people.some((p) => p.userId === userId))
        people.push({ userId, name: String(name), role: 'participant', issued: false });
  await settled(server, board.id);
  return { server, board, org, hana, mal, malPerson, cid: freshClientId(), other, people };
}

/** Everything applied so far on the board's documents is stored and sent. */
async function settled(server: TestServer, boardId: string): Promise<void> {
  for (const kind of DOC_KINDS) {
    const lease = await server.rooms.acquire(boardId, kind);
    try {
      await lease.room.whenStored();
    } finally {
      lease.release();
    }
  }
}

const me = (c: SioClient): Origin => localOrigin(c.session!.userId);

/** A note written by an honest Socket.io client as itself; resolves once the server and both honest clients have it. */
async function honestNote(env: Env, c: SioClient, text: string): Promise<string> {
  const id = addNote(
    c.docs.board,
    { text, x: 10, y: 20, authorId: c.session!.userId, authorName: c.session!.name, itemId: null },
    me(c),
  );
  await eventually(async () => {
    expect(await env.server.docs.read(env.board.id, 'board', (d) => boardNotes(d).has(id))).toBe(true);
    expect(boardNotes(env.org.docs.board).has(id) && boardNotes(env.hana.docs.board).has(id)).toBe(true);
  });
  return id;
}

/** A note the attacker writes honestly as itself (accepted). */
async function attackerNote(env: Env, text: string): Promise<string> {
  const replica = await env.mal.replica('board');
  let id = '';
  const update = craft(replica, env.cid, (d) => {
    id = addNote(
      d,
      { text, x: 0, y: 0, authorId: env.malPerson.userId!, authorName: env.malPerson.name, itemId: null },
      localOrigin('mal'),
    );
  });
  expect(await env.mal.send('board', update)).toEqual({ kind: 'accepted' });
  return id;
}

async function openVotingFor(env: Env, votesPerPerson: number): Promise<void> {
  openVoting(env.org.docs.agenda, votesPerPerson, me(env.org));
  await eventually(async () =>
    expect(await env.server.docs.read(env.board.id, 'agenda', (d) => readLive(d).votingOpen)).toBe(true),
  );
  await eventually(() => expect(readLive(env.hana.docs.agenda).votingOpen).toBe(true));
}

/** Hana gives one vote to `id`; resolves once the server and the organizer's client have it. */
async function hanaVotes(env: Env, id: string): Promise<void> {
  const voter = env.hana.session!.userId;
  castVote(env.hana.docs.board, id, voter, readLive(env.hana.docs.agenda), me(env.hana));
  await eventually(async () => {
    expect(await env.server.docs.read(env.board.id, 'board', (d) => votesOf(d, id).get(voter))).toBe(1);
    expect(votesOf(env.org.docs.board, id).get(voter)).toBe(1);
  });
}

/** What must not move when an update is refused: state vector, content and stored rows. */
async function serverState(env: Env, doc: DocKind) {
  await settled(env.server, env.board.id);
  const name = `${env.board.id}/${doc}`;
  return {
    stateVector: await env.server.docs.read(env.board.id, doc, (d) => [
      ...Y.decodeStateVector(Y.encodeStateVector(d)),
    ]),
    content: await env.server.docs.read(env.board.id, doc, (d) => contentOf(doc, d)),
    storedRows: await env.server.store.count(name),
  };
}

const contentOf = (kind: DocKind, d: Y.Doc): unknown =>
  Object.fromEntries(
    Object.values(ROOTS[kind]).map((root) => [root, d.share.has(root) ? d.getMap(root).toJSON() : {}]),
  );

function expectRefused(
  outcome: Outcome,
  transport: Transport,
  code: DenialCode | readonly DenialCode[],
): void {
  expect(outcome.kind, JSON.stringify(outcome)).toBe('refused');
  if (outcome.kind !== 'refused') return;
  expect(outcome.reason).not.toBe('');
  // The y-websocket auth message carries the reason only.
  if (transport === 'socket.io') expect(Array.isArray(code) ? code : [code]).toContain(outcome.code);
}

/** The honest clients converge with the server (so they hold nothing the server refused). */
async function expectConverged(env: Env, clients: SioClient[] = [env.hana, env.org]): Promise<void> {
  await eventually(async () => {
    for (const kind of DOC_KINDS) {
      const server = await env.server.docs.read(env.board.id, kind, (d) => ({
        sv: [...Y.decodeStateVector(Y.encodeStateVector(d))].sort(),
        content: contentOf(kind, d),
      }));
      for (const c of clients) {
        expect(
          [...Y.decodeStateVector(Y.encodeStateVector(c.docs[kind]))].sort(),
          `${kind} state vector`,
        ).toEqual(server.sv);
        expect(contentOf(kind, c.docs[kind])).toEqual(server.content);
      }
    }
  });
  for (const c of clients) expect(c.denials).toEqual([]);
}

async function expectInvariants(env: Env): Promise<void> {
  const violations = await checkBoard(env.server, env.board.id, {
    limits: env.server.config.boardLimits,
    people: env.people,
  });
  expect(violations, formatViolations(violations)).toEqual([]);
}

/**
 * Sends a hostile update and checks that it was refused whole with `code`:
 * nothing applied or stored, the attacker still connected, honest clients
 * converged, every invariant of the server's documents intact.
 */
async function expectRefusedWhole(
  env: Env,
  doc: DocKind,
  update: Uint8Array,
  code: DenialCode | readonly DenialCode[],
): Promise<void> {
  const before = await serverState(env, doc);
  const outcome = await env.mal.send(doc, update);
  expectRefused(outcome, env.mal.transport, code);
  expect(env.mal.isOpen()).toBe(true);
  expect(await serverState(env, doc)).toEqual(before);
  await expectConverged(env);
  await expectInvariants(env);
}

async function healthy(server: TestServer): Promise<boolean> {
  const res = await fetch(`${server.url}/healthz`);
  return res.status === 200;
}

/** Another board answers a sync round trip (its room and the event loop are alive). */
async function otherBoardAnswers(env: Env): Promise<number> {
  const t0 = performance.now();
  expect(await env.other.resync('board', 5000)).toBe(true);
  return performance.now() - t0;
}

const exportJson = async (env: Env) => {
  const res = await fetch(`${env.server.url}/api/boards/${env.board.id}/export.json`, {
    headers: { authorization: `Bearer ${env.board.tokens.viewer}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { notes: { id: string; text: string; votes: Record<string, number> }[] };
};

const minutes = async (env: Env): Promise<string> => {
  const res = await fetch(`${env.server.url}/api/boards/${env.board.id}/export.md`, {
    headers: { authorization: `Bearer ${env.board.tokens.viewer}` },
  });
  expect(res.status).toBe(200);
  return res.text();
};

/** export.json and the minutes show exactly the honest votes of `noteId`. */
async function expectExportedVotes(env: Env, noteId: string, text: string, votes: Record<string, number>) {
  const json = await exportJson(env);
  expect(json.notes.find((n) => n.id === noteId)?.votes).toEqual(votes);
  const total = Object.values(votes).reduce((s, c) => s + c, 0);
  const md = await minutes(env);
  expect(md).toContain(`**${total} vote${total === 1 ? '' : 's'}**: ${text}`);
}

const noteMapOf = (d: Y.Doc, id: string): Y.Map<unknown> => boardNotes(d).get(id) as Y.Map<unknown>;
const votesOf = (d: Y.Doc, id: string): Y.Map<number> => noteMapOf(d, id).get('votes') as Y.Map<number>;

// ---- the attack table of issue 8 -----------------------------------------------------

describe('G1/G6: content nested deeper than the schema', () => {
  it.each(TRANSPORTS)(
    '%s: a 5,000-deep JSON value is refused (schema); a fresh client then joins and syncs, the process lives',
    async (transport) => {
      const env = await setup(transport);
      const id = await attackerNote(env, 'mine');
      const update = craft(await env.mal.replica('board'), env.cid, (d) =>
        noteMapOf(d, id).set('group', nestedArrays(5000)),
      );
      const before = await serverState(env, 'board');
      const outcome = await env.mal.send('board', update);
      const after = await serverState(env, 'board');
      // First what matters most: the process lives, and a fresh client joins and syncs.
      const fresh = new SioClient(env.server.url, {
        board: env.board.id,
        token: env.board.tokens.viewer,
        name: 'Fay',
      });
      await eventually(() => expect(fresh.synced.size).toBe(3));
      env.people.push({ userId: fresh.session!.userId, name: 'Fay', role: 'viewer', issued: false });
      expect(readNotes(fresh.docs.board).map((n) => n.text)).toEqual(['mine']);
      expect(await healthy(env.server)).toBe(true);
      await otherBoardAnswers(env);
      expect(after).toEqual(before);
      await expectConverged(env);
      await expectInvariants(env);
      // Well-formed bytes breaking the schema: a refusal (schema) that leaves the connection open.
      expectRefused(outcome, transport, 'schema');
      expect(env.mal.isOpen()).toBe(true);
    },
  );
});

describe('G4: structs under client ids of their own', () => {
  it.each(TRANSPORTS)(
    '%s: two 35 KB updates of one-character inserts at one spot, each under a fresh client id, are refused (client-id); another board answers meanwhile',
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'hello world');
      const text = noteText(await env.mal.replica('board'), id)!;
      // About 20 bytes per insert (varint sizes depend on the client ids): enough for 35 KB,
      // while the text stays within its 2,000 characters.
      const perInsert = sameSpotInserts(text, 2, 100).byteLength / 100;
      const count = Math.ceil(35_500 / perInsert);
      expect(text.length + count).toBeLessThanOrEqual(LIMITS.noteTextLength);
      const first = sameSpotInserts(text, 2, count);
      const second = sameSpotInserts(text, 2, count);
      expect(first.byteLength).toBeGreaterThan(34_500);
      const before = await serverState(env, 'board');
      const [a, b] = await Promise.all([
        env.mal.send('board', first).then(async (o) => [o, await env.mal.send('board', second)] as const),
        otherBoardAnswers(env),
      ]).then(([outcomes]) => outcomes);
      expectRefused(a, transport, 'client-id');
      expectRefused(b, transport, 'client-id');
      await otherBoardAnswers(env);
      expect(env.mal.isOpen()).toBe(true);
      expect(await serverState(env, 'board')).toEqual(before);
      expect(noteText(env.hana.docs.board, id)!.toString()).toBe('hello world');
      await expectConverged(env);
      await expectInvariants(env);
    },
    60_000,
  );
});

describe('G4: updates with missing dependencies', () => {
  it.each(TRANSPORTS)(
    '%s: 12 updates of ~980 KB whose first part is missing are refused (missing-dependencies); nothing stored or kept pending',
    async (transport) => {
      const env = await setup(transport);
      const id = await attackerNote(env, 'note');
      // The first part (one character) is written but never sent; every chunk after it depends on it.
      const fork = new Y.Doc();
      Y.applyUpdate(fork, Y.encodeStateAsUpdate(await env.mal.replica('board')));
      fork.clientID = env.cid;
      const t = noteText(fork, id)!;
      t.insert(t.length, '!');
      const chunks: Uint8Array[] = [];
      fork.on('update', (u: Uint8Array) => chunks.push(u));
      for (let i = 0; i < 12; i++) t.insert(t.length, String.fromCharCode(97 + i).repeat(980_000));
      fork.destroy();
      expect(chunks).toHaveLength(12);
      const before = await serverState(env, 'board');
      for (const chunk of chunks) {
        expect(chunk.byteLength).toBeGreaterThan(979_000);
        expectRefused(await env.mal.send('board', chunk), transport, 'missing-dependencies');
      }
      expect(env.mal.isOpen()).toBe(true);
      expect(await serverState(env, 'board')).toEqual(before);
      expect(
        await env.server.docs.read(env.board.id, 'board', (d) => [d.store.pendingStructs, d.store.pendingDs]),
      ).toEqual([null, null]);
      await otherBoardAnswers(env);
      await expectConverged(env);
      await expectInvariants(env);
    },
    90_000,
  );
});

describe('G1: sizes', () => {
  it.each(TRANSPORTS)(
    '%s: 40 updates of 900 KB into one note’s text are refused (schema); the document stays small',
    async (transport) => {
      const env = await setup(transport);
      const id = await attackerNote(env, 'small');
      const update = craft(await env.mal.replica('board'), env.cid, (d) =>
        noteText(d, id)!.insert(0, 'y'.repeat(900_000)),
      );
      const before = await serverState(env, 'board');
      for (let i = 0; i < 40; i++) expectRefused(await env.mal.send('board', update), transport, 'schema');
      expect(env.mal.isOpen()).toBe(true);
      expect(await serverState(env, 'board')).toEqual(before);
      const bytes = await env.server.docs.read(
        env.board.id,
        'board',
        (d) => Y.encodeStateAsUpdate(d).byteLength,
      );
      expect(bytes).toBeLessThan(16 * 1024);
      const stored = await env.server.store.load(`${env.board.id}/board`);
      expect(stored.updates.reduce((s, u) => s + u.byteLength, 0)).toBeLessThan(16 * 1024);
      await expectConverged(env);
      await expectInvariants(env);
    },
    90_000,
  );
});

describe('G3: votes (crafted by a participant)', () => {
  it.each(TRANSPORTS)(
    '%s: 99 votes under its own id are refused (no-votes-left); exports show the honest votes only',
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'vote for me');
      await openVotingFor(env, 3);
      await hanaVotes(env, id);
      const update = craft(await env.mal.replica('board'), env.cid, (d) =>
        votesOf(d, id).set(env.malPerson.userId!, 99),
      );
      await expectRefusedWhole(env, 'board', update, 'no-votes-left');
      expect(votesOf(env.hana.docs.board, id).toJSON()).toEqual({ [env.hana.session!.userId]: 1 });
      await expectExportedVotes(env, id, 'vote for me', { [env.hana.session!.userId]: 1 });
    },
  );

  it.each(TRANSPORTS)(
    '%s: 200 made-up voter ids are refused (forbidden); exports show the honest votes only',
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'popular');
      await openVotingFor(env, 3);
      await hanaVotes(env, id);
      const update = craft(await env.mal.replica('board'), env.cid, (d) => {
        const votes = votesOf(d, id);
        for (let i = 0; i < 200; i++) votes.set(`voter${i}`, 1);
      });
      await expectRefusedWhole(env, 'board', update, 'forbidden');
      await expectExportedVotes(env, id, 'popular', { [env.hana.session!.userId]: 1 });
    },
  );

  it.each(TRANSPORTS)(
    '%s: deleting another voter’s votes is refused (forbidden); exports keep them',
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'keep my vote');
      await openVotingFor(env, 3);
      await hanaVotes(env, id);
      const replica = await env.mal.replica('board');
      await eventually(() => expect(votesOf(replica, id).size).toBe(1));
      const update = craft(replica, env.cid, (d) => votesOf(d, id).delete(env.hana.session!.userId));
      await expectRefusedWhole(env, 'board', update, 'forbidden');
      await expectExportedVotes(env, id, 'keep my vote', { [env.hana.session!.userId]: 1 });
    },
  );
});

describe('G2: identity (crafted by a participant)', () => {
  it.each(TRANSPORTS)(
    '%s: rewriting the author of someone else’s note is refused (forbidden)',
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'by Hana');
      const update = craft(await env.mal.replica('board'), env.cid, (d) => {
        noteMapOf(d, id).set('authorId', env.malPerson.userId!);
        noteMapOf(d, id).set('authorName', 'Mallory');
      });
      await expectRefusedWhole(env, 'board', update, 'forbidden');
      expect(readNotes(env.hana.docs.board)[0]).toMatchObject({
        authorId: env.hana.session!.userId,
        authorName: 'Hana',
      });
    },
  );

  it.each(TRANSPORTS)(
    '%s: a roster entry with role organizer is refused (forbidden), as a new entry and as a change of its own',
    async (transport) => {
      const env = await setup(transport);
      const replica = await env.mal.replica('board');
      const forged = craft(replica, env.cid, (d) => {
        const m = new Y.Map<unknown>();
        m.set('name', 'Boss');
        m.set('role', 'organizer');
        m.set('lastSeen', Date.now());
        boardRoster(d).set('boss', m);
      });
      await expectRefusedWhole(env, 'board', forged, 'forbidden');
      const own = [...boardRoster(replica).keys()].find(
        (k) => boardRoster(replica).get(k)?.get('name') === 'Mallory',
      );
      expect(own).toBeDefined();
      const promoted = craft(replica, env.cid, (d) => boardRoster(d).get(own!)!.set('role', 'organizer'));
      await expectRefusedWhole(env, 'board', promoted, 'forbidden');
    },
  );

  it.each(TRANSPORTS)('%s: deleting another person’s note is refused (forbidden)', async (transport) => {
    const env = await setup(transport);
    const id = await honestNote(env, env.hana, 'do not delete');
    const update = craft(await env.mal.replica('board'), env.cid, (d) => boardNotes(d).delete(id));
    await expectRefusedWhole(env, 'board', update, 'forbidden');
    expect(readNotes(env.hana.docs.board).map((n) => n.text)).toEqual(['do not delete']);
  });
});

describe('G1: roots and types outside the schema', () => {
  it.each(TRANSPORTS)('%s: extra root types in board and tasks are refused (schema)', async (transport) => {
    const env = await setup(transport);
    const board = await env.mal.replica('board');
    const tasks = await env.mal.replica('tasks');
    await expectRefusedWhole(
      env,
      'board',
      craft(board, env.cid, (d) => d.getArray('extra').push([1, 2, 3])),
      'schema',
    );
    await expectRefusedWhole(
      env,
      'board',
      craft(board, env.cid, (d) => d.getText('scratch').insert(0, 'hi')),
      'schema',
    );
    await expectRefusedWhole(
      env,
      'tasks',
      craft(tasks, env.cid, (d) => d.getMap('other').set('k', 'v')),
      'schema',
    );
    await expectRefusedWhole(
      env,
      'tasks',
      craft(tasks, env.cid, (d) => d.getXmlFragment('xml').insert(0, [new Y.XmlText('x')])),
      'schema',
    );
  });

  it.each(TRANSPORTS)(
    '%s: unknown keys, wrong value types, Yjs types and content kinds the schema never uses are refused (schema)',
    async (transport) => {
      const env = await setup(transport);
      const id = await attackerNote(env, 'mine');
      const replica = await env.mal.replica('board');
      const attempts: [string, (d: Y.Doc) => void][] = [
        ['unknown key', (d) => noteMapOf(d, id).set('evil', 'x')],
        ['number as text', (d) => noteMapOf(d, id).set('text', 5)],
        ['string as position', (d) => noteMapOf(d, id).set('x', 'far')],
        ['Y.Array value', (d) => noteMapOf(d, id).set('group', new Y.Array())],
        ['object value', (d) => noteMapOf(d, id).set('color', { r: 1 })],
        ['arrays nested 50 deep', (d) => noteMapOf(d, id).set('group', nestedArrays(50))],
        ['list insert into the notes map', (d) => d.get('notes', Y.Array).insert(0, [1])],
        ['embed in a text', (d) => noteText(d, id)!.insertEmbed(0, { image: 'x' })],
        ['format in a text', (d) => noteText(d, id)!.format(0, 2, { bold: true })],
        [
          'binary value',
          (d) => setRawContent(noteMapOf(d, id), 'group', new Y.ContentBinary(new Uint8Array([1, 2]))),
        ],
        ['JSON content', (d) => setRawContent(noteMapOf(d, id), 'group', new Y.ContentJSON(['x']))],
        ['subdocument', (d) => noteMapOf(d, id).set('group', new Y.Doc())],
        [
          'note that is not a map',
          (d) => boardNotes(d).set('n2', new Y.Text('x') as unknown as Y.Map<unknown>),
        ],
        [
          'author name over 60 characters',
          (d) => noteMapOf(d, id).set('group', 'g'.repeat(LIMITS.nameLength + 1)),
        ],
      ];
      for (const [what, change] of attempts) {
        const before = await serverState(env, 'board');
        const outcome = await env.mal.send('board', craft(replica, env.cid, change));
        expect(outcome.kind, what).toBe('refused');
        if (transport === 'socket.io' && outcome.kind === 'refused')
          expect(outcome.code, what).toBe('schema');
        expect(await serverState(env, 'board'), what).toEqual(before);
      }
      expect(env.mal.isOpen()).toBe(true);
      await expectConverged(env);
      await expectInvariants(env);
    },
  );

  it('an organizer’s agenda fields over their size (title 200, URL 2,000, nested links) are refused (schema)', async () => {
    const env = await setup('socket.io');
    const org = new HostileSio(env.server.url, env.board.id, env.board.tokens.organizer, guest('Oscar'));
    expect(await org.ready()).toBe(true);
    const cid = freshClientId();
    const item = (fields: Record<string, unknown>) => (d: Y.Doc) => {
      const m = new Y.Map<unknown>();
      for (const [k, v] of Object.entries({
        start: '10:00',
        minutes: 15,
        title: 'Talk',
        kind: 'talk',
        ...fields,
      }))
        m.set(k, v);
      d.getMap(ROOTS.agenda.items).set('item1', m);
    };
    const attempts: [string, (d: Y.Doc) => void][] = [
      ['item title of 201', item({ title: 't'.repeat(LIMITS.titleLength + 1) })],
      ['item url of 2,001', item({ url: `https://x.org/${'u'.repeat(LIMITS.urlLength)}` })],
      [
        'meta title of 201',
        (d) => d.getMap(ROOTS.agenda.meta).set('title', 'm'.repeat(LIMITS.titleLength + 1)),
      ],
      [
        'nested links',
        (d) => d.getMap(ROOTS.agenda.meta).set('links', { meeting: { url: 'https://x.org' } }),
      ],
      ['unknown item key', item({ evil: 1 })],
    ];
    for (const [what, change] of attempts) {
      const outcome = await org.send('agenda', craft(await org.replica('agenda'), cid, change));
      expect(outcome, what).toMatchObject({ kind: 'refused', code: 'schema' });
    }
    expect(await org.send('agenda', craft(await org.replica('agenda'), cid, item({})))).toEqual({
      kind: 'accepted',
    });
    expect(org.isOpen()).toBe(true);
  });

  it.each(TRANSPORTS)('%s: a task owner name over 60 characters is refused (schema)', async (transport) => {
    const env = await setup(transport);
    const replica = await env.mal.replica('tasks');
    let id = '';
    expect(
      await env.mal.send(
        'tasks',
        craft(replica, env.cid, (d) => (id = createTask(d, { title: 'ok' }, localOrigin('mal')))),
      ),
    ).toEqual({ kind: 'accepted' });
    const update = craft(await env.mal.replica('tasks'), env.cid, (d) =>
      (taskMap(d).get(id) as Y.Map<unknown>).set('owner', 'o'.repeat(LIMITS.nameLength + 1)),
    );
    await expectRefusedWhole(env, 'tasks', update, 'schema');
  });

  it.each(TRANSPORTS)('%s: a task title over 500 characters is refused (schema)', async (transport) => {
    const env = await setup(transport);
    const update = craft(await env.mal.replica('tasks'), env.cid, (d) => {
      const m = new Y.Map<unknown>();
      m.set('title', new Y.Text('t'.repeat(LIMITS.taskTitleLength + 1)));
      m.set('status', 'open');
      m.set('createdAt', 1);
      taskMap(d).set('t1', m);
    });
    await expectRefusedWhole(env, 'tasks', update, 'schema');
  });
});

// ---- further rules, crafted -------------------------------------------------------

describe('G2: authorship of new notes and note deletion', () => {
  it.each(TRANSPORTS)(
    '%s: a new note under someone else’s id, or under its own id with another name, is refused (forbidden)',
    async (transport) => {
      const env = await setup(transport);
      const replica = await env.mal.replica('board');
      const note = (authorId: string, authorName: string) =>
        craft(replica, env.cid, (d) =>
          addNote(d, { text: 'forged', x: 0, y: 0, authorId, authorName, itemId: null }, localOrigin('mal')),
        );
      await expectRefusedWhole(env, 'board', note(env.hana.session!.userId, 'Hana'), 'forbidden');
      await expectRefusedWhole(env, 'board', note(env.malPerson.userId!, 'Hana'), 'forbidden');
      await expectRefusedWhole(env, 'board', note(env.hana.session!.pseudonym, ''), 'forbidden');
    },
  );

  it.each(TRANSPORTS)(
    '%s: a new note whose author fields are also set concurrently, under a higher client id, to someone else’s is refused (forbidden)',
    async (transport) => {
      const env = await setup(transport);
      const replica = await env.mal.replica('board');
      const c0 = Y.getState(replica.store, env.cid);
      const high = freshClientId();
      expect(high).toBeGreaterThan(env.cid);
      const note = { client: env.cid, clock: c0 };
      const field = (clock: number, key: string, value: unknown, client = env.cid): RawItem => ({
        id: { client, clock },
        parent: { item: note },
        parentSub: key,
        content: { any: [value] },
      });
      // Yjs keeps the value of the higher client id when two first writes of a key meet;
      // the higher client's writes come first in the update, the honest-looking ones after.
      const update = rawUpdate([
        field(0, 'authorId', env.hana.session!.userId, high),
        field(1, 'authorName', 'Hana', high),
        { id: note, parent: { root: 'notes' }, parentSub: 'forgednote', content: { type: 'map' } },
        {
          id: { client: env.cid, clock: c0 + 1 },
          parent: { item: note },
          parentSub: 'text',
          content: { type: 'text' },
        },
        {
          id: { client: env.cid, clock: c0 + 2 },
          parent: { item: { client: env.cid, clock: c0 + 1 } },
          content: { string: 'Hana never wrote this' },
        },
        field(c0 + 23, 'x', 1),
        field(c0 + 24, 'y', 1),
        field(c0 + 25, 'color', 'yellow'),
        field(c0 + 26, 'authorId', env.malPerson.userId!),
        field(c0 + 27, 'authorName', 'Mallory'),
        field(c0 + 28, 'itemId', null),
        field(c0 + 29, 'createdAt', 1),
        {
          id: { client: env.cid, clock: c0 + 30 },
          parent: { item: note },
          parentSub: 'votes',
          content: { type: 'map' },
        },
        field(c0 + 31, 'z', 1),
        field(c0 + 32, 'group', ''),
      ]);
      await expectRefusedWhole(env, 'board', update, 'forbidden');
      expect(readNotes(env.hana.docs.board)).toEqual([]);
    },
  );

  it('socket.io: a note under its own pseudonym (anonymous) is accepted, and its author may delete it', async () => {
    const env = await setup('socket.io');
    const mal = env.mal as HostileSio;
    const replica = await mal.replica('board');
    let id = '';
    const update = craft(replica, env.cid, (d) => {
      id = addNote(
        d,
        { text: 'anonymous', x: 0, y: 0, authorId: mal.session!.pseudonym, authorName: '', itemId: null },
        localOrigin('mal'),
      );
    });
    expect(await mal.send('board', update)).toEqual({ kind: 'accepted' });
    await eventually(() => expect(readNotes(env.hana.docs.board).map((n) => n.text)).toEqual(['anonymous']));
    const actor = {
      role: 'participant' as const,
      userId: mal.session!.userId,
      pseudonym: mal.session!.pseudonym,
    };
    const del = craft(replica, env.cid, (d) => deleteNote(d, id, actor, localOrigin('mal')));
    expect(await mal.send('board', del)).toEqual({ kind: 'accepted' });
    await eventually(() => expect(readNotes(env.hana.docs.board)).toEqual([]));
    await expectConverged(env);
    await expectInvariants(env);
  });

  it('an organizer may write a note under someone else’s name (undo of a deletion) and delete anyone’s note', async () => {
    const env = await setup('socket.io');
    const id = await honestNote(env, env.hana, 'Hana’s');
    deleteNote(
      env.org.docs.board,
      id,
      { role: 'organizer', userId: env.org.session!.userId, pseudonym: '' },
      me(env.org),
    );
    addNote(
      env.org.docs.board,
      { text: 'restored', x: 0, y: 0, authorId: env.hana.session!.userId, authorName: 'Hana', itemId: null },
      me(env.org),
    );
    await expectConverged(env);
    expect(readNotes(env.hana.docs.board).map((n) => [n.text, n.authorName])).toEqual([['restored', 'Hana']]);
  });

  it.each(TRANSPORTS)(
    '%s: changing createdAt or itemId of someone else’s note is refused (forbidden)',
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'dated');
      const replica = await env.mal.replica('board');
      await expectRefusedWhole(
        env,
        'board',
        craft(replica, env.cid, (d) => noteMapOf(d, id).set('createdAt', 1)),
        'forbidden',
      );
      await expectRefusedWhole(
        env,
        'board',
        craft(replica, env.cid, (d) => noteMapOf(d, id).set('itemId', 'talk')),
        'forbidden',
      );
    },
  );

  it('an organizer’s write to the roster is refused too (forbidden): only the server writes it', async () => {
    const env = await setup('socket.io');
    const org = new HostileSio(env.server.url, env.board.id, env.board.tokens.organizer, guest('Oscar'));
    expect(await org.ready()).toBe(true);
    const update = craft(org.docs.board, freshClientId(), (d) => {
      const m = new Y.Map<unknown>();
      m.set('name', 'Ghost');
      m.set('role', 'participant');
      m.set('lastSeen', 1);
      boardRoster(d).set('ghost', m);
    });
    const outcome = await org.send('board', update);
    expectRefused(outcome, 'socket.io', 'forbidden');
    expect(org.isOpen()).toBe(true);
  });
});

describe('G3: votes', () => {
  it.each(TRANSPORTS)('%s: a vote while voting is closed is refused (voting-closed)', async (transport) => {
    const env = await setup(transport);
    const id = await honestNote(env, env.hana, 'closed');
    const update = craft(await env.mal.replica('board'), env.cid, (d) =>
      votesOf(d, id).set(env.malPerson.userId!, 1),
    );
    await expectRefusedWhole(env, 'board', update, 'voting-closed');
  });

  it.each(TRANSPORTS)('%s: a vote without an issued identity is refused (forbidden)', async (transport) => {
    const env = await setup(transport, { guestAttacker: true });
    const id = await honestNote(env, env.hana, 'guests may not vote');
    await openVotingFor(env, 3);
    const voter =
      env.mal instanceof HostileSio ? env.mal.session!.userId : `guest-${freshClientId().toString(36)}`;
    const update = craft(await env.mal.replica('board'), env.cid, (d) => votesOf(d, id).set(voter, 1));
    await expectRefusedWhole(env, 'board', update, 'forbidden');
  });

  it.each(TRANSPORTS)(
    '%s: votes over the limit spread over several notes in one update are refused (no-votes-left)',
    async (transport) => {
      const env = await setup(transport);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await honestNote(env, env.hana, `n${i}`));
      await openVotingFor(env, 3);
      const update = craft(await env.mal.replica('board'), env.cid, (d) => {
        for (const id of ids) votesOf(d, id).set(env.malPerson.userId!, 1);
      });
      await expectRefusedWhole(env, 'board', update, 'no-votes-left');
    },
  );

  it.each(TRANSPORTS)('%s: vote counts that are not positive integers are refused', async (transport) => {
    const env = await setup(transport);
    const id = await honestNote(env, env.hana, 'odd counts');
    await openVotingFor(env, 3);
    const replica = await env.mal.replica('board');
    for (const count of [1.5, 0, -1, '1', null])
      await expectRefusedWhole(
        env,
        'board',
        craft(replica, env.cid, (d) => votesOf(d, id).set(env.malPerson.userId!, count as number)),
        ['schema', 'forbidden'],
      );
  });

  it.each(TRANSPORTS)('%s: a new note whose votes map is not empty is refused', async (transport) => {
    const env = await setup(transport);
    await openVotingFor(env, 3);
    const update = craft(await env.mal.replica('board'), env.cid, (d) => {
      const id = addNote(
        d,
        {
          text: 'pre-voted',
          x: 0,
          y: 0,
          authorId: env.malPerson.userId!,
          authorName: 'Mallory',
          itemId: null,
        },
        localOrigin('mal'),
      );
      votesOf(d, id).set(env.malPerson.userId!, 1);
    });
    await expectRefusedWhole(env, 'board', update, ['forbidden', 'schema']);
  });

  it.each(TRANSPORTS)(
    '%s: the author removing the votes map of its own note (and with it everyone’s votes) is refused (forbidden)',
    async (transport) => {
      const env = await setup(transport);
      const id = await attackerNote(env, 'my note, your votes');
      await openVotingFor(env, 3);
      await eventually(() => expect(boardNotes(env.hana.docs.board).has(id)).toBe(true));
      await hanaVotes(env, id);
      const update = craft(await env.mal.replica('board'), env.cid, (d) => noteMapOf(d, id).delete('votes'));
      await expectRefusedWhole(env, 'board', update, 'forbidden');
      await expectExportedVotes(env, id, 'my note, your votes', { [env.hana.session!.userId]: 1 });
    },
  );

  it('an organizer may not set another person’s vote (forbidden)', async () => {
    const env = await setup('socket.io');
    const id = await honestNote(env, env.hana, 'organizer votes');
    await openVotingFor(env, 3);
    const org = new HostileSio(env.server.url, env.board.id, env.board.tokens.organizer, guest('Oscar'));
    expect(await org.ready()).toBe(true);
    const update = craft(org.docs.board, freshClientId(), (d) =>
      votesOf(d, id).set(env.hana.session!.userId, 1),
    );
    expectRefused(await org.send('board', update), 'socket.io', 'forbidden');
    expect(org.isOpen()).toBe(true);
    await expectConverged(env);
  });
});

describe('G4: client ids and dependencies', () => {
  it.each(TRANSPORTS)(
    '%s: writing under the client id of another open connection is refused (client-id)',
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'hana writes');
      const update = craft(await env.mal.replica('board'), env.hana.docs.board.clientID, (d) =>
        moveNote(d, id, 500, 500, localOrigin('mal')),
      );
      await expectRefusedWhole(env, 'board', update, 'client-id');
    },
  );

  it.each(TRANSPORTS)(
    `%s: a connection writes under at most ${UPDATE_LIMITS.clientIdsPerConnection} client ids; the next is refused (client-id)`,
    async (transport) => {
      const env = await setup(transport);
      const id = await honestNote(env, env.hana, 'moved around');
      for (let i = 0; i < UPDATE_LIMITS.clientIdsPerConnection; i++) {
        const update = craft(await env.mal.replica('board'), freshClientId(), (d) =>
          moveNote(d, id, i * 10, i * 10, localOrigin('mal')),
        );
        expect(await env.mal.send('board', update), `client id #${i + 1}`).toEqual({ kind: 'accepted' });
      }
      const last = craft(await env.mal.replica('board'), freshClientId(), (d) =>
        moveNote(d, id, 999, 999, localOrigin('mal')),
      );
      await expectRefusedWhole(env, 'board', last, 'client-id');
    },
  );

  it.each(TRANSPORTS)(
    '%s: an origin, a parent or a deletion the server does not have is refused (missing-dependencies)',
    async (transport) => {
      const env = await setup(transport);
      await honestNote(env, env.hana, 'anchor');
      const ghost = freshClientId();
      const cases: [string, Uint8Array][] = [
        [
          'unknown origin',
          rawUpdate([
            {
              id: { client: env.cid, clock: 0 },
              origin: { client: ghost, clock: 4 },
              content: { string: 'x' },
            },
          ]),
        ],
        [
          'unknown right origin',
          rawUpdate([
            {
              id: { client: env.cid, clock: 0 },
              rightOrigin: { client: ghost, clock: 0 },
              content: { string: 'x' },
            },
          ]),
        ],
        [
          'unknown parent',
          rawUpdate([
            {
              id: { client: env.cid, clock: 0 },
              parent: { item: { client: ghost, clock: 0 } },
              parentSub: 'x',
              content: { any: [1] },
            },
          ]),
        ],
        [
          'gap in its own clock',
          rawUpdate([
            {
              id: { client: env.cid, clock: 7 },
              parent: { root: 'notes' },
              parentSub: 'k',
              content: { any: [1] },
            },
          ]),
        ],
        ['deletion of structs the server lacks', rawUpdate([], [{ client: ghost, clock: 0, len: 3 }])],
      ];
      for (const [what, update] of cases) {
        const before = await serverState(env, 'board');
        const outcome = await env.mal.send('board', update);
        expect(outcome.kind, what).toBe('refused');
        if (transport === 'socket.io' && outcome.kind === 'refused')
          expect(outcome.code, what).toBe('missing-dependencies');
        expect(await serverState(env, 'board'), what).toEqual(before);
      }
      expect(env.mal.isOpen()).toBe(true);
      expect(
        await env.server.docs.read(env.board.id, 'board', (d) => [d.store.pendingStructs, d.store.pendingDs]),
      ).toEqual([null, null]);
      await expectConverged(env);
      await expectInvariants(env);
    },
  );

  it.each(TRANSPORTS)(
    '%s: resending structs the server already has is accepted (honest resend)',
    async (transport) => {
      const env = await setup(transport);
      await honestNote(env, env.hana, 'known');
      await attackerNote(env, 'mine');
      const before = await serverState(env, 'board');
      const replica = await env.mal.replica('board');
      expect(await env.mal.send('board', Y.encodeStateAsUpdate(replica))).toEqual({ kind: 'accepted' });
      expect((await serverState(env, 'board')).stateVector).toEqual(before.stateVector);
      expect(env.mal.isOpen()).toBe(true);
      await expectConverged(env);
    },
  );

  it('a stock y-websocket client that reconnects continues writing under its own client id', async () => {
    const env = await setup('y-websocket');
    const person = await issuePerson(env.server.url, env.board.id, env.board.tokens.participant, 'Rita');
    const { provider, doc } = yWebsocketClient(
      env.server.wsUrl,
      env.board.id,
      'board',
      env.board.tokens.participant,
      wsParams(person),
    );
    await eventually(() => expect(provider.synced).toBe(true));
    const id = addNote(
      doc,
      { text: 'before', x: 0, y: 0, authorId: person.userId!, authorName: 'Rita', itemId: null },
      localOrigin('rita'),
    );
    await eventually(() => expect(readNotes(env.hana.docs.board).map((n) => n.text)).toContain('before'));
    provider.disconnect();
    await eventually(async () => {
      const lease = await env.server.rooms.acquire(env.board.id, 'board');
      const n = [...lease.room.connections.keys()].filter((c) => c.peer.userId === person.userId).length;
      lease.release();
      expect(n).toBe(0);
    });
    setNoteText(doc, id, 'after reconnect', localOrigin('rita'));
    provider.connect();
    await eventually(() =>
      expect(readNotes(env.hana.docs.board).find((n) => n.id === id)?.text).toBe('after reconnect'),
    );
    await expectConverged(env);
  });
});

describe('G5: sizes of updates and boards', () => {
  it.each(TRANSPORTS)(
    `%s: an update of more than ${UPDATE_LIMITS.structs} structs is refused (too-large)`,
    async (transport) => {
      const env = await setup(transport);
      const id = await attackerNote(env, 'base');
      // One character appended per struct, each deleted again in the same update: the text stays
      // short, and a hand-written update keeps every character a struct of its own.
      const replica = await env.mal.replica('board');
      const clock = Y.getState(replica.store, env.cid);
      const t = noteText(replica, id)!;
      const items: RawItem[] = [];
      for (let i = 0; i <= UPDATE_LIMITS.structs; i++)
        items.push({
          id: { client: env.cid, clock: clock + i },
          origin: i === 0 ? charId(t, t.length - 1) : { client: env.cid, clock: clock + i - 1 },
          content: { string: 'z' },
        });
      const update = rawUpdate(items, [{ client: env.cid, clock, len: items.length }]);
      expect(Y.decodeUpdate(update).structs.length).toBeGreaterThan(UPDATE_LIMITS.structs);
      await expectRefusedWhole(env, 'board', update, 'too-large');
    },
    60_000,
  );

  it.each(TRANSPORTS)(
    `%s: an update of more than ${UPDATE_LIMITS.deleteRanges} deleted ranges is refused (too-large)`,
    async (transport) => {
      const env = await setup(transport);
      const ids: string[] = [];
      await env.server.docs.change(env.board.id, 'board', 'test fixture', (d) => {
        for (let i = 0; i < 13; i++)
          ids.push(
            addNote(
              d,
              {
                text: 'w'.repeat(LIMITS.noteTextLength),
                x: 0,
                y: 0,
                authorId: env.hana.session!.userId,
                authorName: 'Hana',
                itemId: null,
              },
              localOrigin('fixture'),
            ),
          );
      });
      await expectConverged(env);
      const replica = await env.mal.replica('board');
      await eventually(() => expect(boardNotes(replica).size).toBe(13));
      // Every other character of every text: one deleted range each (text edits anyone may make).
      const deletes: { client: number; clock: number; len: number }[] = [];
      for (const id of ids) {
        const t = noteText(replica, id)!;
        for (let i = 0; i < t.length; i += 2) deletes.push({ ...charId(t, i), len: 1 });
      }
      const update = rawUpdate([], deletes);
      const ranges = [...Y.decodeUpdate(update).ds.clients.values()].reduce((s, r) => s + r.length, 0);
      expect(ranges).toBeGreaterThan(UPDATE_LIMITS.deleteRanges);
      await expectRefusedWhole(env, 'board', update, 'too-large');
    },
    60_000,
  );

  it.each(TRANSPORTS)(
    '%s: a note beyond the board’s limit is refused (board-full, "this board is full")',
    async (transport) => {
      const limits = { ...BOARD_LIMITS, notes: 3, tasks: 3 };
      const env = await setup(transport, { boardLimits: limits });
      for (let i = 0; i < limits.notes; i++) await attackerNote(env, `note ${i}`);
      const update = craft(await env.mal.replica('board'), env.cid, (d) =>
        addNote(
          d,
          {
            text: 'one too many',
            x: 0,
            y: 0,
            authorId: env.malPerson.userId!,
            authorName: 'Mallory',
            itemId: null,
          },
          localOrigin('mal'),
        ),
      );
      const before = await serverState(env, 'board');
      const outcome = await env.mal.send('board', update);
      expectRefused(outcome, transport, 'board-full');
      expect(outcome.kind === 'refused' && outcome.reason).toMatch(/this board is full/);
      expect(await serverState(env, 'board')).toEqual(before);
      expect(env.mal.isOpen()).toBe(true);
      // Honest clients are told too, and stay converged.
      addNote(
        env.hana.docs.board,
        {
          text: 'hana too',
          x: 0,
          y: 0,
          authorId: env.hana.session!.userId,
          authorName: 'Hana',
          itemId: null,
        },
        me(env.hana),
      );
      await eventually(() => expect(env.hana.denials.map((d) => d.code)).toEqual(['board-full']));
      expect(await env.server.docs.read(env.board.id, 'board', (d) => boardNotes(d).size)).toBe(limits.notes);
    },
  );

  it.each(TRANSPORTS)('%s: a task beyond the board’s limit is refused (board-full)', async (transport) => {
    const limits = { ...BOARD_LIMITS, notes: 3, tasks: 3 };
    const env = await setup(transport, { boardLimits: limits });
    for (let i = 0; i < limits.tasks; i++)
      expect(
        await env.mal.send(
          'tasks',
          craft(await env.mal.replica('tasks'), env.cid, (d) =>
            createTask(d, { title: `t${i}` }, localOrigin('mal')),
          ),
        ),
      ).toEqual({ kind: 'accepted' });
    const update = craft(await env.mal.replica('tasks'), env.cid, (d) =>
      createTask(d, { title: 'extra' }, localOrigin('mal')),
    );
    await expectRefusedWhole(env, 'tasks', update, 'board-full');
  });

  it.each(TRANSPORTS)('%s: a document beyond its byte limit is refused (board-full)', async (transport) => {
    const limits = { ...BOARD_LIMITS, docBytes: 16 * 1024 };
    const env = await setup(transport, { boardLimits: limits });
    let refused: Outcome | null = null;
    for (let i = 0; i < 20 && !refused; i++) {
      const update = craft(await env.mal.replica('board'), env.cid, (d) =>
        addNote(
          d,
          {
            text: `${i}`.padEnd(LIMITS.noteTextLength, '.'),
            x: 0,
            y: 0,
            authorId: env.malPerson.userId!,
            authorName: 'Mallory',
            itemId: null,
          },
          localOrigin('mal'),
        ),
      );
      const outcome = await env.mal.send('board', update);
      if (outcome.kind !== 'accepted') refused = outcome;
    }
    expect(refused).not.toBeNull();
    expectRefused(refused!, transport, 'board-full');
    expect(env.mal.isOpen()).toBe(true);
    const bytes = await env.server.docs.read(
      env.board.id,
      'board',
      (d) => Y.encodeStateAsUpdate(d).byteLength,
    );
    expect(bytes).toBeLessThanOrEqual(limits.docBytes);
    await expectConverged(env);
  });
});

describe('G1/G5: a delete set that lists the same range many times buys no room', () => {
  it.each(TRANSPORTS)(
    '%s: 1,500 characters into a full note text, "paid for" by one 10-character deletion listed 150 times, are refused (schema)',
    async (transport) => {
      const env = await setup(transport);
      const id = await attackerNote(env, 'a'.repeat(LIMITS.noteTextLength));
      const replica = await env.mal.replica('board');
      const t = noteText(replica, id)!;
      const first = charId(t, 0);
      const append = craft(replica, env.cid, (d) => {
        const text = noteText(d, id)!;
        text.insert(text.length, 'b'.repeat(1500));
      });
      const update = withDeleteSet(
        append,
        Array.from({ length: 150 }, () => ({ ...first, len: 10 })),
      );
      await expectRefusedWhole(env, 'board', update, 'schema');
      expect(
        await env.server.docs.read(env.board.id, 'board', (d) => noteText(d, id)!.length),
      ).toBeLessThanOrEqual(LIMITS.noteTextLength);
    },
  );

  it.each(TRANSPORTS)(
    '%s: five new notes on a full board, "paid for" by one own note deleted and listed five times, are refused (board-full)',
    async (transport) => {
      const limits = { ...BOARD_LIMITS, notes: 3 };
      const env = await setup(transport, { boardLimits: limits });
      const ids: string[] = [];
      for (let i = 0; i < limits.notes; i++) ids.push(await attackerNote(env, `note ${i}`));
      const replica = await env.mal.replica('board');
      const noteItem = boardNotes(replica)._map.get(ids[0]!)!;
      const five = craft(replica, env.cid, (d) => {
        for (let i = 0; i < 5; i++)
          addNote(
            d,
            {
              text: `extra ${i}`,
              x: 0,
              y: 0,
              authorId: env.malPerson.userId!,
              authorName: 'Mallory',
              itemId: null,
            },
            localOrigin('mal'),
          );
      });
      const update = withDeleteSet(
        five,
        Array.from({ length: 5 }, () => ({ client: noteItem.id.client, clock: noteItem.id.clock, len: 1 })),
      );
      await expectRefusedWhole(env, 'board', update, 'board-full');
      expect(await env.server.docs.read(env.board.id, 'board', (d) => boardNotes(d).size)).toBe(limits.notes);
    },
  );
});

describe('G6: fault containment', () => {
  it('upgrade requests with odd targets (`//[`, bad escapes, huge ids, odd paths) do not stop the process', async () => {
    const env = await setup('socket.io');
    const targets = [
      '//[',
      '/yjs/%E0%A4%A/board',
      `/yjs/${env.board.id}/%ZZ?token=%ZZ`,
      `/yjs/${'a'.repeat(8000)}/board?token=x`,
      `/yjs/${env.board.id}/board/extra/../..?token=${env.board.tokens.participant}&userId=%00&key=%FF`,
      '/yjs/__proto__/constructor?token=prototype',
      '/socket.io/?EIO=4&transport=websocket&sid=%ZZ',
      '*',
      'http://[::1',
    ];
    for (const target of targets) {
      await new Promise<void>((resolve) => {
        const s = netConnect(env.server.port, '127.0.0.1', () => {
          s.write(
            `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
              'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
          );
        });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.setTimeout(500, () => s.destroy());
      });
      expect(await healthy(env.server), target.slice(0, 40)).toBe(true);
    }
    await otherBoardAnswers(env);
    await expectConverged(env);
  });

  it('documents stored before the gate existed still load; what breaks a rule is left out', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Old board');
    const old = new Y.Doc();
    const honestId = addNote(
      old,
      { text: 'honest', x: 1, y: 2, authorId: 'old-user', authorName: 'Old', itemId: null },
      localOrigin('old'),
    );
    const longId = addNote(
      old,
      { text: 'x', x: 0, y: 0, authorId: 'old-user', authorName: 'Old', itemId: null },
      localOrigin('old'),
    );
    noteText(old, longId)!.insert(0, 'L'.repeat(LIMITS.noteTextLength * 5));
    old.getText('evil').insert(0, 'unknown root');
    old.getArray('list').push([1, 2, 3]);
    noteMapOf(old, honestId).set('unknown', 'key');
    await server.store.append(`${board.id}/board`, [Y.encodeStateAsUpdate(old)]);
    const viewer = new SioClient(server.url, { board: board.id, token: board.tokens.viewer, name: 'Vera' });
    await eventually(() => expect(viewer.synced.size).toBe(3));
    expect(readNotes(viewer.docs.board).find((n) => n.id === honestId)?.text).toBe('honest');
    const violations = await server.docs.read(board.id, 'board', (d) =>
      (
        [
          ['evil root', d.share.has('evil') && d.getText('evil').length > 0],
          ['list root', d.share.has('list') && d.get('list', Y.Array).length > 0],
          ['long text', (noteText(d, longId)?.length ?? 0) > LIMITS.noteTextLength],
          ['unknown key', noteMapOf(d, honestId).has('unknown')],
        ] as const
      ).filter(([, broken]) => broken),
    );
    expect(violations).toEqual([]);
    expect(await healthy(server)).toBe(true);
  });

  it('a stored update with a 5,000-deep value does not crash a load or a join', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Poisoned board');
    const old = new Y.Doc();
    addNote(
      old,
      { text: 'survivor', x: 0, y: 0, authorId: 'old-user', authorName: 'Old', itemId: null },
      localOrigin('old'),
    );
    boardNotes(old).forEach((m) => m.set('group', nestedArrays(5000)));
    await server.store.append(`${board.id}/board`, [Y.encodeStateAsUpdate(old)]);
    const viewer = new SioClient(server.url, { board: board.id, token: board.tokens.viewer, name: 'Vera' });
    await eventually(() => expect(viewer.synced.size).toBe(3));
    const second = new SioClient(server.url, { board: board.id, token: board.tokens.viewer, name: 'Vic' });
    await eventually(() => expect(second.synced.size).toBe(3));
    expect(await healthy(server)).toBe(true);
    const res = await fetch(`${server.url}/api/boards/${board.id}/export.json`, {
      headers: { authorization: `Bearer ${board.tokens.viewer}` },
    });
    expect(res.status).toBe(200);
  });
});

// ---- honest changes stay accepted ------------------------------------------------------

describe('G1–G5: honest changes are accepted', () => {
  it('a participant’s own note, text edits (own and others’), moving someone else’s note, deleting its own', async () => {
    const env = await setup('socket.io');
    const orgNote = await honestNote(env, env.org, 'organizer’s');
    const own = await honestNote(env, env.hana, 'mine');
    setNoteText(env.hana.docs.board, own, 'mine, edited', me(env.hana));
    setNoteText(env.hana.docs.board, orgNote, 'organizer’s, improved by Hana', me(env.hana));
    moveNote(env.hana.docs.board, orgNote, 300, 400, me(env.hana));
    await expectConverged(env);
    const notes = readNotes(await env.server.docs.read(env.board.id, 'board', (d) => d));
    expect(notes.map((n) => [n.text, n.x, n.y])).toEqual([
      ['organizer’s, improved by Hana', 300, 400],
      ['mine, edited', 10, 20],
    ]);
    deleteNote(
      env.hana.docs.board,
      own,
      { role: 'participant', userId: env.hana.session!.userId, pseudonym: env.hana.session!.pseudonym },
      me(env.hana),
    );
    await expectConverged(env);
    expect(readNotes(env.org.docs.board).map((n) => n.id)).toEqual([orgNote]);
    await expectInvariants(env);
  });

  it('a stock y-websocket client with an issued identity writes, edits and moves notes', async () => {
    const env = await setup('y-websocket');
    const orgNote = await honestNote(env, env.org, 'organizer’s');
    const person = await issuePerson(env.server.url, env.board.id, env.board.tokens.participant, 'Wes');
    env.people.push({ userId: person.userId!, name: 'Wes', role: 'participant', issued: true });
    const { provider, doc } = yWebsocketClient(
      env.server.wsUrl,
      env.board.id,
      'board',
      env.board.tokens.participant,
      wsParams(person),
    );
    await eventually(() => expect(provider.synced).toBe(true));
    const id = addNote(
      doc,
      { text: 'from y-websocket', x: 5, y: 5, authorId: person.userId!, authorName: 'Wes', itemId: null },
      localOrigin('wes'),
    );
    setNoteText(doc, id, 'from y-websocket, edited', localOrigin('wes'));
    moveNote(doc, orgNote, 50, 60, localOrigin('wes'));
    await eventually(() =>
      expect(readNotes(env.hana.docs.board).map((n) => [n.text, n.x])).toEqual([
        ['organizer’s', 50],
        ['from y-websocket, edited', 5],
      ]),
    );
    await expectConverged(env);
    await expectInvariants(env);
  });

  it('votes within the limit while voting is open, a retraction, and the organizer clearing votes after voting closed', async () => {
    const env = await setup('socket.io');
    const a = await honestNote(env, env.hana, 'a');
    const b = await honestNote(env, env.org, 'b');
    await openVotingFor(env, 3);
    const live = readLive(env.hana.docs.agenda);
    castVote(env.hana.docs.board, a, env.hana.session!.userId, live, me(env.hana));
    castVote(env.hana.docs.board, a, env.hana.session!.userId, live, me(env.hana));
    castVote(env.hana.docs.board, b, env.hana.session!.userId, live, me(env.hana));
    castVote(env.org.docs.board, a, env.org.session!.userId, readLive(env.org.docs.agenda), me(env.org));
    await expectConverged(env);
    retractVote(env.hana.docs.board, a, env.hana.session!.userId, live, me(env.hana));
    await expectConverged(env);
    await expectExportedVotes(env, a, 'a', { [env.hana.session!.userId]: 1, [env.org.session!.userId]: 1 });
    await expectInvariants(env);
    closeVoting(env.org.docs.agenda, me(env.org));
    env.org.docs.board.transact(() => {
      for (const id of [a, b])
        for (const voter of [...votesOf(env.org.docs.board, id).keys()])
          votesOf(env.org.docs.board, id).delete(voter);
    }, me(env.org));
    await expectConverged(env);
    await expectExportedVotes(env, a, 'a', {});
  });

  it('the organizer arranges a full board (every note moved, in updates within the limits)', async () => {
    const env = await setup('socket.io');
    const count = BOARD_LIMITS.notes;
    await env.server.docs.change(env.board.id, 'board', 'test fixture', (d) => {
      const notes = boardNotes(d);
      for (let i = 0; i < count; i++) {
        const m = new Y.Map<unknown>();
        m.set('text', new Y.Text(`idea ${i}`));
        m.set('x', 7 + i);
        m.set('y', 3 + i);
        m.set('color', 'yellow');
        m.set('authorId', env.hana.session!.userId);
        m.set('authorName', 'Hana');
        m.set('itemId', null);
        m.set('createdAt', i);
        m.set('votes', new Y.Map());
        m.set('z', i);
        m.set('group', '');
        notes.set(`note${i}`, m);
      }
    });
    await eventually(() => expect(boardNotes(env.org.docs.board).size).toBe(count), { timeout: 20_000 });
    const sent: number[] = [];
    const onUpdate = (u: Uint8Array): void => void sent.push(Y.decodeUpdate(u).structs.length);
    env.org.docs.board.on('update', onUpdate);
    const acked = env.org.acks.length;
    arrangeByTalk(env.org.docs.board, [], me(env.org));
    env.org.docs.board.off('update', onUpdate);
    expect(sent.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(count);
    expect(Math.max(...sent)).toBeLessThanOrEqual(UPDATE_LIMITS.structs);
    await eventually(() => expect(env.org.acks.slice(acked)).toEqual(sent.map(() => ({ ok: true }))), {
      timeout: 20_000,
    });
    await eventually(
      async () =>
        expect(
          await env.server.docs.read(
            env.board.id,
            'board',
            (d) => readNotes(d).filter((n) => n.x === 0).length,
          ),
        ).toBeGreaterThan(0),
      { timeout: 20_000 },
    );
    await expectConverged(env);
  }, 90_000);

  it('tasks: create, assign, change status and delete, on both transports', async () => {
    const env = await setup('y-websocket');
    const person = await issuePerson(env.server.url, env.board.id, env.board.tokens.participant, 'Tess');
    env.people.push({ userId: person.userId!, name: 'Tess', role: 'participant', issued: true });
    const { provider, doc } = yWebsocketClient(
      env.server.wsUrl,
      env.board.id,
      'tasks',
      env.board.tokens.participant,
      wsParams(person),
    );
    await eventually(() => expect(provider.synced).toBe(true));
    const t1 = createTask(env.hana.docs.tasks, { title: 'Write the summary' }, me(env.hana));
    const t2 = createTask(doc, { title: 'Book the room', due: '2030-01-01' }, localOrigin('tess'));
    await eventually(() => expect(readTasks(doc).length).toBe(2));
    assignTask(doc, t1, { owner: 'Hana', ownerId: env.hana.session!.userId }, localOrigin('tess'));
    setStatus(env.hana.docs.tasks, t2, 'doing', me(env.hana));
    await eventually(() =>
      expect(
        readTasks(env.hana.docs.tasks)
          .map((t) => [t.title, t.owner, t.status])
          .sort(),
      ).toEqual([
        ['Book the room', '', 'doing'],
        ['Write the summary', 'Hana', 'open'],
      ]),
    );
    deleteTask(doc, t1, localOrigin('tess'));
    await eventually(() => expect(readTasks(env.hana.docs.tasks).map((t) => t.id)).toEqual([t2]));
    await expectConverged(env);
    await expectInvariants(env);
  });
});
