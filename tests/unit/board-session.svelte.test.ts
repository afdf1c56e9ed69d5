import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { BoardSession, connectionStateOf } from '../../client/src/lib/sync/session.svelte';
import { SERVER_ORIGIN, type ClientSocket } from '../../client/src/lib/sync/socketio-provider';
import type { SessionInfo, UpdateAck } from '../../shared/protocol';
import { agendaLive, boardNotes, DOC_KINDS, localOrigin, type DocKind } from '../../shared/schema';

/**
 * The session's own logic, with a scripted in-memory socket standing in for
 * the server (the real server is exercised in tests/integration).
 */

type Handler = (...args: never[]) => void;

class FakeSocket {
  connected = false;
  active = true;
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
    if (this.connected) this.fire('disconnect', 'io client disconnect');
    return this;
  }
  connect(): this {
    this.active = true;
    return this;
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
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
};

const info = (role: SessionInfo['role']): SessionInfo => ({
  boardId: 'board-0001',
  title: 'Workshop',
  role,
  userId: 'u',
  name: 'Ada',
  writable:
    role === 'organizer' ? ['agenda', 'board', 'tasks'] : role === 'participant' ? ['board', 'tasks'] : [],
});

const sessions: BoardSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
});

function open(): { session: BoardSession; socket: FakeSocket } {
  const socket = new FakeSocket();
  const session = new BoardSession({
    boardId: 'board-0001',
    token: 'token-0001',
    name: 'Ada',
    url: 'http://server.invalid',
    store: memoryStore(),
    connect: () => socket as unknown as ClientSocket,
  });
  sessions.push(session);
  return { session, socket };
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
    expect(DOC_KINDS.map((d) => session.canWrite(d))).toEqual([false, false, false]);
    socket.fire('connect');
    socket.fire('session', info('organizer'));
    expect(session.role).toBe('organizer');
    expect(session.title).toBe('Workshop');
    expect(DOC_KINDS.map((d) => session.canWrite(d))).toEqual([true, true, true]);
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

  it('drops a denied document from the unsynced count and keeps the reason', () => {
    const { session, socket } = open();
    socket.fire('connect');
    session.docs.agenda.transact(
      () => agendaLive(session.docs.agenda).set('delayMinutes', 5),
      localOrigin('x'),
    );
    expect(session.unsynced).toBe(1);
    socket.fire('denied', {
      doc: 'agenda',
      code: 'read-only',
      reason: 'participants cannot edit the agenda',
    });
    expect(session.unsynced).toBe(0);
    expect(session.lastDenial?.code).toBe('read-only');
    // A late refusal ack changes nothing more.
    socket.updates('agenda')[0]?.ack?.({ ok: false, error: 'read-only' });
    expect(session.unsynced).toBe(0);
    expect(session.savedOnce).toBe(false);
  });

  it('drops queued offline changes to documents the new connection may not write', () => {
    const { session, socket } = open();
    session.docs.agenda.transact(
      () => agendaLive(session.docs.agenda).set('delayMinutes', 5),
      localOrigin('x'),
    );
    addNote(session, 'n1');
    expect(session.unsynced).toBe(2);
    socket.fire('connect');
    socket.fire('session', info('participant'));
    expect(session.unsynced).toBe(1);
  });

  it('stops and says why when the server refuses the link', () => {
    const { session, socket } = open();
    const err = Object.assign(new Error('missing or wrong token'), {
      data: { code: 4401, reason: 'missing or wrong token' },
    });
    socket.fire('connect_error', err);
    expect(session.failure).toEqual({ code: 4401, reason: 'missing or wrong token' });
    expect(socket.active).toBe(false);
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
