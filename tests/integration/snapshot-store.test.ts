import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/persistence/postgres';
import { SqliteStore } from '../../server/persistence/sqlite';
import {
  snapshotsToDrop,
  type SnapshotKind,
  type SnapshotRecord,
  type Store,
} from '../../server/persistence/store';
import { mintBoard } from '../../server/boards/tokens';
import { PG_URL, postgresAvailable, uniqueSchema } from '../helpers/services';

/** The snapshot part of the store contract (HS3), run against SQLite and PostgreSQL. */
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

let n = 0;
function snap(boardId: string, hash: string, kind: SnapshotKind = 'talk', bytes = 30): SnapshotRecord {
  n++;
  const part = new Uint8Array(bytes / 3).fill(n % 250);
  return {
    id: `s${n}`,
    boardId,
    label: `After talk ${n}`,
    itemId: kind === 'manual' ? null : `item${n}`,
    kind,
    createdAt: 1_700_000_000_000 + n,
    contentHash: hash,
    bytes,
    agenda: part,
    board: part,
    tasks: part,
  };
}
const wide = { maxCount: 100, maxBytes: 1e9 };

for (const [name, available, make] of stores) {
  describe.skipIf(!available)(`HS3: snapshot store contract — ${name}`, () => {
    it('stores, lists oldest first and reads back a snapshot with its three states', async () => {
      const store = make();
      try {
        const a = snap('b1', 'h1');
        const b = snap('b1', 'h2', 'manual');
        expect((await store.addSnapshot(a, wide)).created).toBe(true);
        const added = await store.addSnapshot(b, wide);
        expect(added.created).toBe(true);
        expect(added.snapshot).toEqual({
          id: b.id,
          boardId: 'b1',
          label: b.label,
          itemId: null,
          kind: 'manual',
          createdAt: b.createdAt,
          contentHash: 'h2',
          bytes: 30,
        });
        await store.addSnapshot(snap('other', 'h1'), wide);
        expect((await store.listSnapshots('b1')).map((s) => s.id)).toEqual([a.id, b.id]);
        const got = await store.getSnapshot('b1', a.id);
        expect(got).toMatchObject({ id: a.id, label: a.label, itemId: a.itemId, kind: 'talk' });
        expect([...got!.board]).toEqual([...a.board]);
        expect([...got!.tasks]).toEqual([...a.tasks]);
        expect([...got!.agenda]).toEqual([...a.agenda]);
        expect(await store.getSnapshot('other', a.id)).toBeNull();
        expect(await store.getSnapshot('b1', 'nope')).toBeNull();
      } finally {
        await store.close();
      }
    });

    it('the same content as the newest snapshot is stored once (the existing one is returned)', async () => {
      const store = make();
      try {
        const first = snap('b1', 'same');
        await store.addSnapshot(first, wide);
        const again = await store.addSnapshot(snap('b1', 'same', 'manual'), wide);
        expect(again).toEqual({ snapshot: expect.objectContaining({ id: first.id }), created: false });
        await store.addSnapshot(snap('b1', 'changed'), wide);
        // Back to an earlier content is a change of state: stored again.
        expect((await store.addSnapshot(snap('b1', 'same'), wide)).created).toBe(true);
        expect(await store.listSnapshots('b1')).toHaveLength(3);
        // A talk ending right after an organizer's snapshot of the same state still gets its entry.
        await store.addSnapshot(snap('b1', 'kept', 'manual'), wide);
        expect((await store.addSnapshot(snap('b1', 'kept', 'talk'), wide)).created).toBe(true);
        expect((await store.addSnapshot(snap('b1', 'kept', 'talk'), wide)).created).toBe(false);
        expect((await store.listSnapshots('b1')).map((s) => s.kind)).toEqual([
          'talk',
          'talk',
          'talk',
          'manual',
          'talk',
        ]);
      } finally {
        await store.close();
      }
    });

    it('keeps at most maxCount and maxBytes: oldest automatic ones go first, manual ones last', async () => {
      const store = make();
      try {
        const manual = snap('b1', 'm', 'manual');
        await store.addSnapshot(manual, wide);
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const s = snap('b1', `t${i}`);
          ids.push(s.id);
          await store.addSnapshot(s, { maxCount: 3, maxBytes: 1e9 });
        }
        expect((await store.listSnapshots('b1')).map((s) => s.id)).toEqual([manual.id, ids[3], ids[4]]);
        const big = snap('b1', 'big', 'talk', 90);
        await store.addSnapshot(big, { maxCount: 10, maxBytes: 120 });
        expect((await store.listSnapshots('b1')).map((s) => s.id)).toEqual([manual.id, big.id]);
        const bigger = snap('b1', 'bigger', 'talk', 300);
        await store.addSnapshot(bigger, { maxCount: 10, maxBytes: 120 });
        // The one just stored always stays, even alone over the budget.
        expect((await store.listSnapshots('b1')).map((s) => s.id)).toEqual([bigger.id]);
      } finally {
        await store.close();
      }
    });

    it('deleting a board deletes its snapshots and no other board’s', async () => {
      const store = make();
      try {
        const { record } = mintBoard('With history', Date.now());
        await store.createBoard(record);
        await store.addSnapshot(snap(record.id, 'x'), wide);
        await store.addSnapshot(snap('someone-else', 'x'), wide);
        expect(await store.deleteBoard(record.id)).toBe(true);
        expect(await store.listSnapshots(record.id)).toEqual([]);
        expect(await store.listSnapshots('someone-else')).toHaveLength(1);
      } finally {
        await store.close();
      }
    });
  });
}

describe('HS3: retention policy', () => {
  it('drops the oldest automatic snapshots first, then manual ones, never the kept one', () => {
    const m = (id: string, kind: SnapshotKind, bytes = 1) => ({ id, kind, bytes });
    const list = [m('a', 'manual'), m('b', 'talk'), m('c', 'restore'), m('d', 'talk')];
    expect(snapshotsToDrop(list, 'd', { maxCount: 2, maxBytes: 100 })).toEqual(['b', 'c']);
    expect(snapshotsToDrop(list, 'd', { maxCount: 1, maxBytes: 100 })).toEqual(['b', 'c', 'a']);
    expect(snapshotsToDrop(list, 'a', { maxCount: 1, maxBytes: 100 })).toEqual(['b', 'c', 'd']);
    expect(
      snapshotsToDrop([m('a', 'talk', 50), m('b', 'talk', 60)], 'b', { maxCount: 9, maxBytes: 100 }),
    ).toEqual(['a']);
    expect(snapshotsToDrop(list, 'd', { maxCount: 9, maxBytes: 100 })).toEqual([]);
  });
});
