/**
 * Where each write rule applies, as data next to the shape it guards
 * (`shape.ts` says what a place may hold; this says who may write it and what
 * it counts against). The server's rule gate walks this table for every map
 * entry an update writes or removes (server/sync/gate/rules.ts); the rules
 * themselves (what "own vote" or "server only" means) live there and in
 * `shared/policy`.
 *
 * A place is the path of a map entry: its root, the keys down to it, then the
 * entry's own key, e.g. `['notes', '<note id>', 'votes', '<user id>']`. In a
 * pattern `*` matches any one key and `**` (last only) one key or more. The
 * patterns of one document never overlap (tests/unit/gate-places.test.ts
 * checks), so their order does not matter. An entry that no pattern matches is
 * checked against the shape only (G1); characters inside a text are never
 * entries.
 */
import { ROOTS } from './keys';
import type { DocKind } from './types';

/** What is checked at a place. Each names the SPEC rules it enforces. */
export type PlaceRule =
  /** A note as a whole: made with its author (G2), replaced or removed by its author or an organizer, private while private (PW1), counted (G5). */
  | { readonly rule: 'note' }
  /** A note's own fields: those set when it is made change only by an organizer; others by its author (G2). */
  | { readonly rule: 'note-field' }
  /** A counted entry (a task, an agenda item): only its number is limited (G5). */
  | { readonly rule: 'entry' }
  /** A task's `createdBy`: the sender's own id, written when the task is made (G2). */
  | { readonly rule: 'task-creator' }
  /** A group as a whole: counted, and one that holds votes stays unless an organizer removes it (GR1, GR2). */
  | { readonly rule: 'group' }
  /** A group's fields: its votes map is replaced, and its fields removed, by an organizer only (GR2). */
  | { readonly rule: 'group-field' }
  /** One voter's count on a note or a group: one's own, while voting is open, within the budget (G3, GR3, R6). */
  | { readonly rule: 'vote'; readonly target: 'note' | 'group' }
  /** Written by organizers only (AG7); the agenda document refuses others anyway (P1): this says so where it matters. */
  | { readonly rule: 'organizer-only'; readonly reason: string }
  /** Written by the server only, never by a connection (G2, QA1, B2). */
  | { readonly rule: 'server-only'; readonly reason: string };

export type Place = PlaceRule & {
  readonly at: readonly string[];
  /** The SPEC rules enforced here (docs/SPEC.md). */
  readonly spec: readonly string[];
};

/** The root whose entries a board limits (G5): its `BoardLimits` key and how a refusal names them. */
export interface Counted {
  readonly root: string;
  readonly limit: 'notes' | 'tasks' | 'items';
  readonly what: string;
}

export interface DocPlaces {
  readonly counted: Counted;
  readonly places: readonly Place[];
}

/** The places of a notes document: the board, and a person's private notes (PW1: same rules). */
const notePlaces = (root: string): Place[] => [
  { at: [root, '*'], rule: 'note', spec: ['G2', 'G5', 'PW1'] },
  { at: [root, '*', '*'], rule: 'note-field', spec: ['G2'] },
  { at: [root, '*', 'votes', '*'], rule: 'vote', target: 'note', spec: ['G3', 'GR3', 'R6'] },
];

const B = ROOTS.board;

export const PLACES: Readonly<Record<DocKind, DocPlaces>> = {
  board: {
    counted: { root: B.notes, limit: 'notes', what: 'notes' },
    places: [
      ...notePlaces(B.notes),
      { at: [B.groups, '*'], rule: 'group', spec: ['GR1', 'GR2'] },
      { at: [B.groups, '*', '*'], rule: 'group-field', spec: ['GR2'] },
      { at: [B.groups, '*', 'votes', '*'], rule: 'vote', target: 'group', spec: ['GR3', 'R6'] },
      {
        at: [B.roster, '**'],
        rule: 'server-only',
        reason: 'the roster is written by the server only',
        spec: ['G2'],
      },
      {
        at: [B.questions, '**'],
        rule: 'server-only',
        reason: 'questions are written by the server only (QA1)',
        spec: ['QA1'],
      },
      {
        at: [B.polls, '**'],
        rule: 'server-only',
        reason: 'polls are written by the server only (PO3)',
        spec: ['PO3'],
      },
      {
        at: [B.info, '**'],
        rule: 'server-only',
        reason: 'the board title is written by the server only (B2)',
        spec: ['B2', 'PW1'],
      },
    ],
  },
  mine: {
    counted: { root: ROOTS.mine.notes, limit: 'notes', what: 'notes' },
    places: notePlaces(ROOTS.mine.notes),
  },
  tasks: {
    counted: { root: ROOTS.tasks.tasks, limit: 'tasks', what: 'tasks' },
    places: [
      { at: [ROOTS.tasks.tasks, '*'], rule: 'entry', spec: ['G5'] },
      { at: [ROOTS.tasks.tasks, '*', 'createdBy'], rule: 'task-creator', spec: ['G2'] },
    ],
  },
  agenda: {
    counted: { root: ROOTS.agenda.items, limit: 'items', what: 'agenda items' },
    places: [
      { at: [ROOTS.agenda.items, '*'], rule: 'entry', spec: ['G5'] },
      {
        at: [ROOTS.agenda.timeline, '**'],
        rule: 'organizer-only',
        reason: 'only organizers record when an agenda item ran',
        spec: ['AG7'],
      },
    ],
  },
};

/** Whether `at` matches the place `path` + `key` (not concatenated: this runs for every entry of an update). */
export function matchesPlace(at: readonly string[], path: readonly string[], key: string): boolean {
  const length = path.length + 1;
  const rest = at[at.length - 1] === '**';
  if (rest ? length < at.length : length !== at.length) return false;
  const fixed = rest ? at.length - 1 : at.length;
  for (let i = 0; i < fixed; i++) {
    const seg = i < path.length ? path[i] : key;
    if (at[i] !== '*' && at[i] !== seg) return false;
  }
  return true;
}

/** Per document, the places by root: an entry is compared with its own root's few patterns only. */
const BY_ROOT = new Map(
  Object.entries(PLACES).map(([kind, { places }]) => {
    const byRoot = new Map<string, Place[]>();
    for (const p of places) byRoot.set(p.at[0]!, [...(byRoot.get(p.at[0]!) ?? []), p]);
    return [kind as DocKind, byRoot] as const;
  }),
);

/** The rule of the entry `key` of the map at `path` in a document of `kind`, or null (shape only). */
export function placeOf(kind: DocKind, path: readonly string[], key: string): Place | null {
  const candidates = path.length > 0 ? BY_ROOT.get(kind)?.get(path[0]!) : undefined;
  if (!candidates) return null;
  for (const p of candidates) if (matchesPlace(p.at, path, key)) return p;
  return null;
}
