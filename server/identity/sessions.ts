import type { CloseCode } from '../../shared/protocol';

type Close = (code: CloseCode, reason: string) => void;

const keyOf = (boardId: string, userId: string): string => `${boardId}\n${userId}`;

/**
 * Open connections per board and person, on every transport of this instance,
 * so that removing a person closes all of them. Removal is remembered here
 * before the key is revoked in the store, so a join that checked the key just
 * before the removal is still closed when it registers just after it.
 */
export class SessionRegistry {
  private readonly open = new Map<string, Set<Close>>();
  private readonly removed = new Set<string>();

  /**
   * Registers a connection; returns the function that unregisters it. When the
   * person was already removed, `close` is called at once with `removedWith`.
   */
  add(boardId: string, userId: string, close: Close, removedWith: [CloseCode, string]): () => void {
    const key = keyOf(boardId, userId);
    if (this.removed.has(key)) {
      close(...removedWith);
      return () => {};
    }
    let set = this.open.get(key);
    if (!set) this.open.set(key, (set = new Set()));
    set.add(close);
    return () => {
      const s = this.open.get(key);
      if (!s) return;
      s.delete(close);
      if (s.size === 0) this.open.delete(key);
    };
  }

  /** Marks the person removed on this instance (call before revoking the key). */
  markRemoved(boardId: string, userId: string): void {
    this.removed.add(keyOf(boardId, userId));
  }

  /** Closes every open connection of the person; returns how many there were. */
  closeAll(boardId: string, userId: string, code: CloseCode, reason: string): number {
    const key = keyOf(boardId, userId);
    const set = this.open.get(key);
    this.open.delete(key);
    if (!set) return 0;
    for (const close of set) close(code, reason);
    return set.size;
  }

  /** Open connections of a person (for tests and logs). */
  count(boardId: string, userId: string): number {
    return this.open.get(keyOf(boardId, userId))?.size ?? 0;
  }
}
