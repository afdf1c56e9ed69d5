import * as Y from 'yjs';
import { MAX_GROUPS, voteTargetDenial } from '../policy';
import {
  agendaLive,
  boardGroups,
  boardNotes,
  cleanText,
  isFiniteNumber,
  isSafeKey,
  LIMITS,
  newId,
  type LiveState,
  type Origin,
} from '../schema';
import {
  addVote,
  applyTextDiff,
  NOTE_SIZE,
  NoteOpError,
  storedVotesOf,
  takeVote,
  votesIn,
  votesMap,
} from './board';
import { groupFrame, type Point, type Rect } from './geometry';
import { layoutGroups } from './group-layout';

/**
 * Groups of notes (issue 11): board root `groups` maps an id to
 * `{ title: Y.Text, x, y, votes }`, and a note names its group in `groupId`.
 * Each operation is one `transact` with its origin, like those of
 * `board.ts`; the rule gate checks the same shape (docs/SPEC.md GR1–GR3).
 */

export { MAX_GROUPS };

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

function groupMap(doc: Y.Doc, id: string): Y.Map<unknown> {
  const m = boardGroups(doc).get(id);
  if (!(m instanceof Y.Map)) throw new NoteOpError('not-found', `no group ${id}`);
  return m;
}

function noteMap(doc: Y.Doc, id: string): Y.Map<unknown> {
  const m = boardNotes(doc).get(id);
  if (!(m instanceof Y.Map)) throw new NoteOpError('not-found', `no note ${id}`);
  return m;
}

export interface NewGroup {
  title: string;
  x: number;
  y: number;
  /** Caller-chosen id (tests, suggestions); a fresh random id otherwise. */
  id?: string;
}

function insertGroup(doc: Y.Doc, group: NewGroup): string {
  const id = group.id === undefined ? newId() : safeId(group.id, 'id');
  const title = cleanText(group.title, LIMITS.titleLength);
  const x = coordinate(group.x, 'x');
  const y = coordinate(group.y, 'y');
  const groups = boardGroups(doc);
  if (groups.has(id)) invalid(`group ${id} already exists`);
  if (groups.size >= MAX_GROUPS) invalid(`a board holds at most ${MAX_GROUPS} groups`);
  const m = new Y.Map<unknown>();
  m.set('title', new Y.Text(title));
  m.set('x', x);
  m.set('y', y);
  m.set('votes', new Y.Map<number>());
  groups.set(id, m);
  return id;
}

/** Makes a group of `noteIds` (which leave any group they were in); returns its id. */
export function createGroup(doc: Y.Doc, group: NewGroup, noteIds: readonly string[], origin: Origin): string {
  let id = '';
  doc.transact(() => {
    // Every check before the first write: Yjs does not roll a transaction back.
    const notes = noteIds.map((n) => noteMap(doc, safeId(n, 'noteId')));
    id = insertGroup(doc, group);
    for (const m of notes) m.set('groupId', id);
  }, origin);
  return id;
}

/** The group's shared title, for binding to an editor. */
export function groupTitle(doc: Y.Doc, id: string): Y.Text | null {
  const m = boardGroups(doc).get(id);
  const t = m instanceof Y.Map ? m.get('title') : null;
  return t instanceof Y.Text ? t : null;
}

export function renameGroup(doc: Y.Doc, id: string, title: string, origin: Origin): void {
  const next = cleanText(title, LIMITS.titleLength);
  const t = groupTitle(doc, id);
  if (!t) throw new NoteOpError('not-found', `no group ${id}`);
  doc.transact(() => applyTextDiff(t, next), origin);
}

/** Moves a group to (x, y); its notes move with it by the same distance. */
export function moveGroup(doc: Y.Doc, id: string, x: number, y: number, origin: Origin): void {
  const nx = coordinate(x, 'x');
  const ny = coordinate(y, 'y');
  doc.transact(() => {
    const g = groupMap(doc, id);
    const ox = g.get('x');
    const oy = g.get('y');
    const dx = isFiniteNumber(ox) ? nx - ox : 0;
    const dy = isFiniteNumber(oy) ? ny - oy : 0;
    g.set('x', nx);
    g.set('y', ny);
    if (dx === 0 && dy === 0) return;
    boardNotes(doc).forEach((m) => {
      if (!(m instanceof Y.Map) || m.get('groupId') !== id) return;
      const mx = m.get('x');
      const my = m.get('y');
      if (isFiniteNumber(mx)) m.set('x', clampWorld(Math.round((mx + dx) * 100) / 100));
      if (isFiniteNumber(my)) m.set('y', clampWorld(Math.round((my + dy) * 100) / 100));
    });
  }, origin);
}

/** Puts a note into a group (or out of any with null). */
export function setNoteGroup(doc: Y.Doc, noteId: string, groupId: string | null, origin: Origin): void {
  doc.transact(() => {
    const m = noteMap(doc, noteId);
    // Out of a group is null, never a removed key: removing a note's field is its author's (G2).
    if (groupId === null) {
      if (m.has('groupId') && m.get('groupId') !== null) m.set('groupId', null);
      return;
    }
    groupMap(doc, safeId(groupId, 'groupId'));
    if (m.get('groupId') !== groupId) m.set('groupId', groupId);
  }, origin);
}

/** Removes a group; its notes stay where they are, in no group. */
export function deleteGroup(doc: Y.Doc, id: string, origin: Origin): void {
  doc.transact(() => {
    groupMap(doc, id);
    boardNotes(doc).forEach((m) => {
      if (m instanceof Y.Map && m.get('groupId') === id) m.set('groupId', null);
    });
    boardGroups(doc).delete(id);
  }, origin);
}

/** A suggested group (POST .../groups/suggest) as the organizer edited it. */
export interface GroupPlan {
  title: string;
  noteIds: readonly string[];
}

/**
 * Applies a plan of groups in one transaction (one undo step). The groups'
 * frames are laid out without overlaps (issue 20 item 10, `layoutGroups`):
 * packed in rows where the plan's notes were when there is room, else next
 * to what is in the way, each group's notes in a grid under its title, clear
 * of every other note and every other group's frame. Returns the new group
 * ids, in the plan's order.
 */
export function applyGroupPlan(doc: Y.Doc, plan: readonly GroupPlan[], origin: Origin): string[] {
  const ids: string[] = [];
  // Every check before the first write: Yjs does not roll a transaction back.
  const planned = plan
    .map((g) => ({
      title: g.title,
      notes: g.noteIds.map((n) => noteMap(doc, safeId(n, 'noteId'))),
    }))
    .filter((g) => g.notes.length > 0);
  if (boardGroups(doc).size + planned.length > MAX_GROUPS)
    invalid(`a board holds at most ${MAX_GROUPS} groups`);
  const moving = new Set(planned.flatMap((g) => g.notes));
  const at = (m: Y.Map<unknown>): Point => ({
    x: isFiniteNumber(m.get('x')) ? (m.get('x') as number) : 0,
    y: isFiniteNumber(m.get('y')) ? (m.get('y') as number) : 0,
  });
  // What stays: the other notes, and the frames of the other groups around the members they keep.
  const obstacles: Rect[] = [];
  const kept = new Map<string, Point[]>();
  boardNotes(doc).forEach((m) => {
    if (!(m instanceof Y.Map) || moving.has(m)) return;
    const p = at(m);
    obstacles.push({ x0: p.x, y0: p.y, x1: p.x + NOTE_SIZE.width, y1: p.y + NOTE_SIZE.height });
    const g = m.get('groupId');
    if (typeof g === 'string' && g !== '') kept.set(g, [...(kept.get(g) ?? []), p]);
  });
  boardGroups(doc).forEach((g, id) => {
    if (!(g instanceof Y.Map)) return;
    const members = kept.get(id) ?? [];
    // A group the plan empties is drawn at its own place: still in the way.
    obstacles.push(groupFrame(at(g), members));
  });
  const all = [...moving].map(at);
  const anchor = { x: Math.min(...all.map((p) => p.x)), y: Math.min(...all.map((p) => p.y)) };
  const places = layoutGroups(
    planned.map((g) => g.notes.length),
    obstacles,
    all.length > 0 ? anchor : { x: 0, y: 0 },
  );
  doc.transact(() => {
    planned.forEach((g, i) => {
      const place = places[i]!;
      const first = place.notes[0]!;
      const id = insertGroup(doc, { title: g.title, x: first.x, y: first.y });
      g.notes.forEach((m, k) => {
        const p = place.notes[k]!;
        m.set('groupId', id);
        m.set('x', clampWorld(p.x));
        m.set('y', clampWorld(p.y));
      });
      ids.push(id);
    });
  }, origin);
  return ids;
}

/** What `voterId` has given to groups, as stored (the gate's count when votes go to groups). */
export function storedGroupVotesOf(doc: Y.Doc, voterId: string): number {
  return votesIn(boardGroups(doc), voterId);
}

/** Gives one vote to a group (while voting is open and votes go to groups). */
export function castGroupVote(
  doc: Y.Doc,
  id: string,
  voterId: string,
  live: Pick<LiveState, 'votingOpen' | 'votesPerPerson' | 'groupVotes'>,
  origin: Origin,
): void {
  const voter = safeId(voterId, 'voterId');
  if (!live.votingOpen) throw new NoteOpError('voting-closed', 'voting is not open');
  const denial = voteTargetDenial(live, 'group');
  if (denial) throw new NoteOpError('forbidden', denial.reason);
  doc.transact(() => {
    const m = groupMap(doc, id);
    // One budget for notes and groups (G3, GR3).
    if (storedVotesOf(doc, voter) + storedGroupVotesOf(doc, voter) >= live.votesPerPerson)
      throw new NoteOpError('no-votes-left', `all ${live.votesPerPerson} votes are used`);
    addVote(votesMap(m), voter);
  }, origin);
}

/** Takes one of `voterId`'s votes back from a group. */
export function retractGroupVote(
  doc: Y.Doc,
  id: string,
  voterId: string,
  live: Pick<LiveState, 'votingOpen'>,
  origin: Origin,
): void {
  const voter = safeId(voterId, 'voterId');
  if (!live.votingOpen) throw new NoteOpError('voting-closed', 'voting is not open');
  doc.transact(() => {
    takeVote(votesMap(groupMap(doc, id)), voter, 'group');
  }, origin);
}

/** The organizer's switch (GR3): votes go to groups (true) or to notes (false). Agenda document. */
export function setGroupVotes(agenda: Y.Doc, on: boolean, origin: Origin): void {
  agenda.transact(() => {
    agendaLive(agenda).set('groupVotes', on === true);
  }, origin);
}
