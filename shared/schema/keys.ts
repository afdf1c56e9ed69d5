import * as Y from 'yjs';

/**
 * The only place that knows the Yjs key names of the three documents.
 * Everything else goes through these accessors, the readers in `read.ts`
 * and the intent-level operations in `shared/ops/`.
 */
export const ROOTS = {
  agenda: { meta: 'meta', items: 'items', live: 'live', timeline: 'timeline' },
  board: {
    notes: 'notes',
    roster: 'roster',
    groups: 'groups',
    questions: 'questions',
    polls: 'polls',
    info: 'info',
  },
  tasks: { tasks: 'tasks' },
  mine: { notes: 'notes' },
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
/** When each item really ran (AG7): item id → `{ start, end }`, written by organizers' agenda operations. */
export const agendaTimeline = (doc: Y.Doc): Y.Map<unknown> => doc.getMap(ROOTS.agenda.timeline);

/** Board document roots. */
export const boardNotes = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.board.notes);
export const boardRoster = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.board.roster);
export const boardGroups = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.board.groups);
/** Public questions (issue 11): written by the server only. */
export const boardQuestions = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.board.questions);

/** Polls (issue 22, PO3): metadata and published counts, written by the server only. */
export const boardPolls = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.board.polls);

/** The board's own facts (its title), written by the server only, so a rename reaches everyone live. */
export const boardInfo = (doc: Y.Doc): Y.Map<unknown> => doc.getMap(ROOTS.board.info);

/** A person's private notes during private writing (PW1): the same shape as board notes. */
export const privateNotes = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.mine.notes);

/** Whether the board is in its private writing phase (board `info`, written by the server only). */
export const isPrivateWriting = (board: Y.Doc): boolean => boardInfo(board).get('privateWriting') === true;

/** Private notes written so far, per author id (server-maintained, PW1): a count, never text. */
export function privateCounts(board: Y.Doc): Map<string, number> {
  const out = new Map<string, number>();
  const counts = boardInfo(board).get('privateCounts');
  if (!(counts instanceof Y.Map)) return out;
  for (const [id, n] of counts.entries()) if (typeof n === 'number' && n > 0) out.set(id, n);
  return out;
}

/** Tasks document roots. */
export const taskMap = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap(ROOTS.tasks.tasks);

/** Write rights live with the other rules in shared/policy (P1). */
export { roleCanWrite } from '../policy';

/** Whether the agenda document currently locks the board for participants. */
export function isBoardLocked(agenda: Y.Doc): boolean {
  return agendaLive(agenda).get('boardLocked') === true;
}
