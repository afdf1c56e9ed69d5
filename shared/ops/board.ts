import * as Y from 'yjs';
import { canDeleteNote, votesUsed, type Actor as PolicyActor } from '../policy';
import {
  boardNotes,
  cleanText,
  isFiniteNumber,
  isSafeKey,
  LIMITS,
  newId,
  type LiveState,
  type Note,
  type Origin,
} from '../schema';

/**
 * Intent-level operations on the brainstorming board. Each one is a single
 * `doc.transact(fn, origin)`, validates its input and is the only place
 * (besides shared/schema) that knows the field names of a note.
 */

/**
 * Okabe–Ito hues (distinguishable with the common colour-vision deficiencies)
 * lightened so that dark text stays readable on them. The id is what the
 * document stores; the name is what people and screen readers are told.
 */
export const NOTE_COLORS = [
  { id: 'yellow', name: 'Yellow', fill: '#f7ef9f', edge: '#c9b800' },
  { id: 'orange', name: 'Orange', fill: '#f5d28a', edge: '#e69f00' },
  { id: 'sky', name: 'Sky blue', fill: '#bfe3f7', edge: '#56b4e9' },
  { id: 'green', name: 'Bluish green', fill: '#99dcc8', edge: '#009e73' },
  { id: 'vermillion', name: 'Vermillion', fill: '#f2b899', edge: '#d55e00' },
  { id: 'purple', name: 'Reddish purple', fill: '#ebc3da', edge: '#cc79a7' },
  { id: 'grey', name: 'Grey', fill: '#e3e3e3', edge: '#7a7a7a' },
] as const;
export type NoteColorId = (typeof NOTE_COLORS)[number]['id'];
export const DEFAULT_NOTE_COLOR: NoteColorId = 'yellow';

export const isNoteColor = (v: unknown): v is NoteColorId =>
  typeof v === 'string' && NOTE_COLORS.some((c) => c.id === v);

/** Palette entry for a stored colour id; unknown ids (from a peer) fall back to the default. */
export const noteColor = (id: string): (typeof NOTE_COLORS)[number] =>
  NOTE_COLORS.find((c) => c.id === id) ?? NOTE_COLORS[0];

export type NoteErrorCode =
  'invalid' | 'not-found' | 'forbidden' | 'voting-closed' | 'no-votes-left' | 'no-vote-to-retract';

/** Thrown when an operation is refused; `code` lets the UI say why. */
export class NoteOpError extends Error {
  constructor(
    readonly code: NoteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NoteOpError';
  }
}

const invalid = (message: string): never => {
  throw new NoteOpError('invalid', message);
};

const clampWorld = (v: number): number => Math.max(-LIMITS.worldExtent, Math.min(LIMITS.worldExtent, v));

function coordinate(v: unknown, name: string): number {
  if (!isFiniteNumber(v)) invalid(`${name} must be a finite number`);
  return clampWorld(Math.round((v as number) * 100) / 100);
}

function safeId(v: unknown, name: string): string {
  if (typeof v !== 'string' || !isSafeKey(v)) invalid(`${name} is not a valid id`);
  return v as string;
}

/** Note text keeps newlines and tabs but no other control characters. */
function noteBody(v: unknown): string {
  if (typeof v !== 'string') return invalid('text must be a string');
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, LIMITS.noteTextLength);
}

function noteMap(doc: Y.Doc, id: string): Y.Map<unknown> {
  const m = boardNotes(doc).get(id);
  if (!(m instanceof Y.Map)) throw new NoteOpError('not-found', `no note ${id}`);
  return m;
}

function maxZ(doc: Y.Doc): number {
  let z = 0;
  boardNotes(doc).forEach((m) => {
    const v = m instanceof Y.Map ? m.get('z') : undefined;
    if (isFiniteNumber(v) && v > z) z = v;
  });
  return z;
}

export interface NewNote {
  text: string;
  x: number;
  y: number;
  color?: string;
  /** '' is nobody's (a copied board's notes); the rule gate holds a client to its own id (G2). */
  authorId: string;
  authorName: string;
  /** The agenda item live when the note was written, or null. */
  itemId: string | null;
  /** Epoch ms on the shared clock; defaults to this machine's clock. */
  createdAt?: number;
  /** Caller-chosen id (tests, imports); a fresh random id otherwise. */
  id?: string;
  /** Stacking order when copying many notes at once (finding the front one each time is O(n)). */
  z?: number;
}

/** Creates a note in front of all others (or at `z`) and returns its id. */
export function addNote(doc: Y.Doc, note: NewNote, origin: Origin): string {
  const id = note.id === undefined ? newId() : safeId(note.id, 'id');
  const text = noteBody(note.text);
  const x = coordinate(note.x, 'x');
  const y = coordinate(note.y, 'y');
  const color = note.color ?? DEFAULT_NOTE_COLOR;
  if (!isNoteColor(color)) invalid(`unknown colour "${String(color)}"`);
  const authorId = note.authorId === '' ? '' : safeId(note.authorId, 'authorId');
  const authorName = cleanText(note.authorName, LIMITS.nameLength);
  const itemId = note.itemId === null ? null : safeId(note.itemId, 'itemId');
  const createdAt = note.createdAt ?? Date.now();
  if (!isFiniteNumber(createdAt)) invalid('createdAt must be a finite number');
  doc.transact(() => {
    const notes = boardNotes(doc);
    if (notes.has(id)) invalid(`note ${id} already exists`);
    const m = new Y.Map<unknown>();
    m.set('text', new Y.Text(text));
    m.set('x', x);
    m.set('y', y);
    m.set('color', color);
    m.set('authorId', authorId);
    m.set('authorName', authorName);
    m.set('itemId', itemId);
    m.set('createdAt', createdAt);
    m.set('votes', new Y.Map<number>());
    m.set('z', note.z !== undefined && isFiniteNumber(note.z) ? note.z : maxZ(doc) + 1);
    m.set('group', '');
    notes.set(id, m);
  }, origin);
  return id;
}

/** The note's shared text, for an editor (edits through it run in `doc.transact(..., origin)` too). */
export function noteText(doc: Y.Doc, id: string): Y.Text | null {
  const m = boardNotes(doc).get(id);
  const t = m instanceof Y.Map ? m.get('text') : null;
  return t instanceof Y.Text ? t : null;
}

/**
 * Replaces the whole text with the smallest edit (common prefix and suffix
 * kept), so that concurrent edits elsewhere in the text survive.
 */
export function setNoteText(doc: Y.Doc, id: string, value: string, origin: Origin): void {
  const next = noteBody(value);
  const t = noteText(doc, id);
  if (!t) throw new NoteOpError('not-found', `no note ${id}`);
  doc.transact(() => applyTextDiff(t, next), origin);
}

/** Applies `next` to `t` as one delete plus one insert around the changed middle. */
export function applyTextDiff(t: Y.Text, next: string): void {
  const prev = t.toString();
  if (prev === next) return;
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)
  )
    end++;
  const removed = prev.length - start - end;
  if (removed > 0) t.delete(start, removed);
  const inserted = next.slice(start, next.length - end);
  if (inserted) t.insert(start, inserted);
}

export function moveNote(doc: Y.Doc, id: string, x: number, y: number, origin: Origin): void {
  const nx = coordinate(x, 'x');
  const ny = coordinate(y, 'y');
  doc.transact(() => {
    const m = noteMap(doc, id);
    if (m.get('x') !== nx) m.set('x', nx);
    if (m.get('y') !== ny) m.set('y', ny);
  }, origin);
}

export function setNoteColor(doc: Y.Doc, id: string, color: string, origin: Origin): void {
  if (!isNoteColor(color)) invalid(`unknown colour "${String(color)}"`);
  doc.transact(() => {
    noteMap(doc, id).set('color', color);
  }, origin);
}

export function setGroup(doc: Y.Doc, id: string, group: string, origin: Origin): void {
  const g = cleanText(group, LIMITS.nameLength);
  doc.transact(() => {
    noteMap(doc, id).set('group', g);
  }, origin);
}

export function bringToFront(doc: Y.Doc, id: string, origin: Origin): void {
  doc.transact(() => {
    const m = noteMap(doc, id);
    const top = maxZ(doc);
    if (m.get('z') !== top || countAtZ(doc, top) > 1) m.set('z', top + 1);
  }, origin);
}

function countAtZ(doc: Y.Doc, z: number): number {
  let n = 0;
  boardNotes(doc).forEach((m) => {
    if (m instanceof Y.Map && m.get('z') === z) n++;
  });
  return n;
}

/** Who deletes: see `canDeleteNote` in shared/policy (author, under either id, or an organizer). */
export type Actor = Pick<PolicyActor, 'role' | 'userId' | 'pseudonym'>;

export function deleteNote(doc: Y.Doc, id: string, actor: Actor, origin: Origin): void {
  doc.transact(() => {
    const m = noteMap(doc, id);
    const authorId = m.get('authorId');
    if (!canDeleteNote(actor, typeof authorId === 'string' ? authorId : ''))
      throw new NoteOpError('forbidden', 'only the author or an organizer can delete this note');
    boardNotes(doc).delete(id);
  }, origin);
}

/**
 * Votes that count, per note. Concurrent voting from two tabs of one person
 * (or a lowered `votesPerPerson`) can leave a voter with more votes stored
 * than allowed; every client then drops the same excess, deterministically
 * (newest notes first), so all of them show the same totals within the limit.
 */
export function countedVotes(
  notes: readonly Note[],
  live: Pick<LiveState, 'votesPerPerson'>,
): Map<string, number> {
  const ordered = [...notes].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const used = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const n of ordered) {
    let total = 0;
    for (const voter of Object.keys(n.votes).sort()) {
      const spent = used.get(voter) ?? 0;
      const take = Math.max(0, Math.min(n.votes[voter] ?? 0, live.votesPerPerson - spent));
      used.set(voter, spent + take);
      total += take;
    }
    totals.set(n.id, total);
  }
  return totals;
}

export { votesUsed };

/** Votes `voterId` may still give. Never negative. */
export const votesRemaining = (
  notes: readonly Note[],
  voterId: string,
  live: Pick<LiveState, 'votesPerPerson'>,
): number => Math.max(0, live.votesPerPerson - votesUsed(notes, voterId));

/** What `voterId` has given over the whole board, as stored (also the rule gate's count, G3). */
export function storedVotesOf(doc: Y.Doc, voterId: string): number {
  return votesIn(boardNotes(doc), voterId);
}

/** `voterId`'s votes over a root of voted things (notes or groups), as stored. */
export function votesIn(root: Y.Map<Y.Map<unknown>>, voterId: string): number {
  let used = 0;
  root.forEach((m) => {
    const votes = m instanceof Y.Map ? m.get('votes') : null;
    const c = votes instanceof Y.Map ? votes.get(voterId) : undefined;
    if (isFiniteNumber(c) && c > 0) used += Math.floor(c);
  });
  return used;
}

/** The votes map of a note or group. */
export function votesMap(m: Y.Map<unknown>): Y.Map<unknown> {
  const v = m.get('votes');
  if (v instanceof Y.Map) return v;
  // A note written by an older or foreign client may lack the map: repair it.
  const fresh = new Y.Map<unknown>();
  m.set('votes', fresh);
  return fresh;
}

/** Gives one vote to a note. Several votes on the same note are allowed. */
export function castVote(
  doc: Y.Doc,
  id: string,
  voterId: string,
  live: Pick<LiveState, 'votingOpen' | 'votesPerPerson'>,
  origin: Origin,
): void {
  const voter = safeId(voterId, 'voterId');
  if (!live.votingOpen) throw new NoteOpError('voting-closed', 'voting is not open');
  doc.transact(() => {
    const m = noteMap(doc, id);
    if (storedVotesOf(doc, voter) >= live.votesPerPerson)
      throw new NoteOpError('no-votes-left', `all ${live.votesPerPerson} votes are used`);
    addVote(votesMap(m), voter);
  }, origin);
}

/** One more vote of `voter` in a votes map (a note's or a group's). */
export function addVote(votes: Y.Map<unknown>, voter: string): void {
  const c = votes.get(voter);
  votes.set(voter, (isFiniteNumber(c) && c > 0 ? Math.floor(c) : 0) + 1);
}

/** One vote of `voter` less in a votes map; throws when there is none (`what`: "note" or "group"). */
export function takeVote(votes: Y.Map<unknown>, voter: string, what: string): void {
  const c = votes.get(voter);
  const n = isFiniteNumber(c) ? Math.floor(c) : 0;
  if (n <= 0) throw new NoteOpError('no-vote-to-retract', `no vote of yours on this ${what}`);
  if (n === 1) votes.delete(voter);
  else votes.set(voter, n - 1);
}

/** Takes one of `voterId`'s votes back from a note. */
export function retractVote(
  doc: Y.Doc,
  id: string,
  voterId: string,
  live: Pick<LiveState, 'votingOpen'>,
  origin: Origin,
): void {
  const voter = safeId(voterId, 'voterId');
  if (!live.votingOpen) throw new NoteOpError('voting-closed', 'voting is not open');
  doc.transact(() => {
    takeVote(votesMap(noteMap(doc, id)), voter, 'note');
  }, origin);
}

// Laying notes out by talk lives in its own module; re-exported so that callers keep one import.
export * from './arrange';

/**
 * Per-user undo: tracks only transactions whose origin is this exact object,
 * so remote edits and other people's work are never undone. Keep one origin
 * object per user and pass it to every operation (UndoManager compares by identity).
 */
export function createNoteUndoManager(doc: Y.Doc, origin: Origin, captureTimeout = 500): Y.UndoManager {
  return new Y.UndoManager(boardNotes(doc), {
    trackedOrigins: new Set<unknown>([origin]),
    captureTimeout,
  });
}
