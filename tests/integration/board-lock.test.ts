import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/board';
import { setBoardLocked } from '../../shared/ops/live';
import {
  MESSAGE,
  type ClientToServerEvents,
  type Denial,
  type ServerToClientEvents,
} from '../../shared/protocol';
import { DOC_KINDS, isBoardLocked, localOrigin, newId, readNotes, type DocKind } from '../../shared/schema';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * Rule: while `live.boardLocked` is true the server refuses participants'
 * updates to the board document on every transport (not applied, stored or
 * relayed), keeps accepting organizers', and accepts participants' again once
 * the board is unlocked.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const FROM_SERVER = Symbol('from-server');

/** A Socket.io peer speaking the y-protocols frames of shared/protocol over the `y` event. */
function sioPeer(url: string, auth: { board: string; token: string; name: string }) {
  const docs = Object.fromEntries(DOC_KINDS.map((k) => [k, new Y.Doc()])) as Record<DocKind, Y.Doc>;
  const awareness = new awarenessProtocol.Awareness(docs.board);
  const denials: Denial[] = [];
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    auth: { ...auth, userId: newId() },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const send = (doc: DocKind, write: (enc: encoding.Encoder) => void): void => {
    const enc = encoding.createEncoder();
    write(enc);
    socket.emit('y', doc, encoding.toUint8Array(enc));
  };
  socket.on('connect', () => {
    for (const k of DOC_KINDS)
      send(k, (enc) => {
        encoding.writeVarUint(enc, MESSAGE.sync);
        syncProtocol.writeSyncStep1(enc, docs[k]);
      });
  });
  socket.on('y', (kind, frame) => {
    const dec = decoding.createDecoder(new Uint8Array(frame));
    const type = decoding.readVarUint(dec);
    if (type === MESSAGE.sync) {
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MESSAGE.sync);
      syncProtocol.readSyncMessage(dec, reply, docs[kind], FROM_SERVER);
      if (encoding.length(reply) > 1) socket.emit('y', kind, encoding.toUint8Array(reply));
    } else if (type === MESSAGE.awareness && kind === 'board') {
      awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(dec), FROM_SERVER);
    }
  });
  socket.on('denied', (d) => denials.push(d));
  for (const k of DOC_KINDS) {
    docs[k].on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === FROM_SERVER) return;
      send(k, (enc) => {
        encoding.writeVarUint(enc, MESSAGE.sync);
        syncProtocol.writeUpdate(enc, update);
      });
    });
  }
  awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
    if (origin === FROM_SERVER) return;
    send('board', (enc) => {
      encoding.writeVarUint(enc, MESSAGE.awareness);
      encoding.writeVarUint8Array(
        enc,
        awarenessProtocol.encodeAwarenessUpdate(awareness, [...added!, ...updated!, ...removed!]),
      );
    });
  });
  cleanups.push(() => socket.disconnect());
  return { socket, docs, awareness, denials };
}

/** The unmodified y-websocket provider on the board document. */
function wsPeer(server: TestServer, board: CreatedBoard, token: string) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.wsUrl}/yjs`, `${board.id}/board`, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  cleanups.push(() => provider.destroy());
  return { doc, provider, awareness: provider.awareness };
}

const note = (authorId: string, text: string) =>
  ({ text, x: 0, y: 0, authorId, authorName: authorId, itemId: null }) as const;

const texts = (doc: Y.Doc): string[] =>
  readNotes(doc)
    .map((n) => n.text)
    .sort();
const serverTexts = (s: TestServer, id: string): Promise<string[]> =>
  s.docs.read(id, 'board', (d) => texts(d));

/** Note ids others say they are editing (the server keeps only known presence fields). */
const editing = (a: awarenessProtocol.Awareness): unknown[] =>
  [...a.getStates().values()].map((s) => (s as { editing?: unknown }).editing).filter(Boolean);

async function lockedBoard() {
  const server = await startTestServer();
  const board = await server.createBoard('Lock test');
  const organizer = sioPeer(server.url, {
    board: board.id,
    token: board.tokens.organizer,
    name: 'Org',
  });
  await eventually(() => expect(organizer.socket.connected).toBe(true));
  setBoardLocked(organizer.docs.agenda, true, localOrigin('org'));
  await eventually(async () => expect(await server.docs.read(board.id, 'agenda', isBoardLocked)).toBe(true));
  return { server, board, organizer };
}

describe('board lock', () => {
  it('refuses a participant’s board update over Socket.io while locked, accepts the organizer’s, and accepts again after unlocking', async () => {
    const { server, board, organizer } = await lockedBoard();
    // Watches what the server relays, over the other transport.
    const watcher = wsPeer(server, board, board.tokens.viewer);
    await eventually(() => expect(watcher.provider.synced).toBe(true));

    const p = sioPeer(server.url, {
      board: board.id,
      token: board.tokens.participant,
      name: 'Pat',
    });
    await eventually(() => expect(p.socket.connected).toBe(true));
    addNote(p.docs.board, note('pat', 'refused'), localOrigin('pat'));
    await eventually(() =>
      expect(p.denials).toContainEqual(expect.objectContaining({ doc: 'board', code: 'board-locked' })),
    );

    addNote(organizer.docs.board, note('org', 'organizer note'), localOrigin('org'));
    // The organizer's note arrives; the participant's never did.
    await eventually(() => expect(texts(watcher.doc)).toEqual(['organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['organizer note']);

    setBoardLocked(organizer.docs.agenda, false, localOrigin('org'));
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'agenda', isBoardLocked)).toBe(false),
    );
    const again = sioPeer(server.url, {
      board: board.id,
      token: board.tokens.participant,
      name: 'Pat',
    });
    await eventually(() => expect(again.socket.connected).toBe(true));
    addNote(again.docs.board, note('pat', 'after unlock'), localOrigin('pat'));
    await eventually(() => expect(texts(watcher.doc)).toEqual(['after unlock', 'organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['after unlock', 'organizer note']);
    expect(again.denials).toEqual([]);
  });

  it('refuses a participant’s board update over the y-websocket endpoint while locked, accepts the organizer’s, and accepts again after unlocking', async () => {
    const { server, board, organizer } = await lockedBoard();
    const watcher = sioPeer(server.url, {
      board: board.id,
      token: board.tokens.viewer,
      name: 'Vic',
    });
    await eventually(() => expect(watcher.socket.connected).toBe(true));

    const p = wsPeer(server, board, board.tokens.participant);
    await eventually(() => expect(p.provider.synced).toBe(true));
    addNote(p.doc, note('pat', 'refused'), localOrigin('pat'));
    // Same connection, sent after the update: once the watcher sees the
    // marker, the server has handled (and refused) the update before it.
    p.awareness.setLocalStateField('editing', 'marker');
    await eventually(() => expect(editing(watcher.awareness)).toContain('marker'));

    addNote(organizer.docs.board, note('org', 'organizer note'), localOrigin('org'));
    await eventually(() => expect(texts(watcher.docs.board)).toEqual(['organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['organizer note']);

    setBoardLocked(organizer.docs.agenda, false, localOrigin('org'));
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'agenda', isBoardLocked)).toBe(false),
    );
    const again = wsPeer(server, board, board.tokens.participant);
    await eventually(() => expect(again.provider.synced).toBe(true));
    addNote(again.doc, note('pat', 'after unlock'), localOrigin('pat'));
    await eventually(() => expect(texts(watcher.docs.board)).toEqual(['after unlock', 'organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['after unlock', 'organizer note']);
  });
});
