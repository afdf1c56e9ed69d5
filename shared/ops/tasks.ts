import * as Y from 'yjs';
import {
  cleanText,
  isIsoDate,
  isSafeKey,
  isTaskStatus,
  LIMITS,
  newId,
  taskMap,
  TASK_STATUSES,
  type AgendaItem,
  type Note,
  type Origin,
  type Task,
  type TaskStatus,
} from '../schema';
import { isoDateOf, wallClockAt } from '../time/wall-clock';

/**
 * Intent-level operations on the tasks document. Each one is a single
 * `transact` with an origin, so that undo, relay and echo handling see one
 * change per intent. Inputs are validated here: a bad value throws a
 * `TaskInputError` with a message fit for a form, and nothing is written.
 */

export class TaskInputError extends Error {
  override name = 'TaskInputError';
}

export interface TaskInput {
  title: string;
  owner?: string;
  ownerId?: string;
  /** `YYYY-MM-DD`, or null/'' for no due date. */
  due?: string | null;
  status?: TaskStatus;
  noteId?: string | null;
  itemId?: string | null;
  /** Epoch ms; defaults to now (injectable for tests and imports). */
  createdAt?: number;
  /** The person making the task (their issued id); the server refuses anyone else's. */
  createdBy?: string;
}

/** Most tasks a board may hold: keeps a runaway client from growing the document without bound. */
export const MAX_TASKS = 2000;

const cleanTitle = (title: unknown): string => {
  if (typeof title !== 'string') throw new TaskInputError('title must be text');
  // Keep line breaks (a title made from a note may span lines) but drop other control characters.
  const t = cleanText(title, LIMITS.taskTitleLength);
  if (t.length === 0) throw new TaskInputError('a task needs a title');
  return t;
};

const cleanOwner = (owner: unknown): string =>
  // Names are one line: any line break becomes a space.
  cleanText(typeof owner === 'string' ? owner.replace(/[\r\n\t]+/g, ' ') : '', LIMITS.nameLength);

const cleanOwnerId = (ownerId: unknown): string => {
  if (ownerId === undefined || ownerId === null || ownerId === '') return '';
  if (typeof ownerId !== 'string' || !isSafeKey(ownerId))
    throw new TaskInputError('owner id is not a valid id');
  return ownerId;
};

const cleanDue = (due: unknown): string | null => {
  if (due === undefined || due === null || due === '') return null;
  if (!isIsoDate(due)) throw new TaskInputError('due date must be a real date as YYYY-MM-DD');
  return due;
};

const cleanStatus = (status: unknown): TaskStatus => {
  if (status === undefined) return 'open';
  if (!isTaskStatus(status)) throw new TaskInputError(`status must be one of ${TASK_STATUSES.join(', ')}`);
  return status;
};

const cleanLink = (id: unknown, what: string): string | null => {
  if (id === undefined || id === null || id === '') return null;
  if (typeof id !== 'string' || !isSafeKey(id)) throw new TaskInputError(`${what} is not a valid id`);
  return id;
};

const taskEntry = (doc: Y.Doc, id: string): Y.Map<unknown> | null => {
  const m = taskMap(doc).get(id);
  return m instanceof Y.Map ? m : null;
};

/** Creates a task and returns its id. */
export function createTask(doc: Y.Doc, input: TaskInput, origin: Origin): string {
  const title = cleanTitle(input.title);
  const owner = cleanOwner(input.owner);
  const ownerId = cleanOwnerId(input.ownerId);
  const due = cleanDue(input.due);
  const status = cleanStatus(input.status);
  const noteId = cleanLink(input.noteId, 'note id');
  const itemId = cleanLink(input.itemId, 'agenda item id');
  const createdBy = cleanOwnerId(input.createdBy);
  const createdAt =
    typeof input.createdAt === 'number' && Number.isFinite(input.createdAt) ? input.createdAt : Date.now();
  const tasks = taskMap(doc);
  if (tasks.size >= MAX_TASKS) throw new TaskInputError(`a board holds at most ${MAX_TASKS} tasks`);
  const id = newId();
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    m.set('title', new Y.Text(title));
    m.set('owner', owner);
    m.set('ownerId', ownerId);
    m.set('due', due);
    m.set('status', status);
    m.set('noteId', noteId);
    m.set('itemId', itemId);
    m.set('createdAt', createdAt);
    // The server checks that the creator is the sender (G2).
    if (createdBy) m.set('createdBy', createdBy);
    tasks.set(id, m);
  }, origin);
  return id;
}

/** "Make task" on a note: the title starts as the note's text and links back to note and talk. */
export function createTaskFromNote(
  tasksDoc: Y.Doc,
  note: Pick<Note, 'id' | 'text' | 'itemId'>,
  origin: Origin,
  extra: Omit<TaskInput, 'title' | 'noteId' | 'itemId'> = {},
): string {
  const text = note.text.trim();
  return createTask(
    tasksDoc,
    {
      ...extra,
      // An empty note still gives a task that can be renamed.
      title: text.length > 0 ? text : 'Follow up on note',
      noteId: note.id,
      itemId: note.itemId,
    },
    origin,
  );
}

/** The collaborative title text, to bind to an editor; null when the task is gone or malformed. */
export function taskTitle(doc: Y.Doc, id: string): Y.Text | null {
  const t = taskEntry(doc, id)?.get('title');
  return t instanceof Y.Text ? t : null;
}

/**
 * Replaces the whole title in one transaction (for plain inputs; editors bound
 * to `taskTitle` edit characters instead, which merges concurrent typing).
 */
export function setTaskTitle(doc: Y.Doc, id: string, title: string, origin: Origin): boolean {
  const clean = cleanTitle(title);
  const t = taskTitle(doc, id);
  if (!t) return false;
  if (t.toString() === clean) return true;
  doc.transact(() => {
    t.delete(0, t.length);
    t.insert(0, clean);
  }, origin);
  return true;
}

/** Sets the owner (a display name, and the roster id when picked from the roster). */
export function assignTask(
  doc: Y.Doc,
  id: string,
  { owner, ownerId }: { owner: string; ownerId?: string | null },
  origin: Origin,
): boolean {
  const name = cleanOwner(owner);
  const oid = cleanOwnerId(ownerId);
  const m = taskEntry(doc, id);
  if (!m) return false;
  doc.transact(() => {
    m.set('owner', name);
    m.set('ownerId', oid);
  }, origin);
  return true;
}

export function setDue(doc: Y.Doc, id: string, due: string | null, origin: Origin): boolean {
  const d = cleanDue(due);
  const m = taskEntry(doc, id);
  if (!m) return false;
  doc.transact(() => m.set('due', d), origin);
  return true;
}

export function setStatus(doc: Y.Doc, id: string, status: TaskStatus, origin: Origin): boolean {
  const s = cleanStatus(status);
  const m = taskEntry(doc, id);
  if (!m) return false;
  doc.transact(() => m.set('status', s), origin);
  return true;
}

export function deleteTask(doc: Y.Doc, id: string, origin: Origin): boolean {
  const tasks = taskMap(doc);
  if (!tasks.has(id)) return false;
  doc.transact(() => tasks.delete(id), origin);
  return true;
}

/* ---------- Views: pure functions over validated tasks ---------- */

/** Tasks made from this note (drives the note's "has a task" indicator). */
export const tasksForNote = (tasks: readonly Task[], noteId: string): Task[] =>
  tasks.filter((t) => t.noteId === noteId);

/** Names compare case-insensitively and ignoring surrounding and repeated spaces. */
export const normalizeName = (name: string): string => name.trim().replace(/\s+/g, ' ').toLocaleLowerCase();

/** "Mine": assigned to my participant id, or typed as my display name. */
export function mine(tasks: readonly Task[], me: { id: string; name: string }): Task[] {
  const myName = normalizeName(me.name);
  return tasks.filter(
    (t) => (me.id !== '' && t.ownerId === me.id) || (myName !== '' && normalizeName(t.owner) === myName),
  );
}

export interface OwnerGroup {
  /** Display name as first written ('' for unassigned). */
  owner: string;
  tasks: Task[];
  count: number;
  /** Tasks not done yet. */
  open: number;
}

/**
 * Groups by owner name (case-insensitive), so a name picked from the roster and
 * the same name typed by hand land together. Sorted by name; unassigned last.
 */
export function byOwner(tasks: readonly Task[]): OwnerGroup[] {
  const groups = new Map<string, OwnerGroup>();
  for (const t of tasks) {
    const key = normalizeName(t.owner);
    let g = groups.get(key);
    if (!g) {
      g = { owner: t.owner.trim(), tasks: [], count: 0, open: 0 };
      groups.set(key, g);
    }
    g.tasks.push(t);
    g.count += 1;
    if (t.status !== 'done') g.open += 1;
  }
  return [...groups.values()].sort((a, b) =>
    a.owner === '' ? 1 : b.owner === '' ? -1 : a.owner.localeCompare(b.owner),
  );
}

/** Every status in workflow order, each with its tasks (possibly none). */
export function byStatus(tasks: readonly Task[]): { status: TaskStatus; tasks: Task[] }[] {
  return TASK_STATUSES.map((status) => ({
    status,
    tasks: tasks.filter((t) => t.status === status),
  }));
}

export interface TalkGroup {
  /** null for tasks not linked to an agenda item (or linked to one that was removed). */
  itemId: string | null;
  title: string;
  tasks: Task[];
}

/** Groups in agenda order; tasks without a (known) talk come last. */
export function byTalk(tasks: readonly Task[], items: readonly AgendaItem[]): TalkGroup[] {
  const groups: TalkGroup[] = [];
  const known = new Set(items.map((i) => i.id));
  for (const item of items) {
    const linked = tasks.filter((t) => t.itemId === item.id);
    if (linked.length > 0) groups.push({ itemId: item.id, title: item.title, tasks: linked });
  }
  const rest = tasks.filter((t) => t.itemId === null || !known.has(t.itemId));
  if (rest.length > 0) groups.push({ itemId: null, title: '', tasks: rest });
  return groups;
}

/** Overdue: has a due date strictly before today and is not done. */
export const isOverdue = (task: Pick<Task, 'due' | 'status'>, todayIsoDate: string): boolean =>
  task.due !== null && task.status !== 'done' && task.due < todayIsoDate;

/** The calendar date (`YYYY-MM-DD`) at an instant in a time zone, e.g. today at the event. */
export function isoDateAt(epochMs: number, timeZone: string): string {
  try {
    return isoDateOf(wallClockAt(epochMs, timeZone));
  } catch {
    return isoDateOf(wallClockAt(epochMs, 'UTC'));
  }
}

/**
 * Discussion mode's running order: notes with votes, most votes first (ties:
 * older first, so the order is the same on every screen). When nobody has
 * voted, every note in the order it was written.
 */
export function discussionTopics(notes: readonly Note[]): Note[] {
  const votes = (n: Note): number => Object.values(n.votes).reduce((s, c) => s + c, 0);
  const voted = notes.filter((n) => votes(n) > 0);
  const pool = voted.length > 0 ? voted : [...notes];
  return pool.sort((a, b) => votes(b) - votes(a) || a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}
