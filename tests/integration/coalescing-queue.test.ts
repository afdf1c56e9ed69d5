import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CLOSE, MESSAGE } from '../../shared/protocol';
import { rawWebSocket, SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { taskText, typeTask } from '../helpers/probes';
import { startTestServer } from '../helpers/server';

/** y-protocols sync messages of type `syncType` (2: update) among frames received. */
const syncFrames = (frames: Uint8Array[], syncType: number): Uint8Array[] =>
  frames.filter((f) => f[0] === MESSAGE.sync && f[1] === syncType);

describe('S4: updates of one tick are stored and sent together', () => {
  it('several updates within a tick reach a receiver as one frame; their only writer gets no echo', async () => {
    // A long tick makes "within one tick" certain on a loaded machine.
    const server = await startTestServer({ tickMs: 400 });
    const b = await server.createBoard();
    const writer = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    const { messages } = await rawWebSocket(`${server.wsUrl}/yjs/${b.id}/tasks?token=${b.tokens.viewer}`);
    await eventually(() => expect(writer.synced.size).toBe(3));
    const echoes: unknown[] = [];
    writer.socket.on('y', (doc, frame) => {
      const f = new Uint8Array(frame);
      if (doc === 'tasks' && f[0] === MESSAGE.sync && f[1] === syncProtocol.messageYjsUpdate) echoes.push(f);
    });
    // The first change makes the room flush at once (an idle room does); the next five wait for the tick.
    typeTask(writer.docs.tasks, 'a');
    await eventually(() => expect(writer.acks.length).toBe(1));
    const before = syncFrames(messages, syncProtocol.messageYjsUpdate).length;
    for (const ch of 'bcdef') typeTask(writer.docs.tasks, ch);
    await eventually(() => expect(writer.acks.length).toBe(6));
    const updates = syncFrames(messages, syncProtocol.messageYjsUpdate).slice(before);
    expect(updates).toHaveLength(1);
    const check = new Y.Doc();
    await server.docs.read(b.id, 'tasks', (d) => Y.applyUpdate(check, Y.encodeStateAsUpdate(d)));
    expect(taskText(check)).toBe('fedcba');
    expect(echoes).toEqual([]);
  });
});

describe('I2: a capped queue while documents load', () => {
  it('more than 64 messages before the document is ready close the connection with 4429', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    // Hold the load until the flood is in: what a slow database looks like.
    const realLoad = server.store.load.bind(server.store);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    server.store.load = async (name) => {
      await held;
      return realLoad(name);
    };
    const { ws, closed } = await rawWebSocket(
      `${server.wsUrl}/yjs/${b.id}/tasks?token=${b.tokens.participant}`,
    );
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.queryAwareness);
    const frame = encoding.toUint8Array(enc);
    for (let i = 0; i < 70; i++) ws.send(frame);
    expect((await closed).code).toBe(CLOSE.overloaded);
    release();
    // Others are served once the document loads.
    const c = new SioClient(server.url, { board: b.id, token: b.tokens.participant });
    await eventually(() => expect(c.synced.size).toBe(3));
  });
});
