import * as Y from 'yjs';
import {
  agendaItems,
  agendaLive,
  agendaMeta,
  agendaTimeline,
  boardGroups,
  boardNotes,
  boardRoster,
  taskMap,
} from './keys';
import type {
  Agenda,
  AgendaItem,
  AgendaLinks,
  AgendaMeta,
  Group,
  ItemRun,
  LiveState,
  Note,
  ProblemSink,
  RosterEntry,
  Task,
} from './types';
import { ROLES, TIMER_LABEL_LENGTH, type Role } from './types';
import {
  hhmmToMinutes,
  isFiniteNumber,
  isHHMM,
  isIsoDate,
  isItemKind,
  isSafeKey,
  isSafeUrl,
  isTaskStatus,
  isTimeZone,
  LIMITS,
} from './validate';

/**
 * Validated readers. A malformed entry written by a peer is skipped and
 * reported through `onProblem`; it is never returned half-filled.
 */

const str = (v: unknown, max: number = LIMITS.titleLength): string =>
  typeof v === 'string' ? v.slice(0, max) : '';

const text = (v: unknown, max: number): string | null =>
  v instanceof Y.Text ? v.toString().slice(0, max) : typeof v === 'string' ? v.slice(0, max) : null;

export const DEFAULT_TIME_ZONE = 'UTC';

export const DEFAULT_LIVE: LiveState = {
  currentItemId: null,
  delayMinutes: 0,
  boardLocked: false,
  votesPerPerson: 5,
  votingOpen: false,
  hideVotes: false,
  anonymousNotes: false,
  timerEndsAt: null,
  timerLabel: '',
  discussionNoteId: null,
  spotlight: null,
  groupVotes: false,
};

export function readMeta(doc: Y.Doc): AgendaMeta {
  const m = agendaMeta(doc);
  const tz = m.get('timeZone');
  const date = m.get('date');
  const rawLinks = m.get('links');
  const links: AgendaLinks = {};
  if (rawLinks && typeof rawLinks === 'object' && !(rawLinks instanceof Y.AbstractType)) {
    for (const [k, v] of Object.entries(rawLinks as Record<string, unknown>)) {
      if (isSafeKey(k) && isSafeUrl(v)) links[k] = v;
    }
  }
  return {
    title: str(m.get('title')),
    timeZone: isTimeZone(tz) ? tz : DEFAULT_TIME_ZONE,
    date: isIsoDate(date) ? date : '',
    links,
  };
}

export function readItem(id: string, m: unknown, onProblem?: ProblemSink): AgendaItem | null {
  const problem = (reason: string): null => {
    onProblem?.({ doc: 'agenda', path: `items.${id}`, reason });
    return null;
  };
  if (!(m instanceof Y.Map)) return problem('not a map');
  const start = m.get('start');
  const minutes = m.get('minutes');
  if (!isHHMM(start)) return problem('start is not HH:MM');
  if (!isFiniteNumber(minutes) || minutes < 0 || minutes > LIMITS.maxMinutes)
    return problem('minutes out of range');
  const kind = m.get('kind');
  const url = m.get('url');
  return {
    id,
    start,
    minutes: Math.round(minutes),
    title: str(m.get('title')),
    speaker: str(m.get('speaker')),
    affiliation: str(m.get('affiliation')),
    url: isSafeUrl(url) ? url : '',
    kind: isItemKind(kind) ? kind : 'other',
  };
}

/** Items sorted by start time, then title, so that every client lists them identically. */
export function readItems(doc: Y.Doc, onProblem?: ProblemSink): AgendaItem[] {
  const items: AgendaItem[] = [];
  agendaItems(doc).forEach((m, id) => {
    const item = readItem(id, m, onProblem);
    if (item) items.push(item);
  });
  return items.sort(
    (a, b) =>
      hhmmToMinutes(a.start) - hhmmToMinutes(b.start) ||
      a.title.localeCompare(b.title) ||
      a.id.localeCompare(b.id),
  );
}

export function readLive(doc: Y.Doc): LiveState {
  const l = agendaLive(doc);
  const num = (k: string, lo: number, hi: number, dflt: number): number => {
    const v = l.get(k);
    return isFiniteNumber(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : dflt;
  };
  const id = (k: string): string | null => {
    const v = l.get(k);
    return typeof v === 'string' && isSafeKey(v) ? v : null;
  };
  const spot = l.get('spotlight');
  let spotlight: LiveState['spotlight'] = null;
  if (spot && typeof spot === 'object') {
    const s = spot as Record<string, unknown>;
    if (isFiniteNumber(s.x) && isFiniteNumber(s.y) && isFiniteNumber(s.zoom) && isFiniteNumber(s.at))
      spotlight = { x: s.x, y: s.y, zoom: s.zoom, at: s.at };
  }
  const timer = l.get('timerEndsAt');
  return {
    currentItemId: id('currentItemId'),
    delayMinutes: num('delayMinutes', -LIMITS.maxMinutes, LIMITS.maxMinutes, 0),
    boardLocked: l.get('boardLocked') === true,
    votesPerPerson: num('votesPerPerson', 0, LIMITS.maxVotesPerPerson, DEFAULT_LIVE.votesPerPerson),
    votingOpen: l.get('votingOpen') === true,
    hideVotes: l.get('hideVotes') === true,
    anonymousNotes: l.get('anonymousNotes') === true,
    timerEndsAt: isFiniteNumber(timer) ? timer : null,
    timerLabel: str(l.get('timerLabel'), TIMER_LABEL_LENGTH),
    discussionNoteId: id('discussionNoteId'),
    spotlight,
    groupVotes: l.get('groupVotes') === true,
  };
}

/** When each item really ran (AG7); malformed entries are skipped and reported. */
export function readTimeline(doc: Y.Doc, onProblem?: ProblemSink): Record<string, ItemRun> {
  const out: Record<string, ItemRun> = {};
  agendaTimeline(doc).forEach((v, id) => {
    const r = v as { start?: unknown; end?: unknown } | null;
    const ok =
      isSafeKey(id) &&
      typeof r === 'object' &&
      r !== null &&
      isFiniteNumber(r.start) &&
      (r.end === null || (isFiniteNumber(r.end) && r.end >= r.start));
    if (ok) out[id] = { start: r.start as number, end: r.end as number | null };
    else onProblem?.({ doc: 'agenda', path: `timeline.${id}`, reason: 'not a run' });
  });
  return out;
}

export function readAgenda(doc: Y.Doc, onProblem?: ProblemSink): Agenda {
  return {
    meta: readMeta(doc),
    items: readItems(doc, onProblem),
    live: readLive(doc),
    timeline: readTimeline(doc, onProblem),
  };
}

export function readNote(id: string, m: unknown, onProblem?: ProblemSink): Note | null {
  const problem = (reason: string): null => {
    onProblem?.({ doc: 'board', path: `notes.${id}`, reason });
    return null;
  };
  if (!isSafeKey(id)) return problem('unsafe id');
  if (!(m instanceof Y.Map)) return problem('not a map');
  const t = text(m.get('text'), LIMITS.noteTextLength);
  if (t === null) return problem('text missing');
  const x = m.get('x');
  const y = m.get('y');
  if (!isFiniteNumber(x) || !isFiniteNumber(y)) return problem('position is not numeric');
  const votes = readVotes(m.get('votes'));
  const groupId = m.get('groupId');
  const itemId = m.get('itemId');
  const createdAt = m.get('createdAt');
  const z = m.get('z');
  const clampWorld = (v: number): number => Math.max(-LIMITS.worldExtent, Math.min(LIMITS.worldExtent, v));
  return {
    id,
    text: t,
    x: clampWorld(x),
    y: clampWorld(y),
    color: str(m.get('color'), 32),
    authorId: str(m.get('authorId'), 64),
    authorName: str(m.get('authorName'), LIMITS.nameLength),
    itemId: typeof itemId === 'string' && isSafeKey(itemId) ? itemId : null,
    createdAt: isFiniteNumber(createdAt) ? createdAt : 0,
    votes,
    z: isFiniteNumber(z) ? z : 0,
    group: str(m.get('group'), LIMITS.nameLength),
    // Only notes in a group carry the key (notes of older boards and most notes have none).
    ...(typeof groupId === 'string' && isSafeKey(groupId) ? { groupId } : {}),
  };
}

/** voter id -> whole votes, from a stored votes map (anything else counts as none). */
function readVotes(raw: unknown): Record<string, number> {
  const votes: Record<string, number> = {};
  if (raw instanceof Y.Map) {
    raw.forEach((count, voter) => {
      if (isSafeKey(voter) && isFiniteNumber(count) && count > 0)
        votes[voter] = Math.min(LIMITS.maxVotesPerPerson, Math.floor(count));
    });
  }
  return votes;
}

export function readGroup(id: string, m: unknown, onProblem?: ProblemSink): Group | null {
  const problem = (reason: string): null => {
    onProblem?.({ doc: 'board', path: `groups.${id}`, reason });
    return null;
  };
  if (!isSafeKey(id)) return problem('unsafe id');
  if (!(m instanceof Y.Map)) return problem('not a map');
  const title = text(m.get('title'), LIMITS.titleLength);
  const x = m.get('x');
  const y = m.get('y');
  if (!isFiniteNumber(x) || !isFiniteNumber(y)) return problem('position is not numeric');
  const clampWorld = (v: number): number => Math.max(-LIMITS.worldExtent, Math.min(LIMITS.worldExtent, v));
  return { id, title: title ?? '', x: clampWorld(x), y: clampWorld(y), votes: readVotes(m.get('votes')) };
}

/** Groups sorted by title, then id. */
export function readGroups(doc: Y.Doc, onProblem?: ProblemSink): Group[] {
  const groups: Group[] = [];
  boardGroups(doc).forEach((m, id) => {
    const g = readGroup(id, m, onProblem);
    if (g) groups.push(g);
  });
  return groups.sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

export function readNotes(doc: Y.Doc, onProblem?: ProblemSink): Note[] {
  const notes: Note[] = [];
  boardNotes(doc).forEach((m, id) => {
    const n = readNote(id, m, onProblem);
    if (n) notes.push(n);
  });
  return notes.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

export const totalVotes = (n: Pick<Note, 'votes'>): number =>
  Object.values(n.votes).reduce((s, c) => s + c, 0);

export function readRoster(doc: Y.Doc, onProblem?: ProblemSink): RosterEntry[] {
  const out: RosterEntry[] = [];
  boardRoster(doc).forEach((m, id) => {
    if (!isSafeKey(id) || !(m instanceof Y.Map)) {
      onProblem?.({ doc: 'board', path: `roster.${id}`, reason: 'malformed entry' });
      return;
    }
    const role = m.get('role');
    const lastSeen = m.get('lastSeen');
    out.push({
      id,
      name: str(m.get('name'), LIMITS.nameLength),
      role: (ROLES as readonly unknown[]).includes(role) ? (role as Role) : 'participant',
      lastSeen: isFiniteNumber(lastSeen) ? lastSeen : 0,
    });
  });
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export function readTask(id: string, m: unknown, onProblem?: ProblemSink): Task | null {
  const problem = (reason: string): null => {
    onProblem?.({ doc: 'tasks', path: `tasks.${id}`, reason });
    return null;
  };
  if (!isSafeKey(id)) return problem('unsafe id');
  if (!(m instanceof Y.Map)) return problem('not a map');
  const title = text(m.get('title'), LIMITS.taskTitleLength);
  if (title === null) return problem('title missing');
  const status = m.get('status');
  const due = m.get('due');
  const noteId = m.get('noteId');
  const itemId = m.get('itemId');
  const createdAt = m.get('createdAt');
  return {
    id,
    title,
    owner: str(m.get('owner'), LIMITS.nameLength),
    ownerId: str(m.get('ownerId'), 64),
    due: isIsoDate(due) ? due : null,
    status: isTaskStatus(status) ? status : 'open',
    noteId: typeof noteId === 'string' && isSafeKey(noteId) ? noteId : null,
    itemId: typeof itemId === 'string' && isSafeKey(itemId) ? itemId : null,
    createdAt: isFiniteNumber(createdAt) ? createdAt : 0,
  };
}

export function readTasks(doc: Y.Doc, onProblem?: ProblemSink): Task[] {
  const tasks: Task[] = [];
  taskMap(doc).forEach((m, id) => {
    const t = readTask(id, m, onProblem);
    if (t) tasks.push(t);
  });
  return tasks.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}
