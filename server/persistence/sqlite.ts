import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DOC_KINDS, type Role } from '../../shared/schema';
import { SqliteSharing } from './sqlite-sharing';
import {
  snapshotsToDrop,
  type BoardRecord,
  type HandoffClaim,
  type HandoffRecord,
  type PersonRecord,
  type SealedTokens,
  type SnapshotMeta,
  type SnapshotRecord,
  type SnapshotRetention,
  type Store,
} from './store';
import { isRepeat, snapshotMetaFromRow, type SnapshotMetaRow } from './snapshot-rows';

/**
 * The default store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so an append has committed when `append` returns; with
 * `synchronous = NORMAL` a committed transaction survives a process crash
 * (kill -9); only an OS crash could lose the last transactions.
 */
/** How often the WAL is copied back into the database (only after appends). */
const CHECKPOINT_EVERY_MS = 2_000;

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts;
  /** Sealed links, join codes, handoff codes and device keys (issue 19). */
  private readonly sharing: SqliteSharing;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS doc_updates (
        name TEXT NOT NULL,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (name, seq)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS boards (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        organizer_hash TEXT NOT NULL,
        participant_hash TEXT NOT NULL,
        viewer_hash TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS people (
        board_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        PRIMARY KEY (board_id, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS server_secrets (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS board_snapshots (
        board_id TEXT NOT NULL,
        id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        label TEXT NOT NULL,
        item_id TEXT,
        kind TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        agenda BLOB NOT NULL,
        board BLOB NOT NULL,
        tasks BLOB NOT NULL,
        PRIMARY KEY (board_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS board_snapshots_order ON board_snapshots (board_id, seq);
    `);
    this.stmts = {
      load: this.db.prepare<[string], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM doc_updates WHERE name = ? ORDER BY seq',
      ),
      maxSeq: this.db.prepare<[string], { m: number | null }>(
        'SELECT MAX(seq) AS m FROM doc_updates WHERE name = ?',
      ),
      minSeq: this.db.prepare<[string], { m: number | null }>(
        'SELECT MIN(seq) AS m FROM doc_updates WHERE name = ?',
      ),
      insert: this.db.prepare<[string, number, Buffer]>(
        'INSERT INTO doc_updates (name, seq, data) VALUES (?, ?, ?)',
      ),
      deleteThrough: this.db.prepare<[string, number]>('DELETE FROM doc_updates WHERE name = ? AND seq <= ?'),
      count: this.db.prepare<[string], { c: number }>('SELECT COUNT(*) AS c FROM doc_updates WHERE name = ?'),
      insertBoard: this.db.prepare(
        `INSERT INTO boards (id, title, created_at, organizer_hash, participant_hash, viewer_hash)
         VALUES (@id, @title, @createdAt, @organizer, @participant, @viewer)`,
      ),
      getBoard: this.db.prepare<
        [string],
        {
          id: string;
          title: string;
          created_at: number;
          organizer_hash: string;
          participant_hash: string;
          viewer_hash: string;
        }
      >('SELECT * FROM boards WHERE id = ?'),
      countBoards: this.db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM boards'),
      renameBoard: this.db.prepare<[string, string]>('UPDATE boards SET title = ? WHERE id = ?'),
      setTokenHash: {
        organizer: this.db.prepare<[string, string]>('UPDATE boards SET organizer_hash = ? WHERE id = ?'),
        participant: this.db.prepare<[string, string]>('UPDATE boards SET participant_hash = ? WHERE id = ?'),
        viewer: this.db.prepare<[string, string]>('UPDATE boards SET viewer_hash = ? WHERE id = ?'),
      } satisfies Record<Role, unknown>,
      deleteDoc: this.db.prepare<[string]>('DELETE FROM doc_updates WHERE name = ?'),
      // A board's private notes documents (`<id>/mine:<userId>`, PW1), by exact prefix (no LIKE wildcards).
      deleteDocsUnder: this.db.prepare<[string, string]>(
        'DELETE FROM doc_updates WHERE substr(name, 1, length(?)) = ?',
      ),
      deletePeople: this.db.prepare<[string]>('DELETE FROM people WHERE board_id = ?'),
      deleteBoard: this.db.prepare<[string]>('DELETE FROM boards WHERE id = ?'),
      insertPerson: this.db.prepare(
        `INSERT INTO people (board_id, user_id, key_hash, name, created_at, revoked_at)
         VALUES (@boardId, @userId, @keyHash, @name, @createdAt, @revokedAt)`,
      ),
      getPerson: this.db.prepare<[string, string], PersonRow>(
        'SELECT * FROM people WHERE board_id = ? AND user_id = ?',
      ),
      renamePerson: this.db.prepare<[string, string, string]>(
        'UPDATE people SET name = ? WHERE board_id = ? AND user_id = ?',
      ),
      revokePerson: this.db.prepare<[number, string, string]>(
        'UPDATE people SET revoked_at = COALESCE(revoked_at, ?) WHERE board_id = ? AND user_id = ?',
      ),
      insertSecret: this.db.prepare<[string, Buffer]>(
        'INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
      ),
      getSecret: this.db.prepare<[string], { value: Buffer }>(
        'SELECT value FROM server_secrets WHERE name = ?',
      ),
      listSnapshots: this.db.prepare<[string], SnapshotMetaRow>(
        `SELECT ${SNAPSHOT_META_COLUMNS} FROM board_snapshots WHERE board_id = ? ORDER BY seq`,
      ),
      lastSnapshot: this.db.prepare<[string], SnapshotMetaRow>(
        `SELECT ${SNAPSHOT_META_COLUMNS} FROM board_snapshots WHERE board_id = ? ORDER BY seq DESC LIMIT 1`,
      ),
      maxSnapshotSeq: this.db.prepare<[string], { m: number | null }>(
        'SELECT MAX(seq) AS m FROM board_snapshots WHERE board_id = ?',
      ),
      getSnapshot: this.db.prepare<[string, string], SnapshotRow>(
        'SELECT * FROM board_snapshots WHERE board_id = ? AND id = ?',
      ),
      insertSnapshot: this.db.prepare(
        `INSERT INTO board_snapshots
           (board_id, id, seq, label, item_id, kind, created_at, content_hash, bytes, agenda, board, tasks)
         VALUES (@boardId, @id, @seq, @label, @itemId, @kind, @createdAt, @contentHash, @bytes, @agenda, @board, @tasks)`,
      ),
      deleteSnapshot: this.db.prepare<[string, string]>(
        'DELETE FROM board_snapshots WHERE board_id = ? AND id = ?',
      ),
      deleteSnapshots: this.db.prepare<[string]>('DELETE FROM board_snapshots WHERE board_id = ?'),
    };
    this.sharing = new SqliteSharing(this.db);
    this.appendTransaction = this.db.transaction(this.appendTx);
    // SQLite would checkpoint the WAL inside whichever commit crosses 1,000 pages, i.e. in a
    // room's flush, in front of its deliveries; a timer does it between flushes instead.
    if (file !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointTimer = setInterval(() => this.checkpoint(), CHECKPOINT_EVERY_MS);
      this.checkpointTimer.unref();
    }
  }

  /** Built once: every flush of every room appends through it (the hot path). */
  private readonly appendTransaction: (name: string, updates: Uint8Array[]) => number;
  private readonly checkpointTimer: NodeJS.Timeout | null = null;
  private appendedSinceCheckpoint = 0;

  /** PASSIVE: never waits for readers; whatever it could not copy waits for the next one. */
  private checkpoint(): void {
    if (this.appendedSinceCheckpoint === 0 || !this.db.open) return;
    this.appendedSinceCheckpoint = 0;
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  private readonly appendTx = (name: string, updates: Uint8Array[]): number => {
    let seq = this.stmts.maxSeq.get(name)?.m ?? 0;
    for (const u of updates)
      this.stmts.insert.run(name, ++seq, Buffer.from(u.buffer, u.byteOffset, u.byteLength));
    return seq;
  };

  async load(name: string): Promise<{ updates: Uint8Array[]; lastSeq: number }> {
    const rows = this.stmts.load.all(name);
    return {
      updates: rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)),
      lastSeq: rows.length ? rows[rows.length - 1]!.seq : 0,
    };
  }

  async append(name: string, updates: Uint8Array[]): Promise<number> {
    this.appendedSinceCheckpoint++;
    return this.appendTransaction(name, updates);
  }

  async compact(name: string, state: Uint8Array, throughSeq: number): Promise<void> {
    this.db.transaction(() => {
      // The compacted state takes the place of the oldest entry it replaces, so
      // that entries appended after `throughSeq` keep their order after it.
      const first = this.stmts.minSeq.get(name)?.m;
      if (first == null || first > throughSeq) return;
      this.stmts.deleteThrough.run(name, throughSeq);
      this.stmts.insert.run(name, throughSeq, Buffer.from(state.buffer, state.byteOffset, state.byteLength));
    })();
  }

  async count(name: string): Promise<number> {
    return this.stmts.count.get(name)?.c ?? 0;
  }

  async createBoard(b: BoardRecord, sealed: SealedTokens = {}): Promise<void> {
    this.db.transaction(() => {
      this.stmts.insertBoard.run({
        id: b.id,
        title: b.title,
        createdAt: b.createdAt,
        organizer: b.tokenHashes.organizer,
        participant: b.tokenHashes.participant,
        viewer: b.tokenHashes.viewer,
      });
      this.sharing.insertSealed(b.id, sealed);
    })();
  }

  async getBoard(id: string): Promise<BoardRecord | null> {
    const r = this.stmts.getBoard.get(id);
    if (!r) return null;
    return {
      id: r.id,
      title: r.title,
      createdAt: r.created_at,
      tokenHashes: { organizer: r.organizer_hash, participant: r.participant_hash, viewer: r.viewer_hash },
    };
  }

  async countBoards(): Promise<number> {
    return this.stmts.countBoards.get()?.c ?? 0;
  }

  async renameBoard(id: string, title: string): Promise<boolean> {
    return this.stmts.renameBoard.run(title, id).changes > 0;
  }

  async setTokenHash(id: string, role: Role, tokenHash: string, sealed?: string): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.stmts.setTokenHash[role].run(tokenHash, id).changes === 0) return false;
      this.sharing.replaceSealed(id, role, sealed);
      return true;
    })();
  }

  async deleteBoard(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      for (const kind of DOC_KINDS) this.stmts.deleteDoc.run(`${id}/${kind}`);
      this.stmts.deleteDocsUnder.run(`${id}/mine:`, `${id}/mine:`);
      // The Q&A inbox (server/questions) is a server-only document of the board.
      this.stmts.deleteDoc.run(`${id}/qa-inbox`);
      this.stmts.deleteDoc.run(`${id}/poll-answers`);
      this.stmts.deletePeople.run(id);
      this.stmts.deleteSnapshots.run(id);
      this.sharing.deleteBoard(id);
      return this.stmts.deleteBoard.run(id).changes > 0;
    })();
  }

  async createPerson(p: PersonRecord): Promise<void> {
    this.stmts.insertPerson.run(p);
  }

  async getPerson(boardId: string, userId: string): Promise<PersonRecord | null> {
    const r = this.stmts.getPerson.get(boardId, userId);
    return r ? personFromRow(r) : null;
  }

  async renamePerson(boardId: string, userId: string, name: string): Promise<boolean> {
    return this.stmts.renamePerson.run(name, boardId, userId).changes > 0;
  }

  async revokePerson(boardId: string, userId: string, at: number): Promise<boolean> {
    return this.stmts.revokePerson.run(at, boardId, userId).changes > 0;
  }

  async getOrCreateSecret(name: string, candidate: Uint8Array): Promise<Uint8Array> {
    this.stmts.insertSecret.run(name, Buffer.from(candidate));
    return new Uint8Array(this.stmts.getSecret.get(name)!.value);
  }

  async addSnapshot(
    record: SnapshotRecord,
    retention: SnapshotRetention,
  ): Promise<{ snapshot: SnapshotMeta; created: boolean }> {
    return this.db.transaction(() => {
      const last = this.stmts.lastSnapshot.get(record.boardId);
      if (last && isRepeat(last, record)) return { snapshot: snapshotMetaFromRow(last), created: false };
      const seq = (this.stmts.maxSnapshotSeq.get(record.boardId)?.m ?? 0) + 1;
      this.stmts.insertSnapshot.run({
        ...record,
        seq,
        agenda: Buffer.from(record.agenda),
        board: Buffer.from(record.board),
        tasks: Buffer.from(record.tasks),
      });
      const metas = this.stmts.listSnapshots.all(record.boardId).map(snapshotMetaFromRow);
      for (const id of snapshotsToDrop(metas, record.id, retention))
        this.stmts.deleteSnapshot.run(record.boardId, id);
      const { agenda: _a, board: _b, tasks: _t, ...meta } = record;
      return { snapshot: meta, created: true };
    })();
  }

  async listSnapshots(boardId: string): Promise<SnapshotMeta[]> {
    return this.stmts.listSnapshots.all(boardId).map(snapshotMetaFromRow);
  }

  async getSnapshot(boardId: string, id: string): Promise<SnapshotRecord | null> {
    const r = this.stmts.getSnapshot.get(boardId, id);
    if (!r) return null;
    return {
      ...snapshotMetaFromRow(r),
      agenda: new Uint8Array(r.agenda),
      board: new Uint8Array(r.board),
      tasks: new Uint8Array(r.tasks),
    };
  }

  getSealedTokens(boardId: string): Promise<SealedTokens> {
    return this.sharing.getSealedTokens(boardId);
  }
  keepSealedToken(boardId: string, role: Role, tokenHash: string, sealed: string): Promise<boolean> {
    return this.sharing.keepSealedToken(boardId, role, tokenHash, sealed);
  }
  getJoinCode(boardId: string): Promise<{ codeHash: string; sealed: string } | null> {
    return this.sharing.getJoinCode(boardId);
  }
  setJoinCode(boardId: string, codeHash: string, sealed: string, at: number): Promise<boolean> {
    return this.sharing.setJoinCode(boardId, codeHash, sealed, at);
  }
  deleteJoinCode(boardId: string): Promise<boolean> {
    return this.sharing.deleteJoinCode(boardId);
  }
  findJoinCode(codeHash: string): Promise<string | null> {
    return this.sharing.findJoinCode(codeHash);
  }
  forgetSealed(keyIdName: string, keyId: string): Promise<void> {
    return this.sharing.forgetSealed(keyIdName, keyId);
  }
  createHandoff(record: HandoffRecord): Promise<void> {
    return this.sharing.createHandoff(record);
  }
  getHandoff(codeHash: string): Promise<HandoffRecord | null> {
    return this.sharing.getHandoff(codeHash);
  }
  claimHandoff(
    codeHash: string,
    boardId: string,
    keyHash: string,
    now: number,
    maxKeys: number,
  ): Promise<HandoffClaim> {
    return this.sharing.claimHandoff(codeHash, boardId, keyHash, now, maxKeys);
  }
  hasDeviceKey(boardId: string, userId: string, keyHash: string): Promise<boolean> {
    return this.sharing.hasDeviceKey(boardId, userId, keyHash);
  }

  async close(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    if (this.db.open) this.db.close();
  }
}

const SNAPSHOT_META_COLUMNS = 'board_id, id, label, item_id, kind, created_at, content_hash, bytes';

interface SnapshotRow extends SnapshotMetaRow {
  agenda: Buffer;
  board: Buffer;
  tasks: Buffer;
}

interface PersonRow {
  board_id: string;
  user_id: string;
  key_hash: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}

const personFromRow = (r: PersonRow): PersonRecord => ({
  boardId: r.board_id,
  userId: r.user_id,
  keyHash: r.key_hash,
  name: r.name,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});
