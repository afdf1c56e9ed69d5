import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server';

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
});
