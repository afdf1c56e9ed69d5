import { describe, expect, it } from 'vitest';
import { CLOSE, type SessionInfo } from '../../shared/protocol';
import type { DocKind } from '../../shared/schema';
import { SessionRegistry } from '../../server/identity/sessions';
import { createLogger } from '../../server/log';
import type { Connection, Peer } from '../../server/sync/connection';
import { SyncCore, type Admission, type ClientSocket, type SyncHooks } from '../../server/sync/core';
import { ProtocolError, type Room } from '../../server/sync/room';
import type { Lease } from '../../server/sync/rooms';

/**
 * The sync core's connection lifecycle (I1, I2, removal, leases), against a
 * fake socket and fake rooms: what both transports get from the same lines.
 */

const PEER: Peer = {
  boardId: 'board-1',
  role: 'participant',
  userId: 'u1',
  name: 'Ada',
  pseudonym: 'anon-x',
  issued: true,
};
const ADMITTED: Admission = { ok: true, peer: PEER, title: 'Board' };

class FakeSocket implements ClientSocket {
  readonly sent: [DocKind, Uint8Array][] = [];
  readonly closes: [number, string][] = [];
  readonly denials: string[] = [];
  session: SessionInfo | null = null;
  send(frame: Uint8Array, doc: DocKind): void {
    this.sent.push([doc, frame]);
  }
  deny(denial: { code: string }): void {
    this.denials.push(denial.code);
  }
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
  }
  welcome(session: SessionInfo): void {
    this.session = session;
  }
}

/** Rooms that record joins, leaves and frames; `hold` delays every load until released. */
function fakeRooms() {
  const events: string[] = [];
  let release: () => void = () => {};
  let held: Promise<void> = Promise.resolve();
  const leases = { out: 0 };
  const room = (doc: DocKind) =>
    ({
      join: (c: Connection) => events.push(`join ${doc} ${c.peer.userId}`),
      leave: (c: Connection) => events.push(`leave ${doc} ${c.peer.userId}`),
      receive: (_c: Connection, frame: Uint8Array) => {
        if (frame[0] === 99) throw new ProtocolError('bad');
        events.push(`frame ${doc} ${frame[0]}`);
      },
      guard: (fn: () => void) => fn(),
    }) as unknown as Room;
  return {
    events,
    leases,
    hold() {
      held = new Promise((r) => (release = r));
    },
    release: () => release(),
    rooms: {
      async acquire(_boardId: string, doc: DocKind): Promise<Lease> {
        await held;
        leases.out++;
        let done = false;
        return {
          room: room(doc),
          release: () => {
            if (!done) leases.out--;
            done = true;
          },
        };
      },
    },
  };
}

function setup(hooks: Partial<SyncHooks> = {}) {
  const fake = fakeRooms();
  const sessions = new SessionRegistry();
  const joins: string[] = [];
  const core = new SyncCore({
    rooms: fake.rooms,
    sessions,
    log: createLogger('silent'),
    maxMessageBytes: 100,
    maxPendingMessages: 3,
    hooks: {
      authorize: async () => ADMITTED,
      join: (peer) => joins.push(peer.userId),
      ...hooks,
    },
  });
  return { core, fake, sessions, joins };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const frame = (type: number) => new Uint8Array([type, 0]);

describe('the sync core owns the connection lifecycle', () => {
  it('authorizes, loads, welcomes, joins, runs the join hook, then delivers queued frames in order', async () => {
    const { core, fake, joins } = setup();
    fake.hold();
    const socket = new FakeSocket();
    const client = core.handleConnection(socket, {
      transport: 't',
      docs: ['board', 'tasks'],
      credentials: { boardId: 'b', token: 't' },
    });
    client.receive('tasks', frame(1));
    client.receive('board', frame(2));
    await settle();
    expect(fake.events).toEqual([]);
    fake.release();
    await settle();
    expect(socket.session?.writable).toEqual(['board', 'tasks']);
    expect(joins).toEqual(['u1']);
    expect(fake.events).toEqual(['join board u1', 'join tasks u1', 'frame tasks 1', 'frame board 2']);
    client.disconnected();
    expect(fake.events.slice(-2)).toEqual(['leave board u1', 'leave tasks u1']);
    expect(fake.leases.out).toBe(0);
  });

  it('I2: more frames than the queue holds while loading close with 4429; nothing is served', async () => {
    const { core, fake, joins } = setup();
    fake.hold();
    const socket = new FakeSocket();
    const client = core.handleConnection(socket, { transport: 't', docs: ['board'], admission: ADMITTED });
    for (let i = 0; i < 4; i++) client.receive('board', frame(1));
    expect(socket.closes.map(([c]) => c)).toEqual([CLOSE.overloaded]);
    fake.release();
    await settle();
    client.disconnected();
    expect(fake.events).toEqual([]);
    expect(joins).toEqual([]);
    expect(fake.leases.out).toBe(0);
  });

  it('I1: an unknown document closes with 4404, a malformed envelope or message with 4400, too large with 4413', async () => {
    const { core } = setup();
    const unknownUrl = new FakeSocket();
    core.handleConnection(unknownUrl, { transport: 't', docs: ['secrets'], admission: ADMITTED });
    expect(unknownUrl.closes.map(([c]) => c)).toEqual([CLOSE.notFound]);

    const cases: [unknown, unknown, number][] = [
      ['secrets', frame(0), CLOSE.notFound],
      [42, frame(0), CLOSE.badRequest],
      ['board', 'text', CLOSE.badRequest],
      ['board', frame(99), CLOSE.badRequest],
      ['board', new Uint8Array(101), CLOSE.tooLarge],
    ];
    for (const [doc, bytes, code] of cases) {
      const socket = new FakeSocket();
      const client = core.handleConnection(socket, { transport: 't', docs: ['board'], admission: ADMITTED });
      await settle();
      client.receive(doc, bytes);
      expect(socket.closes.map(([c]) => c)).toEqual([code]);
      if (code === CLOSE.tooLarge) expect(socket.denials).toEqual(['too-large']);
      client.receive('board', frame(1)); // nothing after the close
      client.disconnected();
    }
  });

  it('a refused or failing authorization closes with its code (4401, 4503) and loads nothing', async () => {
    for (const [authorize, code] of [
      [async () => ({ ok: false, code: CLOSE.unauthorized }) as Admission, CLOSE.unauthorized],
      [() => Promise.reject(new Error('database down')), CLOSE.unavailable],
    ] as const) {
      const { core, fake } = setup({ authorize });
      const socket = new FakeSocket();
      core.handleConnection(socket, {
        transport: 't',
        docs: ['board'],
        credentials: { boardId: 'b', token: 'x' },
      });
      await settle();
      expect(socket.closes.map(([c]) => c)).toEqual([code]);
      expect(fake.leases.out).toBe(0);
    }
  });

  it('removing the person closes the connection with 4410, also when removed before it registered', async () => {
    const { core, sessions, fake } = setup();
    const open = new FakeSocket();
    const client = core.handleConnection(open, { transport: 't', docs: ['board'], admission: ADMITTED });
    await settle();
    expect(sessions.count('board-1', 'u1')).toBe(1);
    sessions.markRemoved('board-1', 'u1');
    sessions.closeAll('board-1', 'u1', CLOSE.removed, 'removed');
    expect(open.closes.map(([c]) => c)).toEqual([CLOSE.removed]);
    client.disconnected();

    const late = new FakeSocket();
    core.handleConnection(late, { transport: 't', docs: ['board'], admission: ADMITTED });
    await settle();
    expect(late.closes.map(([c]) => c)).toEqual([CLOSE.removed]);
    expect(fake.leases.out).toBe(0);
  });

  it('a socket gone while loading releases what it got', async () => {
    const { core, fake, joins } = setup();
    fake.hold();
    const client = core.handleConnection(new FakeSocket(), {
      transport: 't',
      docs: ['agenda', 'board', 'tasks'],
      admission: ADMITTED,
    });
    await settle();
    client.disconnected();
    fake.release();
    await settle();
    expect(fake.leases.out).toBe(0);
    expect(joins).toEqual([]);
  });
});
