/**
 * "Your boards": the boards opened or created in this browser, with the links
 * this browser knows for each (localStorage `plenary.boards`). Tokens never
 * leave the browser through this: they are only shown to the person who holds
 * them. Every entry is validated on read and the list is bounded.
 */
import { ROLES, type Role } from '$shared/schema';

export const BOOK_KEY = 'plenary.boards';
export const MAX_BOARDS = 50;
const SAFE = /^[A-Za-z0-9_-]{8,128}$/;
const MAX_TITLE = 200;

export interface KeptBoard {
  id: string;
  title: string;
  /** Token per role, for the links this browser has seen. */
  tokens: Partial<Record<Role, string>>;
  /** Epoch ms of the last visit, newest first in the list. */
  seen: number;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

function defaultStore(): Store | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function parseEntry(v: unknown): KeptBoard | null {
  if (!v || typeof v !== 'object') return null;
  const e = v as Record<string, unknown>;
  if (typeof e.id !== 'string' || !SAFE.test(e.id)) return null;
  const tokens: Partial<Record<Role, string>> = {};
  const t = e.tokens;
  if (t && typeof t === 'object') {
    for (const role of ROLES) {
      const tok = (t as Record<string, unknown>)[role];
      if (typeof tok === 'string' && SAFE.test(tok)) tokens[role] = tok;
    }
  }
  return {
    id: e.id,
    title: typeof e.title === 'string' ? e.title.slice(0, MAX_TITLE) : '',
    tokens,
    seen: typeof e.seen === 'number' && Number.isFinite(e.seen) ? e.seen : 0,
  };
}

export function listBoards(store: Store | null = defaultStore()): KeptBoard[] {
  try {
    const raw = store?.getItem(BOOK_KEY);
    if (!raw || raw.length > 200_000) return [];
    const arr: unknown = JSON.parse(raw);
    if (!Array.isArray(arr)) return [];
    return arr
      .map(parseEntry)
      .filter((b): b is KeptBoard => b !== null)
      .sort((a, b) => b.seen - a.seen)
      .slice(0, MAX_BOARDS);
  } catch {
    return [];
  }
}

function save(list: KeptBoard[], store: Store | null): void {
  try {
    store?.setItem(BOOK_KEY, JSON.stringify(list.slice(0, MAX_BOARDS)));
  } catch {
    // Storage full or disabled: the list is not kept.
  }
}

/** Adds or updates a board; tokens given here replace those known for their roles. */
export function keepBoard(
  entry: { id: string; title?: string; tokens: Partial<Record<Role, string>> },
  now = Date.now(),
  store: Store | null = defaultStore(),
): KeptBoard | null {
  const fresh = parseEntry({ ...entry, seen: now });
  if (!fresh) return null;
  const list = listBoards(store);
  const old = list.find((b) => b.id === fresh.id);
  const merged: KeptBoard = {
    id: fresh.id,
    title: fresh.title || old?.title || '',
    tokens: { ...old?.tokens, ...fresh.tokens },
    seen: now,
  };
  save([merged, ...list.filter((b) => b.id !== fresh.id)], store);
  return merged;
}

export function forgetBoard(id: string, store: Store | null = defaultStore()): void {
  save(
    listBoards(store).filter((b) => b.id !== id),
    store,
  );
}

/** The page URL of a link (token in the fragment, never sent to the server). */
export const boardLink = (origin: string, id: string, token: string): string => `${origin}/b/${id}#${token}`;
export const presentLink = (origin: string, id: string, token: string): string =>
  `${origin}/b/${id}/present#${token}`;

/** Which links a role may hand out: never one that grants more than its own. */
export function shareableRoles(role: Role): Role[] {
  if (role === 'organizer') return ['organizer', 'participant', 'viewer'];
  if (role === 'participant') return ['participant', 'viewer'];
  return ['viewer'];
}

const offerKey = (id: string): string => `plenary.offer-share.${id}`;

/** The next visit of this board in this tab opens the share panel (after creating it, from "Your boards"). */
export function offerShare(id: string): void {
  try {
    sessionStorage.setItem(offerKey(id), '1');
  } catch {
    // No storage: the Share button is still there.
  }
}

/** Whether the share panel should open now (once). */
export function takeShareOffer(id: string): boolean {
  try {
    const offered = sessionStorage.getItem(offerKey(id)) === '1';
    sessionStorage.removeItem(offerKey(id));
    return offered;
  } catch {
    return false;
  }
}
