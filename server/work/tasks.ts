import * as Y from 'yjs';
import {
  readAgenda,
  readGroups,
  readNotes,
  readRoster,
  readTasks,
  ROOTS,
  type ReadProblem,
} from '../../shared/schema';
import { readQuestions } from '../../shared/ops/questions';
import { liveItemIdAt } from '../../shared/time/schedule';
import { MissingInBoard, renderExport, type ExportName } from '../export/render';
import type { ExportContent } from '../export/content';
import { suggestGroups, SUGGEST_LIMITS, type SuggestedGroup } from '../groups/suggest';
import { contentHash } from '../history/history';
import { planRestore } from '../history/restore';
import { publicView, type QuestionView } from '../questions/service';

/**
 * The work whose cost grows with a board, as it runs in a worker thread
 * (server/work/pool.ts): every task gets a board's documents as bytes
 * (`Y.encodeStateAsUpdate`, or a snapshot's stored states) and returns plain
 * data. Pure: no store, no sockets, no logger; problems found while reading
 * are returned for the caller to log.
 */

/** A board's three documents, each as its stored updates (oldest first) or one state. */
export interface DocStates {
  agenda: Uint8Array[];
  board: Uint8Array[];
  tasks: Uint8Array[];
}

export type HeavyTask =
  | {
      kind: 'export';
      name: ExportName;
      states: DocStates;
      board: { id: string; title: string };
      /**
       * Live exports: the questions the requester may see (absent: none). A snapshot's (HS2): those
       * stored in it that are public now (QA8: hidden, waiting or deleted since, they stay out).
       */
      questions?: QuestionView[] | { publicNow: string[] };
      itemId: string | null;
    }
  | { kind: 'suggest'; board: Uint8Array[]; itemId: string | null }
  /** A snapshot's content (HS1): each document's merged state, the content hash and the live item. */
  | { kind: 'snapshot'; states: DocStates; now: number }
  | {
      kind: 'restore';
      current: Pick<DocStates, 'board' | 'tasks'>;
      source: Pick<DocStates, 'board' | 'tasks'>;
    };

/** At most this many read problems come back per task (they are only logged). */
const MAX_PROBLEMS = 20;

export type HeavyResult =
  | { ok: true; bytes: Uint8Array; problems: ReadProblem[] }
  | { ok: true; groups: SuggestedGroup[] }
  | { ok: true; agenda: Uint8Array; board: Uint8Array; tasks: Uint8Array; hash: string; live: string | null }
  | { ok: true; board: Uint8Array[]; tasks: Uint8Array[] }
  | { ok: false; missing: string };

const utf8 = new TextEncoder();

function decode(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  // One transaction: the document is built once, whatever the number of stored updates.
  // An entry that cannot be applied (stored before the gate, e.g. nested past the
  // stack) is skipped, as the live room skips it on load (G6): the export then
  // shows what everyone sees instead of failing.
  doc.transact(() => {
    for (const u of updates) {
      try {
        Y.applyUpdate(doc, u);
      } catch {
        // Skipped; the room logs it when it loads the document.
      }
    }
  });
  return doc;
}

/** The exports' view of a board, read from its documents' bytes (BoardSnapshot plus groups and questions). */
export function contentOf(
  states: DocStates,
  board: { id: string; title: string },
  questions: QuestionView[] | { publicNow: string[] } | undefined,
  onProblem: (p: ReadProblem) => void,
): ExportContent {
  const agenda = decode(states.agenda);
  const notes = decode(states.board);
  const tasks = decode(states.tasks);
  try {
    const content: ExportContent = {
      board,
      agenda: readAgenda(agenda, onProblem),
      notes: readNotes(notes, onProblem),
      roster: readRoster(notes, onProblem),
      groups: readGroups(notes, onProblem),
      tasks: readTasks(tasks, onProblem),
    };
    if (Array.isArray(questions)) content.questions = questions;
    else if (questions) {
      const publicNow = new Set(questions.publicNow);
      content.questions = readQuestions(notes, onProblem)
        .filter((q) => publicNow.has(q.id))
        .map((q) => publicView(q));
    }
    return content;
  } finally {
    agenda.destroy();
    notes.destroy();
    tasks.destroy();
  }
}

export function runTask(task: HeavyTask): HeavyResult {
  switch (task.kind) {
    case 'export': {
      const problems: ReadProblem[] = [];
      const content = contentOf(task.states, task.board, task.questions, (p) => {
        if (problems.length < MAX_PROBLEMS) problems.push(p);
      });
      try {
        // UTF-8 here, not on the event loop: the route sends these bytes as they are.
        return { ok: true, bytes: utf8.encode(renderExport(task.name, content, task.itemId)), problems };
      } catch (e) {
        if (e instanceof MissingInBoard) return { ok: false, missing: e.message };
        throw e;
      }
    }
    case 'suggest': {
      const doc = decode(task.board);
      try {
        const picked = readNotes(doc)
          .filter((n) => task.itemId === null || n.itemId === task.itemId)
          .slice(-SUGGEST_LIMITS.maxNotes)
          .map((n) => ({ id: n.id, text: n.text }));
        return { ok: true, groups: suggestGroups(picked) };
      } finally {
        doc.destroy();
      }
    }
    case 'snapshot': {
      const agenda = decode(task.states.agenda);
      const board = decode(task.states.board);
      const tasks = decode(task.states.tasks);
      try {
        return {
          ok: true,
          agenda: Y.encodeStateAsUpdate(agenda),
          board: Y.encodeStateAsUpdate(board),
          tasks: Y.encodeStateAsUpdate(tasks),
          hash: contentHash(board, tasks),
          live: liveItemIdAt(readAgenda(agenda), task.now),
        };
      } finally {
        agenda.destroy();
        board.destroy();
        tasks.destroy();
      }
    }
    case 'restore':
      return {
        ok: true,
        board: planRestore(task.current.board, task.source.board, [ROOTS.board.notes, ROOTS.board.groups]),
        tasks: planRestore(task.current.tasks, task.source.tasks, [ROOTS.tasks.tasks]),
      };
  }
}
