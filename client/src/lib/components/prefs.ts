/**
 * Per-person preferences kept in this browser (localStorage): panel layout,
 * colour scheme, timer sound. Every read is validated: a value another
 * version wrote, or a hand-edited one, falls back to the default.
 */

const PREFIX = 'plenary.pref.';

function store(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** The stored value under `key` if `valid` accepts it, else `fallback`. */
export function readPref<T>(key: string, valid: (v: unknown) => v is T, fallback: T): T {
  try {
    const raw = store()?.getItem(PREFIX + key);
    if (raw == null || raw.length > 4096) return fallback;
    const v: unknown = JSON.parse(raw);
    return valid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

export function writePref(key: string, value: unknown): void {
  try {
    store()?.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the preference lasts for this page view only.
  }
}

export const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
