import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/persistence/postgres';
import { PG_URL, postgresAvailable, uniqueSchema } from '../helpers/services';

/**
 * A PostgreSQL connection that dies while idle in the pool (a failover, an
 * administrator's pg_terminate_backend) must neither crash the process nor
 * vanish silently: it is logged, without connection parameters (issue 21 item 6).
 */
const hasPg = await postgresAvailable();
const schema = uniqueSchema();

afterAll(async () => {
  if (!hasPg) return;
  const client = new pg.Client(PG_URL);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await client.end();
});

describe.skipIf(!hasPg)('PostgreSQL pool errors', () => {
  it('logs an idle connection that the server terminates, and keeps serving', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const app = `plenary_pool_${schema}`;
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}application_name=${app}`;
    const store = new PostgresStore(url, schema, log);
    try {
      await store.countBoards(); // a connection now sits idle in the pool
      const admin = new pg.Client(PG_URL);
      await admin.connect();
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [app],
      );
      await admin.end();
      await expect.poll(() => lines.some((l) => l.includes('postgres idle connection error'))).toBe(true);
      const line = lines.find((l) => l.includes('postgres idle connection error'))!;
      expect(JSON.parse(line)).toMatchObject({ level: 40, err: expect.any(String) });
      expect(line).not.toContain(PG_URL);
      // The pool replaces the dead connection on next use.
      expect(await store.countBoards()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
