import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { API, ApiError, pathOf } from '../../shared/api/contracts';
import { startTestServer } from '../helpers/server';

/**
 * The wire contracts of shared/api/ against a real server (issue 21 item 3):
 * its answers satisfy the response schemas the client checks them with, and a
 * request that breaks a contract gets the route's 400 in the common error shape.
 */
describe('HTTP wire contracts', () => {
  const send = async (
    base: string,
    route: (typeof API)[keyof typeof API],
    body: unknown,
    opts: { id?: string; token?: string } = {},
  ): Promise<{ status: number; json: unknown }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(base + pathOf(route, opts.id), {
      method: route.method,
      headers,
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };

  it('B1, B2, PW1: create, rename and private writing answer what their contracts say', async () => {
    const server = await startTestServer();
    const created = await send(server.url, API.createBoard, { title: 'Contracts' });
    expect(created.status).toBe(201);
    const board = v.parse(API.createBoard.response, created.json);
    const organizer = new URL(board.urls.organizer, server.url).hash.slice(1);
    const renamed = await send(
      server.url,
      API.renameBoard,
      { title: 'Renamed' },
      { id: board.id, token: organizer },
    );
    expect(v.parse(API.renameBoard.response, renamed.json)).toEqual({ id: board.id, title: 'Renamed' });
    const started = await send(
      server.url,
      API.privateWriting,
      { action: 'start' },
      { id: board.id, token: organizer },
    );
    expect(v.parse(API.privateWriting.response, started.json)).toEqual({ privateWriting: true, moved: 0 });
  });

  it('PW1, JN2: a request that breaks its contract gets the route’s answer in the common error shape', async () => {
    const server = await startTestServer();
    const b = await server.createBoard();
    const bad = await send(
      server.url,
      API.privateWriting,
      { action: 'pause' },
      { id: b.id, token: b.tokens.organizer },
    );
    expect(bad.status).toBe(400);
    expect(v.parse(ApiError, bad.json).error).toEqual({
      code: 'bad-request',
      message: API.privateWriting.invalid,
    });
    const untitled = await send(
      server.url,
      API.renameBoard,
      { title: 7 },
      { id: b.id, token: b.tokens.organizer },
    );
    expect(untitled.status).toBe(400);
    expect(v.parse(ApiError, untitled.json).error.message).toBe(API.renameBoard.invalid);
    const unknown = await send(server.url, API.join, { code: 'ZZZZZZ' });
    expect(unknown.status).toBe(404);
    expect(v.parse(ApiError, unknown.json).error.code).toBe('unknown-code');
  });
});
