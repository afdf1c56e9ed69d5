import type * as Y from 'yjs';
import type { DocKind } from '../../shared/schema';

/**
 * Server-side access to a board's live documents (HTTP routes, exports, the
 * roster). Changes go through the same path as a client's update: stored
 * before anyone receives them, then broadcast. `RoomManager` implements it.
 */
export interface DocAccess {
  read<T>(boardId: string, kind: DocKind, fn: (doc: Y.Doc) => T): Promise<T>;
  change(boardId: string, kind: DocKind, reason: string, fn: (doc: Y.Doc) => void): Promise<void>;
}
