import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PostgresStore } from '../../server/persistence/postgres';
import { SqliteStore } from '../../server/persistence/sqlite';
import type { Store } from '../../server/persistence/store';
import { hashToken, mintBoard } from '../../server/boards/tokens';
import { newId } from '../../shared/schema';
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

    it('stores people per board with key hashes only; renames and revokes them', async () => {
      const store = make();
      try {
        const userId = newId();
        const person = {
          boardId: 'board-a',
          userId,
          keyHash: hashToken('the-key'),
          name: 'Ada',
          createdAt: 1_700_000_000_000,
          revokedAt: null,
        };
        await store.createPerson(person);
        expect(await store.getPerson('board-a', userId)).toEqual(person);
        // Per board: the same userId on another board is someone else (or no one).
        expect(await store.getPerson('board-b', userId)).toBeNull();
        await expect(store.createPerson(person)).rejects.toThrow();
        await store.createPerson({ ...person, boardId: 'board-b', name: 'Bea' });
        expect((await store.getPerson('board-b', userId))?.name).toBe('Bea');

        expect(await store.renamePerson('board-a', userId, 'Ada L.')).toBe(true);
        expect((await store.getPerson('board-a', userId))?.name).toBe('Ada L.');
        expect((await store.getPerson('board-b', userId))?.name).toBe('Bea');
        expect(await store.renamePerson('board-a', 'missing', 'X')).toBe(false);

        expect(await store.revokePerson('board-a', userId, 1_700_000_000_500)).toBe(true);
        // A second revocation keeps the first time.
        expect(await store.revokePerson('board-a', userId, 1_700_000_009_999)).toBe(true);
        expect(await store.getPerson('board-a', userId)).toEqual({
          ...person,
          name: 'Ada L.',
          revokedAt: 1_700_000_000_500,
        });
        expect((await store.getPerson('board-b', userId))?.revokedAt).toBeNull();
        expect(await store.revokePerson('board-a', 'missing', 1)).toBe(false);
      } finally {
        await store.close();
      }
    });

    it('B2: renames a board and replaces one token hash; false for an unknown board', async () => {
      const store = make();
      try {
        const { record } = mintBoard('Workshop');
        const { record: other } = mintBoard('Other');
        await store.createBoard(record);
        await store.createBoard(other);
        expect(await store.renameBoard(record.id, 'Renamed')).toBe(true);
        const hash = hashToken('a-new-viewer-token');
        expect(await store.setTokenHash(record.id, 'viewer', hash)).toBe(true);
        expect(await store.getBoard(record.id)).toEqual({
          ...record,
          title: 'Renamed',
          tokenHashes: { ...record.tokenHashes, viewer: hash },
        });
        expect(await store.getBoard(other.id)).toEqual(other);
        expect(await store.renameBoard('missing', 'X')).toBe(false);
        expect(await store.setTokenHash('missing', 'organizer', hash)).toBe(false);
      } finally {
        await store.close();
      }
    });

    it("B2: deleting a board removes its row, its people and every update of its three documents, and nothing else's", async () => {
      const store = make();
      try {
        const { record } = mintBoard('Doomed');
        const { record: other } = mintBoard('Kept');
        await store.createBoard(record);
        await store.createBoard(other);
        const doc = new Y.Doc();
        const person = {
          userId: newId(),
          keyHash: hashToken('k'),
          name: 'Ada',
          createdAt: 1,
          revokedAt: null,
        };
        for (const id of [record.id, other.id]) {
          for (const kind of ['agenda', 'board', 'tasks'])
            await store.append(`${id}/${kind}`, [edit(doc, kind)]);
          await store.createPerson({ ...person, boardId: id });
        }
        // A document of another board whose id starts with this one's is not touched.
        await store.append(`${record.id}x/board`, [edit(doc, 'x')]);

        expect(await store.deleteBoard(record.id)).toBe(true);
        expect(await store.getBoard(record.id)).toBeNull();
        expect(await store.getPerson(record.id, person.userId)).toBeNull();
        for (const kind of ['agenda', 'board', 'tasks']) {
          expect(await store.count(`${record.id}/${kind}`)).toBe(0);
          expect((await store.load(`${record.id}/${kind}`)).updates).toEqual([]);
          expect(await store.count(`${other.id}/${kind}`)).toBe(1);
        }
        expect(await store.count(`${record.id}x/board`)).toBe(1);
        expect(await store.getBoard(other.id)).toEqual(other);
        expect(await store.getPerson(other.id, person.userId)).not.toBeNull();
        expect(await store.countBoards()).toBe(1);
        expect(await store.deleteBoard(record.id)).toBe(false);
      } finally {
        await store.close();
      }
    });

    it('creates a server secret once and returns the same one afterwards, also to concurrent callers', async () => {
      const store = make();
      try {
        const first = new Uint8Array(32).fill(7);
        const second = new Uint8Array(32).fill(9);
        const [a, b] = await Promise.all([
          store.getOrCreateSecret('pseudonym', first),
          store.getOrCreateSecret('pseudonym', second),
        ]);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        expect([first, second].some((c) => Buffer.from(c).equals(Buffer.from(a)))).toBe(true);
        const again = await store.getOrCreateSecret('pseudonym', new Uint8Array(32));
        expect(Buffer.from(again).equals(Buffer.from(a))).toBe(true);
        const other = await store.getOrCreateSecret('other', second);
        expect(Buffer.from(other).equals(Buffer.from(second))).toBe(true);
      } finally {
        await store.close();
      }
    });
  });
}
