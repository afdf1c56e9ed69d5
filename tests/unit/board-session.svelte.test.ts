import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventually } from '../helpers/eventually';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { BoardSession, connectionStateOf, refusalMessage } from '../../client/src/lib/sync/session.svelte';
import {
  RESET_DEBOUNCE_MS,
  SERVER_ORIGIN,
  type ClientSocket,
} from '../../client/src/lib/sync/socketio-provider';
import type { SessionInfo, UpdateAck } from '../../shared/protocol';
import { PACKED_WIRE } from '../../shared/protocol/packed-parser';
import { agendaLive, boardNotes, DOC_KINDS, localOrigin, type DocKind } from '../../shared/schema';
import { loadPerson, savePerson, type Person } from '../../client/src/lib/sync/identity';
import type { DocStates } from '../../client/src/lib/sync/prefetch';

/**
 * The session's own logic, with a scripted in-memory socket standing in for
 * the server (the real server is exercised in tests/integration).
 */

type Handler = (...args: never[]) => void;

class FakeSocket {
  connected = false;
  active = false;
  connects = 0;
  disconnects = 0;
  /** What `io()` was given (the auth is asked on every connection). */
  opts: { auth?: unknown } = {};
  readonly handlers = new Map<string, Handler[]>();
  readonly sent: { doc: DocKind; frame: Uint8Array; ack?: (r: UpdateAck) => void }[] = [];

  on(event: string, fn: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, ...args: unknown[]): this {
    if (event === 'y') {
      const [doc, frame, ack] = args as [DocKind, Uint8Array, ((r: UpdateAck) => void) | undefined];
      this.sent.push({ doc, frame, ack });
    }
    return this;
  }
  timeout(): { emitWithAck: () => Promise<number> } {
    return { emitWithAck: () => Promise.resolve(Date.now()) };
  }
  disconnect(): this {
    this.active = false;
    this.disconnects++;
    if (this.connected) this.fire('disconnect', 'io client disconnect');
    return this;
  }
  connect(): this {
    this.active = true;
    this.connects++;
    return this;
  }
  /** The handshake auth the next connection would send. */
  auth(): Record<string, unknown> {
    let data: Record<string, unknown> = {};
    (this.opts.auth as (cb: (d: Record<string, unknown>) => void) => void)((d) => (data = d));
    return data;
  }
  /** What the server would do. */
  fire(event: string, ...args: unknown[]): void {
    if (event === 'connect') this.connected = true;
    if (event === 'disconnect') this.connected = false;
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
  }
  /** Answer the client's sync step 1 for every document with an empty step 2. */
  syncAll(): void {
    for (const doc of DOC_KINDS) {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, 0);
      syncProtocol.writeSyncStep2(enc, new Y.Doc());
      this.fire('y', doc, encoding.toUint8Array(enc));
    }
  }
  /** Awareness frames the client sent for `doc`. */
  awarenessFrames(doc: DocKind): number {
    return this.sent.filter((m) => m.doc === doc && m.frame[0] === 1).length;
  }
  /** The state vectors of the sync step 1 messages the client sent for `doc`. */
  step1s(doc: DocKind): Uint8Array[] {
    return this.sent.flatMap((m) => {
      if (m.doc !== doc) return [];
      const d = decoding.createDecoder(m.frame);
      if (decoding.readVarUint(d) !== 0 || decoding.readVarUint(d) !== syncProtocol.messageYjsSyncStep1)
        return [];
      return [decoding.readVarUint8Array(d)];
    });
  }
  /** Updates (not step 1 or awareness) the client sent for `doc`. */
  updates(doc: DocKind): { frame: Uint8Array; ack?: (r: UpdateAck) => void }[] {
    return this.sent.filter((m) => {
      if (m.doc !== doc) return false;
      const d = decoding.createDecoder(m.frame);
      return decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === syncProtocol.messageYjsUpdate;
    });
  }
}

const memoryStore = () => {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
};

const ADA: Person = { userId: 'u_ada_000001', key: 'key-of-ada-0000000000000000', name: 'Ada' };

const info = (role: SessionInfo['role'], userId = ADA.userId): SessionInfo => ({
  boardId: 'board-0001',
  title: 'Workshop',
  role,
  userId,
  name: 'Ada',
  pseudonym: 'pseudo-ada',
  issued: true,
  writable:
    role === 'organizer' ? ['agenda', 'board', 'tasks'] : role === 'participant' ? ['board', 'tasks'] : [],
});

const sessions: BoardSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
  vi.useRealTimers();
});

/** A scripted people API: each call takes the next answer. */
function peopleApi(...answers: (() => Response)[]) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({
      method: init.method ?? 'GET',
      url: String(input),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected ${init.method} ${String(input)}`);
    return next();
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (): Response =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

/** A session for a browser that already holds Ada's identity on this board (unless `person: null`). */
function open(
  opts: {
    person?: Person | null;
    fetch?: typeof globalThis.fetch;
    store?: ReturnType<typeof memoryStore>;
    prefetched?: Promise<DocStates | null>;
  } = {},
): { session: BoardSession; socket: FakeSocket; store: ReturnType<typeof memoryStore> } {
  const socket = new FakeSocket();
  const store = opts.store ?? memoryStore();
  const person = opts.person === undefined ? ADA : opts.person;
  if (person) savePerson('board-0001', person, store);
  const session = new BoardSession({
    boardId: 'board-0001',
    token: 'token-0001',
    name: 'Ada',
    url: 'http://server.invalid',
    store,
    fetch: opts.fetch ?? peopleApi().fetch,
    prefetched: opts.prefetched,
    connect: (_url, o) => {
      socket.opts = o as { auth?: unknown };
      return socket as unknown as ClientSocket;
    },
  });
  sessions.push(session);
  return { session, socket, store };
}

const addNote = (session: BoardSession, id: string): void => {
  session.docs.board.transact(() => {
    boardNotes(session.docs.board).set(id, new Y.Map());
  }, localOrigin(session.user.id));
};

describe('connectionStateOf', () => {
  it('maps the provider facts to the four honest states', () => {
    expect(connectionStateOf('connecting', false, false, 0)).toBe('connecting');
    expect(connectionStateOf('connected', true, false, 0)).toBe('syncing');
    expect(connectionStateOf('connected', true, true, 2)).toBe('syncing');
    expect(connectionStateOf('connected', true, true, 0)).toBe('saved');
    expect(connectionStateOf('offline', true, false, 3)).toBe('offline');
    expect(connectionStateOf('failed', false, false, 0)).toBe('offline');
  });
});

describe('BoardSession', () => {
  it('goes from connecting to syncing to saved, and offline with the unsynced count', () => {
    const { session, socket } = open();
    expect(session.connection).toBe('connecting');
    socket.fire('connect');
    expect(session.connection).toBe('syncing');
    socket.fire('session', info('participant'));
    socket.syncAll();
    expect(session.connection).toBe('saved');
    expect(session.synced).toBe(true);
    expect(session.savedOnce).toBe(false);

    addNote(session, 'n1');
    expect(session.unsynced).toBe(1);
    expect(session.connection).toBe('syncing');
    socket.updates('board')[0]?.ack?.({ ok: true });
    expect(session.unsynced).toBe(0);
    expect(session.connection).toBe('saved');
    expect(session.savedOnce).toBe(true);

    socket.fire('disconnect', 'transport close');
    expect(session.connection).toBe('offline');
    addNote(session, 'n2');
    addNote(session, 'n3');
    expect(session.unsynced).toBe(2);
    // Nothing leaves while offline; socket.io must not buffer it either.
    expect(socket.updates('board')).toHaveLength(1);

    socket.fire('connect');
    const resent = socket.updates('board');
    expect(resent).toHaveLength(2);
    // One merged frame carries both offline changes.
    const copy = new Y.Doc();
    for (const { frame } of resent) {
      const d = decoding.createDecoder(frame);
      decoding.readVarUint(d);
      syncProtocol.readSyncMessage(d, encoding.createEncoder(), copy, null);
    }
    expect([...boardNotes(copy).keys()].sort()).toEqual(['n1', 'n2', 'n3']);
    resent[1]!.ack?.({ ok: true });
    expect(session.unsynced).toBe(0);
  });

  it('DL3: documents fetched while the name prompt was open fill the documents at once and are never sent back', async () => {
    const server = new Y.Doc();
    boardNotes(server).set('early', new Y.Map());
    const { session, socket } = open({
      prefetched: Promise.resolve({ board: Y.encodeStateAsUpdate(server) }),
    });
    await eventually(() => expect(boardNotes(session.docs.board).has('early')).toBe(true));
    socket.fire('connect');
    expect(socket.updates('board')).toHaveLength(0);
    expect(session.unsynced).toBe(0);
  });

  it('never sends changes that came from the server back to it', () => {
    const { session, socket } = open();
    socket.fire('connect');
    session.docs.board.transact(
      () => boardNotes(session.docs.board).set('remote', new Y.Map()),
      SERVER_ORIGIN,
    );
    expect(socket.updates('board')).toHaveLength(0);
    expect(session.unsynced).toBe(0);
  });

  it('is read-only until the server names the role, then follows the role rights', () => {
    const { session, socket } = open();
    expect(session.role).toBe('viewer');
    expect(DOC_KINDS.map((d) => session.canWrite(d))).toEqual([false, false, false, false]);
    socket.fire('connect');
    socket.fire('session', info('organizer'));
    expect(session.role).toBe('organizer');
    expect(session.title).toBe('Workshop');
    // The three shared documents and this person's private notes (PW1).
    expect(DOC_KINDS.map((d) => session.canWrite(d))).toEqual([true, true, true, true]);
    // The presence carries the role for the others.
    expect(session.awareness.board.getLocalState()?.user).toMatchObject({ name: 'Ada', role: 'organizer' });
  });

  it('takes the board write right from a participant while the board is locked', () => {
    const { session, socket } = open();
    socket.fire('connect');
    socket.fire('session', info('participant'));
    const setLocked = (locked: boolean): void => {
      session.docs.agenda.transact(() => {
        agendaLive(session.docs.agenda).set('boardLocked', locked);
      }, SERVER_ORIGIN);
    };
    expect(session.canWrite('board')).toBe(true);
    setLocked(true);
    expect(session.canWrite('board')).toBe(false);
    expect(session.canWrite('tasks')).toBe(true);
    setLocked(false);
    expect(session.canWrite('board')).toBe(true);
    expect(session.canWrite('agenda')).toBe(false);
  });

  it('does not lock the board for the organizer', () => {
    const { session, socket } = open();
    socket.fire('connect');
    socket.fire('session', info('organizer'));
    session.docs.agenda.transact(
      () => agendaLive(session.docs.agenda).set('boardLocked', true),
      SERVER_ORIGIN,
    );
    expect(session.canWrite('board')).toBe(true);
  });

  it('replaces a refused document by a fresh one from the server, drops the refused change and says why', async () => {
    vi.useFakeTimers();
    const { session, socket } = open();
    socket.fire('connect');
    socket.fire('session', info('participant'));
    socket.syncAll();
    const before = session.docs.board;
    const clientId = before.clientID;
    addNote(session, 'n1');
    addNote(session, 'n2');
    expect(session.unsynced).toBe(2);
    // The server refuses the first; the second (built on it) is refused too: one reset.
    socket.fire('denied', { doc: 'board', code: 'no-votes-left', reason: 'all 3 votes are used' });
    socket.updates('board')[1]?.ack?.({ ok: false, error: 'missing-dependencies' });
    socket.fire('denied', { doc: 'board', code: 'missing-dependencies', reason: 'sync first' });
    expect(session.generation).toBe(0);
    // While it waits for the reset, nothing more of that document leaves.
    addNote(session, 'n3');
    expect(socket.updates('board')).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(RESET_DEBOUNCE_MS);
    expect(session.generation).toBe(1);
    expect(session.docs.board).not.toBe(before);
    expect(session.docs.board.clientID).not.toBe(clientId);
    expect(boardNotes(session.docs.board).size).toBe(0);
    expect(session.unsynced).toBe(0);
    expect(session.refusal).toEqual({ doc: 'board', code: 'no-votes-left', reason: 'all 3 votes are used' });
    expect(session.refusalText).toBe(refusalMessage({ reason: 'all 3 votes are used' }));
    expect(session.refusalText).toBe(
      'Your last change was refused: all 3 votes are used. The board shows what was saved.',
    );
    // The old document is gone: its observers and the awareness with it.
    expect(before.isDestroyed).toBe(true);
    expect(session.awareness.board.doc).toBe(session.docs.board);
    expect(session.awareness.board.getLocalState()?.user).toMatchObject({ id: ADA.userId, name: 'Ada' });
    // A new connection syncs the fresh document from nothing; the others keep theirs.
    expect(socket.disconnects).toBe(1);
    socket.fire('connect');
    expect([...socket.step1s('board').at(-1)!]).toEqual([0]);
    socket.syncAll();
    expect(session.connection).toBe('saved');
    // Later edits go out under the new client id and are not refused for missing dependencies.
    addNote(session, 'n4');
    expect(socket.updates('board')).toHaveLength(3);
    session.dismissRefusal();
    expect(session.refusal).toBeNull();
  });

  it('does not reset a document for a refusal of something it never sent', async () => {
    vi.useFakeTimers();
    const { session, socket } = open();
    socket.fire('connect');
    socket.fire('session', info('participant'));
    socket.syncAll();
    socket.fire('denied', { doc: 'board', code: 'malformed', reason: 'awareness too large' });
    await vi.advanceTimersByTimeAsync(RESET_DEBOUNCE_MS * 2);
    expect(session.generation).toBe(0);
    expect(session.lastDenial?.reason).toBe('awareness too large');
    expect(socket.disconnects).toBe(0);
  });

  it('drops queued offline changes to documents the new connection may not write', async () => {
    vi.useFakeTimers();
    const { session, socket } = open();
    session.docs.agenda.transact(
      () => agendaLive(session.docs.agenda).set('delayMinutes', 5),
      localOrigin('x'),
    );
    addNote(session, 'n1');
    expect(session.unsynced).toBe(2);
    socket.fire('connect');
    socket.fire('session', info('participant'));
    await vi.advanceTimersByTimeAsync(RESET_DEBOUNCE_MS);
    expect(session.unsynced).toBe(1);
    expect(agendaLive(session.docs.agenda).get('delayMinutes')).toBeUndefined();
    expect(boardNotes(session.docs.board).has('n1')).toBe(true);
  });

  it('stops and says why when the server refuses the link', async () => {
    const api = peopleApi(json(401, { error: { code: 'unauthorized', message: 'wrong token' } }));
    const { session, socket } = open({ person: null, fetch: api.fetch });
    await eventually(() => expect(session.failure).toEqual({ code: 4401, reason: 'wrong token' }));
    expect(socket.connects).toBe(0);
  });

  it('asks for an identity on the first visit, keeps it per board and proves it on every join', async () => {
    const api = peopleApi(json(201, { userId: ADA.userId, key: ADA.key, name: 'Ada' }));
    const { session, socket, store } = open({ person: null, fetch: api.fetch });
    expect(session.ready).toBe(false);
    await eventually(() => expect(socket.connects).toBe(1));
    expect(api.calls).toEqual([
      { method: 'POST', url: 'http://server.invalid/api/boards/board-0001/people', body: { name: 'Ada' } },
    ]);
    expect(loadPerson('board-0001', store)).toEqual(ADA);
    expect(session.ready).toBe(true);
    expect(session.user.id).toBe(ADA.userId);
    expect(socket.auth()).toEqual({
      board: 'board-0001',
      token: 'token-0001',
      name: 'Ada',
      userId: ADA.userId,
      key: ADA.key,
      // Our own client asks for one binary message per update (S6).
      wire: PACKED_WIRE,
    });
    socket.fire('connect');
    socket.fire('session', info('participant'));
    expect(session.actor).toEqual({
      role: 'participant',
      userId: ADA.userId,
      pseudonym: 'pseudo-ada',
      issued: true,
    });

    // Next visit (a reload): the same identity, no new one asked for.
    const again = open({ person: null, fetch: peopleApi().fetch, store });
    expect(again.session.user.id).toBe(ADA.userId);
    expect(again.socket.connects).toBe(1);
  });

  it('waits as long as a 429 says before asking again, and says so', async () => {
    vi.useFakeTimers();
    const api = peopleApi(
      json(429, { error: { code: 'rate-limited', message: 'too many' } }, { 'retry-after': '7' }),
      json(201, { userId: ADA.userId, key: ADA.key, name: 'Ada' }),
    );
    const { session, socket } = open({ person: null, fetch: api.fetch });
    await vi.advanceTimersByTimeAsync(0);
    expect(session.notice).toBe('Many people joined from this network just now.');
    expect(session.noticeRetryAt).toBe(Date.now() + 7000);
    expect(socket.connects).toBe(0);
    await vi.advanceTimersByTimeAsync(6000);
    expect(api.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.calls).toHaveLength(2);
    expect(session.notice).toBe('');
    expect(session.noticeRetryAt).toBeNull();
    expect(socket.connects).toBe(1);
    expect(session.user.id).toBe(ADA.userId);
  });

  it('on 4401 with a stored identity forgets it, gets a new one once and joins again', async () => {
    const grace = { userId: 'u_new_000002', key: 'key-new-00000000000000000000', name: 'Ada' };
    const api = peopleApi(json(201, grace));
    const { session, socket, store } = open({ fetch: api.fetch });
    expect(socket.connects).toBe(1);
    const err = (): Error =>
      Object.assign(new Error('wrong key'), { data: { code: 4401, reason: 'wrong key for this person' } });
    socket.active = false;
    socket.fire('connect_error', err());
    await eventually(() => expect(socket.connects).toBe(2));
    expect(session.failure).toBeNull();
    expect(loadPerson('board-0001', store)).toEqual(grace);
    expect(socket.auth()).toMatchObject({ userId: grace.userId, key: grace.key });
    expect(session.user.id).toBe(grace.userId);
    // What was built for the old id is stale.
    expect(session.generation).toBe(1);
    // Only once: a second 4401 is final.
    socket.fire('connect_error', err());
    await eventually(() => expect(session.failure?.code).toBe(4401));
    expect(api.calls).toHaveLength(1);
  });

  it('says "removed" and stops when the organizer removes this person', () => {
    const { session, socket } = open();
    socket.fire('connect');
    socket.fire('session', info('participant'));
    socket.fire('closing', { code: 4410, reason: 'you were removed from this board' });
    socket.fire('disconnect', 'io server disconnect');
    expect(session.failure).toEqual({ code: 4410, reason: 'you were removed from this board' });
    expect(session.connection).toBe('offline');
  });

  it('renames through the server, keeps the name and reconnects so presence shows it', async () => {
    const api = peopleApi(json(200, { userId: ADA.userId, name: 'Ada Lovelace' }));
    const { session, socket, store } = open({ fetch: api.fetch });
    socket.fire('connect');
    socket.fire('session', info('participant'));
    expect(await session.rename('  Ada Lovelace ')).toBeNull();
    expect(api.calls[0]).toMatchObject({
      method: 'PATCH',
      url: `http://server.invalid/api/boards/board-0001/people/${ADA.userId}`,
      body: { key: ADA.key, name: 'Ada Lovelace' },
    });
    expect(session.user.name).toBe('Ada Lovelace');
    expect(loadPerson('board-0001', store)?.name).toBe('Ada Lovelace');
    expect(socket.disconnects).toBe(1);
    expect(socket.connects).toBe(2);
    expect(socket.auth()).toMatchObject({ name: 'Ada Lovelace', userId: ADA.userId });
    // A deliberate reconnect is not "offline".
    expect(session.connection).not.toBe('offline');
  });

  it('joins without an identity where the server issues none, as the id the server gives', async () => {
    const api = peopleApi(json(404, { error: { code: 'not-found', message: 'no such route' } }));
    const { session, socket } = open({ person: null, fetch: api.fetch });
    await eventually(() => expect(socket.connects).toBe(1));
    expect(socket.auth()).toEqual({
      board: 'board-0001',
      token: 'token-0001',
      name: 'Ada',
      wire: PACKED_WIRE,
    });
    expect(session.ready).toBe(false);
    socket.fire('connect');
    socket.fire('session', { ...info('participant', 'conn-42-abcdef'), issued: false });
    expect(session.ready).toBe(true);
    expect(session.user.id).toBe('conn-42-abcdef');
    expect(session.actor.issued).toBe(false);
  });

  it('keeps retrying after a transient connection error', () => {
    const { session, socket } = open();
    socket.fire('connect_error', new Error('xhr poll error'));
    expect(session.failure).toBeNull();
    expect(socket.active).toBe(true);
    expect(session.connection).toBe('connecting');
  });

  it('sends cursor-heavy awareness at most 20 times per second, the last state always', async () => {
    vi.useFakeTimers();
    try {
      const { session, socket } = open();
      socket.fire('connect');
      const before = socket.awarenessFrames('board');
      for (let i = 0; i < 200; i++) {
        session.awareness.board.setLocalStateField('cursor', { x: i, y: i });
        await vi.advanceTimersByTimeAsync(5); // a pointer event every 5 ms for one second
      }
      await vi.advanceTimersByTimeAsync(100);
      const sent = socket.awarenessFrames('board') - before;
      expect(sent).toBeGreaterThanOrEqual(18);
      expect(sent).toBeLessThanOrEqual(21);
      // The receiver ends with the final position, not a stale one.
      const last = socket.sent.filter((m) => m.doc === 'board' && m.frame[0] === 1).at(-1)!;
      const d = decoding.createDecoder(last.frame);
      decoding.readVarUint(d);
      const update = decoding.readVarUint8Array(d);
      const u = decoding.createDecoder(update);
      decoding.readVarUint(u); // count
      decoding.readVarUint(u); // client id
      decoding.readVarUint(u); // clock
      expect(JSON.parse(decoding.readVarString(u)).cursor).toEqual({ x: 199, y: 199 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells the others at once when the person leaves', () => {
    const { session, socket } = open();
    socket.fire('connect');
    const before = socket.awarenessFrames('board');
    session.destroy();
    expect(socket.awarenessFrames('board')).toBe(before + 1);
    const last = socket.sent.filter((m) => m.doc === 'board' && m.frame[0] === 1).at(-1)!;
    expect(new TextDecoder().decode(last.frame)).toMatch(/null$/);
  });
});
