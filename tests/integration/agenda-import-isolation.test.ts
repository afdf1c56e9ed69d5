import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * The Markdown parser is slow on pathological input; it runs in a worker thread
 * with a time limit, so one organizer's page never stalls the other boards.
 */
describe('agenda import runs off the event loop', () => {
  it('a page that takes too long is refused with 422 while the server keeps answering', async () => {
    const server = await startTestServer({ importTimeoutMs: 1500 });
    const board = await server.createBoard('Isolation');
    // Unmatched brackets: quadratic work for the CommonMark parser.
    const junk = '| Time | Topic |\n|---|---|\n| 10:00 | ' + '[a '.repeat(120_000) + '|\n';
    let importAnswered = false;
    const importing = fetch(`${server.url}/api/boards/${board.id}/agenda/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
      body: JSON.stringify({ markdown: junk, dryRun: true }),
    }).then((r) => {
      importAnswered = true;
      return r;
    });
    // While the page is being read, the server still answers.
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(importAnswered).toBe(false);
    const res = await importing;
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('too-complex');
    expect(body.error.message).toMatch(/took longer/);
  });

  it('a page that runs the worker out of memory is refused with 422 too-complex, never 500, and the next import works', async () => {
    // The page: 500,000 `[` (just under the importer's length limit) ran a
    // 256 MiB worker out of heap and answered 500. A smaller heap gets there sooner.
    const server = await startTestServer({ importMemoryMb: 48, importTimeoutMs: 60_000 });
    const board = await server.createBoard('Out of memory');
    const page = '| Time | Topic |\n|---|---|\n| 10:00 | ' + '['.repeat(499_000) + '|\n';
    const res = await importPage(server, board, page);
    const body = (await res.json()) as ErrorBody;
    expect({ status: res.status, code: body.error.code }).toEqual({ status: 422, code: 'too-complex' });
    expect(body.error.message).toMatch(/memory/);
    const ok = await importPage(server, board, SMALL_PAGE);
    expect(ok.status).toBe(200);
  });

  it('at most MAX_CONCURRENT_IMPORTS are read at a time: one more gets 503 with Retry-After at once, then a free slot is used', async () => {
    const server = await startTestServer({ maxConcurrentImports: 1, importTimeoutMs: 4000 });
    const board = await server.createBoard('Busy');
    const answered: number[] = [];
    const both = await Promise.all(
      [0, 1].map(async () => {
        const res = await importPage(server, board, JUNK_PAGE);
        answered.push(res.status);
        return {
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: (await res.json()) as ErrorBody,
        };
      }),
    );
    // One page holds the only slot until it times out (422); the other is refused first.
    expect(answered).toEqual([503, 422]);
    const busy = both.find((r) => r.status === 503)!;
    expect(busy.retryAfter).toBe('4');
    expect(busy.body.error.code).toBe('busy');
    // The slot is given back when the worker has stopped.
    await importsAgain(server, board);
  });

  it('two imports at a time by default', async () => {
    const server = await startTestServer({ importTimeoutMs: 4000 });
    expect(server.config.maxConcurrentImports).toBe(2);
    const board = await server.createBoard('Default');
    const answered: number[] = [];
    await Promise.all(
      [0, 1, 2].map(async () => answered.push((await importPage(server, board, JUNK_PAGE)).status)),
    );
    expect(answered).toEqual([503, 422, 422]);
    await importsAgain(server, board);
  });
});

type ErrorBody = { error: { code: string; message: string } };

const SMALL_PAGE = '# Small\n\n| Time | Topic |\n|---|---|\n| 10:00 | Welcome |\n';
// As long as the importer allows (500,000 characters): reading it must outlast IMPORT_TIMEOUT_MS
// (4 s here) even on a quiet machine; the parser's work grows with the square of its length.
const JUNK_PAGE = '| Time | Topic |\n|---|---|\n| 10:00 | ' + '[a '.repeat(166_000) + '|\n';

const importPage = (server: TestServer, board: CreatedBoard, markdown: string): Promise<Response> =>
  fetch(`${server.url}/api/boards/${board.id}/agenda/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
    body: JSON.stringify({ markdown, dryRun: true }),
  });

/**
 * A small page imports again (retried: on a loaded machine a worker may need
 * longer than these tests' short time limit just to start).
 */
const importsAgain = (server: TestServer, board: CreatedBoard): Promise<void> =>
  eventually(
    async () => {
      const res = await importPage(server, board, SMALL_PAGE);
      expect({ status: res.status, body: await res.text() }).toMatchObject({ status: 200 });
    },
    { timeout: 20_000, interval: 100 },
  );
