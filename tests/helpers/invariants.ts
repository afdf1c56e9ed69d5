/**
 * Invariants of the rule gate (docs/SPEC.md G1–G5), checked on the server's
 * own documents (`server.docs.read(boardId, kind, doc => …)`), not on what a
 * client renders: whatever any connection sent, these must hold after it was
 * handled. Each check returns the violations it found (empty when all hold),
 * so a failing fuzz step can print every broken rule at once.
 */
import * as Y from 'yjs';
import type { BoardLimits } from '../../shared/policy';
import { NOTE_FIELDS, TASK_FIELDS, type Field } from '../../shared/schema/shape';
import {
  AGENDA_ITEM_FIELDS,
  DOC_KINDS,
  isFiniteNumber,
  LIMITS,
  ROLES,
  ROOTS,
  TASK_STATUSES,
  type DocKind,
  type Role,
} from '../../shared/schema';

export interface Violation {
  rule: string;
  doc: DocKind;
  path: string;
  detail: string;
}

/** Someone the server let join: what the documents may say about them. */
export interface KnownPerson {
  userId: string;
  name: string;
  role: Role;
  /** Their anonymous author id (Socket.io `session.pseudonym`), when known. */
  pseudonym?: string;
  /** Whether the identity was issued (only issued identities vote). */
  issued: boolean;
}

export interface InvariantContext {
  limits: BoardLimits;
  /** Everyone who joined the board (honest or not) under their real identity. */
  people: readonly KnownPerson[];
}

/**
 * Keys of a note and a task as docs/protocol.md lists them, checked here on their own terms.
 * Fields the schema gains later (shared/schema/shape.ts) are allowed and checked by the shape.
 */
const NOTE_KEYS = [
  'text',
  'x',
  'y',
  'color',
  'authorId',
  'authorName',
  'itemId',
  'createdAt',
  'votes',
  'z',
  'group',
];
const TASK_KEYS = ['title', 'owner', 'ownerId', 'due', 'status', 'noteId', 'itemId', 'createdAt'];
const withShape = (own: string[], shape: Readonly<Record<string, Field>>): string[] => [
  ...new Set([...own, ...Object.keys(shape)]),
];
const ROSTER_KEYS = ['name', 'role', 'lastSeen'];
const META_KEYS = ['title', 'timeZone', 'date', 'links'];
const LIVE_KEYS = [
  'currentItemId',
  'delayMinutes',
  'boardLocked',
  'votesPerPerson',
  'votingOpen',
  'hideVotes',
  'anonymousNotes',
  'timerEndsAt',
  'discussionNoteId',
  'spotlight',
];

const isStr =
  (max: number) =>
  (v: unknown): string | null =>
    typeof v !== 'string'
      ? `not a string: ${describe(v)}`
      : v.length > max
        ? `${v.length} > ${max} characters`
        : null;
const isNum = (v: unknown): string | null =>
  isFiniteNumber(v) ? null : `not a finite number: ${describe(v)}`;
const isBool = (v: unknown): string | null =>
  typeof v === 'boolean' ? null : `not a boolean: ${describe(v)}`;
const orNull =
  (check: (v: unknown) => string | null) =>
  (v: unknown): string | null =>
    v === null ? null : check(v);

function describe(v: unknown): string {
  if (v instanceof Y.AbstractType) return v.constructor.name;
  if (v instanceof Uint8Array) return 'Uint8Array';
  if (v instanceof Y.Doc) return 'Y.Doc';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Items of a type that are alive (not deleted), in list order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function liveListItems(type: Y.AbstractType<any>): Y.Item[] {
  const out: Y.Item[] = [];
  for (let n = type._start; n !== null; n = n.right) if (!n.deleted) out.push(n);
  return out;
}

/** Map entries of a type that are alive. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function liveMapItems(type: Y.AbstractType<any>): [string, Y.Item][] {
  return [...type._map.entries()].filter(([, item]) => !item.deleted);
}

class Checker {
  readonly violations: Violation[] = [];
  constructor(readonly kind: DocKind) {}

  fail(rule: string, path: string, detail: string): void {
    this.violations.push({ rule, doc: this.kind, path, detail });
  }

  /** A Y.Map whose entries are all map entries (no list content). */
  map(path: string, v: unknown): v is Y.Map<unknown> {
    if (!(v instanceof Y.Map)) {
      this.fail('G1', path, `expected Y.Map, found ${describe(v)}`);
      return false;
    }
    const list = liveListItems(v);
    if (list.length > 0) this.fail('G1', path, `${list.length} list items inside a map`);
    return true;
  }

  /** A Y.Text of plain characters (no embeds, formats or attributes) of at most `max` characters. */
  text(path: string, v: unknown, max: number): void {
    if (!(v instanceof Y.Text)) {
      this.fail('G1', path, `expected Y.Text, found ${describe(v)}`);
      return;
    }
    const attrs = liveMapItems(v);
    if (attrs.length > 0) this.fail('G1', path, `attributes on a text: ${attrs.map(([k]) => k).join(', ')}`);
    for (const item of liveListItems(v))
      if (!(item.content instanceof Y.ContentString))
        this.fail('G1', path, `text holds ${item.content.constructor.name}`);
    if (v.length > max) this.fail('G1', path, `text of ${v.length} > ${max} characters`);
  }

  /** Every alive entry of `m` has an allowed key and a value of the allowed type. */
  fields(
    path: string,
    m: Y.Map<unknown>,
    allowed: readonly string[],
    check: (key: string, v: unknown) => void,
  ): void {
    for (const [key, item] of liveMapItems(m)) {
      if (!allowed.includes(key)) {
        this.fail('G1', `${path}.${key}`, `unknown key (value ${describe(m.get(key))})`);
        continue;
      }
      const c = item.content;
      if (!(c instanceof Y.ContentAny) && !(c instanceof Y.ContentType))
        this.fail('G1', `${path}.${key}`, `value stored as ${c.constructor.name}`);
      check(key, m.get(key));
    }
  }

  /** A field only the schema module knows: checked by its shape. */
  byShape(path: string, v: unknown, field: Field | undefined): void {
    if (!field) return;
    if (field.kind === 'text') this.text(path, v, field.max);
    else if (field.kind === 'map') this.map(path, v);
    else this.value(path, v, (x) => (field.check(x) ? null : `not ${field.expect}: ${describe(x)}`));
  }

  value(path: string, v: unknown, check: (v: unknown) => string | null): void {
    if (v instanceof Y.AbstractType) {
      this.fail('G1', path, `expected a plain value, found ${describe(v)}`);
      return;
    }
    const problem = check(v);
    if (problem) this.fail('G1', path, problem);
  }

  /** Roots outside the schema hold nothing alive. */
  roots(doc: Y.Doc): void {
    const allowed = Object.values(ROOTS[this.kind]) as string[];
    for (const [name, type] of doc.share) {
      const alive = liveListItems(type).length + liveMapItems(type).length;
      if (!allowed.includes(name) && alive > 0) this.fail('G1', name, `unknown root with ${alive} entries`);
    }
  }

  /** No struct anywhere carries content the schema never uses, and Yjs has nothing pending. */
  structs(doc: Y.Doc): void {
    const { store } = doc;
    if (store.pendingStructs !== null) this.fail('G4', '(store)', 'pending structs');
    if (store.pendingDs !== null) this.fail('G4', '(store)', 'pending delete set');
    for (const structs of store.clients.values()) {
      for (const s of structs) {
        if (!(s instanceof Y.Item) || s.deleted) continue;
        const c = s.content;
        const ok =
          c instanceof Y.ContentAny ||
          c instanceof Y.ContentString ||
          (c instanceof Y.ContentType && (c.type instanceof Y.Map || c.type instanceof Y.Text)) ||
          c instanceof Y.ContentDeleted;
        if (!ok) {
          const what = c instanceof Y.ContentType ? c.type.constructor.name : c.constructor.name;
          this.fail('G1', `struct ${s.id.client}:${s.id.clock}`, `content ${what}`);
        }
        if (c instanceof Y.ContentAny)
          for (const v of c.arr) this.plainDepth(`struct ${s.id.client}:${s.id.clock}`, v);
      }
    }
  }

  /** Plain values are flat, except links (object of strings) and spotlight (object of numbers). */
  private plainDepth(path: string, v: unknown): void {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      this.fail('G1', path, 'array value');
      return;
    }
    for (const inner of Object.values(v as Record<string, unknown>))
      if (inner !== null && typeof inner === 'object') {
        this.fail('G1', path, 'value nested deeper than the schema');
        return;
      }
  }
}

/** Schema, sizes and counts of one document (G1, G4 pending state, G5 counts and bytes). */
export function checkDoc(kind: DocKind, doc: Y.Doc, ctx: InvariantContext): Violation[] {
  const c = new Checker(kind);
  c.roots(doc);
  c.structs(doc);
  const bytes = Y.encodeStateAsUpdate(doc).byteLength;
  if (bytes > ctx.limits.docBytes) c.fail('G5', '(doc)', `${bytes} > ${ctx.limits.docBytes} bytes`);
  const share = (name: string): unknown => {
    const t = doc.share.get(name);
    // A root nobody wrote yet is fine; reading it as a map would create it.
    return t === undefined ? undefined : doc.getMap(name);
  };

  if (kind === 'agenda') {
    const meta = share(ROOTS.agenda.meta);
    if (meta !== undefined && c.map('meta', meta))
      c.fields('meta', meta, META_KEYS, (k, v) => {
        if (k === 'links') {
          c.value('meta.links', v, (x) => {
            if (x === null || typeof x !== 'object' || Array.isArray(x)) return `links: ${describe(x)}`;
            for (const [name, url] of Object.entries(x as Record<string, unknown>)) {
              const p = isStr(LIMITS.urlLength)(url);
              if (p) return `link ${name}: ${p}`;
            }
            return null;
          });
        } else c.value(`meta.${k}`, v, isStr(k === 'title' ? LIMITS.titleLength : 64));
      });
    const items = share(ROOTS.agenda.items);
    if (items !== undefined && c.map('items', items)) {
      if (items.size > ctx.limits.items) c.fail('G5', 'items', `${items.size} > ${ctx.limits.items} items`);
      items.forEach((item, id) => {
        if (!c.map(`items.${id}`, item)) return;
        c.fields(`items.${id}`, item, AGENDA_ITEM_FIELDS, (k, v) =>
          c.value(
            `items.${id}.${k}`,
            v,
            k === 'minutes' ? isNum : isStr(k === 'url' ? LIMITS.urlLength : LIMITS.titleLength),
          ),
        );
      });
    }
    const live = share(ROOTS.agenda.live);
    if (live !== undefined && c.map('live', live))
      c.fields('live', live, LIVE_KEYS, (k, v) => {
        const check =
          k === 'boardLocked' || k === 'votingOpen' || k === 'hideVotes' || k === 'anonymousNotes'
            ? isBool
            : k === 'delayMinutes' || k === 'votesPerPerson'
              ? isNum
              : k === 'timerEndsAt'
                ? orNull(isNum)
                : k === 'spotlight'
                  ? (x: unknown) =>
                      x === null
                        ? null
                        : typeof x === 'object' &&
                            !Array.isArray(x) &&
                            Object.values(x as object).every(isFiniteNumber)
                          ? null
                          : `spotlight: ${describe(x)}`
                  : orNull(isStr(64));
        c.value(`live.${k}`, v, check);
      });
  }

  if (kind === 'board') {
    const notes = share(ROOTS.board.notes);
    if (notes !== undefined && c.map('notes', notes)) {
      if (notes.size > ctx.limits.notes) c.fail('G5', 'notes', `${notes.size} > ${ctx.limits.notes} notes`);
      notes.forEach((note, id) => {
        const path = `notes.${id}`;
        if (!c.map(path, note)) return;
        c.fields(path, note, withShape(NOTE_KEYS, NOTE_FIELDS), (k, v) => {
          if (!NOTE_KEYS.includes(k)) c.byShape(`${path}.${k}`, v, (NOTE_FIELDS as Record<string, Field>)[k]);
          else if (k === 'text') c.text(`${path}.text`, v, LIMITS.noteTextLength);
          else if (k === 'votes') {
            if (!c.map(`${path}.votes`, v)) return;
            c.fields(`${path}.votes`, v, [...v.keys()], (voter, count) =>
              c.value(`${path}.votes.${voter}`, count, (x) =>
                Number.isInteger(x) && (x as number) > 0 ? null : `vote count ${describe(x)}`,
              ),
            );
          } else if (k === 'x' || k === 'y' || k === 'z' || k === 'createdAt')
            c.value(`${path}.${k}`, v, isNum);
          else if (k === 'itemId') c.value(`${path}.${k}`, v, orNull(isStr(64)));
          else
            c.value(`${path}.${k}`, v, isStr(k === 'authorId' ? 64 : k === 'color' ? 32 : LIMITS.nameLength));
        });
      });
    }
    const roster = share(ROOTS.board.roster);
    if (roster !== undefined && c.map('roster', roster))
      roster.forEach((entry, id) => {
        if (!c.map(`roster.${id}`, entry)) return;
        c.fields(`roster.${id}`, entry, ROSTER_KEYS, (k, v) =>
          c.value(
            `roster.${id}.${k}`,
            v,
            k === 'lastSeen'
              ? isNum
              : k === 'role'
                ? (x) => ((ROLES as readonly unknown[]).includes(x) ? null : `role ${describe(x)}`)
                : isStr(LIMITS.nameLength),
          ),
        );
      });
  }

  if (kind === 'tasks') {
    const tasks = share(ROOTS.tasks.tasks);
    if (tasks !== undefined && c.map('tasks', tasks)) {
      if (tasks.size > ctx.limits.tasks) c.fail('G5', 'tasks', `${tasks.size} > ${ctx.limits.tasks} tasks`);
      tasks.forEach((task, id) => {
        const path = `tasks.${id}`;
        if (!c.map(path, task)) return;
        c.fields(path, task, withShape(TASK_KEYS, TASK_FIELDS), (k, v) => {
          if (!TASK_KEYS.includes(k)) c.byShape(`${path}.${k}`, v, (TASK_FIELDS as Record<string, Field>)[k]);
          else if (k === 'title') c.text(`${path}.title`, v, LIMITS.taskTitleLength);
          else if (k === 'createdAt') c.value(`${path}.${k}`, v, isNum);
          else if (k === 'status')
            c.value(`${path}.${k}`, v, (x) =>
              (TASK_STATUSES as readonly unknown[]).includes(x) ? null : `status ${describe(x)}`,
            );
          else if (k === 'due' || k === 'noteId' || k === 'itemId')
            c.value(`${path}.${k}`, v, orNull(isStr(64)));
          else c.value(`${path}.${k}`, v, isStr(k === 'ownerId' ? 64 : LIMITS.nameLength));
        });
      });
    }
  }
  return c.violations;
}

/** Plain view of the votes, for the rules that compare steps (G3). */
export type VoteTable = Map<string, Map<string, number>>;

export function voteTable(boardDoc: Y.Doc): VoteTable {
  const out: VoteTable = new Map();
  const notes = boardDoc.share.has(ROOTS.board.notes) ? boardDoc.getMap(ROOTS.board.notes) : null;
  notes?.forEach((note, id) => {
    const votes = note instanceof Y.Map ? note.get('votes') : null;
    const row = new Map<string, number>();
    if (votes instanceof Y.Map)
      votes.forEach((count, voter) => {
        if (typeof count === 'number') row.set(voter, count);
      });
    out.set(id, row);
  });
  return out;
}

/**
 * Identity rules over a board document (G2, G3): authors are people who
 * joined, writing as themselves; voters are issued identities within the
 * limit; the roster says what the server saw at each join.
 */
export function checkPeople(
  boardDoc: Y.Doc,
  live: { votesPerPerson: number },
  ctx: InvariantContext,
): Violation[] {
  const out: Violation[] = [];
  const fail = (rule: string, path: string, detail: string): void => {
    out.push({ rule, doc: 'board', path, detail });
  };
  const byId = new Map(ctx.people.map((p) => [p.userId, p]));
  const byPseudonym = new Map(ctx.people.filter((p) => p.pseudonym).map((p) => [p.pseudonym!, p]));
  const notes = boardDoc.share.has(ROOTS.board.notes) ? boardDoc.getMap(ROOTS.board.notes) : null;
  notes?.forEach((note, id) => {
    if (!(note instanceof Y.Map)) return;
    const authorId = note.get('authorId');
    const authorName = note.get('authorName');
    if (authorId === undefined && authorName === undefined) return;
    const open = typeof authorId === 'string' ? byId.get(authorId) : undefined;
    const anon = typeof authorId === 'string' ? byPseudonym.get(authorId) : undefined;
    if (open) {
      if (authorName !== open.name && open.role !== 'organizer')
        fail(
          'G2',
          `notes.${id}.authorName`,
          `"${String(authorName)}" is not ${open.userId}'s name "${open.name}"`,
        );
    } else if (anon) {
      if (authorName !== '') fail('G2', `notes.${id}.authorName`, 'an anonymous note carries a name');
    } else fail('G2', `notes.${id}.authorId`, `"${String(authorId)}" is nobody who joined`);
  });
  const totals = new Map<string, number>();
  for (const [noteId, row] of voteTable(boardDoc))
    for (const [voter, count] of row) {
      totals.set(voter, (totals.get(voter) ?? 0) + count);
      const p = byId.get(voter);
      if (!p) fail('G3', `notes.${noteId}.votes.${voter}`, 'voter is nobody who joined');
      else if (!p.issued) fail('G3', `notes.${noteId}.votes.${voter}`, 'voter has no issued identity');
    }
  for (const [voter, total] of totals)
    if (total > live.votesPerPerson)
      fail('G3', `votes.${voter}`, `${total} votes over the board > ${live.votesPerPerson} per person`);
  const roster = boardDoc.share.has(ROOTS.board.roster) ? boardDoc.getMap(ROOTS.board.roster) : null;
  roster?.forEach((entry, id) => {
    const p = byId.get(id);
    if (!p) {
      fail('G2', `roster.${id}`, 'roster entry for nobody who joined');
      return;
    }
    const role = entry instanceof Y.Map ? entry.get('role') : undefined;
    if (role !== p.role) fail('G2', `roster.${id}.role`, `"${String(role)}" but joined as ${p.role}`);
  });
  return out;
}

/**
 * G3 across steps: while voting stays closed, no (note, voter) count grows.
 * Feed it the votes and `votingOpen` after every step.
 */
export class VoteHistory {
  private last: { table: VoteTable; open: boolean } | null = null;

  observe(table: VoteTable, votingOpen: boolean): Violation[] {
    const out: Violation[] = [];
    const prev = this.last;
    if (prev && !prev.open && !votingOpen) {
      for (const [noteId, row] of table)
        for (const [voter, count] of row) {
          const before = prev.table.get(noteId)?.get(voter) ?? 0;
          if (count > before)
            out.push({
              rule: 'G3',
              doc: 'board',
              path: `notes.${noteId}.votes.${voter}`,
              detail: `${before} → ${count} while voting was closed`,
            });
        }
    }
    this.last = { table, open: votingOpen };
    return out;
  }
}

/** Reads `live` plainly from an agenda document. */
export function liveOf(agenda: Y.Doc): { votingOpen: boolean; votesPerPerson: number } {
  const live = agenda.share.has(ROOTS.agenda.live) ? agenda.getMap(ROOTS.agenda.live) : null;
  const per = live?.get('votesPerPerson');
  return {
    votingOpen: live?.get('votingOpen') === true,
    votesPerPerson: isFiniteNumber(per) ? per : 5,
  };
}

/** Something with the server's document access (tests/helpers/server.ts TestServer). */
export interface HasDocs {
  docs: { read<T>(boardId: string, kind: DocKind, fn: (doc: Y.Doc) => T): Promise<T> };
}

/**
 * Every invariant over the three documents of a board, read from the server.
 * Pass a `VoteHistory` to also check that no vote was added while voting was closed.
 */
export async function checkBoard(
  server: HasDocs,
  boardId: string,
  ctx: InvariantContext,
  history?: VoteHistory,
): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const kind of DOC_KINDS)
    out.push(...(await server.docs.read(boardId, kind, (d) => checkDoc(kind, d, ctx))));
  const live = await server.docs.read(boardId, 'agenda', liveOf);
  out.push(
    ...(await server.docs.read(boardId, 'board', (d) => {
      const v = checkPeople(d, live, ctx);
      if (history) v.push(...history.observe(voteTable(d), live.votingOpen));
      return v;
    })),
  );
  return out;
}

/** One line per violation, for assertion messages. */
export const formatViolations = (vs: readonly Violation[]): string =>
  vs.map((v) => `${v.rule} ${v.doc} ${v.path}: ${v.detail}`).join('\n');

/** What one step may change of a note, by rule G2/G3: its author and its votes. */
export interface NoteFacts {
  authorId: unknown;
  votes: Map<string, number>;
}

export function noteFacts(boardDoc: Y.Doc): Map<string, NoteFacts> {
  const out = new Map<string, NoteFacts>();
  const votes = voteTable(boardDoc);
  const notes = boardDoc.share.has(ROOTS.board.notes) ? boardDoc.getMap(ROOTS.board.notes) : null;
  notes?.forEach((note, id) => {
    out.set(id, {
      authorId: note instanceof Y.Map ? note.get('authorId') : undefined,
      votes: votes.get(id) ?? new Map(),
    });
  });
  return out;
}

/**
 * G2/G3 across one step made by a single sender (everything else idle): a
 * participant creates notes only as itself, deletes only its own, never
 * rewrites an author, and changes only its own votes; an organizer may do
 * all of that to anyone's, but adds votes only as itself.
 */
export function checkStep(
  before: Map<string, NoteFacts>,
  after: Map<string, NoteFacts>,
  sender: { userId: string; pseudonym: string; role: Role },
): Violation[] {
  const out: Violation[] = [];
  const fail = (rule: string, path: string, detail: string): void => {
    out.push({ rule, doc: 'board', path, detail });
  };
  const organizer = sender.role === 'organizer';
  const own = (authorId: unknown): boolean => authorId === sender.userId || authorId === sender.pseudonym;
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was) {
      if (!organizer && !own(now.authorId))
        fail('G2', `notes.${id}`, `new note of ${String(now.authorId)} written by ${sender.userId}`);
    } else if (was.authorId !== now.authorId && !organizer)
      fail(
        'G2',
        `notes.${id}.authorId`,
        `${String(was.authorId)} → ${String(now.authorId)} by ${sender.userId}`,
      );
    for (const [voter, count] of now.votes) {
      const prev = was?.votes.get(voter) ?? 0;
      if (count > prev && voter !== sender.userId)
        fail('G3', `notes.${id}.votes.${voter}`, `${prev} → ${count} by ${sender.userId}`);
    }
    if (was && !organizer)
      for (const [voter, prev] of was.votes) {
        const count = now.votes.get(voter) ?? 0;
        if (count < prev && voter !== sender.userId)
          fail('G3', `notes.${id}.votes.${voter}`, `${prev} → ${count} by ${sender.userId}`);
      }
  }
  for (const [id, was] of before)
    if (!after.has(id) && !organizer && !own(was.authorId))
      fail('G2', `notes.${id}`, `note of ${String(was.authorId)} deleted by ${sender.userId}`);
  return out;
}
