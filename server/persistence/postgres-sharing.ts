import pg from 'pg';
import { ROLES, type Role } from '../../shared/schema';
import { claimRefusal, handoffFromRow, HANDOFF_KEEP_MS, type HandoffRow } from './sharing-rows';
import type { DeviceStore, HandoffClaim, HandoffRecord, LinkStore, SealedTokens } from './store';
import type { Logger } from '../log';

/**
 * The PostgreSQL pool, schema and transactions, and the sharing tables of
 * issue 19 (sealed links, join codes, handoff codes, device keys), which
 * `PostgresStore` extends with the rest. Every instance of a scale-out reads
 * and writes these rows, so a code or a key issued on one works on all.
 */
export abstract class PostgresSharing implements LinkStore, DeviceStore {
  protected readonly pool: pg.Pool;
  protected abstract readonly ready: Promise<void>;

  constructor(
    connectionString: string,
    protected readonly schema: string,
    log?: Logger,
  ) {
    this.pool = new pg.Pool({ connectionString, max: 10 });
    // A broken idle connection must not crash the process, but it is logged (issue 21 item 6):
    // only the message and code, never the error object, which can carry connection parameters.
    this.pool.on('error', (err: Error & { code?: string }) =>
      log?.warn({ err: err.message, code: err.code }, 'postgres idle connection error'),
    );
  }

  protected table(name: string): string {
    return `${pg.escapeIdentifier(this.schema)}.${pg.escapeIdentifier(name)}`;
  }

  /** `fn` inside BEGIN … COMMIT on one connection; rolled back when it throws. */
  protected async tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  protected sharingTables(): string {
    return `
      CREATE TABLE IF NOT EXISTS ${this.table('board_links')} (
        board_id TEXT NOT NULL,
        role TEXT NOT NULL,
        sealed TEXT NOT NULL,
        PRIMARY KEY (board_id, role)
      );
      CREATE TABLE IF NOT EXISTS ${this.table('join_codes')} (
        board_id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL UNIQUE,
        sealed TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${this.table('handoff_codes')} (
        code_hash TEXT PRIMARY KEY,
        board_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        sealed_token TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
      );
      CREATE INDEX IF NOT EXISTS handoff_codes_board ON ${this.table('handoff_codes')} (board_id);
      CREATE TABLE IF NOT EXISTS ${this.table('person_keys')} (
        board_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (board_id, user_id, key_hash)
      );`;
  }

  /** Inside `createBoard`'s transaction. */
  protected async insertSealed(c: pg.PoolClient, boardId: string, sealed: SealedTokens): Promise<void> {
    for (const role of ROLES) {
      const s = sealed[role];
      if (s !== undefined)
        await c.query(
          `INSERT INTO ${this.table('board_links')} (board_id, role, sealed) VALUES ($1, $2, $3)`,
          [boardId, role, s],
        );
    }
  }

  /** Inside `setTokenHash`'s transaction. */
  protected async replaceSealed(
    c: pg.PoolClient,
    boardId: string,
    role: Role,
    sealed: string | undefined,
  ): Promise<void> {
    if (sealed === undefined)
      await c.query(`DELETE FROM ${this.table('board_links')} WHERE board_id = $1 AND role = $2`, [
        boardId,
        role,
      ]);
    else
      await c.query(
        `INSERT INTO ${this.table('board_links')} (board_id, role, sealed) VALUES ($1, $2, $3)
         ON CONFLICT (board_id, role) DO UPDATE SET sealed = EXCLUDED.sealed`,
        [boardId, role, sealed],
      );
  }

  /** Inside `deleteBoard`'s transaction. */
  protected async deleteSharing(c: pg.PoolClient, boardId: string): Promise<void> {
    for (const t of ['board_links', 'join_codes', 'handoff_codes', 'person_keys'])
      await c.query(`DELETE FROM ${this.table(t)} WHERE board_id = $1`, [boardId]);
  }

  async getSealedTokens(boardId: string): Promise<SealedTokens> {
    await this.ready;
    const { rows } = await this.pool.query<{ role: string; sealed: string }>(
      `SELECT role, sealed FROM ${this.table('board_links')} WHERE board_id = $1`,
      [boardId],
    );
    const out: SealedTokens = {};
    for (const r of rows) if ((ROLES as readonly string[]).includes(r.role)) out[r.role as Role] = r.sealed;
    return out;
  }

  async keepSealedToken(boardId: string, role: Role, tokenHash: string, sealed: string): Promise<boolean> {
    await this.ready;
    const column = pg.escapeIdentifier(`${role}_hash`);
    // One statement: the row is written only while the hash is the current one.
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${this.table('board_links')} (board_id, role, sealed)
       SELECT id, $2, $4 FROM ${this.table('boards')} WHERE id = $1 AND ${column} = $3
       ON CONFLICT (board_id, role) DO UPDATE SET sealed = EXCLUDED.sealed`,
      [boardId, role, tokenHash, sealed],
    );
    return (rowCount ?? 0) > 0;
  }

  async getJoinCode(boardId: string): Promise<{ codeHash: string; sealed: string } | null> {
    await this.ready;
    const { rows } = await this.pool.query<{ code_hash: string; sealed: string }>(
      `SELECT code_hash, sealed FROM ${this.table('join_codes')} WHERE board_id = $1`,
      [boardId],
    );
    return rows[0] ? { codeHash: rows[0].code_hash, sealed: rows[0].sealed } : null;
  }

  async setJoinCode(boardId: string, codeHash: string, sealed: string, at: number): Promise<boolean> {
    await this.ready;
    try {
      await this.pool.query(
        `INSERT INTO ${this.table('join_codes')} (board_id, code_hash, sealed, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (board_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, sealed = EXCLUDED.sealed,
           created_at = EXCLUDED.created_at`,
        [boardId, codeHash, sealed, at],
      );
      return true;
    } catch (e) {
      // 23505: unique_violation, another board holds this code.
      if ((e as { code?: string }).code === '23505') return false;
      throw e;
    }
  }

  async deleteJoinCode(boardId: string): Promise<boolean> {
    await this.ready;
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.table('join_codes')} WHERE board_id = $1`,
      [boardId],
    );
    return (rowCount ?? 0) > 0;
  }

  async findJoinCode(codeHash: string): Promise<string | null> {
    await this.ready;
    const { rows } = await this.pool.query<{ board_id: string }>(
      `SELECT board_id FROM ${this.table('join_codes')} WHERE code_hash = $1`,
      [codeHash],
    );
    return rows[0]?.board_id ?? null;
  }

  async forgetSealed(keyIdName: string, keyId: string): Promise<void> {
    await this.ready;
    await this.tx(async (c) => {
      for (const t of ['board_links', 'join_codes', 'handoff_codes'])
        await c.query(`DELETE FROM ${this.table(t)}`);
      await c.query(
        `INSERT INTO ${this.table('server_secrets')} (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
        [keyIdName, Buffer.from(keyId)],
      );
    });
  }

  async createHandoff(h: HandoffRecord): Promise<void> {
    await this.ready;
    await this.tx(async (c) => {
      await c.query(`DELETE FROM ${this.table('handoff_codes')} WHERE expires_at < $1`, [
        h.createdAt - HANDOFF_KEEP_MS,
      ]);
      await c.query(
        `INSERT INTO ${this.table('handoff_codes')}
           (code_hash, board_id, user_id, sealed_token, created_at, expires_at, used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [h.codeHash, h.boardId, h.userId, h.sealedToken, h.createdAt, h.expiresAt, h.usedAt],
      );
    });
  }

  async getHandoff(codeHash: string): Promise<HandoffRecord | null> {
    await this.ready;
    const { rows } = await this.pool.query<HandoffRow>(
      `SELECT * FROM ${this.table('handoff_codes')} WHERE code_hash = $1`,
      [codeHash],
    );
    return rows[0] ? handoffFromRow(rows[0]) : null;
  }

  async claimHandoff(
    codeHash: string,
    boardId: string,
    keyHash: string,
    now: number,
    maxKeys: number,
  ): Promise<HandoffClaim> {
    await this.ready;
    return this.tx(async (c): Promise<HandoffClaim> => {
      // FOR UPDATE: a concurrent claim (on any instance) waits here and then sees the code used.
      const { rows } = await c.query<HandoffRow>(
        `SELECT * FROM ${this.table('handoff_codes')} WHERE code_hash = $1 FOR UPDATE`,
        [codeHash],
      );
      const h = rows[0] ? handoffFromRow(rows[0]) : null;
      const refused = claimRefusal(h, boardId, now);
      if (refused || !h) return { ok: false, reason: refused ?? 'unknown' };
      const { rows: count } = await c.query<{ c: string }>(
        `SELECT COUNT(*) AS c FROM ${this.table('person_keys')} WHERE board_id = $1 AND user_id = $2`,
        [boardId, h.userId],
      );
      if (Number(count[0]!.c) >= maxKeys) return { ok: false, reason: 'too-many-devices' };
      await c.query(`UPDATE ${this.table('handoff_codes')} SET used_at = $1 WHERE code_hash = $2`, [
        now,
        codeHash,
      ]);
      await c.query(
        `INSERT INTO ${this.table('person_keys')} (board_id, user_id, key_hash, created_at) VALUES ($1, $2, $3, $4)`,
        [boardId, h.userId, keyHash, now],
      );
      return { ok: true, userId: h.userId };
    });
  }

  async hasDeviceKey(boardId: string, userId: string, keyHash: string): Promise<boolean> {
    await this.ready;
    const { rowCount } = await this.pool.query(
      `SELECT 1 FROM ${this.table('person_keys')} WHERE board_id = $1 AND user_id = $2 AND key_hash = $3`,
      [boardId, userId, keyHash],
    );
    return (rowCount ?? 0) > 0;
  }
}
