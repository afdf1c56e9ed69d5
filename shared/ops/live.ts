import type * as Y from 'yjs';
import {
  agendaLive,
  cleanText,
  isFiniteNumber,
  isSafeKey,
  LIMITS,
  TIMER_LABEL_LENGTH,
  type LiveState,
  type Origin,
} from '../schema';

/**
 * Facilitation state (the agenda document's `live` map): organizer-only
 * operations. The server refuses these writes from anyone else because only
 * organizers may write the agenda document.
 */

export class LiveOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveOpError';
  }
}

function set(doc: Y.Doc, entries: Record<string, unknown>, origin: Origin): void {
  doc.transact(() => {
    const live = agendaLive(doc);
    for (const [k, v] of Object.entries(entries)) {
      // Writing an unchanged value would still create an update for everyone.
      if (live.get(k) !== v) live.set(k, v);
    }
  }, origin);
}

/** While locked, the server refuses participants' writes to the board document. */
export function setBoardLocked(doc: Y.Doc, locked: boolean, origin: Origin): void {
  set(doc, { boardLocked: locked === true }, origin);
}

export function openVoting(doc: Y.Doc, votesPerPerson: number, origin: Origin): void {
  if (!Number.isInteger(votesPerPerson) || votesPerPerson < 1 || votesPerPerson > LIMITS.maxVotesPerPerson)
    throw new LiveOpError(`votes per person must be a whole number from 1 to ${LIMITS.maxVotesPerPerson}`);
  set(doc, { votingOpen: true, votesPerPerson }, origin);
}

export function closeVoting(doc: Y.Doc, origin: Origin): void {
  set(doc, { votingOpen: false }, origin);
}

/** Hide vote counts from everyone but organizers until voting closes. */
export function setHideVotes(doc: Y.Doc, hide: boolean, origin: Origin): void {
  set(doc, { hideVotes: hide === true }, origin);
}

/** Show notes without their author's name. */
export function setAnonymousNotes(doc: Y.Doc, anonymous: boolean, origin: Origin): void {
  set(doc, { anonymousNotes: anonymous === true }, origin);
}

/** Starts the shared timer; `endsAtServerMs` is on the server clock (`session.clock.now()`). */
export function startTimer(doc: Y.Doc, endsAtServerMs: number, origin: Origin): void {
  if (!isFiniteNumber(endsAtServerMs) || endsAtServerMs <= 0)
    throw new LiveOpError('timer end must be an epoch time in ms');
  set(doc, { timerEndsAt: Math.round(endsAtServerMs) }, origin);
}

export function clearTimer(doc: Y.Doc, origin: Origin): void {
  set(doc, { timerEndsAt: null }, origin);
}

/** What the timer is for, shown above it ("Silent brainstorming"); cleaned and cut to TIMER_LABEL_LENGTH. */
export function setTimerLabel(doc: Y.Doc, label: string, origin: Origin): void {
  if (typeof label !== 'string') throw new LiveOpError('timer label must be text');
  set(doc, { timerLabel: cleanText(label, TIMER_LABEL_LENGTH) }, origin);
}

/**
 * Adds `minutes` to the running timer; a timer that already ended (or none)
 * runs again for `minutes` from `nowServerMs`.
 */
export function extendTimer(doc: Y.Doc, minutes: number, nowServerMs: number, origin: Origin): void {
  if (!isFiniteNumber(minutes) || minutes <= 0 || minutes > LIMITS.maxMinutes)
    throw new LiveOpError(`minutes must be from 1 to ${LIMITS.maxMinutes}`);
  if (!isFiniteNumber(nowServerMs) || nowServerMs <= 0)
    throw new LiveOpError('now must be an epoch time in ms');
  const ends = agendaLive(doc).get('timerEndsAt');
  const from = isFiniteNumber(ends) && ends > nowServerMs ? ends : nowServerMs;
  set(doc, { timerEndsAt: Math.round(from + minutes * 60_000) }, origin);
}

export const ZOOM_RANGE = { min: 0.05, max: 4 } as const;

/** "Bring everyone to my view": the centre of the viewport in world units and its zoom. */
export function setSpotlight(doc: Y.Doc, view: NonNullable<LiveState['spotlight']>, origin: Origin): void {
  const { x, y, zoom, at } = view;
  if (![x, y, zoom, at].every(isFiniteNumber))
    throw new LiveOpError('spotlight needs finite x, y, zoom and at');
  if (Math.abs(x) > LIMITS.worldExtent || Math.abs(y) > LIMITS.worldExtent)
    throw new LiveOpError('spotlight is outside the board');
  const z = Math.min(ZOOM_RANGE.max, Math.max(ZOOM_RANGE.min, zoom));
  // A plain object is one atomic value: followers never see half a viewport.
  set(doc, { spotlight: { x, y, zoom: z, at } }, origin);
}

export function clearSpotlight(doc: Y.Doc, origin: Origin): void {
  set(doc, { spotlight: null }, origin);
}

/** Discussion mode: the note everyone looks at, or null to end it. */
export function setDiscussionNote(doc: Y.Doc, noteId: string | null, origin: Origin): void {
  if (noteId !== null && (typeof noteId !== 'string' || !isSafeKey(noteId)))
    throw new LiveOpError('not a note id');
  set(doc, { discussionNoteId: noteId }, origin);
}

/** What a board keeps of its facilitation when it is copied or started from a template (DU1). */
export type LiveSettings = Pick<
  LiveState,
  'votesPerPerson' | 'hideVotes' | 'anonymousNotes' | 'groupVotes' | 'timerLabel'
>;

/** Sets the event's settings at once, none of the live state (voting stays closed, no timer runs). */
export function setLiveSettings(doc: Y.Doc, settings: Partial<LiveSettings>, origin: Origin): void {
  const { votesPerPerson, timerLabel } = settings;
  if (
    votesPerPerson !== undefined &&
    (!Number.isInteger(votesPerPerson) || votesPerPerson < 1 || votesPerPerson > LIMITS.maxVotesPerPerson)
  )
    throw new LiveOpError(`votes per person must be a whole number from 1 to ${LIMITS.maxVotesPerPerson}`);
  const out: Record<string, unknown> = {};
  if (votesPerPerson !== undefined) out.votesPerPerson = votesPerPerson;
  for (const k of ['hideVotes', 'anonymousNotes', 'groupVotes'] as const)
    if (settings[k] !== undefined) out[k] = settings[k] === true;
  if (timerLabel !== undefined) out.timerLabel = cleanText(timerLabel, TIMER_LABEL_LENGTH);
  set(doc, out, origin);
}
