import { describe, expect, it } from 'vitest';
import { hashToken } from '../../server/boards/tokens';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('B1: boards and links', () => {
  it('creates a board with three unguessable tokens and fragment links', async () => {
    const server = await startTestServer();
    const res = await post(server.url, JSON.stringify({ title: 'Federated learning workshop' }));
    expect(res.status).toBe(201);
    const b = (await res.json()) as {
      id: string;
      title: string;
      tokens: Record<string, string>;
      urls: Record<string, string>;
    };
    expect(b.title).toBe('Federated learning workshop');
    expect(b.id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 bits
    for (const role of ['organizer', 'participant', 'viewer']) {
      expect(b.tokens[role]).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
      expect(b.urls[role]).toBe(`${server.url}/b/${b.id}#${b.tokens[role]}`);
    }
    expect(new Set(Object.values(b.tokens)).size).toBe(3);
    // Only hashes are stored.
    const stored = await server.store.getBoard(b.id);
    expect(stored?.tokenHashes.organizer).toBe(hashToken(b.tokens.organizer!));
    expect(JSON.stringify(stored)).not.toContain(b.tokens.organizer);

    for (const role of ['organizer', 'participant', 'viewer']) {
      const me = await fetch(`${server.url}/api/boards/${b.id}`, {
        headers: { authorization: `Bearer ${b.tokens[role]}` },
      });
      expect(await me.json()).toEqual({ id: b.id, title: b.title, role });
    }
  });

  it('a wrong token learns nothing: same 401 for an existing and an unknown board', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const wrong = await fetch(`${server.url}/api/boards/${b.id}`, {
      headers: { authorization: `Bearer ${'a'.repeat(43)}` },
    });
    const unknown = await fetch(`${server.url}/api/boards/${'B'.repeat(22)}`, {
      headers: { authorization: `Bearer ${b.tokens.organizer}` },
    });
    const none = await fetch(`${server.url}/api/boards/${b.id}`);
    expect([wrong.status, unknown.status, none.status]).toEqual([401, 401, 401]);
    const bodies = [await wrong.json(), await unknown.json()];
    expect(bodies[0]).toEqual(bodies[1]);
    expect(JSON.stringify(bodies)).not.toContain(b.title);
  });

  it('rejects malformed bodies with clear errors', async () => {
    const server = await startTestServer();
    const bad = await post(server.url, '{"title": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad-json');
    const wrongShape = await post(server.url, JSON.stringify({ title: 42 }));
    expect(wrongShape.status).toBe(400);
    const empty = await post(server.url, JSON.stringify({ title: '   ' }));
    expect(empty.status).toBe(400);
    const huge = await post(server.url, JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('requires the admin token to create boards when ADMIN_TOKEN is set', async () => {
    const server = await startTestServer({ adminToken: 'let-me-in-please-0123456789' });
    expect((await post(server.url, JSON.stringify({ title: 'x' }))).status).toBe(401);
    expect(
      (await post(server.url, JSON.stringify({ title: 'x' }), { authorization: 'Bearer nope' })).status,
    ).toBe(401);
    const ok = await post(server.url, JSON.stringify({ title: 'x' }), {
      authorization: 'Bearer let-me-in-please-0123456789',
    });
    expect(ok.status).toBe(201);
  });

  it('unknown API routes answer 404 in JSON', async () => {
    const server = await startTestServer();
    const res = await fetch(`${server.url}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not-found');
  });
});

describe('board creation limit per client address (issue 9)', () => {
  const title = JSON.stringify({ title: 'Spam' });
  type ErrorBody = { error: { code: string; message: string } };

  it('over BOARDS_PER_ADDRESS answers 429 with Retry-After and a JSON error', async () => {
    const server = await startTestServer({ boardsPerAddress: 3, boardsWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) expect((await post(server.url, title)).status).toBe(201);
    const res = await post(server.url, title);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('too-many-boards');
    expect(body.error.message).toMatch(/try again in \d+ s/);
    // Over the limit nothing else is looked at: a malformed request gets the same 429.
    expect((await post(server.url, JSON.stringify({ title: 42 }))).status).toBe(429);
    // Other routes are not limited.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('the window ends: after BOARDS_WINDOW_MS the address may create boards again', async () => {
    const server = await startTestServer({ boardsPerAddress: 1, boardsWindowMs: 500 });
    expect((await post(server.url, title)).status).toBe(201);
    expect((await post(server.url, title)).status).toBe(429);
    await eventually(async () => expect((await post(server.url, title)).status).toBe(201), {
      timeout: 5000,
      interval: 100,
    });
  });

  it('counts per client address: X-Forwarded-For only with TRUST_PROXY', async () => {
    const direct = await startTestServer({ boardsPerAddress: 1 });
    expect((await post(direct.url, title, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(201);
    // A forged header does not make a new address when no proxy is trusted.
    expect((await post(direct.url, title, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);

    const proxied = await startTestServer({ boardsPerAddress: 1, trustProxy: 1 });
    expect((await post(proxied.url, title, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(201);
    expect((await post(proxied.url, title, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
    expect((await post(proxied.url, title, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(201);
  });

  it('with ADMIN_TOKEN: wrong tokens of any length get 401 and count; the admin is never limited', async () => {
    const adminToken = 'let-me-in-please-0123456789';
    const server = await startTestServer({ adminToken, boardsPerAddress: 2 });
    const wrong = ['nope', adminToken.slice(0, -1), `${adminToken}x`, 'x'.repeat(4096)];
    const statuses = [];
    for (const t of wrong)
      statuses.push((await post(server.url, title, { authorization: `Bearer ${t}` })).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
    for (let i = 0; i < 5; i++) {
      const res = await post(server.url, title, { authorization: `Bearer ${adminToken}` });
      expect(res.status).toBe(201);
    }
  });
});
