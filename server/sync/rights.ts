import { writeDenial } from '../../shared/policy';
import type { Denial } from '../../shared/protocol';
import { isPrivateWriting, readLive, type DocKind, type LiveState } from '../../shared/schema';
import type { Connection } from './connection';
import type { Room } from './room';

/** What a room asks about the board it belongs to before it accepts an update (P1–P3, PW1). */
export interface DocumentRights {
  /** Role rights and the board lock: null when `conn` may write this document now. */
  checkWrite(conn: Connection): Denial | null;
  /** The agenda's live state, for the vote rules of a board document (null elsewhere). */
  live(): LiveState | null;
  /** A private notes document: whether its board is in private writing now (PW1). */
  privateWriting?(): boolean;
}

const alive = (room: Room | null): Room | null => (room && !room.destroyed ? room : null);

/**
 * The rights of one document, read from the rooms it depends on: a board's
 * agenda (the lock and the voting rules live there), a private notes
 * document's board (the phase) and, for the lock, the board's agenda.
 */
export function documentRights(
  kind: DocKind,
  deps: { agenda: Room | null; board: Room | null; agendaOfBoard: () => Room | null },
): DocumentRights {
  const live = (): LiveState | null => {
    const agenda = alive(deps.agenda);
    return agenda ? readLive(agenda.doc) : null;
  };
  const lock = (): { boardLocked: boolean } => {
    if (kind !== 'mine') return live() ?? { boardLocked: false };
    const agenda = alive(deps.agendaOfBoard());
    return agenda ? readLive(agenda.doc) : { boardLocked: false };
  };
  return {
    checkWrite: (conn) => writeDenial(conn.peer.role, kind, lock()),
    live: kind === 'board' ? live : () => null,
    ...(kind === 'mine'
      ? {
          privateWriting: () => {
            const board = alive(deps.board);
            return board !== null && isPrivateWriting(board.doc);
          },
        }
      : {}),
  };
}
