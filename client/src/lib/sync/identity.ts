import { cleanText, isSafeKey, LIMITS } from '$shared/schema';

/**
 * Who this browser is on a board: an identity issued by the server
 * (`POST /api/boards/:id/people` → `{ userId, key }`), kept in localStorage
 * per board, and the display name. The key proves the user id on every join,
 * so nobody else holding the link can act (vote, delete notes) as this person.
 */

/** The last display name chosen on any board: offered on the next board. */
export const NAME_KEY = 'plenary.name';
/** The identity issued for one board. */
export const personKey = (boardId: string): string => `plenary.person.${boardId}`;

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

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'> & Partial<Pick<Storage, 'removeItem'>>;

/** An identity issued by the server for one board. */
export interface Person {
  userId: string;
  /** Secret proving `userId`; only its hash is stored on the server. */
  key: string;
  name: string;
}

const USER_ID = /^[A-Za-z0-9_-]{4,128}$/;
const KEY = /^[A-Za-z0-9_-]{16,256}$/;

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

/** A well-formed person, or null (a tampered or foreign entry is ignored). */
export function asPerson(v: unknown): Person | null {
  if (!v || typeof v !== 'object') return null;
  const { userId, key, name } = v as Record<string, unknown>;
  if (typeof userId !== 'string' || !USER_ID.test(userId) || !isSafeKey(userId)) return null;
  if (typeof key !== 'string' || !KEY.test(key)) return null;
  return { userId, key, name: cleanName(name) };
}

/** The identity this browser holds for `boardId`, if any. */
export function loadPerson(boardId: string, store: KeyValueStore | null = defaultStore()): Person | null {
  const raw = safeGet(store, personKey(boardId));
  if (!raw) return null;
  try {
    return asPerson(JSON.parse(raw));
  } catch {
    return null;
  }
}

export function savePerson(
  boardId: string,
  person: Person,
  store: KeyValueStore | null = defaultStore(),
): void {
  safeSet(store, personKey(boardId), JSON.stringify(person));
}

export function forgetPerson(boardId: string, store: KeyValueStore | null = defaultStore()): void {
  try {
    if (store?.removeItem) store.removeItem(personKey(boardId));
    else store?.setItem(personKey(boardId), '');
  } catch {
    // Nothing stored, nothing to forget.
  }
}

/* ---------- The people API ---------- */

export interface PeopleApi {
  /** Server origin ('' for the page's own). */
  baseUrl: string;
  boardId: string;
  /** The link's token (any role; removing needs the organizer's). */
  token: string;
  fetch?: typeof fetch;
}

export type MintResult =
  | { kind: 'ok'; person: Person }
  /** 429: too many new identities from this address or link; try again later. */
  | { kind: 'wait'; retryAfterMs: number }
  /** 401/403: the link is not valid. */
  | { kind: 'refused'; status: number; message: string }
  /** The server issues no identities (an older server): join without one. */
  | { kind: 'unsupported'; status: number }
  /** Network failure or server error: try again. */
  | { kind: 'error'; message: string };

export type PeopleResult = { ok: true } | { ok: false; status: number; message: string };

const DEFAULT_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;

/** `Retry-After` in seconds or as an HTTP date, in ms from `now` (bounded). */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null || header.trim() === '') return DEFAULT_RETRY_MS;
  const v = header.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms)) return DEFAULT_RETRY_MS;
  return Math.min(MAX_RETRY_MS, Math.max(1000, ms));
}

const peopleUrl = (api: PeopleApi, userId?: string): string =>
  `${api.baseUrl}/api/boards/${encodeURIComponent(api.boardId)}/people${
    userId === undefined ? '' : `/${encodeURIComponent(userId)}`
  }`;

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // Not JSON: fall through.
  }
  return `${res.status} ${res.statusText}`.trim();
}

const doFetch = (api: PeopleApi): typeof fetch => api.fetch ?? ((...a) => globalThis.fetch(...a));

/** Asks the server for a new identity on this board. */
export async function mintPerson(api: PeopleApi, name: string): Promise<MintResult> {
  let res: Response;
  try {
    res = await doFetch(api)(peopleUrl(api), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
      body: JSON.stringify({ name }),
    });
  } catch (e) {
    return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  if (res.status === 201 || res.status === 200) {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { kind: 'error', message: 'the server sent an unreadable identity' };
    }
    const person = asPerson({ ...(body as object), name: (body as { name?: unknown }).name ?? name });
    return person
      ? { kind: 'ok', person }
      : { kind: 'error', message: 'the server sent an unreadable identity' };
  }
  if (res.status === 429) return { kind: 'wait', retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
  if (res.status === 401 || res.status === 403)
    return { kind: 'refused', status: res.status, message: await errorMessage(res) };
  if (res.status === 404 || res.status === 405) return { kind: 'unsupported', status: res.status };
  return { kind: 'error', message: await errorMessage(res) };
}

/** Renames this person on the server (validated there like every name). */
export async function renamePerson(
  api: PeopleApi,
  person: Person,
  name: string,
): Promise<{ ok: true; name: string } | { ok: false; status: number; message: string }> {
  try {
    const res = await doFetch(api)(peopleUrl(api, person.userId), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
      body: JSON.stringify({ key: person.key, name }),
    });
    if (!res.ok) return { ok: false, status: res.status, message: await errorMessage(res) };
    const body = (await res.json().catch(() => ({}))) as { name?: unknown };
    const saved = cleanName(body.name);
    return { ok: true, name: saved === '' ? name : saved };
  } catch (e) {
    return { ok: false, status: 0, message: e instanceof Error ? e.message : String(e) };
  }
}

/** Organizer: removes a person from the board (their key is revoked, their connections close). */
export async function removePerson(api: PeopleApi, userId: string): Promise<PeopleResult> {
  try {
    const res = await doFetch(api)(peopleUrl(api, userId), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${api.token}` },
    });
    if (res.ok) return { ok: true };
    return { ok: false, status: res.status, message: await errorMessage(res) };
  } catch (e) {
    return { ok: false, status: 0, message: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Replaces the participant link (organizers; B2): the old one stops at once,
 * so a removed person cannot mint a new identity from it. The new token, or
 * the failure.
 */
export async function replaceParticipantLink(
  api: PeopleApi,
): Promise<{ ok: true; token: string } | { ok: false; status: number; message: string }> {
  try {
    const res = await doFetch(api)(
      `${api.baseUrl}/api/boards/${encodeURIComponent(api.boardId)}/links/participant/rotate`,
      { method: 'POST', headers: { authorization: `Bearer ${api.token}` } },
    );
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as { token?: unknown } | null;
    if (res.ok && typeof body?.token === 'string') return { ok: true, token: body.token };
    return { ok: false, status: res.status, message: await errorMessage(res) };
  } catch (e) {
    return { ok: false, status: 0, message: e instanceof Error ? e.message : String(e) };
  }
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

/* ---------- Keeping one person's identity on one board ---------- */

/** Waits after a network failure while asking for an identity: 1 s, 2 s, 4 s … 30 s. */
const MINT_BACKOFF_MS = [1000, 2000, 4000, 8000, 15_000, 30_000];

export interface PersonKeeperOptions {
  api: PeopleApi;
  store?: KeyValueStore | null;
  /**
   * Something worth telling the person while an identity is on its way ('' clears
   * it), and when the next attempt is due (epoch ms), for a countdown.
   */
  onNotice?: (text: string, retryAt?: number) => void;
}

export type EnsureResult =
  | { ok: true; person: Person | null }
  /** The link is refused (401/403), or the keeper was stopped. */
  | { ok: false; reason: string };

/**
 * This browser's identity on one board: the stored one, or a new one from the
 * server on the first visit (waiting as long as a 429 says, retrying after a
 * network failure). After a 4401 on join (the server no longer knows the
 * identity, e.g. its data was reset) `recover()` forgets it and asks for a
 * new one, once. A server without identities is joined without one
 * (`person` stays null).
 */
export class PersonKeeper {
  person: Person | null = null;
  #reminted = false;
  #stopped = false;
  #wake: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #api: PeopleApi;
  readonly #store: KeyValueStore | null;
  readonly #notice: (text: string, retryAt?: number) => void;

  constructor(opts: PersonKeeperOptions) {
    this.#api = opts.api;
    this.#store = opts.store === undefined ? defaultStore() : opts.store;
    this.#notice = opts.onNotice ?? (() => undefined);
  }

  /** The identity this browser already holds for the board (kept as `person`), or null. */
  stored(): Person | null {
    const stored = loadPerson(this.#api.boardId, this.#store);
    if (stored) this.person = stored;
    return stored;
  }

  /** The identity to join with: the stored one, else a new one asked for `name`. */
  async ensure(name: string): Promise<EnsureResult> {
    const stored = this.stored();
    return stored ? { ok: true, person: stored } : this.#obtain(name);
  }

  /** After a 4401 on join: a new identity, once. True when there is one to try. */
  async recover(name: string): Promise<boolean> {
    if (!this.person || this.#reminted) return false;
    this.#reminted = true;
    forgetPerson(this.#api.boardId, this.#store);
    this.person = null;
    const r = await this.#obtain(name);
    return r.ok && r.person !== null;
  }

  /** The handshake `auth` for this person. */
  auth(
    token: string,
    name: string,
  ): { board: string; token: string; name: string; userId?: string; key?: string } {
    const base = { board: this.#api.boardId, token, name };
    return this.person ? { ...base, userId: this.person.userId, key: this.person.key } : base;
  }

  /** Renames on the server (when there is an identity) and keeps the name. */
  async rename(
    name: string,
  ): Promise<{ ok: true; name: string } | { ok: false; status: number; message: string }> {
    if (!this.person) return { ok: true, name };
    const r = await renamePerson(this.#api, this.person, name);
    if (r.ok) {
      this.person = { ...this.person, name: r.name };
      savePerson(this.#api.boardId, this.person, this.#store);
    }
    return r;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
  }

  async #obtain(name: string): Promise<EnsureResult> {
    for (let attempt = 0; !this.#stopped; attempt++) {
      const r = await mintPerson(this.#api, name || 'Guest');
      if (this.#stopped) break;
      switch (r.kind) {
        case 'ok':
          this.#notice('');
          savePerson(this.#api.boardId, r.person, this.#store);
          this.person = r.person;
          return { ok: true, person: r.person };
        case 'unsupported':
          // A server without issued identities: join with one for this connection only.
          this.#notice('');
          return { ok: true, person: null };
        case 'refused':
          this.#notice('');
          return { ok: false, reason: r.message };
        case 'wait':
          this.#notice('Many people joined from this network just now.', Date.now() + r.retryAfterMs);
          await this.#sleep(r.retryAfterMs);
          break;
        case 'error': {
          const wait = MINT_BACKOFF_MS[Math.min(attempt, MINT_BACKOFF_MS.length - 1)] ?? 30_000;
          this.#notice('Could not reach the server.', Date.now() + wait);
          await this.#sleep(wait);
          break;
        }
      }
    }
    return { ok: false, reason: 'stopped' };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#wake = null;
        resolve();
      }, ms);
    });
  }
}
