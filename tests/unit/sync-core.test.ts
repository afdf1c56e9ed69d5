import { describe, expect, it } from 'vitest';
import { CLOSE, type SessionInfo } from '../../shared/protocol';
import type { DocKind } from '../../shared/schema';
import { SessionRegistry } from '../../server/identity/sessions';
import { createLogger } from '../../server/log';
import type { Connection, Peer } from '../../server/sync/connection';
import {
  SyncCore,
  TOO_MANY_CONNECTIONS,
  TOO_MANY_MESSAGES,
  type Admission,
  type ClientSocket,
  type SyncCoreDeps,
  type SyncHooks,
} from '../../server/sync/core';
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

function setup(hooks: Partial<SyncHooks> = {}, deps: Partial<SyncCoreDeps> = {}) {
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
    ...deps,
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
    // What the role may write, private notes included (PW1), whatever this connection opened.
    expect(socket.session?.writable).toEqual(['board', 'tasks', 'mine']);
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

describe('the sync core limits each connection and each link and address', () => {
  it('I3: 20 messages a second for a minute pass; a burst past the bucket closes with 4429 "too many messages"', async () => {
    let now = 0;
    const { core } = setup(
      {},
      { now: () => now, rate: { messagesPerSecond: 100, bytesPerSecond: 2 * 1024 * 1024 } },
    );
    const socket = new FakeSocket();
    const client = core.handleConnection(socket, { transport: 't', docs: ['board'], admission: ADMITTED });
    await settle();
    // An honest client: awareness throttled to 20 a second while dragging, for a minute.
    for (let i = 0; i < 20 * 60; i++, now += 50) client.receive('board', frame(1));
    expect(socket.closes).toEqual([]);
    // Everything at once: the burst (200) is spent, then the connection is closed.
    for (let i = 0; i < 201; i++) client.receive('board', frame(1));
    expect(socket.closes).toEqual([[CLOSE.overloaded, TOO_MANY_MESSAGES]]);
    client.disconnected();
  });

  it('I3: bytes are a bucket of their own; it refills with the injected clock', async () => {
    let now = 0;
    const { core } = setup({}, { now: () => now, rate: { messagesPerSecond: 0, bytesPerSecond: 100 } });
    const socket = new FakeSocket();
    const client = core.handleConnection(socket, { transport: 't', docs: ['board'], admission: ADMITTED });
    await settle();
    const big = new Uint8Array(80).fill(1);
    client.receive('board', big);
    client.receive('board', big);
    now += 1000; // 100 more bytes
    client.receive('board', big);
    expect(socket.closes).toEqual([]);
    client.receive('board', big);
    expect(socket.closes).toEqual([[CLOSE.overloaded, TOO_MANY_MESSAGES]]);
    client.disconnected();
  });

  it('I4: connections past the per-link or per-address limit are refused with 4429; closing one frees its place', async () => {
    const { core } = setup({}, { maxConnectionsPerLink: 2, maxConnectionsPerAddress: 3 });
    const open = (address: string) => {
      const socket = new FakeSocket();
      const client = core.handleConnection(socket, {
        transport: 't',
        docs: ['board'],
        address,
        credentials: { boardId: 'b', token: 't' },
      });
      return { socket, client };
    };
    const a = open('10.0.0.1');
    const b = open('10.0.0.2');
    await settle();
    const c = open('10.0.0.3');
    await settle();
    expect([a, b].map((x) => x.socket.closes)).toEqual([[], []]);
    expect(c.socket.closes).toEqual([[CLOSE.overloaded, TOO_MANY_CONNECTIONS]]);
    c.client.disconnected();
    a.client.disconnected();
    const d = open('10.0.0.3');
    await settle();
    expect(d.socket.closes).toEqual([]);
    // Per address: the same address on other links.
    const viewer = (): Promise<Admission> =>
      Promise.resolve({ ok: true, peer: { ...PEER, role: 'viewer' }, title: 'Board' });
    const { core: core2 } = setup({ authorize: viewer }, { maxConnectionsPerAddress: 1 });
    const admitted = await core2.authorize({ boardId: 'b', token: 't' }, '10.0.0.9');
    const refused = await core2.authorize({ boardId: 'b', token: 't' }, '10.0.0.9');
    expect(admitted.ok).toBe(true);
    expect(refused).toEqual({ ok: false, code: CLOSE.overloaded, reason: TOO_MANY_CONNECTIONS });
    if (admitted.ok) admitted.release?.();
    expect((await core2.authorize({ boardId: 'b', token: 't' }, '10.0.0.9')).ok).toBe(true);
  });
});
