import { describe, expect, it } from 'vitest';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { addNote } from '../../shared/ops/board';
import { setBoardLocked } from '../../shared/ops/live';
import { isBoardLocked, localOrigin, readNotes } from '../../shared/schema';
import { mintPerson, SioClient, yWebsocketClient } from '../helpers/clients';
import { whoOf, type Who } from '../helpers/probes';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Rule: while `live.boardLocked` is true the server refuses participants'
 * updates to the board document on every transport (not applied, stored or
 * relayed), keeps accepting organizers', and accepts participants' again once
 * the board is unlocked.
 */

/** A note by `who` (the gate accepts a note only under its author's own id and name, G2). */
const note = (who: Who, text: string) =>
  ({ text, x: 0, y: 0, authorId: who.userId, authorName: who.name, itemId: null }) as const;
const ORG: Who = { userId: 'org', name: 'Org' };

const texts = (doc: Y.Doc): string[] =>
  readNotes(doc)
    .map((n) => n.text)
    .sort();
const serverTexts = (s: TestServer, id: string): Promise<string[]> =>
  s.docs.read(id, 'board', (d) => texts(d));

/** Note ids others say they are editing (the server keeps only known presence fields). */
const editing = (a: Awareness): unknown[] =>
  [...a.getStates().values()].map((s) => (s as { editing?: unknown }).editing).filter(Boolean);

async function lockedBoard() {
  const server = await startTestServer();
  const board = await server.createBoard('Lock test');
  const organizer = new SioClient(server.url, {
    board: board.id,
    token: board.tokens.organizer,
    name: 'Org',
  });
  await eventually(() => expect(organizer.socket.connected).toBe(true));
  setBoardLocked(organizer.docs.agenda, true, localOrigin('org'));
  await eventually(async () => expect(await server.docs.read(board.id, 'agenda', isBoardLocked)).toBe(true));
  return { server, board, organizer };
}

describe('P3: board lock', () => {
  it('refuses a participant’s board update over Socket.io while locked, accepts the organizer’s, and accepts again after unlocking', async () => {
    const { server, board, organizer } = await lockedBoard();
    // Watches what the server relays, over the other transport.
    const watcher = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.viewer);
    await eventually(() => expect(watcher.provider.synced).toBe(true));

    const p = new SioClient(server.url, {
      board: board.id,
      token: board.tokens.participant,
      name: 'Pat',
    });
    await eventually(() => expect(p.synced.size).toBe(3));
    addNote(p.docs.board, note(whoOf(p), 'refused'), localOrigin('pat'));
    await eventually(() =>
      expect(p.denials).toContainEqual(expect.objectContaining({ doc: 'board', code: 'board-locked' })),
    );

    addNote(organizer.docs.board, note(ORG, 'organizer note'), localOrigin('org'));
    // The organizer's note arrives; the participant's never did.
    await eventually(() => expect(texts(watcher.doc)).toEqual(['organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['organizer note']);

    setBoardLocked(organizer.docs.agenda, false, localOrigin('org'));
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'agenda', isBoardLocked)).toBe(false),
    );
    const again = new SioClient(server.url, {
      board: board.id,
      token: board.tokens.participant,
      name: 'Pat',
    });
    await eventually(() => expect(again.synced.size).toBe(3));
    addNote(again.docs.board, note(whoOf(again), 'after unlock'), localOrigin('pat'));
    await eventually(() => expect(texts(watcher.doc)).toEqual(['after unlock', 'organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['after unlock', 'organizer note']);
    expect(again.denials).toEqual([]);
  });

  it('refuses a participant’s board update over the y-websocket endpoint while locked, accepts the organizer’s, and accepts again after unlocking', async () => {
    const { server, board, organizer } = await lockedBoard();
    const watcher = new SioClient(server.url, {
      board: board.id,
      token: board.tokens.viewer,
      name: 'Vic',
    });
    await eventually(() => expect(watcher.socket.connected).toBe(true));

    const pat = await mintPerson(server.url, board.id, board.tokens.participant, 'Pat');
    const patWho: Who = { userId: pat.userId, name: 'Pat' };
    const p = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.participant, {
      ...pat,
      name: 'Pat',
    });
    await eventually(() => expect(p.provider.synced).toBe(true));
    addNote(p.doc, note(patWho, 'refused'), localOrigin('pat'));
    // Same connection, sent after the update: once the watcher sees the
    // marker, the server has handled (and refused) the update before it.
    p.provider.awareness.setLocalStateField('editing', 'marker');
    await eventually(() => expect(editing(watcher.awareness.board)).toContain('marker'));

    addNote(organizer.docs.board, note(ORG, 'organizer note'), localOrigin('org'));
    await eventually(() => expect(texts(watcher.docs.board)).toEqual(['organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['organizer note']);

    setBoardLocked(organizer.docs.agenda, false, localOrigin('org'));
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'agenda', isBoardLocked)).toBe(false),
    );
    const again = yWebsocketClient(server.wsUrl, board.id, 'board', board.tokens.participant, {
      ...pat,
      name: 'Pat',
    });
    await eventually(() => expect(again.provider.synced).toBe(true));
    addNote(again.doc, note(patWho, 'after unlock'), localOrigin('pat'));
    await eventually(() => expect(texts(watcher.docs.board)).toEqual(['after unlock', 'organizer note']));
    expect(await serverTexts(server, board.id)).toEqual(['after unlock', 'organizer note']);
  });
});
