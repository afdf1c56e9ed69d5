import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { applyDocStates, prefetchDocStates } from '../../client/src/lib/sync/prefetch';
import { decodeDocStates, encodeDocStates } from '../../shared/protocol/doc-states';
import { addItem } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import {
  agendaItems,
  boardNotes,
  DOC_KINDS,
  SHARED_DOC_KINDS,
  serverOrigin,
  type DocKind,
} from '../../shared/schema';
import { startTestServer } from '../helpers/server';

/** DL3: the board's documents over HTTP, for the page to fill while the name prompt is open. */
describe('DL3: GET /api/boards/:id/docs', () => {
  it('DL3: gives any role the documents the live sync would, compressed, never cached; a wrong token gets 401', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Prefetched');
    const origin = serverOrigin('test');
    await server.docs.change(board.id, 'board', 'test', (d) => {
      for (let i = 0; i < 40; i++)
        addNote(
          d,
          { text: `Idea ${i} about open data`, x: i, y: 0, authorId: 'b', authorName: 'B', itemId: null },
          origin,
        );
      addNote(
        d,
        { text: 'Before my name', x: 0, y: 0, authorId: 'a', authorName: 'A', itemId: null },
        origin,
      );
    });
    await server.docs.change(board.id, 'agenda', 'test', (d) => {
      addItem(d, { start: '09:00', minutes: 30, title: 'Welcome', kind: 'talk' }, origin);
    });

    const res = await fetch(`${server.url}/api/boards/${board.id}/docs`, {
      headers: { authorization: `Bearer ${board.tokens.viewer}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Compressed when the client takes it (fetch undoes it), as it is otherwise.
    expect(res.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
    const packed = new Uint8Array(await res.arrayBuffer());
    expect(decodeDocStates(packed)).not.toBeNull();
    const plain = await fetch(`${server.url}/api/boards/${board.id}/docs`, {
      headers: { authorization: `Bearer ${board.tokens.viewer}`, 'accept-encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(packed);

    const states = await prefetchDocStates(board.id, board.tokens.participant, { url: server.url });
    // The shared documents only: a person's private notes (PW1) travel live, to that person only.
    expect(states && Object.keys(states).sort()).toEqual([...SHARED_DOC_KINDS].sort());
    const docs = Object.fromEntries(DOC_KINDS.map((k) => [k, new Y.Doc()])) as Record<DocKind, Y.Doc>;
    applyDocStates(docs, states!);
    expect([...boardNotes(docs.board).values()].map((n) => n.get('text')?.toString())).toContain(
      'Before my name',
    );
    expect(boardNotes(docs.board).size).toBe(41);
    expect(agendaItems(docs.agenda).size).toBe(1);

    for (const auth of ['Bearer not-a-token', '']) {
      const refused = await fetch(`${server.url}/api/boards/${board.id}/docs`, {
        headers: auth ? { authorization: auth } : {},
      });
      expect(refused.status).toBe(401);
    }
    expect(await prefetchDocStates(board.id, 'not-a-token', { url: server.url })).toBeNull();
  });

  it('DL3: a body that is not the format is refused whole', () => {
    const ok = encodeDocStates({
      agenda: new Uint8Array([0, 0]),
      board: new Uint8Array([0, 0]),
      tasks: new Uint8Array([0, 0]),
    });
    expect(decodeDocStates(ok)).not.toBeNull();
    expect(decodeDocStates(ok.subarray(0, ok.length - 1))).toBeNull();
    expect(decodeDocStates(new Uint8Array([...ok, 7]))).toBeNull();
    expect(decodeDocStates(new Uint8Array([1, 5, ...new TextEncoder().encode('other'), 0]))).toBeNull();
  });
});
