import type Database from 'better-sqlite3';
import { ROLES, type Role } from '../../shared/schema';
import { claimRefusal, handoffFromRow, HANDOFF_KEEP_MS, type HandoffRow } from './sharing-rows';
import type { DeviceStore, HandoffClaim, HandoffRecord, LinkStore, SealedTokens } from './store';

/** The SQL of the sharing tables (issue 19): sealed links, join codes, handoff codes, device keys. */
export const SHARING_TABLES = `
  CREATE TABLE IF NOT EXISTS board_links (
    board_id TEXT NOT NULL,
    role TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (board_id, role)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS join_codes (
    board_id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    sealed TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS handoff_codes (
    code_hash TEXT PRIMARY KEY,
    board_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    sealed_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS handoff_codes_board ON handoff_codes (board_id);
  CREATE TABLE IF NOT EXISTS person_keys (
    board_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (board_id, user_id, key_hash)
  ) WITHOUT ROWID;
`;

/**
 * The sharing tables of the SQLite store; `SqliteStore` delegates to this and
 * calls `insertSealed`, `replaceSealed` and `deleteBoard` inside its own
 * board transactions.
 */
export class SqliteSharing implements LinkStore, DeviceStore {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    db.exec(SHARING_TABLES);
    this.stmts = {
      sealed: db.prepare<[string], { role: string; sealed: string }>(
        'SELECT role, sealed FROM board_links WHERE board_id = ?',
      ),
      upsertSealed: db.prepare<[string, string, string]>(
        `INSERT INTO board_links (board_id, role, sealed) VALUES (?, ?, ?)
         ON CONFLICT (board_id, role) DO UPDATE SET sealed = excluded.sealed`,
      ),
      deleteSealed: db.prepare<[string, string]>('DELETE FROM board_links WHERE board_id = ? AND role = ?'),
      hashOf: db.prepare<[string], Record<string, string>>(
        'SELECT organizer_hash, participant_hash, viewer_hash FROM boards WHERE id = ?',
      ),
      getJoin: db.prepare<[string], { code_hash: string; sealed: string }>(
        'SELECT code_hash, sealed FROM join_codes WHERE board_id = ?',
      ),
      codeOwner: db.prepare<[string], { board_id: string }>(
        'SELECT board_id FROM join_codes WHERE code_hash = ?',
      ),
      upsertJoin: db.prepare<[string, string, string, number]>(
        `INSERT INTO join_codes (board_id, code_hash, sealed, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (board_id) DO UPDATE SET code_hash = excluded.code_hash, sealed = excluded.sealed,
           created_at = excluded.created_at`,
      ),
      deleteJoin: db.prepare<[string]>('DELETE FROM join_codes WHERE board_id = ?'),
      insertHandoff: db.prepare(
        `INSERT INTO handoff_codes (code_hash, board_id, user_id, sealed_token, created_at, expires_at, used_at)
         VALUES (@codeHash, @boardId, @userId, @sealedToken, @createdAt, @expiresAt, @usedAt)`,
      ),
      purgeHandoffs: db.prepare<[number]>('DELETE FROM handoff_codes WHERE expires_at < ?'),
      getHandoff: db.prepare<[string], HandoffRow>('SELECT * FROM handoff_codes WHERE code_hash = ?'),
      useHandoff: db.prepare<[number, string]>(
        'UPDATE handoff_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL',
      ),
      countKeys: db.prepare<[string, string], { c: number }>(
        'SELECT COUNT(*) AS c FROM person_keys WHERE board_id = ? AND user_id = ?',
      ),
      insertKey: db.prepare<[string, string, string, number]>(
        'INSERT INTO person_keys (board_id, user_id, key_hash, created_at) VALUES (?, ?, ?, ?)',
      ),
      hasKey: db.prepare<[string, string, string], { one: number }>(
        'SELECT 1 AS one FROM person_keys WHERE board_id = ? AND user_id = ? AND key_hash = ?',
      ),
    };
  }

  /** Inside `createBoard`'s transaction. */
  insertSealed(boardId: string, sealed: SealedTokens): void {
    for (const role of ROLES) {
      const s = sealed[role];
      if (s !== undefined) this.stmts.upsertSealed.run(boardId, role, s);
    }
  }

  /** Inside `setTokenHash`'s transaction. */
  replaceSealed(boardId: string, role: Role, sealed: string | undefined): void {
    if (sealed === undefined) this.stmts.deleteSealed.run(boardId, role);
    else this.stmts.upsertSealed.run(boardId, role, sealed);
  }

  /** Inside `deleteBoard`'s transaction. */
  deleteBoard(boardId: string): void {
    for (const table of ['board_links', 'join_codes', 'handoff_codes', 'person_keys'])
      this.db.prepare(`DELETE FROM ${table} WHERE board_id = ?`).run(boardId);
  }

  async getSealedTokens(boardId: string): Promise<SealedTokens> {
    const out: SealedTokens = {};
    for (const r of this.stmts.sealed.all(boardId))
      if ((ROLES as readonly string[]).includes(r.role)) out[r.role as Role] = r.sealed;
    return out;
  }

  async keepSealedToken(boardId: string, role: Role, tokenHash: string, sealed: string): Promise<boolean> {
    return this.db.transaction(() => {
      const hashes = this.stmts.hashOf.get(boardId);
      if (!hashes || hashes[`${role}_hash`] !== tokenHash) return false;
      this.stmts.upsertSealed.run(boardId, role, sealed);
      return true;
    })();
  }

  async getJoinCode(boardId: string): Promise<{ codeHash: string; sealed: string } | null> {
    const r = this.stmts.getJoin.get(boardId);
    return r ? { codeHash: r.code_hash, sealed: r.sealed } : null;
  }

  async setJoinCode(boardId: string, codeHash: string, sealed: string, at: number): Promise<boolean> {
    return this.db.transaction(() => {
      const owner = this.stmts.codeOwner.get(codeHash);
      if (owner && owner.board_id !== boardId) return false;
      this.stmts.upsertJoin.run(boardId, codeHash, sealed, at);
      return true;
    })();
  }

  async deleteJoinCode(boardId: string): Promise<boolean> {
    return this.stmts.deleteJoin.run(boardId).changes > 0;
  }

  async findJoinCode(codeHash: string): Promise<string | null> {
    return this.stmts.codeOwner.get(codeHash)?.board_id ?? null;
  }

  async forgetSealed(keyIdName: string, keyId: string): Promise<void> {
    this.db.transaction(() => {
      for (const table of ['board_links', 'join_codes', 'handoff_codes'])
        this.db.exec(`DELETE FROM ${table}`);
      this.db
        .prepare(
          `INSERT INTO server_secrets (name, value) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
        )
        .run(keyIdName, Buffer.from(keyId));
    })();
  }

  async createHandoff(h: HandoffRecord): Promise<void> {
    this.db.transaction(() => {
      this.stmts.purgeHandoffs.run(h.createdAt - HANDOFF_KEEP_MS);
      this.stmts.insertHandoff.run(h);
    })();
  }

  async getHandoff(codeHash: string): Promise<HandoffRecord | null> {
    const r = this.stmts.getHandoff.get(codeHash);
    return r ? handoffFromRow(r) : null;
  }

  async claimHandoff(
    codeHash: string,
    boardId: string,
    keyHash: string,
    now: number,
    maxKeys: number,
  ): Promise<HandoffClaim> {
    return this.db.transaction((): HandoffClaim => {
      const row = this.stmts.getHandoff.get(codeHash);
      const h = row ? handoffFromRow(row) : null;
      const refused = claimRefusal(h, boardId, now);
      if (refused || !h) return { ok: false, reason: refused ?? 'unknown' };
      if ((this.stmts.countKeys.get(boardId, h.userId)?.c ?? 0) >= maxKeys)
        return { ok: false, reason: 'too-many-devices' };
      this.stmts.useHandoff.run(now, codeHash);
      this.stmts.insertKey.run(boardId, h.userId, keyHash, now);
      return { ok: true, userId: h.userId };
    })();
  }

  async hasDeviceKey(boardId: string, userId: string, keyHash: string): Promise<boolean> {
    return this.stmts.hasKey.get(boardId, userId, keyHash) !== undefined;
  }
}
