import { ROLES, type Role } from '../../shared/schema';
import type { BoardStore } from '../persistence/store';
import { mintBoard, type NewBoard } from './tokens';

/** Page URLs keep the token in the fragment, which browsers never send to servers. */
export function boardUrls(origin: string, id: string, tokens: Record<Role, string>): Record<Role, string> {
  const out = {} as Record<Role, string>;
  for (const role of ROLES) out[role] = boardUrl(origin, id, tokens[role]);
  return out;
}

/** The page URL of one link (token in the fragment). */
export const boardUrl = (origin: string, id: string, token: string): string => `${origin}/b/${id}#${token}`;

/** A new board in the store; its tokens exist only in what this returns. */
export async function createBoard(boards: BoardStore, title: string): Promise<NewBoard> {
  const minted = mintBoard(title);
  await boards.createBoard(minted.record);
  return minted;
}
