import type { Role } from '$shared/schema';
import type { KeyValueStore } from './identity';

/**
 * The role the server gave a link at the last visit, kept with the browser's
 * offline copy, so a board reopened offline can still be written (the server
 * checks every change when it is back).
 */

/** Which link the remembered role belongs to: its last characters (the link itself is in the URL). */
const linkTag = (token: string): string => token.slice(-8);
const roleKey = (boardId: string): string => `plenary.role.${boardId}`;

export function knownRole(store: KeyValueStore | null, boardId: string, token: string): Role | null {
  try {
    const saved = JSON.parse(store?.getItem(roleKey(boardId)) ?? 'null') as {
      link?: unknown;
      role?: unknown;
    } | null;
    if (saved?.link !== linkTag(token)) return null;
    return saved.role === 'organizer' || saved.role === 'participant' || saved.role === 'viewer'
      ? saved.role
      : null;
  } catch {
    return null;
  }
}

export function rememberRole(store: KeyValueStore | null, boardId: string, token: string, role: Role): void {
  try {
    store?.setItem(roleKey(boardId), JSON.stringify({ link: linkTag(token), role }));
  } catch {
    // A full or blocked storage only costs the offline role.
  }
}
