import type { CloseCode } from '../../shared/protocol';
import type { Role } from '../../shared/schema';

type Close = (code: CloseCode, reason: string) => void;

const keyOf = (boardId: string, userId: string): string => `${boardId}\n${userId}`;
const boardOfKey = (key: string): string => key.slice(0, key.indexOf('\n'));

/**
 * Open connections per board and person, on every transport of this instance,
 * so that removing a person closes all of them; each one also records the role
 * of the link it was opened with, so that replacing a link (or deleting the
 * board) closes those. Removal and deletion are remembered here before the
 * store changes, so a join that was admitted just before is still closed when
 * it registers just after.
 */
export class SessionRegistry {
  private readonly open = new Map<string, Map<Close, Role | null>>();
  private readonly removed = new Set<string>();
  /** Deleted boards of this instance's lifetime, with the close code and reason for late joins. */
  private readonly deleted = new Map<string, [CloseCode, string]>();

  /**
   * Registers a connection; returns the function that unregisters it. When the
   * person was already removed, `close` is called at once with `removedWith`
   * (when the board was deleted, with the code it was deleted with).
   */
  add(
    boardId: string,
    userId: string,
    close: Close,
    removedWith: [CloseCode, string],
    role: Role | null = null,
  ): () => void {
    const key = keyOf(boardId, userId);
    const deletedWith = this.deleted.get(boardId);
    if (deletedWith || this.removed.has(key)) {
      close(...(deletedWith ?? removedWith));
      return () => {};
    }
    let conns = this.open.get(key);
    if (!conns) this.open.set(key, (conns = new Map()));
    conns.set(close, role);
    return () => {
      const c = this.open.get(key);
      if (!c) return;
      c.delete(close);
      if (c.size === 0) this.open.delete(key);
    };
  }

  /** Marks the person removed on this instance (call before revoking the key). */
  markRemoved(boardId: string, userId: string): void {
    this.removed.add(keyOf(boardId, userId));
  }

  /** Closes every open connection of the person; returns how many there were. */
  closeAll(boardId: string, userId: string, code: CloseCode, reason: string): number {
    const key = keyOf(boardId, userId);
    const conns = this.open.get(key);
    this.open.delete(key);
    if (!conns) return 0;
    for (const close of conns.keys()) close(code, reason);
    return conns.size;
  }

  /**
   * Closes every open connection of a board, or only those opened with the
   * link of `role` (null: all roles); returns how many there were.
   */
  closeBoard(boardId: string, role: Role | null, code: CloseCode, reason: string): number {
    const closing: Close[] = [];
    for (const [key, conns] of this.open) {
      if (boardOfKey(key) !== boardId) continue;
      for (const [close, r] of conns) {
        if (role !== null && r !== role) continue;
        conns.delete(close);
        closing.push(close);
      }
      if (conns.size === 0) this.open.delete(key);
    }
    for (const close of closing) close(code, reason);
    return closing.length;
  }

  /**
   * Marks the board deleted on this instance and closes its connections; a
   * connection registering later is closed at once with the same code.
   */
  markBoardDeleted(boardId: string, code: CloseCode, reason: string): number {
    this.deleted.set(boardId, [code, reason]);
    return this.closeBoard(boardId, null, code, reason);
  }

  /** True once the board was deleted in this instance's lifetime (here or, relayed, on another). */
  isBoardDeleted(boardId: string): boolean {
    return this.deleted.has(boardId);
  }

  /** Open connections of a person (for tests and logs). */
  count(boardId: string, userId: string): number {
    return this.open.get(keyOf(boardId, userId))?.size ?? 0;
  }
}
