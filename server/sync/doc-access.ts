import type * as Y from 'yjs';
import type { DocKind } from '../../shared/schema';

/**
 * Server-side access to a board's live documents (HTTP routes, exports, the
 * roster). Changes go through the same path as a client's update: stored
 * before anyone receives them, then broadcast. `RoomManager` implements it.
 */
export interface DocAccess {
  /** `owner`: whose private notes, for kind `mine` (PW1); ignored otherwise. */
  read<T>(boardId: string, kind: DocKind, fn: (doc: Y.Doc) => T, owner?: string): Promise<T>;
  change(
    boardId: string,
    kind: DocKind,
    reason: string,
    fn: (doc: Y.Doc) => void,
    owner?: string,
  ): Promise<void>;
}
