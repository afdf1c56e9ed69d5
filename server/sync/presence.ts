import { isFiniteNumber, isSafeKey } from '../../shared/schema';
import type { Peer } from './connection';

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

/**
 * Bind a client's awareness state to the connection that sent it: `user.id`,
 * `user.name` and `user.role` come from the join, whatever the client claims.
 * Unknown top-level fields are dropped, known ones are type-checked.
 * Returns null for a removal, undefined for a state to reject.
 */
export function sanitizeAwarenessState(
  state: unknown,
  peer: Peer,
): Record<string, unknown> | null | undefined {
  if (state === null) return null;
  if (typeof state !== 'object' || Array.isArray(state)) return undefined;
  const s = state as Record<string, unknown>;
  const user = (typeof s.user === 'object' && s.user !== null ? s.user : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    user: {
      id: peer.userId,
      name: peer.name,
      role: peer.role,
      color: typeof user.color === 'string' && COLOR.test(user.color) ? user.color : '#888888',
    },
  };
  const cursor = s.cursor as Record<string, unknown> | null | undefined;
  if (cursor === null) out.cursor = null;
  else if (cursor && isFiniteNumber(cursor.x) && isFiniteNumber(cursor.y))
    out.cursor = { x: cursor.x, y: cursor.y };
  if (s.editing === null) out.editing = null;
  else if (typeof s.editing === 'string' && isSafeKey(s.editing)) out.editing = s.editing;
  const view = s.view as Record<string, unknown> | undefined;
  if (view && isFiniteNumber(view.x) && isFiniteNumber(view.y) && isFiniteNumber(view.zoom))
    out.view = { x: view.x, y: view.y, zoom: view.zoom };
  return out;
}
