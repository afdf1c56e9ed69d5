/**
 * The rules of a board in one place: the server's rule gate enforces them on
 * every update (docs/SPEC.md G1–G7), the client asks them before it writes so
 * that our own UI never produces a refused update, and the tests check the
 * server's documents against them. Pure functions of plain values: no Yjs.
 */
import type { Denial, DenialCode } from '../protocol';
import { LIMITS } from '../schema/validate';
import type { DocKind, LiveState, Note, Role } from '../schema/types';

/** Per-board sizes (rule G5). The server may lower them by configuration (tests do). */
export const BOARD_LIMITS = {
  notes: 5000,
  tasks: 2000,
  items: LIMITS.maxItems,
  /** Stored size of one document (its full state), in bytes. */
  docBytes: 32 * 1024 * 1024,
} as const;
export type BoardLimits = { [K in keyof typeof BOARD_LIMITS]: number };

/** Per-update sizes (rules G4, G5): an honest client stays far below them. */
export const UPDATE_LIMITS = {
  /**
   * Structs (items, GC ranges) in one update. Checking and applying one costs
   * about 10–25 µs on our 2-core machine (docs/benchmarks.md), so this keeps
   * any single message well under 100 ms of event loop; large honest changes
   * (arranging a full board) are sent as several updates (see `arrangeByTalk`).
   */
  structs: 4000,
  /** Deleted ranges in one update (each overwritten value is one). */
  deleteRanges: 4000,
  /** Yjs client ids one connection may write under, over its lifetime. */
  clientIdsPerConnection: 4,
} as const;

/** Who is acting: what the server knows of a connection, and what a client knows of itself. */
export interface Actor {
  role: Role;
  userId: string;
  /** Author id of this person's anonymous notes (SessionInfo.pseudonym). */
  pseudonym: string;
  /** False for a per-connection identity: such a connection may not vote. */
  issued: boolean;
}

/** Write rights per role and document (rule P1). */
const WRITE_RIGHTS: Record<Role, Record<DocKind, boolean>> = {
  organizer: { agenda: true, board: true, tasks: true, mine: true },
  participant: { agenda: false, board: true, tasks: true, mine: true },
  viewer: { agenda: false, board: false, tasks: false, mine: false },
};

export const roleCanWrite = (role: Role, doc: DocKind): boolean => WRITE_RIGHTS[role][doc];

/**
 * Whether `role` may write `doc` now (P1, P3): the lock stops participants'
 * board writes. Null when allowed, else the denial to show.
 */
export function writeDenial(role: Role, doc: DocKind, live: Pick<LiveState, 'boardLocked'>): Denial | null {
  if (!roleCanWrite(role, doc))
    return { doc, code: 'read-only', reason: `a ${role} cannot change the ${doc}` };
  if ((doc === 'board' || doc === 'mine') && role === 'participant' && live.boardLocked)
    return { doc, code: 'board-locked', reason: 'the organizer has locked the board' };
  return null;
}

/** Whether a note's stored author id is this person (openly or under their pseudonym). */
export const isAuthor = (actor: Pick<Actor, 'userId' | 'pseudonym'>, authorId: string): boolean =>
  authorId !== '' && (authorId === actor.userId || authorId === actor.pseudonym);

/** Only the author or an organizer deletes a note or changes its author fields (G2). */
export const canDeleteNote = (
  actor: Pick<Actor, 'role' | 'userId' | 'pseudonym'>,
  authorId: string,
): boolean => actor.role === 'organizer' || (actor.role === 'participant' && isAuthor(actor, authorId));

/** Why `role` may not remove a group with `votes` votes (GR2: only organizers remove voted groups), or null. */
export const groupRemovalDenial = (role: Role, votes: number): string | null =>
  role !== 'organizer' && votes > 0 ? 'only an organizer can remove a group that has votes' : null;

/**
 * The author fields a new note of `actor` must carry (G2): its own id and name,
 * or, while the organizer asks for anonymous notes, its pseudonym and no name.
 */
export function authorFields(
  actor: Pick<Actor, 'userId' | 'pseudonym'>,
  name: string,
  live: Pick<LiveState, 'anonymousNotes'>,
): { authorId: string; authorName: string } {
  return live.anonymousNotes
    ? { authorId: actor.pseudonym, authorName: '' }
    : { authorId: actor.userId, authorName: name };
}

/** Whether author fields written by `actor` are its own (either form is accepted). */
export const isOwnAuthorship = (
  actor: Pick<Actor, 'userId' | 'pseudonym'>,
  name: string,
  fields: { authorId: unknown; authorName: unknown },
): boolean =>
  (fields.authorId === actor.userId && fields.authorName === name) ||
  (fields.authorId === actor.pseudonym && fields.authorName === '');

/** Sum of `voterId`'s votes over all notes. */
export const votesUsed = (notes: readonly Pick<Note, 'votes'>[], voterId: string): number =>
  notes.reduce((s, n) => s + (n.votes[voterId] ?? 0), 0);

/**
 * Why `actor` may not give one more vote now (G3), or null. `used` is what
 * it has already given over the whole board.
 */
export function voteDenial(
  actor: Pick<Actor, 'issued'>,
  live: Pick<LiveState, 'votingOpen' | 'votesPerPerson'>,
  used: number,
): { code: DenialCode; reason: string } | null {
  if (!live.votingOpen) return { code: 'voting-closed', reason: 'voting is not open' };
  if (!actor.issued)
    return { code: 'forbidden', reason: 'voting needs a personal identity: reload the page to get one' };
  if (used >= live.votesPerPerson)
    return { code: 'no-votes-left', reason: `all ${live.votesPerPerson} votes are used` };
  return null;
}

/** Why a retraction is refused (voting closed), or null. Organizers may clear votes at any time. */
export function retractDenial(
  actor: Pick<Actor, 'role'>,
  live: Pick<LiveState, 'votingOpen'>,
): { code: DenialCode; reason: string } | null {
  if (actor.role === 'organizer' || live.votingOpen) return null;
  return { code: 'voting-closed', reason: 'voting is not open' };
}

/** Why one more note is refused (G5), or null. */
export function noteLimitDenial(
  count: number,
  limits: Pick<BoardLimits, 'notes'> = BOARD_LIMITS,
): string | null {
  return count >= limits.notes ? `this board is full: it holds at most ${limits.notes} notes` : null;
}

/** Why one more task is refused (G5), or null. */
export function taskLimitDenial(
  count: number,
  limits: Pick<BoardLimits, 'tasks'> = BOARD_LIMITS,
): string | null {
  return count >= limits.tasks ? `this board is full: it holds at most ${limits.tasks} tasks` : null;
}

/** Groups of notes on one board (GR1): more are refused as `board-full`. */
export const MAX_GROUPS = 500;

/**
 * Where votes go (GR3): to notes, or to groups while the organizer sets
 * `live.groupVotes`. Giving a vote to the other kind is refused; taking one
 * back is always possible while voting is open. One budget of
 * `votesPerPerson` covers notes and groups together.
 */
export function voteTargetDenial(
  live: Pick<LiveState, 'groupVotes'>,
  target: 'note' | 'group',
): { code: DenialCode; reason: string } | null {
  if (target === 'group' && !live.groupVotes)
    return { code: 'forbidden', reason: 'votes go to notes, not to groups' };
  if (target === 'note' && live.groupVotes)
    return { code: 'forbidden', reason: 'votes go to groups now, not to single notes' };
  return null;
}
