import { describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { CLOSE, MESSAGE } from '../../shared/protocol';
import { syncStep1Frame } from '../../shared/protocol/frames';
import {
  agendaMeta,
  boardNotes,
  SHARED_DOC_KINDS,
  readNotes,
  readTasks,
  ROLES,
  roleCanWrite,
  type DocKind,
  type Role,
} from '../../shared/schema';
import { mintPerson, rawWebSocket, SioClient, yWebsocketClient } from '../helpers/clients';
import { noteScratch, noteTextOf, readProbe, taskText, typeTask, whoOf, writeProbe } from '../helpers/probes';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const names = (c: SioClient, doc: DocKind = 'board'): string[] =>
  [...c.awareness[doc].getStates().values()]
    .map((s) => (s as { user?: { name?: string } }).user?.name ?? '')
    .filter(Boolean)
    .sort();

const syncFrame = (update: Uint8Array): Uint8Array => {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE.sync);
  encoding.writeVarUint(enc, 2);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
};

describe('S2: clients of one document converge', () => {
  it('two Socket.io clients converge on content and presence', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const a = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Ada' });
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Grace' });
    await eventually(() => expect(a.synced.size + c.synced.size).toBe(6));
    noteScratch(a.docs.board, whoOf(a), 'n1').insert(0, 'by Ada');
    typeTask(c.docs.tasks, 'hello');
    await eventually(() => {
      expect(readNotes(c.docs.board).map((n) => n.text)).toEqual(['by Ada']);
      expect(readTasks(a.docs.tasks).map((t) => t.title)).toEqual(['hello']);
    });
    a.awareness.board.setLocalState({ user: { name: 'Ada', color: '#112233' } });
    c.awareness.board.setLocalState({ user: { name: 'Grace', color: '#445566' } });
    await eventually(() => {
      expect(names(a)).toEqual(['Ada', 'Grace']);
      expect(names(c)).toEqual(['Ada', 'Grace']);
    });
  });

  it('a Socket.io client and a stock y-websocket client converge, sharing presence', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const a = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Ada' });
    const linus = await mintPerson(server.url, b.id, b.tokens.participant, 'Linus');
    const { provider, doc } = yWebsocketClient(server.wsUrl, b.id, 'board', b.tokens.participant, {
      name: 'Linus',
      ...linus,
    });
    await eventually(() => expect(provider.synced && a.synced.size === 3).toBe(true));
    noteScratch(doc, { userId: linus.userId, name: 'Linus' }, 't').insert(0, 'from y-websocket');
    noteScratch(a.docs.board, whoOf(a), 'u').insert(0, 'from socket.io');
    await eventually(() => {
      expect(noteTextOf(a.docs.board, 't')).toBe('from y-websocket');
      expect(noteTextOf(doc, 'u')).toBe('from socket.io');
    });
    provider.awareness.setLocalStateField('user', { name: 'Linus', color: '#abcdef' });
    a.awareness.board.setLocalState({ user: { name: 'Ada', color: '#123456' } });
    await eventually(() => {
      expect(names(a)).toEqual(['Ada', 'Linus']);
      const theirs = [...provider.awareness.getStates().values()].map(
        (s) => (s as { user: { name: string } }).user?.name,
      );
      expect(theirs.sort()).toEqual(['Ada', 'Linus']);
    });
  });

  it('works over HTTP long-polling alone (networks that block WebSocket)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const polling = new SioClient(
      server.url,
      { board: b.id, token: b.tokens.participant },
      { transports: ['polling'] },
    );
    const ws = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(polling.synced.size).toBe(3));
    expect(polling.socket.io.engine.transport.name).toBe('polling');
    typeTask(polling.docs.tasks, 'polled');
    await eventually(() => expect(taskText(ws.docs.tasks)).toBe('polled'));
    typeTask(ws.docs.tasks, 'pushed ');
    await eventually(() => expect(taskText(polling.docs.tasks)).toBe('pushed polled'));
  });

  it('acknowledges an update only once it is stored', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const a = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(a.synced.size).toBe(3));
    typeTask(a.docs.tasks, 'durable');
    await eventually(() => expect(a.acks).toEqual([{ ok: true }]));
    const stored = await server.store.load(`${b.id}/tasks`);
    const check = new Y.Doc();
    for (const u of stored.updates) Y.applyUpdate(check, u);
    expect(readTasks(check)[0]?.title).toBe('durable');
  });
});

describe('P1/P2: write rights per role and document, on both transports', () => {
  // Shared documents: another person observes the write (private notes, PW1, are tested on their own).
  const cases = ROLES.flatMap((role) => SHARED_DOC_KINDS.map((doc) => [role, doc] as [Role, DocKind]));

  it.each(cases)('socket.io: %s writing %s', async (role, doc) => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const observer = new SioClient(server.url, { board: b.id, token: b.tokens.organizer });
    const writer = new SioClient(server.url, { board: b.id, token: b.tokens[role] });
    await eventually(() => expect(writer.synced.size + observer.synced.size).toBe(6));
    writeProbe(writer.docs[doc], doc, role, whoOf(writer));
    // A second, always-allowed change proves the observer has caught up.
    typeTask(observer.docs.tasks, 'x', 'marker');
    await eventually(() => expect(taskText(writer.docs.tasks, 'marker')).toBe('x'));
    if (roleCanWrite(role, doc)) {
      await eventually(() => expect(readProbe(observer.docs[doc], doc)).toBe(role));
      expect(writer.denials).toEqual([]);
    } else {
      await eventually(() =>
        expect(writer.denials.map((d) => [d.doc, d.code])).toEqual([[doc, 'read-only']]),
      );
      expect(writer.acks).toContainEqual({ ok: false, error: writer.denials[0]!.reason });
      expect(readProbe(observer.docs[doc], doc)).toBe('');
      expect(await server.docs.read(b.id, doc, (d) => readProbe(d, doc))).toBe('');
    }
  });

  it.each(cases)('y-websocket: %s writing %s', async (role, doc) => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const observer = new SioClient(server.url, { board: b.id, token: b.tokens.organizer });
    const person = await mintPerson(server.url, b.id, b.tokens[role], 'Probe');
    const { provider, doc: ydoc } = yWebsocketClient(server.wsUrl, b.id, doc, b.tokens[role], {
      name: 'Probe',
      ...person,
    });
    await eventually(() => expect(provider.synced && observer.synced.size === 3).toBe(true));
    writeProbe(ydoc, doc, role, { userId: person.userId, name: 'Probe' });
    // A change of the observer's that the writer must see before the check below.
    const marker = (d: Y.Doc): string =>
      doc === 'agenda'
        ? String(agendaMeta(d).get('date') ?? '')
        : doc === 'board'
          ? noteTextOf(d, 'marker')
          : taskText(d, 'marker');
    if (roleCanWrite(role, doc)) {
      await eventually(() => expect(readProbe(observer.docs[doc], doc)).toBe(role));
    } else {
      if (doc === 'agenda') agendaMeta(observer.docs.agenda).set('date', '2030-01-01');
      else if (doc === 'board') noteScratch(observer.docs.board, whoOf(observer), 'marker').insert(0, 'x');
      else typeTask(observer.docs.tasks, 'x', 'marker');
      await eventually(() => expect(marker(ydoc)).not.toBe(''));
      // Give the refused update time to (not) arrive: it was sent before the marker came back.
      await server.rooms.acquire(b.id, doc).then(async (l) => {
        await l.room.flush();
        l.release();
      });
      expect(readProbe(observer.docs[doc], doc)).toBe('');
      expect(await server.docs.read(b.id, doc, (d) => readProbe(d, doc))).toBe('');
    }
  });

  it('a y-websocket client without write rights is told why (auth message)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const { ws, messages } = await rawWebSocket(
      `${server.wsUrl}/yjs/${b.id}/agenda?token=${b.tokens.participant}`,
    );
    const update = Y.encodeStateAsUpdate(
      (() => {
        const d = new Y.Doc();
        d.getText('x').insert(0, 'nope');
        return d;
      })(),
    );
    ws.send(syncFrame(update));
    await eventually(() => expect(messages.some((m) => m[0] === MESSAGE.auth)).toBe(true));
    const auth = messages.find((m) => m[0] === MESSAGE.auth)!;
    expect(Buffer.from(auth).toString('utf8')).toContain('cannot change the agenda');
  });
});

describe('A1: presence is bound to the connection', () => {
  it('the display name comes from the join, and nobody can remove another person', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const ada = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Ada' });
    const eve = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Eve' });
    ada.awareness.board.setLocalState({ user: { name: 'Ada', color: '#111111' } });
    eve.awareness.board.setLocalState({ user: { name: 'Ada', id: 'someone-else', color: '#222222' } });
    // Eve's claim to be Ada is replaced by the name she joined with.
    await eventually(() => expect(names(ada)).toEqual(['Ada', 'Eve']));
    // Eve forges a removal of Ada's entry with a higher clock.
    const adaId = ada.awareness.board.clientID;
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.awareness);
    const inner = encoding.createEncoder();
    encoding.writeVarUint(inner, 1);
    encoding.writeVarUint(inner, adaId);
    encoding.writeVarUint(inner, 999);
    encoding.writeVarString(inner, 'null');
    encoding.writeVarUint8Array(enc, encoding.toUint8Array(inner));
    eve.sendRaw('board', encoding.toUint8Array(enc));
    eve.awareness.board.setLocalStateField('cursor', { x: 1, y: 2 });
    await eventually(() => {
      const s = [...ada.awareness.board.getStates().values()] as {
        user: { name: string };
        cursor?: unknown;
      }[];
      expect(s.find((x) => x.user.name === 'Eve')?.cursor).toEqual({ x: 1, y: 2 });
    });
    expect(names(ada)).toEqual(['Ada', 'Eve']);
    const server_ = [...(await server.rooms.acquire(b.id, 'board')).room.awareness.getStates().values()];
    expect(server_.map((s) => (s as { user: { id: string } }).user.id)).not.toContain('someone-else');
  });

  it("a person leaving disappears from everyone else's presence", async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const ada = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Ada' });
    const bob = new SioClient(server.url, { board: b.id, token: b.tokens.participant, name: 'Bob' });
    ada.awareness.board.setLocalState({ user: { name: 'Ada' } });
    bob.awareness.board.setLocalState({ user: { name: 'Bob' } });
    await eventually(() => expect(names(ada)).toEqual(['Ada', 'Bob']));
    bob.close();
    await eventually(() => expect(names(ada)).toEqual(['Ada']));
  });
});

describe('I1: bad input never hurts other clients', () => {
  it('random bytes and truncated messages close only the sender (socket.io)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const good = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    const bad = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    const bad2 = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(bad.synced.size + bad2.synced.size).toBe(6));
    bad.sendRaw('board', new Uint8Array([0, 2, 200, 1, 7, 7, 7]));
    bad2.sendRaw('board', new Uint8Array([0, 2]));
    await eventually(() => {
      expect(bad.closing?.code).toBe(CLOSE.badRequest);
      expect(bad2.closing?.code).toBe(CLOSE.badRequest);
      expect(bad.socket.connected).toBe(false);
    });
    typeTask(good.docs.tasks, 'still fine');
    const other = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
    await eventually(() => expect(taskText(other.docs.tasks)).toBe('still fine'));
  });

  it('unknown documents close with 4404 on both transports; non-binary frames with 4400', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(c.synced.size).toBe(3));
    c.sendRaw('secrets', new Uint8Array([0, 0, 0]));
    await eventually(() => expect(c.closing?.code).toBe(CLOSE.notFound));
    for (const path of ['secrets', 'board/extra']) {
      const { closed } = await rawWebSocket(
        `${server.wsUrl}/yjs/${b.id}/${path}?token=${b.tokens.participant}`,
      );
      expect((await closed).code).toBe(CLOSE.notFound);
    }
    const d = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(d.synced.size).toBe(3));
    d.sendRaw('board', 'not bytes');
    await eventually(() => expect(d.closing?.code).toBe(CLOSE.badRequest));
  });

  it('random bytes on the y-websocket endpoint close with 4400; the process keeps serving', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const { ws, closed } = await rawWebSocket(
      `${server.wsUrl}/yjs/${b.id}/board?token=${b.tokens.participant}`,
    );
    ws.send(Buffer.from([0, 1, 250, 255, 255, 255, 255, 15, 1]));
    expect((await closed).code).toBe(CLOSE.badRequest);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('I1: oversized messages are refused unbuffered: 4413 on y-websocket (stock clients stop), transport close on Socket.io', async () => {
    const server = await startTestServer({ maxMessageBytes: 10_000 });
    const b = await server.createBoard();
    const { provider, doc } = yWebsocketClient(server.wsUrl, b.id, 'tasks', b.tokens.participant);
    const events: number[] = [];
    provider.on('connection-close', (e: CloseEvent | null) => events.push(e?.code ?? 0));
    await eventually(() => expect(provider.synced).toBe(true));
    typeTask(doc, 'x'.repeat(20_000));
    await eventually(() => expect(events).toContain(CLOSE.tooLarge));
    expect(provider.shouldConnect).toBe(false);

    // Socket.io: engine.io refuses the packet before buffering it and closes the transport.
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    const reasons: string[] = [];
    c.socket.on('disconnect', (reason) => reasons.push(reason));
    await eventually(() => expect(c.synced.size).toBe(3));
    typeTask(c.docs.tasks, 'y'.repeat(15_000));
    await eventually(() => expect(reasons).toEqual(['transport close']));
    // Nothing of either was stored.
    expect(await server.docs.read(b.id, 'tasks', (d) => readTasks(d).length)).toBe(0);
  });

  it('wrong tokens get no document data on either transport', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    await server.docs.change(b.id, 'tasks', 'test', (d) => typeTask(d, 'classified'));
    const { closed, messages } = await rawWebSocket(
      `${server.wsUrl}/yjs/${b.id}/board?token=${'x'.repeat(43)}`,
    );
    expect((await closed).code).toBe(CLOSE.unauthorized);
    expect(messages).toEqual([]);
    const c = new SioClient(server.url, { board: b.id, token: 'y'.repeat(43) });
    await eventually(() => expect(c.connectError?.data?.code).toBe(CLOSE.unauthorized));
    expect(readTasks(c.docs.tasks)).toEqual([]);
    const unknownBoard = new SioClient(server.url, { board: 'A'.repeat(22), token: b.tokens.organizer });
    await eventually(() => expect(unknownBoard.connectError?.data?.code).toBe(CLOSE.unauthorized));
  });
});

describe('Peer pitfalls', () => {
  it('engine.io leaves y-websocket upgrades alone (destroyUpgrade off)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const { ws } = await rawWebSocket(`${server.wsUrl}/yjs/${b.id}/board?token=${b.tokens.participant}`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(ws.readyState).toBe(ws.OPEN);
  });

  it('S5: keeps silent y-websocket connections alive with messages (stock clients give up after 30 s)', async () => {
    const server = await startTestServer({ keepAliveMs: 200 });
    const b = await server.createBoard();
    const { messages } = await rawWebSocket(
      `${server.wsUrl}/yjs/${b.id}/board?token=${b.tokens.participant}`,
    );
    const before = messages.length;
    await eventually(() => expect(messages.length).toBeGreaterThan(before + 2), { timeout: 5000 });
  });

  it('S3: every server frame holds exactly one message (stock clients read one per frame)', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const { provider, doc } = yWebsocketClient(server.wsUrl, b.id, 'tasks', b.tokens.participant);
    // A raw socket on the same document sees every frame as the server sent it.
    const raw = await rawWebSocket(`${server.wsUrl}/yjs/${b.id}/tasks?token=${b.tokens.participant}`);
    raw.ws.send(syncStep1Frame(new Y.Doc()));
    const other = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(provider.synced && other.synced.size === 3).toBe(true));
    for (let i = 0; i < 20; i++) typeTask(other.docs.tasks, String(i % 10));
    other.awareness.tasks.setLocalState({ user: {} });
    await eventually(() => expect(readTasks(doc)[0]?.title.length).toBe(20));
    const seen = (type: number): boolean => raw.messages.some((m) => m[0] === type);
    await eventually(() => expect(seen(MESSAGE.sync) && seen(MESSAGE.awareness)).toBe(true));
    // Several updates went out in the meantime: none shares a frame with another message.
    expect(raw.messages.length).toBeGreaterThan(2);
    for (const m of raw.messages) expect(messagesIn(m), `frame ${Buffer.from(m).toString('hex')}`).toBe(1);
  });
});

describe('D3: documents are unloaded', () => {
  it('after the grace period once nobody uses them', async () => {
    const server = await startTestServer({ unloadGraceMs: 50 });
    const b = await server.createBoard();
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(c.synced.size).toBe(3));
    // The three shared documents; the connection's private notes only in private writing (PW1).
    expect(server.rooms.loadedCount).toBe(3);
    typeTask(c.docs.tasks, 'kept');
    await eventually(() => expect(c.acks).toEqual([{ ok: true }]));
    c.close();
    await eventually(() => expect(server.rooms.loadedCount).toBe(0));
    expect(await server.docs.read(b.id, 'tasks', (d) => readTasks(d)[0]?.title)).toBe('kept');
  });

  it('D2: also when loading fails, and a later attempt succeeds', async () => {
    const server = await startTestServer({ unloadGraceMs: 50 });
    const b = await server.createBoard();
    const realLoad = server.store.load.bind(server.store);
    let fail = true;
    server.store.load = async (name) => {
      if (fail) throw new Error('disk on fire');
      return realLoad(name);
    };
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(c.closing?.code).toBe(CLOSE.unavailable));
    expect(server.rooms.loadedCount).toBe(0);
    fail = false;
    const d = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(d.synced.size).toBe(3));
  });

  it('D1: keeps changes in memory when saving fails, and stores them once it works again', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const a = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    const other = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(a.synced.size + other.synced.size).toBe(6));
    const realAppend = server.store.append.bind(server.store);
    let fail = true;
    server.store.append = async (name, updates) => {
      if (fail) throw new Error('disk full');
      return realAppend(name, updates);
    };
    typeTask(a.docs.tasks, 'precious');
    await new Promise((r) => setTimeout(r, 200));
    // Not stored, so not acknowledged and not relayed yet.
    expect(a.acks).toEqual([]);
    expect(readTasks(other.docs.tasks)).toEqual([]);
    fail = false;
    await eventually(() => expect(readTasks(other.docs.tasks)[0]?.title).toBe('precious'), {
      timeout: 5000,
    });
    expect(a.acks).toEqual([{ ok: true }]);
  });
});

describe('C1: compaction keeps content identical', () => {
  it('compacts the update log and reloads the same document', async () => {
    const server = await startTestServer({ compactAfterUpdates: 20 });
    const b = await server.createBoard();
    const a = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(a.synced.size).toBe(3));
    const log = noteScratch(a.docs.board, whoOf(a), 'log');
    await eventually(() => expect(a.acks.length).toBe(1));
    for (let i = 0; i < 60; i++) {
      a.docs.board.transact(() => {
        log.insert(i, String(i % 10));
        if (i % 10 === 0) boardNotes(a.docs.board).get('log')!.set('x', i);
      });
      await eventually(() => expect(a.acks.length).toBe(i + 2));
    }
    const name = `${b.id}/board`;
    await eventually(async () => expect(await server.store.count(name)).toBeLessThan(20));
    const { updates } = await server.store.load(name);
    const reloaded = new Y.Doc();
    for (const u of updates) Y.applyUpdate(reloaded, u);
    expect(readNotes(reloaded)).toEqual(readNotes(a.docs.board));
    expect(reloaded.getMap('notes').toJSON()).toEqual(a.docs.board.getMap('notes').toJSON());
    expect(Y.encodeStateVector(reloaded)).toEqual(Y.encodeStateVector(a.docs.board));
  });
});

/** How many y-protocols messages one frame holds, read to its last byte (S3). */
function messagesIn(frame: Uint8Array): number {
  const dec = decoding.createDecoder(frame);
  let n = 0;
  while (decoding.hasContent(dec)) {
    const type = decoding.readVarUint(dec);
    if (type === MESSAGE.sync) {
      decoding.readVarUint(dec);
      decoding.readVarUint8Array(dec);
    } else if (type === MESSAGE.awareness) decoding.readVarUint8Array(dec);
    else if (type === MESSAGE.auth) {
      decoding.readVarUint(dec);
      decoding.readVarString(dec);
    } else if (type !== MESSAGE.queryAwareness) throw new Error(`unknown message type ${type}`);
    n++;
  }
  return n;
}
