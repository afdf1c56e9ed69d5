import type { AgendaItemInput, AgendaMetaPatch } from '../../shared/ops/agenda';
import { replaceItems, setMeta } from '../../shared/ops/agenda';
import { addNote, isNoteColor } from '../../shared/ops/board';
import { createGroup } from '../../shared/ops/groups';
import { setLiveSettings, type LiveSettings } from '../../shared/ops/live';
import { createTask } from '../../shared/ops/tasks';
import type { DuplicatePart } from '../../shared/protocol/sharing';
import { readAgenda, readGroups, readNotes, readTasks, serverOrigin } from '../../shared/schema';
import type { DocAccess } from '../sync/doc-access';

/**
 * What a new board starts with (DU1, DU2): a copy of another board or a
 * template. References between parts (a note's talk and group, a task's
 * note and talk) are by `key`, so that the new board's ids are its own.
 * Nobody's identity is part of it: no people, votes, questions, history or
 * live state (the talk on now, a running timer, open voting).
 */
export interface BoardContent {
  meta: AgendaMetaPatch | null;
  items: (AgendaItemInput & { key: string })[];
  settings: Partial<LiveSettings>;
  groups: { key: string; title: string; x: number; y: number }[];
  notes: {
    key: string;
    text: string;
    x: number;
    y: number;
    color?: string;
    authorName?: string;
    item: string | null;
    group: string | null;
  }[];
  tasks: { title: string; due: string | null; item: string | null; note: string | null }[];
}

/** The parts of a board that `include` names, as content for a new board. */
export async function readContent(
  docs: DocAccess,
  boardId: string,
  include: ReadonlySet<DuplicatePart>,
): Promise<BoardContent> {
  const out: BoardContent = { meta: null, items: [], settings: {}, groups: [], notes: [], tasks: [] };
  if (include.has('agenda')) {
    const agenda = await docs.read(boardId, 'agenda', (d) => readAgenda(d));
    out.meta = { ...agenda.meta };
    out.items = agenda.items.map(({ id, ...item }) => ({ ...item, key: id }));
    const { votesPerPerson, hideVotes, anonymousNotes, groupVotes, timerLabel } = agenda.live;
    out.settings = { votesPerPerson, hideVotes, anonymousNotes, groupVotes, timerLabel };
  }
  const items = new Set(out.items.map((i) => i.key));
  const onBoard = await docs.read(boardId, 'board', (d) => ({ notes: readNotes(d), groups: readGroups(d) }));
  if (include.has('groups'))
    out.groups = onBoard.groups.map(({ id, title, x, y }) => ({ key: id, title, x, y }));
  const groups = new Set(out.groups.map((g) => g.key));
  if (include.has('notes'))
    out.notes = [...onBoard.notes]
      .sort((a, b) => a.z - b.z)
      .map((n) => ({
        key: n.id,
        text: n.text,
        x: n.x,
        y: n.y,
        ...(isNoteColor(n.color) ? { color: n.color } : {}),
        authorName: n.authorName,
        item: n.itemId !== null && items.has(n.itemId) ? n.itemId : null,
        group: n.groupId && groups.has(n.groupId) ? n.groupId : null,
      }));
  const notes = new Set(out.notes.map((n) => n.key));
  if (include.has('tasks'))
    out.tasks = (await docs.read(boardId, 'tasks', (d) => readTasks(d))).map((t) => ({
      title: t.title,
      due: t.due,
      item: t.itemId !== null && items.has(t.itemId) ? t.itemId : null,
      note: t.noteId !== null && notes.has(t.noteId) ? t.noteId : null,
    }));
  return out;
}

/**
 * Changes written per step: a full board (5,000 notes) is written in steps
 * with the event loop free between them, so that a copy never stalls other
 * boards' sync for long (docs/benchmarks.md).
 */
export const WRITE_CHUNK = 250;

async function inSteps<T>(list: readonly T[], fn: (part: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < list.length; i += WRITE_CHUNK) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await fn(list.slice(i, i + WRITE_CHUNK));
  }
}

/** Writes `content` into a new board's documents, in steps of `WRITE_CHUNK` changes (server changes). */
export async function writeContent(
  docs: DocAccess,
  boardId: string,
  content: BoardContent,
  reason: string,
): Promise<void> {
  const origin = serverOrigin(reason);
  const itemIds = new Map<string, string>();
  const noteIds = new Map<string, string>();
  const idOf = (map: Map<string, string>, key: string | null): string | null =>
    key === null ? null : (map.get(key) ?? null);
  if (content.meta || content.items.length > 0 || Object.keys(content.settings).length > 0)
    await docs.change(boardId, 'agenda', reason, (doc) => {
      if (content.meta) setMeta(doc, content.meta, origin);
      const ids = replaceItems(
        doc,
        content.items.map(({ key: _key, ...item }) => item),
        origin,
      );
      content.items.forEach((item, i) => itemIds.set(item.key, ids[i]!));
      setLiveSettings(doc, content.settings, origin);
    });
  const now = Date.now();
  // In the source's stacking order (sorted by z when read): 1, 2, 3 … without a scan per note.
  let z = 0;
  await inSteps(content.notes, (part) =>
    docs.change(boardId, 'board', reason, (doc) => {
      for (const n of part) {
        const id = addNote(
          doc,
          {
            text: n.text,
            x: n.x,
            y: n.y,
            ...(n.color ? { color: n.color } : {}),
            authorId: '',
            authorName: n.authorName ?? '',
            itemId: idOf(itemIds, n.item),
            createdAt: now,
            z: ++z,
          },
          origin,
        );
        noteIds.set(n.key, id);
      }
    }),
  );
  const members = new Map<string, string[]>();
  for (const n of content.notes)
    if (n.group !== null) members.set(n.group, [...(members.get(n.group) ?? []), noteIds.get(n.key)!]);
  await inSteps(content.groups, (part) =>
    docs.change(boardId, 'board', reason, (doc) => {
      for (const g of part)
        createGroup(doc, { title: g.title, x: g.x, y: g.y }, members.get(g.key) ?? [], origin);
    }),
  );
  await inSteps(content.tasks, (part) =>
    docs.change(boardId, 'tasks', reason, (doc) => {
      for (const t of part)
        createTask(
          doc,
          { title: t.title, due: t.due, itemId: idOf(itemIds, t.item), noteId: idOf(noteIds, t.note) },
          origin,
        );
    }),
  );
}
