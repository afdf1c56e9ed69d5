import { createSubscriber } from 'svelte/reactivity';
import * as Y from 'yjs';
import { boardNotes, readNote, readNotes, type Note } from '$shared/schema';

/**
 * A reactive list of the board's notes that re-reads only the notes a
 * transaction touched. `YView` would re-read all 2,000 notes for every drag
 * step of a peer; here unchanged notes keep their object identity, so the
 * keyed `{#each}` of the canvas skips them entirely.
 */
export class NotesView {
  #subscribe: () => void;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache; changes are signalled through createSubscriber
  #byId = new Map<string, Note>();
  #list: Note[] = [];
  #watching = false;
  /** Malformed entries skipped so far (written by a buggy or hostile peer). */
  skipped = 0;

  constructor(
    private readonly doc: Y.Doc,
    /** Private notes (PW1) shown with the board's, listed after them (empty outside private writing). */
    private readonly mine: NotesView | null = null,
  ) {
    const map = boardNotes(doc);
    this.#subscribe = createSubscriber((update) => {
      this.#readAll();
      const onChange = (events: Y.YEvent<Y.AbstractType<unknown>>[]): void => {
        // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache; changes are signalled through createSubscriber
        const changed = new Set<string>();
        for (const e of events) {
          if (e instanceof Y.YMapEvent && e.target === map) for (const k of e.keysChanged) changed.add(k);
          else {
            const k = e.path[0];
            if (typeof k === 'string') changed.add(k);
          }
        }
        if (this.#apply(map, changed)) update();
      };
      map.observeDeep(onChange);
      this.#watching = true;
      return () => {
        this.#watching = false;
        map.unobserveDeep(onChange);
      };
    });
  }

  #readAll(): void {
    this.#list = readNotes(this.doc, () => this.skipped++);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache; changes are signalled through createSubscriber
    this.#byId = new Map(this.#list.map((n) => [n.id, n]));
  }

  /** Re-reads the changed notes; returns whether anything visible changed. */
  #apply(map: Y.Map<Y.Map<unknown>>, ids: Set<string>): boolean {
    let membership = false;
    let any = false;
    for (const id of ids) {
      const n = map.has(id) ? readNote(id, map.get(id), () => this.skipped++) : null;
      const had = this.#byId.has(id);
      if (n) this.#byId.set(id, n);
      else this.#byId.delete(id);
      if (had !== (n !== null)) membership = true;
      any = any || had || n !== null;
    }
    if (!any) return false;
    if (membership) {
      this.#list = [...this.#byId.values()].sort(
        (a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id),
      );
    } else {
      this.#list = this.#list.map((n) => (ids.has(n.id) ? (this.#byId.get(n.id) ?? n) : n));
    }
    return true;
  }

  #own: Note[] = [];
  #base: Note[] = [];
  #merged: Note[] = [];

  /** Notes sorted by creation time (stable across clients), then this person's private notes. */
  get list(): Note[] {
    this.#subscribe();
    if (!this.#watching) this.#readAll();
    const own = this.mine?.list ?? [];
    if (own.length === 0) return this.#list;
    // The same array while neither part changed, so that derived values keep their identity.
    if (own !== this.#own || this.#list !== this.#base) {
      this.#own = own;
      this.#base = this.#list;
      this.#merged = [...this.#list, ...own];
    }
    return this.#merged;
  }

  get(id: string): Note | undefined {
    this.#subscribe();
    if (!this.#watching) this.#readAll();
    return this.#byId.get(id) ?? this.mine?.get(id);
  }

  /** Whether `id` is one of this person's private notes (PW1): written to their own document. */
  isPrivate(id: string): boolean {
    return this.mine !== null && !this.#byId.has(id) && this.mine.get(id) !== undefined;
  }
}
