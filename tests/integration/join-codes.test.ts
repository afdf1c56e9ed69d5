import { describe, expect, it } from 'vitest';
import { readLinkSignal } from '../../shared/ops/roster';
import {
  CODE_ALPHABET,
  JOIN_CODE_LENGTH,
  type JoinInfo,
  type JoinTarget,
} from '../../shared/protocol/sharing';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { call, callJson } from '../helpers/sharing';

/**
 * Joining from the projector (issue 19): the organizer's "Show how to join"
 * switch, the join code any link of the board reads while it is on, and the
 * code typed at `/join` (forgiving, rate-limited, replaced with the link).
 */

const show = (server: TestServer, b: CreatedBoard, shown: unknown, token = b.tokens.organizer) =>
  callJson<JoinInfo>(server.url, `/api/boards/${b.id}/join`, { method: 'PUT', token, body: { shown } });
const read = (server: TestServer, b: CreatedBoard, token: string) =>
  callJson<JoinInfo>(server.url, `/api/boards/${b.id}/join`, { token });
const join = (server: TestServer, code: unknown, headers: Record<string, string> = {}) =>
  callJson<JoinTarget & { error?: { code: string } }>(server.url, '/api/join', { body: { code }, headers });

const CODE = new RegExp(`^[${CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`);

describe('JN1: "Show how to join" — the switch and what every link of the board reads', () => {
  it('off by default for every role; only the organizer switches it; on, every role reads the code and the participant link', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Projector');
    for (const token of Object.values(b.tokens))
      expect((await read(server, b, token)).body).toEqual({ shown: false, code: null, url: null });
    expect((await show(server, b, true, b.tokens.participant)).status).toBe(403);
    expect((await show(server, b, true, b.tokens.viewer)).status).toBe(403);
    expect((await show(server, b, 'yes')).status).toBe(400);
    expect((await read(server, b, 'A'.repeat(43))).status).toBe(401);

    const viewer = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
    await eventually(() => expect(viewer.synced.size).toBe(3));
    const on = await show(server, b, true);
    expect(on.status).toBe(200);
    expect(on.body.shown).toBe(true);
    expect(on.body.code).toMatch(CODE);
    expect(on.body.url).toBe(b.urls.participant);
    // The projector, opened with the viewer link, hears it at once (the board document says so).
    await eventually(() => expect(readLinkSignal(viewer.docs.board).joinShown).toBe(true));
    for (const token of Object.values(b.tokens)) expect((await read(server, b, token)).body).toEqual(on.body);
    // Switching it on again keeps the code people may be typing.
    expect((await show(server, b, true)).body.code).toBe(on.body.code);

    const off = await show(server, b, false);
    expect(off.body).toEqual({ shown: false, code: null, url: null });
    await eventually(() => expect(readLinkSignal(viewer.docs.board).joinShown).toBe(false));
    expect((await read(server, b, b.tokens.viewer)).body.shown).toBe(false);
    expect((await join(server, on.body.code)).status).toBe(404);
    // On again: a new code.
    expect((await show(server, b, true)).body.code).not.toBe(on.body.code);
  });
});

describe('JN2: a join code typed at /join', () => {
  it('leads to the participant link, typed forgivingly; a wrong or malformed code is 404', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Typed');
    const other = await server.createBoard('Other');
    const { code } = (await show(server, b, true)).body;
    const otherCode = (await show(server, other, true)).body.code;
    expect(code).not.toBe(otherCode);
    const typed = `${code!.slice(0, 4).toLowerCase()} - ${code!.slice(4)}`.replace(/0/g, 'o');
    const found = await join(server, typed);
    expect(found.status).toBe(200);
    expect(found.headers.get('cache-control')).toBe('no-store');
    expect(found.body).toEqual({ boardId: b.id, kind: 'join', url: b.urls.participant });
    expect((await join(server, otherCode)).body.boardId).toBe(other.id);
    for (const wrong of ['0000-0000', 'K7P4', 'UUUUUUUU', 42, null])
      expect((await join(server, wrong)).body.error?.code).toBe('unknown-code');
  });

  it('is replaced with the participant link: a rotation gives a new code and the old one stops; other links keep it', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Replaced');
    const { code } = (await show(server, b, true)).body;
    const viewer = await callJson(server.url, `/api/boards/${b.id}/links/viewer/rotate`, {
      method: 'POST',
      token: b.tokens.organizer,
    });
    expect(viewer.status).toBe(200);
    expect((await read(server, b, b.tokens.organizer)).body.code).toBe(code);

    const fresh = await callJson<{ token: string; url: string }>(
      server.url,
      `/api/boards/${b.id}/links/participant/rotate`,
      { method: 'POST', token: b.tokens.organizer },
    );
    const now = (await read(server, b, b.tokens.organizer)).body;
    expect(now.code).toMatch(CODE);
    expect(now.code).not.toBe(code);
    expect(now.url).toBe(fresh.body.url);
    expect((await join(server, code)).status).toBe(404);
    expect((await join(server, now.code)).body.url).toBe(fresh.body.url);
  });

  it('is rate-limited against guessing: only failures count, per client address, 429 with Retry-After', async () => {
    const server = await startTestServer({ codeAttemptsPerAddress: 3, trustProxy: true });
    const b = await server.createBoard('Guessing');
    const { code } = (await show(server, b, true)).body;
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    // A room behind one address joining with the right code is never slowed down.
    for (let i = 0; i < 6; i++) expect((await join(server, code, from('10.0.0.1'))).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await join(server, '00000000', from('10.0.0.1'))).status).toBe(404);
    const limited = await join(server, '00000001', from('10.0.0.1'));
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('too-many-attempts');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Over the limit, that address learns nothing, the right code included; another address is not affected.
    expect((await join(server, code, from('10.0.0.1'))).status).toBe(429);
    expect((await join(server, code, from('10.0.0.2'))).status).toBe(200);
    expect((await call(server.url, '/api/join', { body: { code }, headers: from('10.0.0.3') })).status).toBe(
      200,
    );
  });
});
