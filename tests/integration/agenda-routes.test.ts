import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Config } from '../../server/config';
import { MAX_PAGE_CHARS } from '../../server/import/markdown-agenda';
import { readAgenda } from '../../shared/schema';
import { requireOptional } from '../helpers/env';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const fixture = (name: string): string =>
  readFileSync(path.join(here, '../fixtures/agenda-pages', name), 'utf8');
const seedPath = path.resolve(repoRoot, '../shared/seed/workshop-2023.md');

/** A one-row page on 2023-01-20 in Eastern Time: 10:00 there is 15:00Z (EST, UTC-5). */
const WINTER_PAGE = [
  '# Winter workshop',
  '',
  'Held on January 20th 2023. **Times are Eastern Time Zone (UTC-05:00)**. [Zoom](https://example.zoom.us/j/1)',
  '',
  '| Time | Topic |',
  '|---|---|',
  '| 10:00 | **Marco Lorenzi** (INRIA): [https://fedbiomed.gitlabpages.inria.fr/](https://fedbiomed.gitlabpages.inria.fr/) |',
  '| 10:20 | Coffee Break |',
  '| 10:30 | Adjourn |',
  '',
].join('\n');

const providers: WebsocketProvider[] = [];
afterEach(() => {
  for (const p of providers.splice(0)) {
    p.destroy();
    p.doc.destroy();
  }
});

interface ExportJson {
  agenda: {
    meta: { title: string; timeZone: string; date: string; links: Record<string, string> };
    items: Array<Record<string, unknown>>;
  };
}

async function exported(server: TestServer, board: CreatedBoard): Promise<ExportJson> {
  const res = await fetch(`${server.url}/api/boards/${board.id}/export.json`, {
    headers: { authorization: `Bearer ${board.tokens.viewer}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ExportJson;
}

function postImport(
  server: TestServer,
  board: CreatedBoard,
  token: string | null,
  body: string,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${server.url}/api/boards/${board.id}/agenda/import`, { method: 'POST', headers, body });
}

const importPage = (
  server: TestServer,
  board: CreatedBoard,
  markdown: string,
  dryRun = false,
  token = board.tokens.organizer,
) => postImport(server, board, token, JSON.stringify({ markdown, dryRun }));

async function board(overrides: Partial<Config> = {}): Promise<{ server: TestServer; board: CreatedBoard }> {
  const server = await startTestServer(overrides);
  return { server, board: await server.createBoard('Import test') };
}

describe('POST /api/boards/:id/agenda/import', () => {
  it('an organizer import replaces the items and fills title, zone, date and links, as the export and a live client see', async () => {
    const { server, board: b } = await board();
    // A participant watching the agenda over the stock y-websocket client sees the import arrive.
    const watcher = new WebsocketProvider(`${server.wsUrl}/yjs`, `${b.id}/agenda`, new Y.Doc(), {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      params: { token: b.tokens.participant },
      disableBc: true,
    });
    providers.push(watcher);
    await eventually(() => expect(watcher.synced).toBe(true));

    const res = await importPage(server, b, fixture('twelve-hour-pacific.md'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      meta: ExportJson['agenda']['meta'];
      items: unknown[];
      warnings: string[];
    };
    expect(Object.keys(body).sort()).toEqual(['changes', 'items', 'meta', 'warnings']);
    expect(body.items).toHaveLength(6);
    expect(body.meta).toMatchObject({
      title: 'Community Maintainers Summit',
      timeZone: 'America/Los_Angeles',
      date: '2025-10-04',
    });

    const { agenda } = await exported(server, b);
    expect(agenda.meta).toEqual({
      title: 'Community Maintainers Summit',
      timeZone: 'America/Los_Angeles',
      date: '2025-10-04',
      links: {
        registration: 'https://example.org/summit/signup',
        meeting: 'https://us02web.zoom.us/j/123456789',
      },
    });
    expect(agenda.items.map((i) => [i.start, i.minutes, i.kind, i.title, i.speaker])).toEqual([
      ['09:00', 30, 'other', 'Doors open & coffee', ''],
      ['09:30', 45, 'talk', 'Keynote: sustaining open source', 'Dana Whitfield'],
      ['10:15', 15, 'break', 'Coffee Break', ''],
      ['10:30', 60, 'discussion', 'Panel: funding models', ''],
      ['11:30', 60, 'break', 'Lunch', ''],
      ['12:30', 90, 'talk', 'Workshop: triage at scale', 'Sam Okafor'],
    ]);
    await eventually(() => {
      const live = readAgenda(watcher.doc);
      expect(live.items.map((i) => i.title)).toContain('Workshop: triage at scale');
      expect(live.meta.timeZone).toBe('America/Los_Angeles');
    });
  });

  it("a second import replaces every item; what the page does not say (date, zone) keeps the organizer's value", async () => {
    const { server, board: b } = await board();
    expect((await importPage(server, b, WINTER_PAGE)).status).toBe(200);
    const res = await importPage(server, b, '| Time | Topic |\n|---|---|\n| 09:00 | Only item |\n');
    expect(res.status).toBe(200);
    const { agenda } = await exported(server, b);
    expect(agenda.items.map((i) => i.title)).toEqual(['Only item']);
    expect(agenda.meta).toMatchObject({
      title: 'Winter workshop',
      date: '2023-01-20',
      timeZone: 'America/New_York',
    });
    expect(agenda.meta.links.meeting).toBe('https://example.zoom.us/j/1');
  });

  it('dryRun answers the preview and changes nothing', async () => {
    const { server, board: b } = await board();
    const res = await importPage(server, b, fixture('stray-pm.md'), true);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Array<{ start: string }>; warnings: string[] };
    expect(body.items.map((i) => i.start)).toEqual(['10:55', '11:15', '11:35', '11:55', '13:00']);
    expect(body.warnings.some((w) => w.startsWith('row 3 (11:35 PM'))).toBe(true);
    const { agenda } = await exported(server, b);
    expect(agenda.items).toEqual([]);
    expect(agenda.meta.date).toBe('');
  });

  it('participants and viewers get 403 and a missing token 401; the agenda stays as it was', async () => {
    const { server, board: b } = await board();
    expect((await importPage(server, b, fixture('stray-pm.md'), false, b.tokens.participant)).status).toBe(
      403,
    );
    expect((await importPage(server, b, fixture('stray-pm.md'), false, b.tokens.viewer)).status).toBe(403);
    expect(
      (await postImport(server, b, null, JSON.stringify({ markdown: fixture('stray-pm.md'), dryRun: false })))
        .status,
    ).toBe(401);
    expect((await exported(server, b)).agenda.items).toEqual([]);
  });

  it('a page without an agenda table gets 422 no-agenda-table saying what was expected, and nothing changes', async () => {
    const { server, board: b } = await board();
    expect((await importPage(server, b, WINTER_PAGE)).status).toBe(200);
    const before = await exported(server, b);
    const res = await importPage(server, b, fixture('no-table.md'));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('no-agenda-table');
    expect(body.error.message).toMatch(/time column.*title or topic column/s);
    expect(await exported(server, b)).toEqual(before);
  });

  it('with no import slot free (MAX_CONCURRENT_IMPORTS=0) an import gets 503 busy with Retry-After, and nothing changes', async () => {
    const { server, board: b } = await board({ maxConcurrentImports: 0, importTimeoutMs: 7000 });
    const res = await importPage(server, b, WINTER_PAGE);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('busy');
    expect(body.error.message).toMatch(/try again in 7 s/);
    expect((await exported(server, b)).agenda.items).toEqual([]);
    // Refused at the door (wrong role) is still 403, not 503: the role is checked first.
    expect((await importPage(server, b, WINTER_PAGE, false, b.tokens.viewer)).status).toBe(403);
  });

  it('a body over 1 MiB gets 413 and nothing changes', async () => {
    const { server, board: b } = await board();
    const huge = WINTER_PAGE + '\n' + 'x'.repeat(1024 * 1024 + 10);
    const res = await importPage(server, b, huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too-large');
    expect((await exported(server, b)).agenda.items).toEqual([]);
  });

  it('a page longer than the importer reads (but under 1 MiB) gets 413 saying the limit, and nothing changes', async () => {
    const { server, board: b } = await board();
    const res = await importPage(server, b, WINTER_PAGE + '\n' + 'y'.repeat(MAX_PAGE_CHARS));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/at most/);
    expect((await exported(server, b)).agenda.items).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"markdown": "| Time |', /./],
    ['no markdown field', JSON.stringify({ dryRun: true }), /markdown/],
    ['markdown not a string', JSON.stringify({ markdown: 42 }), /markdown/],
    ['dryRun not a boolean', JSON.stringify({ markdown: WINTER_PAGE, dryRun: 'yes' }), /dryRun/],
    ['a JSON array', JSON.stringify([WINTER_PAGE]), /JSON object/],
  ])('%s gets 400 with a message', async (_name, raw, message) => {
    const { server, board: b } = await board();
    const res = await postImport(server, b, b.tokens.organizer, raw);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect((await exported(server, b)).agenda.items).toEqual([]);
  });

  const haveSeed = requireOptional(
    'the seed page',
    existsSync(seedPath),
    'put a copy of shared/ (with seed/workshop-2023.md) beside the clone',
  );
  it.skipIf(!haveSeed)(
    'the seed page imports as its 12 items, 10:00 to the 14:30 discussion ending at 17:00',
    async () => {
      const { server, board: b } = await board();
      expect((await importPage(server, b, readFileSync(seedPath, 'utf8'))).status).toBe(200);
      const { agenda } = await exported(server, b);
      expect(agenda.items).toHaveLength(12);
      expect(agenda.items[0]).toMatchObject({ start: '10:00', minutes: 15 });
      expect(agenda.items[11]).toMatchObject({ start: '14:30', minutes: 150, kind: 'discussion' });
      expect(agenda.items.find((i) => i.start === '14:00')).toMatchObject({
        affiliation: 'Charité Universitätsmedizin, Berlin',
      });
      expect(agenda.meta).toMatchObject({ date: '2023-01-20', timeZone: 'America/New_York' });
    },
  );
});

describe('GET /api/boards/:id/agenda.ics', () => {
  const ics = (server: TestServer, b: CreatedBoard, token: string) =>
    fetch(`${server.url}/api/boards/${b.id}/agenda.ics`, { headers: { authorization: `Bearer ${token}` } });

  it('gives one VEVENT per item at the right UTC time (10:00 New York on 2023-01-20 is 15:00Z), for any role', async () => {
    const { server, board: b } = await board();
    expect((await importPage(server, b, WINTER_PAGE)).status).toBe(200);
    for (const token of [b.tokens.organizer, b.tokens.participant, b.tokens.viewer]) {
      const res = await ics(server, b, token);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(
        'attachment; filename="winter-workshop-agenda.ics"',
      );
      const cal = new ICAL.Component(ICAL.parse(await res.text()));
      const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      expect(events).toHaveLength(2);
      const [talk, pause] = events;
      expect(talk?.startDate.toJSDate().toISOString()).toBe('2023-01-20T15:00:00.000Z');
      expect(talk?.endDate.toJSDate().toISOString()).toBe('2023-01-20T15:20:00.000Z');
      expect(talk?.summary).toBe('Talk by Marco Lorenzi');
      expect(talk?.description).toContain('Speaker: Marco Lorenzi (INRIA)');
      expect(talk?.description).toContain('https://fedbiomed.gitlabpages.inria.fr/');
      expect(talk?.component.getFirstPropertyValue('url')).toBe('https://fedbiomed.gitlabpages.inria.fr/');
      expect(pause?.summary).toBe('Coffee Break');
      expect(pause?.startDate.toJSDate().toISOString()).toBe('2023-01-20T15:20:00.000Z');
      expect(pause?.endDate.toJSDate().toISOString()).toBe('2023-01-20T15:30:00.000Z');
    }
  });

  it('uses daylight-saving time after the March change (10:55 EDT on 2025-03-14 is 14:55Z)', async () => {
    const { server, board: b } = await board();
    expect((await importPage(server, b, fixture('stray-pm.md'))).status).toBe(200);
    const cal = new ICAL.Component(ICAL.parse(await (await ics(server, b, b.tokens.viewer)).text()));
    const first = new ICAL.Event(cal.getAllSubcomponents('vevent')[0]);
    expect(first.startDate.toJSDate().toISOString()).toBe('2025-03-14T14:55:00.000Z');
  });

  it('an undated agenda gets 409 with a clear message; a wrong token 401', async () => {
    const { server, board: b } = await board();
    expect((await importPage(server, b, '| Time | Topic |\n|---|---|\n| 09:00 | Only item |\n')).status).toBe(
      200,
    );
    const res = await ics(server, b, b.tokens.viewer);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/no date/);
    expect((await ics(server, b, 'not-a-token')).status).toBe(401);
  });
});
