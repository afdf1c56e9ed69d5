/**
 * Plain (JSON) shapes of what the three Yjs documents of a board hold.
 * These are what readers return and what exports and the UI consume; the
 * Yjs key names themselves live only in `keys.ts`.
 */

/**
 * `mine` is the one per-person document (PW1): each connection's `mine` is its
 * own person's private notes during private writing, opened by identity, never
 * by name, so nobody can ask for someone else's.
 */
export const DOC_KINDS = ['agenda', 'board', 'tasks', 'mine'] as const;
export type DocKind = (typeof DOC_KINDS)[number];
/** The documents every reader of a board shares (exports, prefetch, snapshots). */
export const SHARED_DOC_KINDS = ['agenda', 'board', 'tasks'] as const satisfies readonly DocKind[];

export const ROLES = ['organizer', 'participant', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ITEM_KINDS = ['talk', 'break', 'discussion', 'other'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

export const TASK_STATUSES = ['open', 'doing', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface AgendaLinks {
  meeting?: string;
  registration?: string;
  whiteboard?: string;
  [name: string]: string | undefined;
}

export interface AgendaMeta {
  title: string;
  /** IANA zone name, e.g. `America/New_York`. */
  timeZone: string;
  /** `YYYY-MM-DD` in the event's zone, or '' when not set yet. */
  date: string;
  links: AgendaLinks;
}

export interface AgendaItem {
  id: string;
  /** `HH:MM` wall-clock time in the event's zone. */
  start: string;
  minutes: number;
  title: string;
  speaker: string;
  affiliation: string;
  url: string;
  kind: ItemKind;
}

/** Longest `live.timerLabel`, in UTF-16 code units. */
export const TIMER_LABEL_LENGTH = 60;

/** Facilitation state: written by organizers only (it lives in the agenda document). */
export interface LiveState {
  currentItemId: string | null;
  delayMinutes: number;
  boardLocked: boolean;
  votesPerPerson: number;
  votingOpen: boolean;
  /** Hide vote counts from participants until voting closes. */
  hideVotes: boolean;
  /** Allow notes without an author name shown. */
  anonymousNotes: boolean;
  /** Server epoch ms at which the shared timer ends, or null. */
  timerEndsAt: number | null;
  /** What the timer is for ("Silent brainstorming"), set by the organizer; '' for none. */
  timerLabel: string;
  /** Discussion mode: the note in focus, or null when discussion mode is off. */
  discussionNoteId: string | null;
  /** "Bring everyone to my view": a viewport others follow until they move. */
  spotlight: { x: number; y: number; zoom: number; at: number } | null;
  /** Votes go to groups (true) instead of notes. */
  groupVotes: boolean;
}

/**
 * When an item really ran (AG7): server epoch ms of when it became live and
 * when it stopped being live (null while it still is).
 */
export interface ItemRun {
  start: number;
  end: number | null;
}

export interface Agenda {
  meta: AgendaMeta;
  /** Sorted by start time. */
  items: AgendaItem[];
  live: LiveState;
  /** Item id → when it really ran (AG7); absent or empty when nothing was recorded. */
  timeline?: Record<string, ItemRun>;
}

export interface Note {
  id: string;
  text: string;
  x: number;
  y: number;
  color: string;
  authorId: string;
  authorName: string;
  itemId: string | null;
  createdAt: number;
  /** voter id -> number of votes that voter gave this note */
  votes: Record<string, number>;
  /** Stacking order: larger is in front. */
  z: number;
  /** Optional group label, for clustering notes. */
  group: string;
  /** The group (board root `groups`) this note belongs to; readers leave it out when none. */
  groupId?: string | null;
}

/** A group of notes on the board (its notes carry its id in `groupId`). */
export interface Group {
  id: string;
  title: string;
  x: number;
  y: number;
  /** voter id -> votes given to the group (while the organizer lets groups be voted on) */
  votes: Record<string, number>;
}

export interface Task {
  id: string;
  title: string;
  owner: string;
  ownerId: string;
  /** `YYYY-MM-DD` or null. */
  due: string | null;
  status: TaskStatus;
  noteId: string | null;
  itemId: string | null;
  createdAt: number;
}

/** A person who has joined the board (kept so that people who left still appear as owners). */
export interface RosterEntry {
  id: string;
  name: string;
  role: Role;
  lastSeen: number;
}

/** Whatever a reader had to skip: malformed entries from a peer are reported, never rendered. */
export interface ReadProblem {
  doc: DocKind;
  path: string;
  reason: string;
}
export type ProblemSink = (problem: ReadProblem) => void;
