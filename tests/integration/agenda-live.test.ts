import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { WebsocketProvider } from 'y-websocket';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { replaceItems, setMeta, shiftDelay, startItemNow, updateItem } from '../../shared/ops/agenda';
import {
  MESSAGE,
  type ClientToServerEvents,
  type Denial,
  type ServerToClientEvents,
  type UpdateAck,
} from '../../shared/protocol';
import { localOrigin, readAgenda, type DocKind } from '../../shared/schema';
import { scheduledItems } from '../../shared/time/schedule';
import { mintPerson } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * Slippage across real clients: stock y-websocket providers on a real server
 * (port 0) for the agenda document of one board.
 */

const providers: WebsocketProvider[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const p of providers.splice(0)) p.destroy();
  for (const s of sockets.splice(0)) s.disconnect();
});

const organizer = localOrigin('organizer-0001');
const participant = localOrigin('participant-0001');
const MIN = 60_000;

function connect(
  server: TestServer,
  board: CreatedBoard,
  token: string,
): { doc: Y.Doc; provider: WebsocketProvider } {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.wsUrl}/yjs`, `${board.id}/agenda`, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
  });
  providers.push(provider);
  return { doc, provider };
}

const synced = (provider: WebsocketProvider): Promise<void> =>
  eventually(() => expect(provider.synced).toBe(true));

/** Planned 10:00, 10:30 and 10:50 in New York on 2023-01-20 (15:00Z, 15:30Z, 15:50Z). */
function seedAgenda(doc: Y.Doc): string[] {
  setMeta(doc, { title: 'FL workshop', timeZone: 'America/New_York', date: '2023-01-20' }, organizer);
  return replaceItems(
    doc,
    [
      { start: '10:00', minutes: 30, title: 'Brief intro', kind: 'other' },
      {
        start: '10:30',
        minutes: 20,
        title: 'MedPerf',
        speaker: 'Alexandros Karargyris',
        kind: 'talk',
      },
      { start: '10:50', minutes: 20, title: 'Fed-BioMed', speaker: 'Marco Lorenzi', kind: 'talk' },
    ],
    organizer,
  );
}

describe('live agenda over a real server', () => {
  it('AG3: the organizer\'s "start this item now" shifts that item and every later one for a second client', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Slippage');
    const org = connect(server, board, board.tokens.organizer);
    const viewer = connect(server, board, board.tokens.participant);
    await Promise.all([synced(org.provider), synced(viewer.provider)]);

    const ids = seedAgenda(org.doc);
    await eventually(() => expect(readAgenda(viewer.doc).items).toHaveLength(3));

    const now = Date.parse('2023-01-20T15:42:00Z'); // MedPerf, planned 10:30 EST, starts 12 min late
    startItemNow(org.doc, ids[1] as string, now, organizer);

    await eventually(() => {
      const a = readAgenda(viewer.doc);
      expect(a.live).toMatchObject({ currentItemId: ids[1], delayMinutes: 12 });
      const s = scheduledItems(a);
      expect(s.map((i) => i.startMs)).toEqual([
        Date.parse('2023-01-20T15:00:00Z'),
        now,
        Date.parse('2023-01-20T16:02:00Z'),
      ]);
      expect(s[2]!.startMs - s[2]!.plannedStartMs).toBe(12 * MIN);
    });

    shiftDelay(org.doc, 5, organizer);
    await eventually(() => expect(readAgenda(viewer.doc).live.delayMinutes).toBe(17));
  });

  it("P2: a participant's change to the agenda is not applied, stored or relayed", async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Read-only agenda');
    const org = connect(server, board, board.tokens.organizer);
    const part = connect(server, board, board.tokens.participant);
    await Promise.all([synced(org.provider), synced(part.provider)]);
    const ids = seedAgenda(org.doc);
    await eventually(() => expect(readAgenda(part.doc).items).toHaveLength(3));

    // The participant edits its own copy: a new delay and a retitled talk.
    shiftDelay(part.doc, 30, participant);
    updateItem(part.doc, ids[1] as string, { title: 'Hijacked' }, participant);

    // Barrier: the participant's awareness message travels on the same
    // connection after its update, so once the organizer sees it the server
    // has handled the update too.
    // (The server keeps only known presence fields, so the marker is a cursor.)
    part.provider.awareness.setLocalStateField('cursor', { x: 4242, y: 7 });
    await eventually(() => {
      const states = [...org.provider.awareness.getStates().values()];
      expect(states.some((s) => (s.cursor as { x?: number } | undefined)?.x === 4242)).toBe(true);
    });

    // The organizer's copy and a fresh client's copy (what the server stored) are untouched.
    expect(readAgenda(org.doc).live.delayMinutes).toBe(0);
    const fresh = connect(server, board, board.tokens.viewer);
    await synced(fresh.provider);
    const stored = readAgenda(fresh.doc);
    expect(stored.live.delayMinutes).toBe(0);
    expect(stored.items.find((i) => i.id === ids[1])?.title).toBe('MedPerf');
    expect(readAgenda(org.doc).items.find((i) => i.id === ids[1])?.title).toBe('MedPerf');
  });

  it("P2: over Socket.io the server answers a participant's agenda update with a refusal", async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Refusal');
    const pat = await mintPerson(server.url, board.id, board.tokens.participant, 'Pat');
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
      auth: {
        board: board.id,
        token: board.tokens.participant,
        name: 'Pat',
        userId: pat.userId,
        key: pat.key,
      },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(socket);
    const denials: Denial[] = [];
    socket.on('denied', (d) => denials.push(d));
    await eventually(() => expect(socket.connected).toBe(true));

    const local = new Y.Doc();
    const update = (() => {
      let u: Uint8Array | null = null;
      local.on('update', (x: Uint8Array) => (u = x));
      shiftDelay(local, 10, participant);
      return u as unknown as Uint8Array;
    })();
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE.sync);
    syncProtocol.writeUpdate(enc, update);
    const ack = await new Promise<UpdateAck>((resolve) =>
      socket.emit('y', 'agenda' as DocKind, encoding.toUint8Array(enc), resolve),
    );
    expect(ack.ok).toBe(false);
    await eventually(() => expect(denials.some((d) => d.doc === 'agenda')).toBe(true));
  });
});
