import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BoardRecord, Store } from './store';

/**
 * The default store: one SQLite file in WAL mode. better-sqlite3 is
 * synchronous, so an append has committed when `append` returns; with
 * `synchronous = NORMAL` a committed transaction survives a process crash
 * (kill -9); only an OS crash could lose the last transactions.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts;

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
    };
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
    return this.db.transaction(this.appendTx)(name, updates);
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

  async createBoard(b: BoardRecord): Promise<void> {
    this.stmts.insertBoard.run({
      id: b.id,
      title: b.title,
      createdAt: b.createdAt,
      organizer: b.tokenHashes.organizer,
      participant: b.tokenHashes.participant,
      viewer: b.tokenHashes.viewer,
    });
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

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
