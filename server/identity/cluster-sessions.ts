import { CLOSE, CLOSE_REASON, type CloseCode } from '../../shared/protocol';
import type { Role } from '../../shared/schema';
import type { Logger } from '../log';
import type { ControlMessage, Relay } from '../relay/relay';
import type { SessionRegistry } from './sessions';

/** Close reasons the client shows (B2, ID6). */
export const LINK_REPLACED = 'this link was replaced';
export const BOARD_DELETED = 'this board was deleted';
export const PERSON_REMOVED = CLOSE_REASON[CLOSE.removed]!;

/** What the HTTP routes ask of the open connections of every instance. */
export type SessionControl = Pick<
  SessionRegistry,
  'markRemoved' | 'closeAll' | 'closeBoard' | 'markBoardDeleted'
>;

/**
 * The session registry of this instance, plus the same decisions relayed to
 * every other instance (SPEC R4): a link replaced, a board deleted or a person
 * removed closes their connections wherever they are connected, not only on
 * the instance that handled the request. Each instance still refuses the old
 * token or key at the next join by itself (the store is shared); this closes
 * what is already open.
 */
export class ClusterSessions implements SessionControl {
  constructor(
    private readonly local: SessionRegistry,
    private readonly relay: Relay,
    /** Unloads a deleted board's documents here and deletes what was stored for it meanwhile. */
    private readonly forget: (boardId: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Carry out other instances' decisions here; resolves once subscribed. */
  listen(): Promise<() => void> {
    return this.relay.subscribeControl((m) => this.apply(m));
  }

  markRemoved(boardId: string, userId: string): void {
    this.local.markRemoved(boardId, userId);
  }

  closeAll(boardId: string, userId: string, code: CloseCode, reason: string): number {
    this.relay.publishControl({ type: 'person-removed', boardId, userId });
    return this.local.closeAll(boardId, userId, code, reason);
  }

  closeBoard(boardId: string, role: Role | null, code: CloseCode, reason: string): number {
    if (role !== null) this.relay.publishControl({ type: 'close-link', boardId, role });
    return this.local.closeBoard(boardId, role, code, reason);
  }

  markBoardDeleted(boardId: string, code: CloseCode, reason: string): number {
    this.relay.publishControl({ type: 'board-deleted', boardId });
    return this.local.markBoardDeleted(boardId, code, reason);
  }

  private apply(m: ControlMessage): void {
    // Other listeners' messages (the Q&A's) are theirs.
    if (m.type === 'questions') return;
    let closed: number;
    if (m.type === 'close-link') {
      closed = this.local.closeBoard(m.boardId, m.role, CLOSE.unauthorized, LINK_REPLACED);
    } else if (m.type === 'person-removed') {
      this.local.markRemoved(m.boardId, m.userId);
      closed = this.local.closeAll(m.boardId, m.userId, CLOSE.removed, PERSON_REMOVED);
    } else {
      closed = this.local.markBoardDeleted(m.boardId, CLOSE.notFound, BOARD_DELETED);
      void this.forget(m.boardId).catch((err: unknown) =>
        this.log.error({ err, board: m.boardId }, 'unloading a deleted board failed'),
      );
    }
    this.log.info({ board: m.boardId, type: m.type, closed }, 'carried out another instance’s decision');
  }
}
