/**
 * The shape of the three documents as data: which roots exist, which keys a
 * map holds, and what each value may be. The readers (`read.ts`) are lenient
 * towards what is stored; this is the strict form that the server's rule gate
 * checks every incoming update against (docs/SPEC.md G1) and that the load-time
 * audit and the tests' invariant checker use. Keep it in step with `keys.ts`
 * and the operations in `shared/ops/`.
 */
import { ROOTS } from './keys';
import { TIMER_LABEL_LENGTH, type DocKind } from './types';
import { isFiniteNumber, isSafeKey, LIMITS } from './validate';

/** A plain value stored in a map (Yjs `ContentAny` with one element). */
export interface ValueField {
  kind: 'value';
  check(v: unknown): boolean;
  /** What the value must be, for refusal messages. */
  expect: string;
}
/** A collaborative text (`Y.Text`) of at most `max` UTF-16 code units, plain (no formatting). */
export interface TextField {
  kind: 'text';
  max: number;
}
/** A `Y.Map`: fixed `fields`, or entries under id-like keys all of one shape. */
export interface MapField {
  kind: 'map';
  fields?: Readonly<Record<string, Field>>;
  entries?: Field;
}
export type Field = ValueField | TextField | MapField;

const value = (expect: string, check: (v: unknown) => boolean): ValueField => ({
  kind: 'value',
  expect,
  check,
});
const str = (max: number): ValueField =>
  value(`text of at most ${max} characters`, (v) => typeof v === 'string' && v.length <= max);
const strOrNull = (max: number): ValueField =>
  value(
    `null or text of at most ${max} characters`,
    (v) => v === null || (typeof v === 'string' && v.length <= max),
  );
const idOrNull = (): ValueField =>
  value('null or an id', (v) => v === null || (typeof v === 'string' && isSafeKey(v)));
const num = (): ValueField => value('a finite number', isFiniteNumber);
const numOrNull = (): ValueField => value('null or a finite number', (v) => v === null || isFiniteNumber(v));
const bool = (): ValueField => value('true or false', (v) => typeof v === 'boolean');

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** `meta.links`: a flat object of at most 10 names to URLs (never nested). */
const links = value('an object of at most 10 names to URLs', (v) => {
  if (!isPlainObject(v)) return false;
  const entries = Object.entries(v);
  return (
    entries.length <= 10 &&
    entries.every(([k, u]) => isSafeKey(k) && typeof u === 'string' && u.length <= LIMITS.urlLength)
  );
});

/** `live.spotlight`: null or `{ x, y, zoom, at }` of finite numbers. */
const spotlight = value('null or { x, y, zoom, at }', (v) => {
  if (v === null) return true;
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 4 && ['x', 'y', 'zoom', 'at'].every((k) => isFiniteNumber(v[k]));
});

/** An item's run (AG7): `{ start, end }`, epoch ms, `end` null while it is live. */
const itemRun = value('{ start, end } with start a time and end a time or null', (v) => {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return (
    keys.length === 2 &&
    isFiniteNumber(v.start) &&
    (v.end === null || (isFiniteNumber(v.end) && v.end >= v.start))
  );
});

/** A vote count: a whole number of votes from one voter on one note. */
export const VOTE_COUNT = value(
  `a whole number from 1 to ${LIMITS.maxVotesPerPerson}`,
  (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= LIMITS.maxVotesPerPerson,
);

export const NOTE_FIELDS = {
  text: { kind: 'text', max: LIMITS.noteTextLength },
  x: num(),
  y: num(),
  color: str(32),
  authorId: value('an id or empty', (v) => v === '' || (typeof v === 'string' && isSafeKey(v))),
  authorName: str(LIMITS.nameLength),
  itemId: idOrNull(),
  createdAt: num(),
  votes: { kind: 'map', entries: VOTE_COUNT },
  z: num(),
  group: str(LIMITS.nameLength),
  /** The group (root `groups`) the note is in, or null (issue 11, GR1). */
  groupId: idOrNull(),
} as const satisfies Record<string, Field>;

/** A public question (issue 11, QA1): written by the server only (the gate refuses any client write). */
export const QUESTION_FIELDS = {
  text: str(LIMITS.questionLength),
  authorName: str(LIMITS.nameLength),
  itemId: idOrNull(),
  createdAt: num(),
  status: value('visible or answered', (v) => v === 'visible' || v === 'answered'),
  pinned: bool(),
  votes: { kind: 'map', entries: value('1', (v) => v === 1) },
} as const satisfies Record<string, Field>;

/** A poll as the board document holds it (issue 22, PO3): written by the server only; counts, never who answered. */
export const POLL_FIELDS = {
  kind: value('choice, rating or words', (v) => v === 'choice' || v === 'rating' || v === 'words'),
  question: str(LIMITS.questionLength),
  options: value(
    'a list of at most 10 texts',
    (v) => Array.isArray(v) && v.length <= 10 && v.every((o) => typeof o === 'string'),
  ),
  multiple: bool(),
  itemId: idOrNull(),
  status: value('draft, open or closed', (v) => v === 'draft' || v === 'open' || v === 'closed'),
  resultsVisible: bool(),
  createdAt: num(),
  answers: num(),
  results: value('null or counts', (v) => v === null || isPlainObject(v)),
} as const satisfies Record<string, Field>;

/** A group of notes (issue 11, GR1): its notes name it in `groupId`. */
export const GROUP_FIELDS = {
  title: { kind: 'text', max: LIMITS.titleLength },
  x: num(),
  y: num(),
  votes: { kind: 'map', entries: VOTE_COUNT },
} as const satisfies Record<string, Field>;

export const TASK_FIELDS = {
  title: { kind: 'text', max: LIMITS.taskTitleLength },
  owner: str(LIMITS.nameLength),
  ownerId: value('an id or empty', (v) => v === '' || (typeof v === 'string' && isSafeKey(v))),
  due: strOrNull(10),
  status: str(16),
  noteId: idOrNull(),
  itemId: idOrNull(),
  createdAt: num(),
  /** The person who made the task (set from the change's origin; checked by the gate, G2). */
  createdBy: value('an id or empty', (v) => v === '' || (typeof v === 'string' && isSafeKey(v))),
} as const satisfies Record<string, Field>;

export const AGENDA_ITEM_FIELDS_SHAPE = {
  start: str(5),
  minutes: num(),
  title: str(LIMITS.titleLength),
  speaker: str(LIMITS.titleLength),
  affiliation: str(LIMITS.titleLength),
  url: str(LIMITS.urlLength),
  kind: str(16),
} as const satisfies Record<string, Field>;

/** Every root of every document, and what it holds. Roots are maps. */
export const SHAPE: Readonly<Record<DocKind, Readonly<Record<string, MapField>>>> = {
  agenda: {
    [ROOTS.agenda.meta]: {
      kind: 'map',
      fields: { title: str(LIMITS.titleLength), timeZone: str(64), date: str(10), links },
    },
    [ROOTS.agenda.items]: { kind: 'map', entries: { kind: 'map', fields: AGENDA_ITEM_FIELDS_SHAPE } },
    [ROOTS.agenda.live]: {
      kind: 'map',
      fields: {
        currentItemId: idOrNull(),
        delayMinutes: num(),
        boardLocked: bool(),
        votesPerPerson: num(),
        votingOpen: bool(),
        hideVotes: bool(),
        anonymousNotes: bool(),
        timerEndsAt: numOrNull(),
        timerLabel: str(TIMER_LABEL_LENGTH),
        discussionNoteId: idOrNull(),
        spotlight,
        groupVotes: bool(),
      },
    },
    [ROOTS.agenda.timeline]: { kind: 'map', entries: itemRun },
  },
  board: {
    [ROOTS.board.notes]: { kind: 'map', entries: { kind: 'map', fields: NOTE_FIELDS } },
    [ROOTS.board.groups]: { kind: 'map', entries: { kind: 'map', fields: GROUP_FIELDS } },
    [ROOTS.board.questions]: { kind: 'map', entries: { kind: 'map', fields: QUESTION_FIELDS } },
    [ROOTS.board.polls]: { kind: 'map', entries: { kind: 'map', fields: POLL_FIELDS } },
    [ROOTS.board.info]: {
      kind: 'map',
      // Written by the server only: the title (B2), when a link or the join code last changed and
      // whether the projector shows how to join (LK3, JN1). Never a token or a code.
      // The private writing phase and how many private notes each person has written (PW1).
      fields: {
        title: str(LIMITS.titleLength),
        linksAt: num(),
        joinShown: bool(),
        privateWriting: bool(),
        privateCounts: { kind: 'map', entries: num() },
      },
    },
    [ROOTS.board.roster]: {
      kind: 'map',
      entries: {
        kind: 'map',
        fields: { name: str(LIMITS.nameLength), role: str(16), lastSeen: num() },
      },
    },
  },
  tasks: {
    [ROOTS.tasks.tasks]: { kind: 'map', entries: { kind: 'map', fields: TASK_FIELDS } },
  },
  mine: {
    [ROOTS.mine.notes]: { kind: 'map', entries: { kind: 'map', fields: NOTE_FIELDS } },
  },
};

/** The field stored under `key` in a map of shape `map`, or null when the schema has none. */
export function fieldAt(map: MapField, key: string): Field | null {
  if (map.fields) return Object.hasOwn(map.fields, key) ? (map.fields[key] ?? null) : null;
  if (map.entries && isSafeKey(key)) return map.entries;
  return null;
}

/** The shape at `path` (root name, then keys), or null when the schema has no such place. */
export function shapeAt(doc: DocKind, path: readonly string[]): Field | null {
  const [root, ...keys] = path;
  if (root === undefined || !Object.hasOwn(SHAPE[doc], root)) return null;
  let f: Field | null = SHAPE[doc][root] ?? null;
  for (const k of keys) {
    if (f?.kind !== 'map') return null;
    f = fieldAt(f, k);
  }
  return f;
}
