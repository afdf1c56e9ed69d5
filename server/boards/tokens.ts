import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from '../../shared/schema';
import type { BoardRecord, BoardStore } from '../persistence/store';

/** 128 bits for ids, 256 bits for tokens, URL-safe. */
export const newBoardId = (): string => randomBytes(16).toString('base64url');
export const newToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const ID = /^[A-Za-z0-9_-]{16,64}$/;
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;
export const isBoardId = (v: unknown): v is string => typeof v === 'string' && ID.test(v);
export const isTokenShape = (v: unknown): v is string => typeof v === 'string' && TOKEN.test(v);

export interface NewBoard {
  record: BoardRecord;
  tokens: Record<Role, string>;
}

export function mintBoard(title: string, now = Date.now()): NewBoard {
  const tokens = { organizer: newToken(), participant: newToken(), viewer: newToken() };
  return {
    tokens,
    record: {
      id: newBoardId(),
      title,
      createdAt: now,
      tokenHashes: {
        organizer: hashToken(tokens.organizer),
        participant: hashToken(tokens.participant),
        viewer: hashToken(tokens.viewer),
      },
    },
  };
}

/**
 * The role a token grants on a board, or null. A missing board and a wrong
 * token are indistinguishable to the caller.
 */
export async function authenticate(
  boards: BoardStore,
  boardId: unknown,
  token: unknown,
): Promise<{ board: BoardRecord; role: Role } | null> {
  if (!isBoardId(boardId) || !isTokenShape(token)) return null;
  const board = await boards.getBoard(boardId);
  if (!board) return null;
  const given = Buffer.from(hashToken(token), 'hex');
  for (const role of ROLES) {
    if (timingSafeEqual(given, Buffer.from(board.tokenHashes[role], 'hex'))) return { board, role };
  }
  return null;
}
