import { createSubscriber } from 'svelte/reactivity';
import type * as Y from 'yjs';

/**
 * A reactive, cached view of some Yjs content. The Yjs observer exists only
 * while something renders `current` (createSubscriber), and the derived value
 * is recomputed lazily once per change, not once per read.
 *
 *   const notes = new YView(boardNotesMap, () => readNotes(doc));
 *   // in a component: notes.current
 */
export class YView<T> {
  #subscribe: () => void;
  #dirty = true;
  #watching = false;
  #value: T | undefined;

  constructor(
    // `any`: Y.AbstractType is invariant in its event type, so `unknown` rejects every Y.Map.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly type: Y.AbstractType<any>,
    private readonly read: () => T,
  ) {
    this.#subscribe = createSubscriber((update) => {
      const onChange = (): void => {
        this.#dirty = true;
        update();
      };
      this.type.observeDeep(onChange);
      this.#watching = true;
      // Content may have changed while nobody was watching.
      this.#dirty = true;
      return () => {
        this.#watching = false;
        this.type.unobserveDeep(onChange);
      };
    });
  }

  get current(): T {
    this.#subscribe();
    // Outside any effect nothing observes the document: always read afresh.
    if (this.#dirty || !this.#watching) {
      this.#value = this.read();
      this.#dirty = false;
    }
    return this.#value as T;
  }
}

/** Same as YView but over a whole document (any change in any root). */
export class YDocView<T> {
  #subscribe: () => void;
  #dirty = true;
  #watching = false;
  #value: T | undefined;

  constructor(
    private readonly doc: Y.Doc,
    private readonly read: () => T,
  ) {
    this.#subscribe = createSubscriber((update) => {
      const onChange = (): void => {
        this.#dirty = true;
        update();
      };
      this.doc.on('update', onChange);
      this.#watching = true;
      this.#dirty = true;
      return () => {
        this.#watching = false;
        this.doc.off('update', onChange);
      };
    });
  }

  get current(): T {
    this.#subscribe();
    // Outside any effect nothing observes the document: always read afresh.
    if (this.#dirty || !this.#watching) {
      this.#value = this.read();
      this.#dirty = false;
    }
    return this.#value as T;
  }
}
