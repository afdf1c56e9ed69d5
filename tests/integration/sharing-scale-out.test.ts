import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readLinkSignal } from '../../shared/ops/roster';
import type { BoardLinks, Handoff, JoinInfo } from '../../shared/protocol/sharing';
import { createLogger } from '../../server/log';
import { PostgresStore } from '../../server/persistence/postgres';
import { RedisRelay } from '../../server/relay/redis';
import { CLOSE } from '../../shared/protocol';
import { mintPerson, SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type TestServer } from '../helpers/server';
import { PG_URL, postgresAvailable, REDIS_URL, redisAvailable, uniqueSchema } from '../helpers/services';
import { callJson } from '../helpers/sharing';

/**
 * Issue 19 on two instances sharing PostgreSQL and Redis (R4): links, join
 * codes and codes to continue are rows of the shared store and signals in the
 * board document, so what one instance decides every other one serves.
 */
const available = (await postgresAvailable()) && (await redisAvailable());
const schemas: string[] = [];

afterAll(async () => {
  if (!available || schemas.length === 0) return;
  const client = new pg.Client(PG_URL);
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(s)} CASCADE`);
  await client.end();
});

async function instance(schema: string, secret?: string): Promise<TestServer> {
  const log = createLogger('silent');
  const relay = new RedisRelay(REDIS_URL, log, `plenary-test-${schema}:`);
  await relay.ready();
  const store = new PostgresStore(PG_URL, schema);
  try {
    return await startTestServer(secret ? { secret } : {}, { store, relay, log });
  } catch (e) {
    await Promise.all([relay.close(), store.close()]);
    throw e;
  }
}

async function pair(): Promise<[TestServer, TestServer]> {
  const schema = uniqueSchema();
  schemas.push(schema);
  return [await instance(schema), await instance(schema)];
}

describe.skipIf(!available)('R4: sharing on two instances (PostgreSQL + Redis)', () => {
  it('LK1, LK3: a link replaced through A is served by B, and an organizer connected to B hears of it', async () => {
    const [a, b] = await pair();
    const board = await a.createBoard('Two instances');
    const onB = new SioClient(b.url, { board: board.id, token: board.tokens.organizer });
    await eventually(() => expect(onB.synced.size).toBe(3));
    const fresh = await callJson<{ token: string }>(
      a.url,
      `/api/boards/${board.id}/links/participant/rotate`,
      {
        method: 'POST',
        token: board.tokens.organizer,
      },
    );
    await eventually(() => expect(readLinkSignal(onB.docs.board).at).toBeGreaterThan(0));
    const seen = await callJson<BoardLinks>(b.url, `/api/boards/${board.id}/links`, {
      token: board.tokens.organizer,
    });
    expect(seen.body.participant?.token).toBe(fresh.body.token);
  });

  it('JN1, JN2: the join code switched on through A is read and typed through B, and replaced with the link on either', async () => {
    const [a, b] = await pair();
    const board = await a.createBoard('Join across');
    const on = await callJson<JoinInfo>(a.url, `/api/boards/${board.id}/join`, {
      method: 'PUT',
      token: board.tokens.organizer,
      body: { shown: true },
    });
    const viewer = new SioClient(b.url, { board: board.id, token: board.tokens.viewer });
    await eventually(() => expect(readLinkSignal(viewer.docs.board).joinShown).toBe(true));
    expect(
      (await callJson<JoinInfo>(b.url, `/api/boards/${board.id}/join`, { token: board.tokens.viewer })).body,
    ).toEqual({ ...on.body, url: on.body.url!.replace(a.url, b.url) });
    expect(
      (await callJson<{ url: string }>(b.url, '/api/join', { body: { code: on.body.code } })).body.url,
    ).toBe(board.urls.participant.replace(a.url, b.url));
    await callJson(b.url, `/api/boards/${board.id}/links/participant/rotate`, {
      method: 'POST',
      token: board.tokens.organizer,
    });
    expect((await callJson(a.url, '/api/join', { body: { code: on.body.code } })).status).toBe(404);
  });

  it('HO1, HO2: a code asked on A is claimed on B once, also when A and B are asked at the same moment; removal on B closes A', async () => {
    const [a, b] = await pair();
    const board = await a.createBoard('Continue across');
    const ada = await mintPerson(a.url, board.id, board.tokens.participant, 'Ada');
    const asked = await callJson<Handoff>(a.url, `/api/boards/${board.id}/people/${ada.userId}/handoff`, {
      method: 'POST',
      token: board.tokens.participant,
      person: ada,
    });
    const claims = await Promise.all(
      [a, b].map((s) =>
        callJson<{ userId: string; key: string }>(s.url, `/api/boards/${board.id}/people/claim`, {
          token: board.tokens.participant,
          body: { code: asked.body.code },
        }),
      ),
    );
    expect(claims.map((c) => c.status).sort()).toEqual([200, 410]);
    const won = claims.find((c) => c.status === 200)!.body;
    expect(won.userId).toBe(ada.userId);
    // The new device's key works on both instances.
    const laptopOnA = new SioClient(
      a.url,
      { board: board.id, token: board.tokens.participant, name: 'Ada' },
      {
        identity: { userId: won.userId, key: won.key },
      },
    );
    await eventually(() => expect(laptopOnA.session?.userId).toBe(ada.userId));
    const removed = await callJson(b.url, `/api/boards/${board.id}/people/${ada.userId}`, {
      method: 'DELETE',
      token: board.tokens.organizer,
    });
    expect(removed.status).toBe(204);
    await eventually(() => expect(laptopOnA.closing?.code).toBe(CLOSE.removed));
  });

  it('LK2: an instance with another server key refuses to start on the shared database', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    await instance(schema);
    await expect(instance(schema, 'another key for a second instance')).rejects.toThrow(
      /every instance needs the same one/,
    );
  });
});
