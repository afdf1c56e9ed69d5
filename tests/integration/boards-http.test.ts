import { describe, expect, it } from 'vitest';
import { hashToken } from '../../server/boards/tokens';
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
