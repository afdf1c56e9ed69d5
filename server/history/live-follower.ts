import type * as Y from 'yjs';
import { readAgenda } from '../../shared/schema';
import { currentScheduledAt, scheduledItems } from '../../shared/time/schedule';

/** A clock boundary further away than this is checked again then (timers cannot wait for ever). */
const MAX_WAIT_MS = 60 * 60_000;
/** Fire a little after a boundary, so that the schedule already says the next item. */
const AFTER_BOUNDARY_MS = 20;

export interface LiveEnded {
  itemId: string;
  /** The item's title while it was live (it may be gone from the agenda by now). */
  title: string | undefined;
  /** The origin of the agenda change that ended it, or null when the clock did. */
  origin: unknown;
}

/**
 * Follows an agenda's live item as everyone sees it (AG4): the organizer's
 * pinned item or, on a dated agenda, the item the clock makes current. An
 * agenda that runs on time never pins one, so watching `currentItemId` alone
 * missed every talk of such a day (issue 20). `onEnded` is called once each
 * time a live item stops being live, whether an agenda change or the clock
 * ended it; a timer wakes at the next start or end in the schedule.
 */
export class LiveFollower {
  #current: { id: string; title: string } | null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(
    private readonly doc: Y.Doc,
    private readonly now: () => number,
    private readonly onEnded: (ended: LiveEnded) => void,
  ) {
    this.#current = this.#live();
    doc.on('afterTransaction', this.#onTransaction);
    doc.on('destroy', this.stop);
    this.#schedule();
  }

  /** The live item's id now, or null. */
  get current(): string | null {
    return this.#current?.id ?? null;
  }

  readonly stop = (): void => {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.doc.off('afterTransaction', this.#onTransaction);
    this.doc.off('destroy', this.stop);
  };

  readonly #onTransaction = (tr: Y.Transaction): void => {
    if (tr.changed.size === 0) return;
    this.#check(tr.origin);
    this.#schedule();
  };

  #live(): { id: string; title: string } | null {
    try {
      const item = currentScheduledAt(readAgenda(this.doc), this.now());
      return item ? { id: item.id, title: item.title } : null;
    } catch {
      // A time the zone math refuses (a broken stored agenda) has no live item.
      return null;
    }
  }

  #check(origin: unknown): void {
    const next = this.#live();
    const prev = this.#current;
    this.#current = next;
    if (prev && prev.id !== next?.id) this.onEnded({ itemId: prev.id, title: prev.title, origin });
  }

  /** Wake at the next start or end of an item (where the clock may change the live item). */
  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#stopped) return;
    const now = this.now();
    let next = Infinity;
    try {
      for (const it of scheduledItems(readAgenda(this.doc), now))
        for (const t of [it.startMs, it.endMs]) if (t > now && t < next) next = t;
    } catch {
      return;
    }
    if (next === Infinity) return;
    const wait = Math.min(MAX_WAIT_MS, next - now + AFTER_BOUNDARY_MS);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#stopped) return;
      this.#check(null);
      this.#schedule();
    }, wait);
    this.#timer.unref();
  }
}
