import * as Y from 'yjs';
import type { DocKind, Role } from './types';

/**
 * The only place that knows the Yjs key names of the three documents.
 * Everything else goes through these accessors, the readers in `read.ts`
 * and the intent-level operations in `shared/ops/`.
 */
export const ROOTS = {
  agenda: { meta: 'meta', items: 'items', live: 'live' },
  board: { notes: 'notes', roster: 'roster' },
  tasks: { tasks: 'tasks' },
} as const;

export const AGENDA_ITEM_FIELDS = [
  'start',
  'minutes',
  'title',
  'speaker',
  'affiliation',
  'url',
  'kind',
] as const;

/** Agenda document roots. */
export const agendaMeta = (doc: Y.Doc): Y.Map<unknown> => doc.getMap(ROOTS.agenda.meta);
export const agendaItems = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.agenda.items);
export const agendaLive = (doc: Y.Doc): Y.Map<unknown> => doc.getMap(ROOTS.agenda.live);

/** Board document roots. */
export const boardNotes = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.board.notes);
export const boardRoster = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.board.roster);

/** Tasks document roots. */
export const taskMap = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.tasks.tasks);

/**
 * Write rights per role and document (contract rule P1 in docs/SPEC.md).
 * `board` writes are further refused for participants while `live.boardLocked`.
 */
const WRITE_RIGHTS: Record<Role, Record<DocKind, boolean>> = {
  organizer: { agenda: true, board: true, tasks: true },
  participant: { agenda: false, board: true, tasks: true },
  viewer: { agenda: false, board: false, tasks: false },
};

export function roleCanWrite(role: Role, doc: DocKind): boolean {
  return WRITE_RIGHTS[role][doc];
}

/** Whether the agenda document currently locks the board for participants. */
export function isBoardLocked(agenda: Y.Doc): boolean {
  return agendaLive(agenda).get('boardLocked') === true;
}
