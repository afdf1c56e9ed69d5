import { readGroups, type Group } from '../../shared/schema';
import type { QuestionView } from '../questions/service';
import type { BoardSnapshot } from '../boards/snapshot';
import type { Logger } from '../log';
import type { DocAccess } from '../sync/doc-access';

/**
 * What the exports of issue 11 read besides the board snapshot: the groups
 * of notes. Kept here so that `boards/snapshot.ts` stays as it is; a past
 * snapshot (server/history) builds the same shape from stored documents.
 */
export interface ExportContent extends BoardSnapshot {
  groups: Group[];
  /** Q&A (issue 11): public questions, and waiting or hidden ones in an organizer's export only. */
  questions?: QuestionView[];
}

/** Reads the groups of a board's live board document and adds them to `snapshot`. */
export async function withGroups(
  snapshot: BoardSnapshot,
  docs: DocAccess,
  log: Logger,
): Promise<ExportContent> {
  const boardId = snapshot.board.id;
  const groups = await docs.read(boardId, 'board', (d) =>
    readGroups(d, (p) => log.warn({ board: boardId, ...p }, 'skipped a malformed entry')),
  );
  return { ...snapshot, groups };
}

/** Group titles by id (a note's `groupId` that names no group counts as none). */
export const groupTitles = (content: Pick<ExportContent, 'groups'>): Map<string, string> =>
  new Map(content.groups.map((g) => [g.id, g.title]));

/** Whether author names may leave the room: not while the organizer asks for anonymous notes. */
export const showsAuthors = (content: Pick<BoardSnapshot, 'agenda'>): boolean =>
  !content.agenda.live.anonymousNotes;
