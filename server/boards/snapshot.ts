import {
  readAgenda,
  readNotes,
  readRoster,
  readTasks,
  type Agenda,
  type Note,
  type RosterEntry,
  type Task,
} from '../../shared/schema';
import type { Logger } from '../log';
import type { BoardStore } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';

/** Plain, validated content of a board, for exports. */
export interface BoardSnapshot {
  board: { id: string; title: string };
  agenda: Agenda;
  notes: Note[];
  tasks: Task[];
  roster: RosterEntry[];
}

/** Plain, validated content of a board's three documents (for exports). */
export async function loadSnapshot(
  boards: BoardStore,
  docs: DocAccess,
  log: Logger,
  boardId: string,
): Promise<BoardSnapshot> {
  const record = await boards.getBoard(boardId);
  if (!record) throw new Error(`unknown board ${boardId}`);
  const onProblem = (p: { doc: string; path: string; reason: string }): void =>
    log.warn({ board: boardId, ...p }, 'skipped a malformed entry');
  const [agenda, board, tasks] = await Promise.all([
    docs.read(boardId, 'agenda', (d) => readAgenda(d, onProblem)),
    docs.read(boardId, 'board', (d) => ({
      notes: readNotes(d, onProblem),
      roster: readRoster(d, onProblem),
    })),
    docs.read(boardId, 'tasks', (d) => readTasks(d, onProblem)),
  ]);
  return {
    board: { id: record.id, title: record.title },
    agenda,
    notes: board.notes,
    roster: board.roster,
    tasks,
  };
}
