import { cleanText, isSafeKey, LIMITS, newId } from '../../../../shared/schema';

/**
 * Who this browser is: a stable random id and a display name, kept in
 * localStorage. No accounts: the id only tells one person's notes, votes and
 * presence apart from another's.
 */

export const USER_ID_KEY = 'plenary.userId';
export const NAME_KEY = 'plenary.name';

/** Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), darkened a little where needed for contrast on white. */
export const PRESENCE_PALETTE = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#8C6D00', // dark yellow (pure yellow is unreadable on white)
  '#555555', // grey
] as const;

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Storage can throw (privacy modes, quota): identity then lives only in memory. */
function safeGet(store: KeyValueStore | null, key: string): string | null {
  try {
    return store?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function safeSet(store: KeyValueStore | null, key: string, value: string): void {
  try {
    store?.setItem(key, value);
  } catch {
    // Not fatal: the person is asked again next visit.
  }
}

export function defaultStore(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The per-browser id, created once. */
export function loadUserId(store: KeyValueStore | null = defaultStore()): string {
  const existing = safeGet(store, USER_ID_KEY);
  // The server refuses ids that are not safe map keys (`__proto__`): replace them.
  if (existing && ID_PATTERN.test(existing) && isSafeKey(existing)) return existing;
  const id = newId();
  safeSet(store, USER_ID_KEY, id);
  return id;
}

/** A display name fit to show others: trimmed, no control characters, bounded. */
export const cleanName = (v: unknown): string => cleanText(v, LIMITS.nameLength);

export function loadName(store: KeyValueStore | null = defaultStore()): string | null {
  const name = cleanName(safeGet(store, NAME_KEY));
  return name === '' ? null : name;
}

export function saveName(name: string, store: KeyValueStore | null = defaultStore()): string {
  const clean = cleanName(name);
  if (clean === '') throw new Error('A display name cannot be empty.');
  safeSet(store, NAME_KEY, clean);
  return clean;
}

/** Same id, same colour, on every client (FNV-1a over the id). */
export function colorFor(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return PRESENCE_PALETTE[(h >>> 0) % PRESENCE_PALETTE.length] ?? PRESENCE_PALETTE[0];
}
