import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PostgresStore } from '../../server/persistence/postgres';
import { SqliteStore } from '../../server/persistence/sqlite';
import type { Store } from '../../server/persistence/store';
import { mintBoard } from '../../server/boards/tokens';
import { PG_URL, postgresAvailable, uniqueSchema } from '../helpers/services';

/** One contract, every store (STYLE: "one contract test suite for every storage"). */
const hasPg = await postgresAvailable();
const schemas: string[] = [];
afterAll(async () => {
  if (!schemas.length) return;
  const client = new pg.Client(PG_URL);
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(s)} CASCADE`);
  await client.end();
});

const stores: [string, boolean, () => Store][] = [
  ['SQLite', true, () => new SqliteStore(':memory:')],
  [
    'PostgreSQL',
    hasPg,
    () => {
      const schema = uniqueSchema();
      schemas.push(schema);
      return new PostgresStore(PG_URL, schema);
    },
  ],
];

const edit = (doc: Y.Doc, text: string): Uint8Array => {
  let captured: Uint8Array | null = null;
  const h = (u: Uint8Array): void => void (captured = u);
  doc.once('update', h);
  doc.getText('t').insert(doc.getText('t').length, text);
  return captured!;
};

for (const [name, available, make] of stores) {
  describe.skipIf(!available)(`C1: store contract — ${name}`, () => {
    it('appends atomically in order and loads what it stored', async () => {
      const store = make();
      try {
        const doc = new Y.Doc();
        const a = edit(doc, 'a');
        const b = edit(doc, 'b');
        const c = edit(doc, 'c');
        const s1 = await store.append('x/board', [a, b]);
        const s2 = await store.append('x/board', [c]);
        expect(s2).toBeGreaterThan(s1);
        const { updates, lastSeq } = await store.load('x/board');
        expect(lastSeq).toBe(s2);
        expect(updates.map((u) => Buffer.from(u).toString('hex'))).toEqual(
          [a, b, c].map((u) => Buffer.from(u).toString('hex')),
        );
        expect(await store.count('x/board')).toBe(3);
        expect((await store.load('other/board')).updates).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('compaction keeps content and keeps later updates after it', async () => {
      const store = make();
      try {
        const doc = new Y.Doc();
        const early = Array.from({ length: 10 }, (_, i) => edit(doc, String(i)));
        const through = await store.append('x/tasks', early);
        const late = edit(doc, 'L');
        await store.append('x/tasks', [late]);
        const mid = new Y.Doc();
        for (const u of early) Y.applyUpdate(mid, u);
        await store.compact('x/tasks', Y.encodeStateAsUpdate(mid), through);
        expect(await store.count('x/tasks')).toBe(2);
        const reloaded = new Y.Doc();
        for (const u of (await store.load('x/tasks')).updates) Y.applyUpdate(reloaded, u);
        expect(reloaded.getText('t').toString()).toBe('0123456789L');
      } finally {
        await store.close();
      }
    });

    it('stores boards by id with token hashes only', async () => {
      const store = make();
      try {
        const { record } = mintBoard('Workshop');
        await store.createBoard(record);
        expect(await store.getBoard(record.id)).toEqual(record);
        expect(await store.getBoard('missing')).toBeNull();
        expect(await store.countBoards()).toBe(1);
        await expect(store.createBoard(record)).rejects.toThrow();
      } finally {
        await store.close();
      }
    });
  });
}
