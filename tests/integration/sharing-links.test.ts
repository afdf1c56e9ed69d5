import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readLinkSignal } from '../../shared/ops/roster';
import type { BoardLinks } from '../../shared/protocol/sharing';
import { mintBoard } from '../../server/boards/tokens';
import { SECRET_FILE } from '../../server/boards/server-key';
import { SioClient } from '../helpers/clients';
import { startChildServer } from '../helpers/child-server';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';
import { call, callJson, tokenIn } from '../helpers/sharing';

/**
 * Links for any organizer device (issue 19): `GET /api/boards/:id/links`
 * with only the organizer link, tokens sealed under the server key at rest,
 * rotations heard by open panels through the board document, and boards made
 * before links were kept.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'plenary-links-'));
  dirs.push(d);
  return d;
};

const links = (server: { url: string }, b: { id: string }, token: string) =>
  callJson<BoardLinks>(server.url, `/api/boards/${b.id}/links`, { token });

const rotate = (server: TestServer, b: CreatedBoard, role: string) =>
  callJson<{ token: string; url: string }>(server.url, `/api/boards/${b.id}/links/${role}/rotate`, {
    method: 'POST',
    token: b.tokens.organizer,
  });

/** Every string a document holds (texts and values), to look for tokens in it. */
const docText = (doc: Y.Doc): string => JSON.stringify(doc.toJSON());

describe('LK1: every organizer device gets the current links', () => {
  it('answers the three links with only the organizer token; 403 for the other roles, 401 for a wrong token', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Any device');
    // A second device holds nothing but the organizer link.
    const { status, body, headers } = await links(server, b, b.tokens.organizer);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    for (const role of ['organizer', 'participant', 'viewer'] as const)
      expect(body[role]).toEqual({ token: b.tokens[role], url: b.urls[role] });
    expect((await links(server, b, b.tokens.participant)).status).toBe(403);
    expect((await links(server, b, b.tokens.viewer)).status).toBe(403);
    expect((await links(server, b, 'A'.repeat(43))).status).toBe(401);
    expect((await call(server.url, `/api/boards/${b.id}/links`)).status).toBe(401);
  });

  it('after a rotation answers the new link, and the join of the new token works', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Rotated');
    const fresh = await rotate(server, b, 'viewer');
    expect(fresh.status).toBe(200);
    const { body } = await links(server, b, b.tokens.organizer);
    expect(body.viewer).toEqual({ token: fresh.body.token, url: fresh.body.url });
    expect(body.participant?.token).toBe(b.tokens.participant);
    const viewer = new SioClient(server.url, { board: b.id, token: fresh.body.token });
    await eventually(() => expect(viewer.session?.role).toBe('viewer'));
    // Replacing the organizer link: the old one no longer reads links, the new one does.
    const org = await rotate(server, b, 'organizer');
    expect((await links(server, b, b.tokens.organizer)).status).toBe(401);
    expect((await links(server, b, org.body.token)).body.organizer?.token).toBe(org.body.token);
  });
});

describe('LK3: a rotation reaches open share panels through the board document, never a token', () => {
  it('an organizer connected elsewhere sees info.linksAt move; no document any role receives holds a token', async () => {
    const server = await startTestServer();
    const b = await server.createBoard('Signals');
    const organizer = new SioClient(server.url, { board: b.id, token: b.tokens.organizer });
    const viewer = new SioClient(server.url, { board: b.id, token: b.tokens.viewer });
    await eventually(() => expect(organizer.synced.size + viewer.synced.size).toBe(6));
    expect(readLinkSignal(organizer.docs.board).at).toBe(0);

    const fresh = await rotate(server, b, 'participant');
    await eventually(() => expect(readLinkSignal(organizer.docs.board).at).toBeGreaterThan(0));
    const first = readLinkSignal(organizer.docs.board).at;
    // Two changes in a row are two signals, even within one millisecond.
    await rotate(server, b, 'participant');
    await eventually(() => expect(readLinkSignal(organizer.docs.board).at).toBeGreaterThan(first));
    await eventually(() => expect(readLinkSignal(viewer.docs.board).at).toBeGreaterThan(first));

    const tokens = [...Object.values(b.tokens), fresh.body.token];
    for (const c of [organizer, viewer])
      for (const doc of Object.values(c.docs)) for (const t of tokens) expect(docText(doc)).not.toContain(t);
  });
});

describe('LK2: tokens at rest are sealed under the server key', () => {
  it('a copy of the database holds no token; the key is generated into the data directory (0600) and kept across restarts', async () => {
    const dataDir = tempDir();
    // PLENARY_SECRET unset: the key file is generated on the first start.
    const first = await startChildServer({ DATA_DIR: dataDir, PLENARY_SECRET: '' });
    const keyFile = path.join(dataDir, SECRET_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const created = await callJson<CreatedBoard>(first.url, '/api/boards', { body: { title: 'At rest' } });
    const b = created.body;
    const shown = await callJson<{ code: string }>(first.url, `/api/boards/${b.id}/join`, {
      method: 'PUT',
      token: b.tokens.organizer,
      body: { shown: true },
    });
    expect(shown.status).toBe(200);
    first.proc.kill('SIGTERM');
    await first.exited;

    // Every byte the database left on disk (file, WAL), searched for the secrets.
    const dump = readdirSync(dataDir)
      .filter((f) => f.startsWith('plenary.db'))
      .map((f) => readFileSync(path.join(dataDir, f)).toString('latin1'))
      .join('');
    expect(dump.length).toBeGreaterThan(0);
    for (const t of [...Object.values(b.tokens), shown.body.code, key]) expect(dump).not.toContain(t);

    // The same key after a restart: the links are still known.
    const again = await startChildServer({ DATA_DIR: dataDir, PLENARY_SECRET: '' });
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
    const after = await links(again, b, b.tokens.organizer);
    expect(after.body.participant?.token).toBe(b.tokens.participant);
    again.proc.kill('SIGTERM');
    await again.exited;

    // Another key opens none of them: the server refuses to start and says what to do.
    const wrong = startChildServer({ DATA_DIR: dataDir, PLENARY_SECRET: 'a different key, long enough' });
    await expect(wrong).rejects.toThrow(/not the one this database's links were sealed with/);
    // The key is lost for good: start once forgetting the sealed links; boards keep working.
    const forgot = await startChildServer({
      DATA_DIR: dataDir,
      PLENARY_SECRET: 'a different key, long enough',
      PLENARY_FORGET_LINKS: '1',
    });
    const lost = await links(forgot, b, b.tokens.organizer);
    // The organizer's own link is proven by the request and kept again; the others must be replaced once.
    expect(lost.body.organizer?.token).toBe(b.tokens.organizer);
    expect(lost.body.participant).toBeNull();
    expect(lost.body.viewer).toBeNull();
    expect((await callJson(forgot.url, `/api/boards/${b.id}/join`, { token: b.tokens.viewer })).body).toEqual(
      {
        shown: false,
        code: null,
        url: null,
      },
    );
    forgot.proc.kill('SIGTERM');
    await forgot.exited;
  }, 60_000);
});

describe('LK4: boards made before links were kept', () => {
  async function legacyBoard(server: TestServer): Promise<CreatedBoard> {
    // As an older server stored it: the hashes, no sealed token.
    const { record, tokens } = mintBoard('Older board');
    await server.store.createBoard(record);
    const urls = Object.fromEntries(
      Object.entries(tokens).map(([r, t]) => [r, `${server.url}/b/${record.id}#${t}`]),
    ) as CreatedBoard['urls'];
    return { id: record.id, title: record.title, tokens, urls };
  }

  it('the organizer link is learned from the organizer; the others from a device that holds them, or by replacing them once', async () => {
    const server = await startTestServer();
    const b = await legacyBoard(server);
    const before = await links(server, b, b.tokens.organizer);
    expect(before.body.organizer?.token).toBe(b.tokens.organizer);
    expect(before.body.participant).toBeNull();
    expect(before.body.viewer).toBeNull();
    // Showing how to join needs the participant link.
    const join = await callJson(server.url, `/api/boards/${b.id}/join`, {
      method: 'PUT',
      token: b.tokens.organizer,
      body: { shown: true },
    });
    expect(join.status).toBe(409);
    expect(join.body).toMatchObject({ error: { code: 'participant-link-unknown' } });

    // The browser that created it still holds the participant link: it teaches the server.
    const teach = (role: string, token: string, by = b.tokens.organizer) =>
      call(server.url, `/api/boards/${b.id}/links/${role}`, { method: 'PUT', token: by, body: { token } });
    expect((await teach('participant', b.tokens.viewer)).status).toBe(409);
    expect((await teach('participant', 'not a token')).status).toBe(400);
    expect((await teach('participant', b.tokens.participant, b.tokens.participant)).status).toBe(403);
    expect((await teach('nobody', b.tokens.participant)).status).toBe(404);
    expect((await teach('participant', b.tokens.participant)).status).toBe(204);
    expect((await links(server, b, b.tokens.organizer)).body.participant?.token).toBe(b.tokens.participant);
    // The viewer link nobody holds any more: replaced once, every organizer device knows it from then on.
    const fresh = await rotate(server, b, 'viewer');
    expect((await links(server, b, b.tokens.organizer)).body.viewer?.token).toBe(fresh.body.token);
    expect(tokenIn(fresh.body.url)).toBe(fresh.body.token);
  });
});
