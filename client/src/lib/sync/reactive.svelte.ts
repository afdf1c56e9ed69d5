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
/**
 * The cache behind both views: `watch` installs the Yjs observer (calling
 * `onChange` on every change) and returns its removal.
 */
class CachedView<T> {
  #subscribe: () => void;
  #dirty = true;
  #watching = false;
  #value: T | undefined;

  constructor(
    watch: (onChange: () => void) => () => void,
    private readonly read: () => T,
  ) {
    this.#subscribe = createSubscriber((update) => {
      const unwatch = watch(() => {
        this.#dirty = true;
        update();
      });
      this.#watching = true;
      // Content may have changed while nobody was watching.
      this.#dirty = true;
      return () => {
        this.#watching = false;
        unwatch();
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

export class YView<T> extends CachedView<T> {
  constructor(
    // `any`: Y.AbstractType is invariant in its event type, so `unknown` rejects every Y.Map.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    type: Y.AbstractType<any>,
    read: () => T,
  ) {
    super((onChange) => {
      type.observeDeep(onChange);
      return () => type.unobserveDeep(onChange);
    }, read);
  }
}

/** Same as YView but over a whole document (any change in any root). */
export class YDocView<T> extends CachedView<T> {
  constructor(doc: Y.Doc, read: () => T) {
    super((onChange) => {
      doc.on('update', onChange);
      return () => doc.off('update', onChange);
    }, read);
  }
}
