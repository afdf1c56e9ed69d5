import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/board';
import { readNotes, serverOrigin, ROOTS } from '../../shared/schema';
import { loadSnapshot } from '../../server/boards/snapshot';
import { withGroups } from '../../server/export';
import { EXPORT_NAMES, renderExport } from '../../server/export/render';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { noteScratch, whoOf } from '../helpers/probes';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { buildWorkshop } from '../fixtures/boards/workshop';

/**
 * Issue 17, item 1: work whose cost grows with a board runs off the event
 * loop (HV1), a few at a time per kind (HV2), from a cache for an unchanged
 * board (HV3), under per-link and per-address limits (HV4). Real servers,
 * real clients; no timing is asserted, only what answered before what.
 */

const origin = serverOrigin('test');

/**
 * Fills a board with `n` notes of `chars` characters, as server changes of 250
 * notes each with the event loop free between them (the HTTP clients' timers,
 * such as keep-alive, run meanwhile as they would beside a real client).
 */
async function fill(server: TestServer, board: CreatedBoard, n: number, chars = 1900): Promise<void> {
  const text = 'y'.repeat(chars - 8);
  for (let from = 0; from < n; from += 250) {
    await server.docs.change(board.id, 'board', 'test fill', (d) => {
      for (let i = from; i < Math.min(n, from + 250); i++)
        addNote(
          d,
          {
            text: `${String(i).padStart(7, '0')} ${text}`,
            x: (i % 100) * 210,
            y: Math.floor(i / 100) * 150,
            authorId: 'filler',
            authorName: 'Filler',
            itemId: null,
          },
          origin,
        );
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const get = (server: TestServer, board: CreatedBoard, path: string, token: string, headers = {}) =>
  fetch(`${server.url}/api/boards/${board.id}/${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });

const suggest = (server: TestServer, board: CreatedBoard) =>
  fetch(`${server.url}/api/boards/${board.id}/groups/suggest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${board.tokens.organizer}`, 'content-type': 'application/json' },
    body: '{}',
  });

/** A request whose settling can be asked about while it is still in flight. */
function inFlight(p: Promise<Response>): { done: () => boolean; result: Promise<Response> } {
  let settled = false;
  const result = p.finally(() => (settled = true));
  return { done: () => settled, result };
}

describe('HV: heavy work off the live path (issue 17)', () => {
  it('HV1: every export is the same text as rendered on the event loop before, now made in the worker pool', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Federated Imaging: Day 1');
    const fixture = buildWorkshop();
    for (const kind of ['agenda', 'board', 'tasks'] as const)
      await server.docs.change(board.id, kind, 'test fixture', (doc) =>
        Y.applyUpdate(doc, Y.encodeStateAsUpdate(fixture.docs[kind])),
      );
    const content = await withGroups(
      await loadSnapshot(server.store, server.docs, server.log, board.id),
      server.docs,
      server.log,
    );
    // No questions on this board: every role's download lists none.
    content.questions = [];
    for (const name of EXPORT_NAMES) {
      const res = await get(server, board, name, board.tokens.viewer);
      expect(res.status, name).toBe(200);
      // Bytes, not res.text(): decoding would drop the CSV files' byte order mark.
      const body = Buffer.from(await res.arrayBuffer()).toString('utf8');
      if (name === 'tasks.ics') {
        // A calendar carries the time it was made (DTSTAMP): compare without it.
        const stamp = /^DTSTAMP:.*\r?\n/gm;
        expect(body.replace(stamp, '')).toBe(renderExport(name, content).replace(stamp, ''));
      } else expect(body, name).toBe(renderExport(name, content));
    }
  });

  it('HV1: while a full board is exported, another board keeps syncing and /healthz answers before the export does', async () => {
    const server = await startTestServer();
    const full = await server.createBoard('Full');
    await fill(server, full, 2000);
    const live = await server.createBoard('Live');
    const a = new SioClient(server.url, { board: live.id, token: live.tokens.participant });
    const b = new SioClient(server.url, { board: live.id, token: live.tokens.participant });
    await eventually(() => expect(a.synced.size + b.synced.size).toBe(6));

    const svg = inFlight(get(server, full, 'board.svg', full.tokens.viewer));
    const json = inFlight(get(server, full, 'export.json', full.tokens.viewer));
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    noteScratch(a.docs.board, whoOf(a)).insert(0, 'still live');
    await eventually(() => expect(readNotes(b.docs.board).map((n) => n.text)).toContain('still live'));
    // Both answered while the full board's picture and export were still being made.
    expect(svg.done() && json.done()).toBe(false);
    expect((await svg.result).status).toBe(200);
    expect((await json.result).status).toBe(200);
  }, 60_000);

  it('HV2: one export more than its slots gets 503 with Retry-After, while suggestions have slots of their own', async () => {
    const server = await startTestServer({ exportSlots: 1, suggestSlots: 1 });
    const board = await server.createBoard('Busy');
    await fill(server, board, 4000);
    const small = await server.createBoard('Small');
    await fill(server, small, 3, 40);
    const svgs = [1, 2, 3].map(() => inFlight(get(server, board, 'board.svg', board.tokens.viewer)));
    // Two are refused at once; one holds the only export slot.
    await eventually(() => expect(svgs.filter((r) => r.done())).toHaveLength(2), { timeout: 20_000 });
    for (const r of svgs.filter((x) => x.done())) {
      const res = await r.result;
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('busy');
    }
    const running = svgs.find((r) => !r.done())!;
    const grouped = await suggest(server, small);
    // The suggestion answered while the picture still held the only export slot.
    expect(running.done()).toBe(false);
    expect(grouped.status).toBe(200);
    expect((await running.result).status).toBe(200);
    // Once it is done, the slot is free again.
    expect((await get(server, board, 'notes.csv', board.tokens.viewer)).status).toBe(200);
  }, 60_000);

  it('HV3: an unchanged board answers If-None-Match with 304; a change gives a new ETag and the new content', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Cached');
    await fill(server, board, 3, 20);
    for (const name of ['export.json', 'notes.csv', 'board.svg'] as const) {
      const first = await get(server, board, name, board.tokens.viewer);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[\w-]{20,}"$/);
      const body = await first.text();
      const again = await get(server, board, name, board.tokens.viewer, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      const cached = await get(server, board, name, board.tokens.viewer);
      expect(cached.headers.get('etag')).toBe(etag);
      expect(await cached.text()).toBe(body);
    }
    const before = (await get(server, board, 'notes.csv', board.tokens.viewer)).headers.get('etag')!;
    await server.docs.change(board.id, 'board', 'test', (d) => {
      const notes = d.getMap(ROOTS.board.notes);
      notes.delete([...notes.keys()][0]!);
    });
    const after = await get(server, board, 'notes.csv', board.tokens.viewer, { 'if-none-match': before });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
    expect((await after.text()).trim().split('\r\n')).toHaveLength(1 + 2);
  });

  it('HV4: heavy downloads are limited per link and per address (429 with Retry-After)', async () => {
    const server = await startTestServer({ heavyPerLink: 2, heavyPerAddress: 4 });
    const board = await server.createBoard('Limited');
    for (let i = 0; i < 2; i++)
      expect((await get(server, board, 'export.json', board.tokens.viewer)).status).toBe(200);
    const perLink = await get(server, board, 'export.json', board.tokens.viewer);
    expect(perLink.status).toBe(429);
    expect(Number(perLink.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await perLink.json()) as { error: { message: string } }).error.message).toMatch(/this link/);
    // Another link of the same board still may, until the address has used its own bound.
    expect((await get(server, board, 'export.json', board.tokens.participant)).status).toBe(200);
    const perAddress = await get(server, board, 'notes.csv', board.tokens.organizer);
    expect(perAddress.status).toBe(429);
    expect(Number(perAddress.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await perAddress.json()) as { error: { message: string } }).error.message).toMatch(
      /your address/,
    );
    // Light routes are not heavy ones: the snapshot list still answers.
    expect((await get(server, board, 'snapshots', board.tokens.viewer)).status).toBe(200);
  });

  it('HV4: every route that reads a board is limited per link and per address', async () => {
    const server = await startTestServer({ boardRequestsPerLink: 3, boardRequestsPerAddress: 5 });
    const board = await server.createBoard('Read often');
    for (let i = 0; i < 3; i++)
      expect((await get(server, board, 'snapshots', board.tokens.viewer)).status).toBe(200);
    const perLink = await get(server, board, 'snapshots', board.tokens.viewer);
    expect(perLink.status).toBe(429);
    expect(Number(perLink.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(server, board, 'snapshots', board.tokens.participant)).status).toBe(200);
    const perAddress = await get(server, board, 'snapshots', board.tokens.organizer);
    expect(perAddress.status).toBe(429);
    expect(Number(perAddress.headers.get('retry-after'))).toBeGreaterThan(0);
    // Health and board creation are not board reads.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('HV1: a restore is planned in the worker and applied as changes that every client receives', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Restored');
    await fill(server, board, 600, 40);
    const snap = await fetch(`${server.url}/api/boards/${board.id}/snapshots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${board.tokens.organizer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'Before clearing' }),
    });
    expect(snap.status).toBe(201);
    const { id } = (await snap.json()) as { id: string };
    await server.docs.change(board.id, 'board', 'test', (d) => d.getMap(ROOTS.board.notes).clear());
    const watcher = new SioClient(server.url, { board: board.id, token: board.tokens.viewer });
    await eventually(() => expect(watcher.synced.has('board')).toBe(true));
    expect(readNotes(watcher.docs.board)).toHaveLength(0);
    const restored = await fetch(`${server.url}/api/boards/${board.id}/snapshots/${id}/restore`, {
      method: 'POST',
      headers: { authorization: `Bearer ${board.tokens.organizer}` },
    });
    expect(restored.status).toBe(200);
    await eventually(() => expect(readNotes(watcher.docs.board)).toHaveLength(600));
    const texts = await server.docs.read(board.id, 'board', (d) => readNotes(d).map((n) => n.text));
    expect(new Set(texts).size).toBe(600);
  });
});
