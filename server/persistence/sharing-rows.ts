import type { HandoffClaim, HandoffRecord } from './store';

/** Rows and rules of the sharing tables that both stores share (PostgreSQL answers BIGINT as text). */

/** Handoff codes stay this long after they expired, so that a late claim hears "expired", not "unknown". */
export const HANDOFF_KEEP_MS = 24 * 60 * 60_000;

export interface HandoffRow {
  code_hash: string;
  board_id: string;
  user_id: string;
  sealed_token: string;
  created_at: number | string;
  expires_at: number | string;
  used_at: number | string | null;
}

export const handoffFromRow = (r: HandoffRow): HandoffRecord => ({
  codeHash: r.code_hash,
  boardId: r.board_id,
  userId: r.user_id,
  sealedToken: r.sealed_token,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: r.used_at === null ? null : Number(r.used_at),
});

/** Why a claim of `row` fails for `boardId` at `now`, or null when it may succeed. */
export function claimRefusal(
  row: Pick<HandoffRecord, 'boardId' | 'usedAt' | 'expiresAt'> | null,
  boardId: string,
  now: number,
): Exclude<HandoffClaim, { ok: true }>['reason'] | null {
  if (!row || row.boardId !== boardId) return 'unknown';
  if (row.usedAt !== null) return 'used';
  if (row.expiresAt <= now) return 'expired';
  return null;
}
