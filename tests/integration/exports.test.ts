import { parse } from 'csv-parse/sync';
import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createTask } from '../../shared/ops/tasks';
import { localOrigin, readTasks, type DocKind } from '../../shared/schema';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { buildWorkshop, WORKSHOP } from '../fixtures/boards/workshop';

const providers: WebsocketProvider[] = [];
afterEach(() => {
  for (const p of providers.splice(0)) {
    p.destroy();
    p.doc.destroy();
  }
});

/** The stock y-websocket client, as an integration would connect. */
function connect(server: TestServer, boardId: string, doc: DocKind, token: string): WebsocketProvider {
  const provider = new WebsocketProvider(`${server.wsUrl}/yjs`, `${boardId}/${doc}`, new Y.Doc(), {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: { token },
    disableBc: true,
  });
  providers.push(provider);
  return provider;
}

const EXPORTS = [
  { path: 'export.json', type: /^application\/json; charset=utf-8/, file: /-export\.json"$/ },
  { path: 'export.md', type: /^text\/markdown; charset=utf-8/, file: /-minutes\.md"$/ },
  { path: 'tasks.csv', type: /^text\/csv; charset=utf-8/, file: /-tasks\.csv"$/ },
  { path: 'tasks.ics', type: /^text\/calendar; charset=utf-8/, file: /-tasks\.ics"$/ },
] as const;

const get = (server: TestServer, board: CreatedBoard, path: string, token?: string) =>
  fetch(`${server.url}/api/boards/${board.id}/${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

/**
 * A board with the fixture's agenda and notes written server-side, and its
 * tasks typed by a participant through a real y-websocket client.
 */
async function populatedBoard(): Promise<{ server: TestServer; board: CreatedBoard }> {
  const server = await startTestServer();
  const board = await server.createBoard('Federated Imaging: Day 1');
  const fixture = buildWorkshop();
  for (const kind of ['agenda', 'board'] as const)
    await server.docs.change(board.id, kind, 'test fixture', (doc) =>
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(fixture.docs[kind])),
    );

  const client = connect(server, board.id, 'tasks', board.tokens.participant);
  await eventually(() => expect(client.synced).toBe(true));
  for (const t of readTasks(fixture.docs.tasks))
    createTask(
      client.doc,
      {
        title: t.title,
        owner: t.owner,
        due: t.due,
        status: t.status,
        itemId: t.itemId,
        noteId: t.noteId,
      },
      localOrigin('participant-1'),
    );
  await eventually(async () => {
    const n = await server.docs.read(board.id, 'tasks', (d) => readTasks(d).length);
    expect(n).toBe(5);
  });
  return { server, board };
}

describe('export routes', () => {
  it('every export answers 200 to each role, with its content type and an attachment name from the title', async () => {
    const { server, board } = await populatedBoard();
    for (const role of ['organizer', 'participant', 'viewer'] as const) {
      for (const e of EXPORTS) {
        const res = await get(server, board, e.path, board.tokens[role]);
        expect(res.status, `${role} ${e.path}`).toBe(200);
        expect(res.headers.get('content-type')).toMatch(e.type);
        const disposition = res.headers.get('content-disposition') ?? '';
        expect(disposition).toMatch(/^attachment; filename="federated-imaging-day-1-/);
        expect(disposition).toMatch(e.file);
        expect(res.headers.get('cache-control')).toContain('no-store');
        expect((await res.text()).length).toBeGreaterThan(0);
      }
    }
  });

  it('a missing or wrong token gets 401 and no board content from every export', async () => {
    const { server, board } = await populatedBoard();
    const other = await server.createBoard('Another board');
    for (const e of EXPORTS) {
      for (const token of [undefined, '', 'not-a-token', other.tokens.organizer]) {
        const res = await get(server, board, e.path, token);
        expect([401, 403], `${e.path} with ${String(token)}`).toContain(res.status);
        const body = await res.text();
        expect(body).not.toContain(WORKSHOP.title);
        expect(body).not.toContain('Collect slides');
      }
    }
    const unknown = await fetch(`${server.url}/api/boards/no-such-board/tasks.csv`, {
      headers: { authorization: `Bearer ${board.tokens.organizer}` },
    });
    expect([401, 403, 404]).toContain(unknown.status);
  });

  it('the exports carry what the participant wrote: CSV titles, calendar dates, minutes and JSON', async () => {
    const { server, board } = await populatedBoard();
    const token = board.tokens.viewer;

    const csvRes = await get(server, board, 'tasks.csv', token);
    const bytes = new Uint8Array(await csvRes.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => r.title)).toContain(WORKSHOP.trickyTitle);
    expect(rows).toHaveLength(5);

    const ics = await (await get(server, board, 'tasks.ics', token)).text();
    const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent');
    expect(events).toHaveLength(4);
    const tricky = events.find((e) => e.getFirstPropertyValue('summary') === WORKSHOP.trickyTitle)!;
    expect(String(tricky.getFirstPropertyValue('dtstart'))).toBe('2023-02-15');

    const md = await (await get(server, board, 'export.md', token)).text();
    expect(md).toContain(`# ${WORKSHOP.title}`);
    expect(md).toContain('11:10–11:40 (planned 11:00)');
    for (const owner of WORKSHOP.owners) expect(md).toContain(owner);

    const json = (await (await get(server, board, 'export.json', token)).json()) as {
      agenda: { meta: { title: string } };
      notes: unknown[];
      tasks: { title: string }[];
    };
    expect(json.agenda.meta.title).toBe(WORKSHOP.title);
    expect(json.notes).toHaveLength(3);
    expect(json.tasks.map((t) => t.title)).toContain(WORKSHOP.trickyTitle);
  });
});
