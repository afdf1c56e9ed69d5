import { createSubscriber } from 'svelte/reactivity';
import type { Awareness } from 'y-protocols/awareness';
import type { PresenceState } from '../sync/types';

export interface RemoteCursor {
  clientId: number;
  name: string;
  color: string;
  x: number;
  y: number;
}

/** At most 20 cursor updates per second per person (issue 4). */
export const CURSOR_INTERVAL_MS = 50;

const MAX_NAME = 60;
/** The same empty list every time, so that a note nobody edits does not change on each read. */
const NOBODY: string[] = [];
const safeColor = (c: unknown): string =>
  typeof c === 'string' && /^#[0-9a-f]{3,8}$/i.test(c) ? c : '#555555';

/** Peers' presence is as untrusted as their updates: keep only well-formed fields. */
function parse(state: unknown): {
  name: string;
  color: string;
  cursor: { x: number; y: number } | null;
  editing: string | null;
} | null {
  if (!state || typeof state !== 'object') return null;
  const s = state as Partial<PresenceState>;
  const user = s.user;
  if (!user || typeof user !== 'object' || typeof user.name !== 'string') return null;
  const c = s.cursor;
  const cursor =
    c && typeof c === 'object' && Number.isFinite(c.x) && Number.isFinite(c.y) ? { x: c.x, y: c.y } : null;
  return {
    name: user.name.slice(0, MAX_NAME),
    color: safeColor(user.color),
    cursor,
    editing: typeof s.editing === 'string' ? s.editing.slice(0, 64) : null,
  };
}

/**
 * Cursors and "who is editing which note" from the board document's
 * awareness, plus throttled publishing of the local cursor.
 */
export class BoardPresence {
  #subscribe: () => void;
  #cursors: RemoteCursor[] = [];
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache; changes are signalled through createSubscriber
  #editing = new Map<string, string[]>();
  #dirty = true;
  #watching = false;
  #lastSent = 0;
  #pending: { x: number; y: number } | null | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly awareness: Awareness) {
    this.#subscribe = createSubscriber((update) => {
      const onChange = (change: { added: number[]; updated: number[]; removed: number[] }): void => {
        // Our own cursor, published 20 times a second while panning, shows nowhere here: waking
        // every note's "who is editing" for it was per-note work on each pan frame (issue 18).
        const self = this.awareness.clientID;
        const others = (ids: number[]): boolean => ids.some((id) => id !== self);
        if (!others(change.added) && !others(change.updated) && !others(change.removed)) return;
        this.#dirty = true;
        update();
      };
      awareness.on('change', onChange);
      this.#watching = true;
      this.#dirty = true;
      return () => {
        this.#watching = false;
        awareness.off('change', onChange);
      };
    });
  }

  #read(): void {
    // Outside any effect nothing observes awareness: always read afresh.
    if (!this.#dirty && this.#watching) return;
    const cursors: RemoteCursor[] = [];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache; changes are signalled through createSubscriber
    const editing = new Map<string, string[]>();
    this.awareness.getStates().forEach((state, clientId) => {
      if (clientId === this.awareness.clientID) return;
      const p = parse(state);
      if (!p) return;
      if (p.cursor) cursors.push({ clientId, name: p.name, color: p.color, ...p.cursor });
      if (p.editing) editing.set(p.editing, [...(editing.get(p.editing) ?? []), p.name]);
    });
    this.#cursors = cursors;
    this.#editing = editing;
    this.#dirty = false;
  }

  get cursors(): RemoteCursor[] {
    this.#subscribe();
    this.#read();
    return this.#cursors;
  }

  /** Names of the other people editing `noteId`. */
  editors(noteId: string): string[] {
    this.#subscribe();
    this.#read();
    return this.#editing.get(noteId) ?? NOBODY;
  }

  /** Publishes the pointer position (world units), at most every CURSOR_INTERVAL_MS. */
  setCursor(p: { x: number; y: number } | null, now = Date.now()): void {
    this.#pending = p && { x: Math.round(p.x), y: Math.round(p.y) };
    if (this.#timer) return;
    const wait = this.#lastSent + CURSOR_INTERVAL_MS - now;
    if (wait <= 0) this.#flush(now);
    else this.#timer = setTimeout(() => this.#flush(Date.now()), wait);
  }

  #flush(now: number): void {
    this.#timer = null;
    if (this.#pending === undefined) return;
    this.#lastSent = now;
    this.awareness.setLocalStateField('cursor', this.#pending);
    this.#pending = undefined;
  }

  setEditing(noteId: string | null): void {
    const current = (this.awareness.getLocalState() as Partial<PresenceState> | null)?.editing;
    if (current !== noteId) this.awareness.setLocalStateField('editing', noteId);
  }

  destroy(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
