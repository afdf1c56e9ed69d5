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
          for (const kind of ['agenda', 'board', 'tasks', `mine:${person.userId}`])
            await store.append(`${id}/${kind}`, [edit(doc, kind)]);
          await store.createPerson({ ...person, boardId: id });
        }
        // A document of another board whose id starts with this one's is not touched.
        await store.append(`${record.id}x/board`, [edit(doc, 'x')]);

        expect(await store.deleteBoard(record.id)).toBe(true);
        expect(await store.getBoard(record.id)).toBeNull();
        expect(await store.getPerson(record.id, person.userId)).toBeNull();
        // Private notes documents (PW1) go with the board.
        for (const kind of ['agenda', 'board', 'tasks', `mine:${person.userId}`]) {
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

    it('LK1, LK2: keeps sealed tokens with the board, replaces them with the hash, and learns one only for the current hash', async () => {
      const store = make();
      try {
        const { record } = mintBoard('Sealed');
        const { record: legacy } = mintBoard('Older');
        await store.createBoard(record, { organizer: 'v1.o', participant: 'v1.p', viewer: 'v1.v' });
        await store.createBoard(legacy);
        expect(await store.getBoard(record.id)).toEqual(record);
        expect(await store.getSealedTokens(record.id)).toEqual({
          organizer: 'v1.o',
          participant: 'v1.p',
          viewer: 'v1.v',
        });
        expect(await store.getSealedTokens(legacy.id)).toEqual({});
        // A new hash replaces the sealed token in the same transaction; without one, the old one goes.
        expect(await store.setTokenHash(record.id, 'viewer', hashToken('v2'), 'v1.v2')).toBe(true);
        expect(await store.setTokenHash(record.id, 'participant', hashToken('p2'))).toBe(true);
        expect(await store.getSealedTokens(record.id)).toEqual({ organizer: 'v1.o', viewer: 'v1.v2' });
        expect(await store.setTokenHash('missing', 'viewer', hashToken('x'), 'v1.x')).toBe(false);
        // Learned only for the board's current hash of that role.
        expect(await store.keepSealedToken(legacy.id, 'participant', hashToken('wrong'), 'v1.w')).toBe(false);
        expect(await store.keepSealedToken(legacy.id, 'participant', legacy.tokenHashes.viewer, 'v1.w')).toBe(
          false,
        );
        expect(
          await store.keepSealedToken(legacy.id, 'participant', legacy.tokenHashes.participant, 'v1.p'),
        ).toBe(true);
        expect(
          await store.keepSealedToken(legacy.id, 'participant', legacy.tokenHashes.participant, 'v1.p2'),
        ).toBe(true);
        expect(await store.getSealedTokens(legacy.id)).toEqual({ participant: 'v1.p2' });
        expect(await store.keepSealedToken('missing', 'viewer', hashToken('x'), 'v1.x')).toBe(false);
      } finally {
        await store.close();
      }
    });

    it('JN1, JN2: one join code per board, unique across boards, found by its hash, removed', async () => {
      const store = make();
      try {
        expect(await store.setJoinCode('board-a', 'hash-1', 'v1.c1', 1)).toBe(true);
        expect(await store.setJoinCode('board-b', 'hash-1', 'v1.c1', 1)).toBe(false);
        expect(await store.setJoinCode('board-b', 'hash-2', 'v1.c2', 1)).toBe(true);
        expect(await store.getJoinCode('board-a')).toEqual({ codeHash: 'hash-1', sealed: 'v1.c1' });
        expect(await store.findJoinCode('hash-1')).toBe('board-a');
        // Replaced: the old code leads nowhere.
        expect(await store.setJoinCode('board-a', 'hash-3', 'v1.c3', 2)).toBe(true);
        expect(await store.findJoinCode('hash-1')).toBeNull();
        expect(await store.findJoinCode('hash-3')).toBe('board-a');
        expect(await store.deleteJoinCode('board-a')).toBe(true);
        expect(await store.deleteJoinCode('board-a')).toBe(false);
        expect(await store.getJoinCode('board-a')).toBeNull();
        expect(await store.findJoinCode('hash-2')).toBe('board-b');
      } finally {
        await store.close();
      }
    });

    it('HO1, HO2: a handoff code is claimed once, also by concurrent claims; device keys are per person and bounded', async () => {
      const store = make();
      try {
        const h = (codeHash: string, expiresAt = 2_000) => ({
          codeHash,
          boardId: 'board-a',
          userId: 'ada',
          sealedToken: 'v1.t',
          createdAt: 1_000,
          expiresAt,
          usedAt: null,
        });
        await store.createHandoff(h('c1'));
        expect(await store.getHandoff('c1')).toEqual(h('c1'));
        await expect(store.createHandoff(h('c1'))).rejects.toThrow();
        const claims = await Promise.all([
          store.claimHandoff('c1', 'board-a', 'key-1', 1_500, 5),
          store.claimHandoff('c1', 'board-a', 'key-2', 1_500, 5),
        ]);
        expect(claims.filter((c) => c.ok)).toEqual([{ ok: true, userId: 'ada' }]);
        expect(claims.filter((c) => !c.ok)).toEqual([{ ok: false, reason: 'used' }]);
        expect((await store.getHandoff('c1'))?.usedAt).toBe(1_500);
        const won = claims[0]!.ok ? 'key-1' : 'key-2';
        expect(await store.hasDeviceKey('board-a', 'ada', won)).toBe(true);
        expect(await store.hasDeviceKey('board-a', 'ada', won === 'key-1' ? 'key-2' : 'key-1')).toBe(false);
        expect(await store.hasDeviceKey('board-b', 'ada', won)).toBe(false);
        expect(await store.hasDeviceKey('board-a', 'bea', won)).toBe(false);

        await store.createHandoff(h('c2'));
        expect(await store.claimHandoff('c2', 'board-b', 'k', 1_500, 5)).toEqual({
          ok: false,
          reason: 'unknown',
        });
        expect(await store.claimHandoff('c2', 'board-a', 'k', 2_000, 5)).toEqual({
          ok: false,
          reason: 'expired',
        });
        expect(await store.claimHandoff('nope', 'board-a', 'k', 1_500, 5)).toEqual({
          ok: false,
          reason: 'unknown',
        });
        await store.createHandoff(h('c3'));
        expect(await store.claimHandoff('c3', 'board-a', 'k', 1_500, 1)).toEqual({
          ok: false,
          reason: 'too-many-devices',
        });
        // Codes that expired over a day ago go when a new one is stored.
        await store.createHandoff({ ...h('c4', 10_000_000_000), createdAt: 2_000 + 24 * 3600_000 + 1 });
        expect(await store.getHandoff('c2')).toBeNull();
        expect(await store.getHandoff('c4')).not.toBeNull();
      } finally {
        await store.close();
      }
    });

    it('LK2: forgetting a lost key drops every sealed value and records the new key id; deleting a board drops its sharing rows', async () => {
      const store = make();
      try {
        const { record } = mintBoard('Shared');
        const { record: other } = mintBoard('Other');
        await store.createBoard(record, { organizer: 'v1.o' });
        await store.createBoard(other, { organizer: 'v1.x' });
        for (const b of [record, other]) {
          await store.setJoinCode(b.id, `join-${b.id}`, 'v1.c', 1);
          await store.createHandoff({
            codeHash: `h-${b.id}`,
            boardId: b.id,
            userId: 'ada',
            sealedToken: 'v1.t',
            createdAt: 1,
            expiresAt: 9e12,
            usedAt: null,
          });
          expect((await store.claimHandoff(`h-${b.id}`, b.id, `key-${b.id}`, 2, 5)).ok).toBe(true);
          await store.createHandoff({
            codeHash: `h2-${b.id}`,
            boardId: b.id,
            userId: 'ada',
            sealedToken: 'v1.t',
            createdAt: 1,
            expiresAt: 9e12,
            usedAt: null,
          });
        }
        expect(await store.deleteBoard(record.id)).toBe(true);
        expect(await store.getSealedTokens(record.id)).toEqual({});
        expect(await store.getJoinCode(record.id)).toBeNull();
        expect(await store.getHandoff(`h2-${record.id}`)).toBeNull();
        expect(await store.hasDeviceKey(record.id, 'ada', `key-${record.id}`)).toBe(false);
        expect(await store.getSealedTokens(other.id)).toEqual({ organizer: 'v1.x' });
        expect(await store.hasDeviceKey(other.id, 'ada', `key-${other.id}`)).toBe(true);

        await store.getOrCreateSecret('sealing-key-id', Buffer.from('old-key'));
        await store.forgetSealed('sealing-key-id', 'new-key');
        expect(
          Buffer.from(await store.getOrCreateSecret('sealing-key-id', Buffer.from('x'))).toString(),
        ).toBe('new-key');
        expect(await store.getSealedTokens(other.id)).toEqual({});
        expect(await store.getJoinCode(other.id)).toBeNull();
        expect(await store.getHandoff(`h2-${other.id}`)).toBeNull();
        // Device keys are hashes of keys, not sealed: they stay valid.
        expect(await store.hasDeviceKey(other.id, 'ada', `key-${other.id}`)).toBe(true);
        expect(await store.getBoard(other.id)).toEqual(other);
      } finally {
        await store.close();
      }
    });
  });
}
