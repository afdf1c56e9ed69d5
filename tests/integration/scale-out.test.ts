import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log';
import { PostgresStore } from '../../server/persistence/postgres';
import { RedisRelay } from '../../server/relay/redis';
import { SioClient, yWebsocketClient } from '../helpers/clients';
import { taskScratch, taskText } from '../helpers/probes';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';
import { PG_URL, postgresAvailable, REDIS_URL, redisAvailable, uniqueSchema } from '../helpers/services';

const available = (await postgresAvailable()) && (await redisAvailable());
const schema = uniqueSchema();

afterAll(async () => {
  if (!available) return;
  const client = new pg.Client(PG_URL);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await client.end();
});

async function instance() {
  const log = createLogger('silent');
  const relay = new RedisRelay(REDIS_URL, log, `plenary-test-${schema}:`);
  await relay.ready();
  return startTestServer(
    { compactAfterUpdates: 15 },
    { store: new PostgresStore(PG_URL, schema), relay, log },
  );
}

describe.skipIf(!available)('R1: two instances on PostgreSQL + Redis serve one board', () => {
  it('clients on different instances converge, and a late joiner loads everything', async () => {
    const a = await instance();
    const b = await instance();
    const board = await a.createBoard('Shared');
    // The board exists for both instances (same database).
    const onB = await fetch(`${b.url}/api/boards/${board.id}`, {
      headers: { authorization: `Bearer ${board.tokens.viewer}` },
    });
    expect(((await onB.json()) as { title: string }).title).toBe('Shared');

    const ada = new SioClient(a.url, { board: board.id, token: board.tokens.participant, name: 'Ada' });
    const bob = new SioClient(b.url, { board: board.id, token: board.tokens.participant, name: 'Bob' });
    const linus = yWebsocketClient(b.wsUrl, board.id, 'tasks', board.tokens.participant);
    await eventually(() => expect(ada.synced.size + bob.synced.size).toBe(6));
    const t = taskScratch(ada.docs.tasks);
    for (let i = 0; i < 20; i++) t.insert(0, 'a');
    await eventually(() => expect(taskText(bob.docs.tasks)).toBe('a'.repeat(20)));
    taskScratch(bob.docs.tasks).insert(0, 'B');
    await eventually(() => {
      expect(taskText(bob.docs.tasks)).toBe(taskText(ada.docs.tasks));
      expect(taskText(linus.doc).length).toBe(21);
    });
    // Compaction on one instance (from stored rows) keeps the other's updates.
    await eventually(async () => expect(await a.store.count(`${board.id}/tasks`)).toBeLessThan(15));
    const late = new SioClient(b.url, { board: board.id, token: board.tokens.viewer });
    await eventually(() => expect(taskText(late.docs.tasks).length).toBe(21));
  });

  it('R2: shows who is here across instances, and removes people who leave', async () => {
    const a = await instance();
    const b = await instance();
    const board = await a.createBoard('Presence');
    const ada = new SioClient(a.url, { board: board.id, token: board.tokens.participant, name: 'Ada' });
    const bob = new SioClient(b.url, { board: board.id, token: board.tokens.participant, name: 'Bob' });
    await eventually(() => expect(ada.synced.size + bob.synced.size).toBe(6));
    ada.awareness.board.setLocalState({ user: { name: 'Ada' } });
    bob.awareness.board.setLocalState({ user: { name: 'Bob' } });
    const names = (c: SioClient): string[] =>
      [...c.awareness.board.getStates().values()]
        .map((s) => (s as { user: { name: string } }).user.name)
        .sort();
    await eventually(() => {
      expect(names(ada)).toEqual(['Ada', 'Bob']);
      expect(names(bob)).toEqual(['Ada', 'Bob']);
    });
    bob.close();
    await eventually(() => expect(names(ada)).toEqual(['Ada']));
  });
});
