import pg from 'pg';
import * as Y from 'yjs';
import { DOC_KINDS, type Role } from '../../shared/schema';
import type { Logger } from '../log';
import { PostgresSharing } from './postgres-sharing';
import {
  snapshotsToDrop,
  type BoardRecord,
  type PersonRecord,
  type SealedTokens,
  type SnapshotMeta,
  type SnapshotRecord,
  type SnapshotRetention,
  type Store,
} from './store';
import { isRepeat, snapshotMetaFromRow, type SnapshotMetaRow } from './snapshot-rows';

/**
 * PostgreSQL store, for running several server instances on one database
 * (`DATABASE_URL`). Sequence numbers come from a BIGSERIAL, so appends from
 * different instances never collide.
 */
export class PostgresStore extends PostgresSharing implements Store {
  protected readonly ready: Promise<void>;

  constructor(connectionString: string, schema = 'public', log?: Logger) {
    super(connectionString, schema, log);
    this.ready = this.migrate();
    // Failures surface on first use; do not let them become unhandled rejections.
    this.ready.catch(() => {});
  }

  private async migrate(): Promise<void> {
    await this.tx(async (client) => {
      // Instances starting together must not race on CREATE … IF NOT EXISTS.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('plenary-migrate'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(this.schema)}`);
      await client.query(`
      CREATE TABLE IF NOT EXISTS ${this.table('doc_updates')} (
        seq BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        data BYTEA NOT NULL
      );
      CREATE INDEX IF NOT EXISTS doc_updates_name_seq ON ${this.table('doc_updates')} (name, seq);
      CREATE TABLE IF NOT EXISTS ${this.table('boards')} (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        organizer_hash TEXT NOT NULL,
        participant_hash TEXT NOT NULL,
        viewer_hash TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${this.table('people')} (
        board_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT,
        PRIMARY KEY (board_id, user_id)
      );
      CREATE TABLE IF NOT EXISTS ${this.table('server_secrets')} (
        name TEXT PRIMARY KEY,
        value BYTEA NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${this.table('board_snapshots')} (
        seq BIGSERIAL PRIMARY KEY,
        board_id TEXT NOT NULL,
        id TEXT NOT NULL,
        label TEXT NOT NULL,
        item_id TEXT,
        kind TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        agenda BYTEA NOT NULL,
        board BYTEA NOT NULL,
        tasks BYTEA NOT NULL,
        UNIQUE (board_id, id)
      );
      CREATE INDEX IF NOT EXISTS board_snapshots_order ON ${this.table('board_snapshots')} (board_id, seq);
    `);
      await client.query(this.sharingTables());
    });
  }

  async load(name: string): Promise<{ updates: Uint8Array[]; lastSeq: number }> {
    await this.ready;
    const { rows } = await this.pool.query<{ seq: string; data: Buffer }>(
      `SELECT seq, data FROM ${this.table('doc_updates')} WHERE name = $1 ORDER BY seq`,
      [name],
    );
    return {
      updates: rows.map((r) => new Uint8Array(r.data)),
      lastSeq: rows.length ? Number(rows[rows.length - 1]!.seq) : 0,
    };
  }

  async append(name: string, updates: Uint8Array[]): Promise<number> {
    await this.ready;
    const { rows } = await this.pool.query<{ seq: string }>(
      `INSERT INTO ${this.table('doc_updates')} (name, data)
       SELECT $1, unnest($2::bytea[]) RETURNING seq`,
      [name, updates.map((u) => Buffer.from(u))],
    );
    return Math.max(...rows.map((r) => Number(r.seq)));
  }

  /**
   * Other instances may have appended updates this instance has not applied
   * yet, so the given in-memory state is not trusted here: the stored rows
   * themselves are merged, under a per-document advisory lock.
   */
  async compact(name: string, _state: Uint8Array, throughSeq: number): Promise<void> {
    await this.ready;
    await this.tx(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
      const { rows } = await client.query<{ seq: string; data: Buffer }>(
        `SELECT seq, data FROM ${this.table('doc_updates')} WHERE name = $1 AND seq <= $2 ORDER BY seq`,
        [name, throughSeq],
      );
      if (rows.length > 1) {
        const merged = Y.mergeUpdates(rows.map((r) => new Uint8Array(r.data)));
        const last = rows[rows.length - 1]!.seq;
        await client.query(`DELETE FROM ${this.table('doc_updates')} WHERE name = $1 AND seq <= $2`, [
          name,
          last,
        ]);
        // Reuse the last replaced sequence number so that later updates stay after it.
        await client.query(`INSERT INTO ${this.table('doc_updates')} (seq, name, data) VALUES ($1, $2, $3)`, [
          last,
          name,
          Buffer.from(merged),
        ]);
      }
    });
  }

  async count(name: string): Promise<number> {
    await this.ready;
    const { rows } = await this.pool.query<{ c: string }>(
      `SELECT COUNT(*) AS c FROM ${this.table('doc_updates')} WHERE name = $1`,
      [name],
    );
    return Number(rows[0]!.c);
  }

  async createBoard(b: BoardRecord, sealed: SealedTokens = {}): Promise<void> {
    await this.ready;
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO ${this.table('boards')} (id, title, created_at, organizer_hash, participant_hash, viewer_hash)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          b.id,
          b.title,
          b.createdAt,
          b.tokenHashes.organizer,
          b.tokenHashes.participant,
          b.tokenHashes.viewer,
        ],
      );
      await this.insertSealed(c, b.id, sealed);
    });
  }

  async getBoard(id: string): Promise<BoardRecord | null> {
    await this.ready;
    const { rows } = await this.pool.query<{
      id: string;
      title: string;
      created_at: string;
      organizer_hash: string;
      participant_hash: string;
      viewer_hash: string;
    }>(`SELECT * FROM ${this.table('boards')} WHERE id = $1`, [id]);
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      title: r.title,
      createdAt: Number(r.created_at),
      tokenHashes: { organizer: r.organizer_hash, participant: r.participant_hash, viewer: r.viewer_hash },
    };
  }

  async countBoards(): Promise<number> {
    await this.ready;
    const { rows } = await this.pool.query<{ c: string }>(
      `SELECT COUNT(*) AS c FROM ${this.table('boards')}`,
    );
    return Number(rows[0]!.c);
  }

  async renameBoard(id: string, title: string): Promise<boolean> {
    await this.ready;
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.table('boards')} SET title = $1 WHERE id = $2`,
      [title, id],
    );
    return (rowCount ?? 0) > 0;
  }

  async setTokenHash(id: string, role: Role, tokenHash: string, sealed?: string): Promise<boolean> {
    await this.ready;
    const column = pg.escapeIdentifier(`${role}_hash`);
    return this.tx(async (c) => {
      const { rowCount } = await c.query(`UPDATE ${this.table('boards')} SET ${column} = $1 WHERE id = $2`, [
        tokenHash,
        id,
      ]);
      if ((rowCount ?? 0) === 0) return false;
      await this.replaceSealed(c, id, role, sealed);
      return true;
    });
  }

  async deleteBoard(id: string): Promise<boolean> {
    await this.ready;
    return this.tx(async (client) => {
      await client.query(`DELETE FROM ${this.table('doc_updates')} WHERE name = ANY($1::text[])`, [
        [...DOC_KINDS.map((kind) => `${id}/${kind}`), `${id}/qa-inbox`, `${id}/poll-answers`],
      ]);
      // A board's private notes documents (`<id>/mine:<userId>`, PW1).
      await client.query(`DELETE FROM ${this.table('doc_updates')} WHERE starts_with(name, $1)`, [
        `${id}/mine:`,
      ]);
      await client.query(`DELETE FROM ${this.table('people')} WHERE board_id = $1`, [id]);
      await client.query(`DELETE FROM ${this.table('board_snapshots')} WHERE board_id = $1`, [id]);
      await this.deleteSharing(client, id);
      const { rowCount } = await client.query(`DELETE FROM ${this.table('boards')} WHERE id = $1`, [id]);
      return (rowCount ?? 0) > 0;
    });
  }

  async createPerson(p: PersonRecord): Promise<void> {
    await this.ready;
    await this.pool.query(
      `INSERT INTO ${this.table('people')} (board_id, user_id, key_hash, name, created_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [p.boardId, p.userId, p.keyHash, p.name, p.createdAt, p.revokedAt],
    );
  }

  async getPerson(boardId: string, userId: string): Promise<PersonRecord | null> {
    await this.ready;
    const { rows } = await this.pool.query<{
      board_id: string;
      user_id: string;
      key_hash: string;
      name: string;
      created_at: string;
      revoked_at: string | null;
    }>(`SELECT * FROM ${this.table('people')} WHERE board_id = $1 AND user_id = $2`, [boardId, userId]);
    const r = rows[0];
    if (!r) return null;
    return {
      boardId: r.board_id,
      userId: r.user_id,
      keyHash: r.key_hash,
      name: r.name,
      createdAt: Number(r.created_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    };
  }

  async renamePerson(boardId: string, userId: string, name: string): Promise<boolean> {
    await this.ready;
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.table('people')} SET name = $1 WHERE board_id = $2 AND user_id = $3`,
      [name, boardId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  async revokePerson(boardId: string, userId: string, at: number): Promise<boolean> {
    await this.ready;
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.table('people')} SET revoked_at = COALESCE(revoked_at, $1)
       WHERE board_id = $2 AND user_id = $3`,
      [at, boardId, userId],
    );
    return (rowCount ?? 0) > 0;
  }

  async getOrCreateSecret(name: string, candidate: Uint8Array): Promise<Uint8Array> {
    await this.ready;
    await this.pool.query(
      `INSERT INTO ${this.table('server_secrets')} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
      [name, Buffer.from(candidate)],
    );
    const { rows } = await this.pool.query<{ value: Buffer }>(
      `SELECT value FROM ${this.table('server_secrets')} WHERE name = $1`,
      [name],
    );
    return new Uint8Array(rows[0]!.value);
  }

  async addSnapshot(
    record: SnapshotRecord,
    retention: SnapshotRetention,
  ): Promise<{ snapshot: SnapshotMeta; created: boolean }> {
    await this.ready;
    return this.tx(async (client) => {
      // One writer per board at a time, across instances (dedupe and retention read, then write).
      await client.query("SELECT pg_advisory_xact_lock(hashtext('plenary-snapshots:' || $1))", [
        record.boardId,
      ]);
      const { rows: last } = await client.query<SnapshotMetaRow>(
        `SELECT ${SNAPSHOT_META_COLUMNS} FROM ${this.table('board_snapshots')}
         WHERE board_id = $1 ORDER BY seq DESC LIMIT 1`,
        [record.boardId],
      );
      if (last[0] && isRepeat(last[0], record))
        return { snapshot: snapshotMetaFromRow(last[0]), created: false };
      await client.query(
        `INSERT INTO ${this.table('board_snapshots')}
           (board_id, id, label, item_id, kind, created_at, content_hash, bytes, agenda, board, tasks)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          record.boardId,
          record.id,
          record.label,
          record.itemId,
          record.kind,
          record.createdAt,
          record.contentHash,
          record.bytes,
          Buffer.from(record.agenda),
          Buffer.from(record.board),
          Buffer.from(record.tasks),
        ],
      );
      const { rows } = await client.query<SnapshotMetaRow>(
        `SELECT ${SNAPSHOT_META_COLUMNS} FROM ${this.table('board_snapshots')} WHERE board_id = $1 ORDER BY seq`,
        [record.boardId],
      );
      const drop = snapshotsToDrop(rows.map(snapshotMetaFromRow), record.id, retention);
      if (drop.length > 0)
        await client.query(
          `DELETE FROM ${this.table('board_snapshots')} WHERE board_id = $1 AND id = ANY($2::text[])`,
          [record.boardId, drop],
        );
      const { agenda: _a, board: _b, tasks: _t, ...meta } = record;
      return { snapshot: meta, created: true };
    });
  }

  async listSnapshots(boardId: string): Promise<SnapshotMeta[]> {
    await this.ready;
    const { rows } = await this.pool.query<SnapshotMetaRow>(
      `SELECT ${SNAPSHOT_META_COLUMNS} FROM ${this.table('board_snapshots')} WHERE board_id = $1 ORDER BY seq`,
      [boardId],
    );
    return rows.map(snapshotMetaFromRow);
  }

  async getSnapshot(boardId: string, id: string): Promise<SnapshotRecord | null> {
    await this.ready;
    const { rows } = await this.pool.query<
      SnapshotMetaRow & { agenda: Buffer; board: Buffer; tasks: Buffer }
    >(`SELECT * FROM ${this.table('board_snapshots')} WHERE board_id = $1 AND id = $2`, [boardId, id]);
    const r = rows[0];
    if (!r) return null;
    return {
      ...snapshotMetaFromRow(r),
      agenda: new Uint8Array(r.agenda),
      board: new Uint8Array(r.board),
      tasks: new Uint8Array(r.tasks),
    };
  }

  async close(): Promise<void> {
    await this.ready.catch(() => {});
    await this.pool.end();
  }
}

const SNAPSHOT_META_COLUMNS = 'board_id, id, label, item_id, kind, created_at, content_hash, bytes';
