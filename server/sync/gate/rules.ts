/**
 * What an update means for the board, and whether its sender may do that
 * (docs/SPEC.md G1–G3, G5). Works on the placements found by `structure.ts`
 * and on the server's document before the update: nothing is applied here.
 */
import * as Y from 'yjs';
import {
  groupRemovalDenial,
  canDeleteNote,
  isOwnAuthorship,
  MAX_GROUPS,
  retractDenial,
  voteDenial,
  voteTargetDenial,
  UPDATE_LIMITS,
  type Actor,
  type BoardLimits,
} from '../../../shared/policy';
import { storedVotesOf } from '../../../shared/ops/board';
import { storedGroupVotesOf } from '../../../shared/ops/groups';
import { fieldAt, shapeAt, type Field } from '../../../shared/schema/shape';
import { isPrivateWriting, type DocKind, type LiveState } from '../../../shared/schema';
import { docTypePath, refuse, type Placement, type TypeRef, type UpdateIndex } from './structure';

export interface RuleContext {
  kind: DocKind;
  doc: Y.Doc;
  actor: Actor & { name: string };
  /** The agenda's live state (board documents), null elsewhere. */
  live: LiveState | null;
  limits: BoardLimits;
  /** Filled when the update changes the actor's own votes (the cluster's vote budget, R6). */
  votes?: VoteReport;
  /** A private notes document (`mine`): whether its board is in private writing now (PW1). */
  privateWriting?: boolean;
}

/** What an accepted update does to its sender's votes: the change in total, and each target it writes. */
export interface VoteReport {
  delta: number;
  /** `note:<id>` or `group:<id>` → the count written, with the id of the item that writes it (null: removed). */
  targets: Map<string, { count: number; item: { client: number; clock: number } | null }>;
}

/** Where a type sits: its path, and whether this update creates it. */
interface Where {
  path: readonly string[];
  isNew: boolean;
  /** Identity of the type, to group counts per text or per votes map. */
  key: object;
  /** The server's type (absent for types the update creates). */
  type: Y.AbstractType<unknown> | null;
}

const whereOf = (ref: TypeRef): Where | null =>
  ref.path === null
    ? null
    : ref.kind === 'doc'
      ? { path: ref.path, isNew: false, key: ref.type, type: ref.type }
      : { path: ref.path, isNew: true, key: ref.item, type: null };

const isRootPath = (p: readonly string[], root: string): boolean => p.length === 1 && p[0] === root;

/** Note fields that only the author (or an organizer) sets, and only when the note is made. */
const FIXED_NOTE_FIELDS = new Set(['authorId', 'authorName', 'createdAt', 'itemId', 'text', 'votes']);

/** Number of live entries of a map type (Y.Map#size walks the entries too). */
function liveEntries(type: { _map: Map<string, Y.Item> }): number {
  let n = 0;
  for (const item of type._map.values()) if (!item.deleted) n++;
  return n;
}

const currentValue = (type: Y.AbstractType<unknown> | null, key: string): Y.Item | null => {
  const item = type?._map.get(key);
  return item && !item.deleted ? item : null;
};

const storedString = (type: Y.AbstractType<unknown> | null, key: string): string => {
  const item = currentValue(type, key);
  const v = item?.content instanceof Y.ContentAny ? item.content.arr[0] : undefined;
  return typeof v === 'string' ? v : '';
};

/** Whether a stored group (a Y.Map) holds any vote. */
const hasVotes = (group: Y.AbstractType<unknown>): boolean => {
  const votes = currentValue(group, 'votes');
  return (
    votes?.content instanceof Y.ContentType &&
    liveEntries(votes.content.type as unknown as { _map: Map<string, Y.Item> }) > 0
  );
};

const storedCount = (item: Y.Item | null): number => {
  const v = item?.content instanceof Y.ContentAny ? item.content.arr[0] : undefined;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
};

/** Where a refused item would have gone, for the message (built only on refusal). */
const labelOf = (kind: DocKind, path: readonly string[], key: string | null): string =>
  `${kind}.${[...path, key ?? '#'].join('.')}`.slice(0, 120);

/** Checks the content of one fresh item against the shape of its place (G1). */
function checkContent(item: Y.Item, field: Field, kind: DocKind, path: readonly string[], key: string): void {
  const c = item.content;
  if (c instanceof Y.ContentDeleted) return;
  if (field.kind === 'value') {
    if (!(c instanceof Y.ContentAny) || c.arr.length !== 1)
      return refuse('schema', `${labelOf(kind, path, key)} must be a plain value`);
    if (!field.check(c.arr[0])) refuse('schema', `${labelOf(kind, path, key)} must be ${field.expect}`);
    return;
  }
  if (!(c instanceof Y.ContentType))
    refuse('schema', `${labelOf(kind, path, key)} must be a shared ${field.kind}`);
  const t = (c as Y.ContentType).type;
  const ok = field.kind === 'map' ? t.constructor === Y.Map : t.constructor === Y.Text;
  if (!ok) refuse('schema', `${labelOf(kind, path, key)} must be a shared ${field.kind}`);
}

/** Validates the placed fresh items and the deletions of one update for its sender. */
export function checkRules(
  ctx: RuleContext,
  index: UpdateIndex,
  placements: Map<Y.Item, Placement>,
  ds: { clients: Map<number, { clock: number; len: number }[]> },
): void {
  const { kind, doc, actor } = ctx;
  const organizer = actor.role === 'organizer';
  /** Per text type: its limit, and characters added and removed by this update. */
  const texts = new Map<
    object,
    { max: number; type: Y.AbstractType<unknown> | null; added: number; removed: number }
  >();
  /** Map entries this update writes, per (server type, key): their removal is an overwrite. */
  const overwritten = new Map<Y.AbstractType<unknown>, Set<string>>();
  /** Entries created and removed under a counted root (notes, tasks, agenda items). */
  let created = 0;
  let removed = 0;
  /** New notes of this update and the author fields written into them. */
  const newNotes = new Map<object, { authorId: unknown[]; authorName: unknown[] }>();
  /** Own vote entries: per votes map, what it belongs to, the stored count and the highest count written. */
  const ownVotes = new Map<
    object,
    {
      target: 'note' | 'group';
      id: string;
      before: number;
      after: number;
      item: { client: number; clock: number } | null;
    }
  >();
  /** Groups created and removed (GR1). */
  let groupsCreated = 0;
  let groupsRemoved = 0;
  let voteChange = false;
  /** Shape per parent type, found once per update. */
  const shapes = new Map<object, Field | null>();
  /** The board and a person's private notes hold notes under the same rules (PW1). */
  const notesDoc = kind === 'board' || kind === 'mine';
  const countedRoot = notesDoc ? 'notes' : kind === 'tasks' ? 'tasks' : 'items';
  // PW1: while private, a new note goes to its author's private document, never to the board
  // (organizers too, so that no text reaches the others by mistake); outside it, only to the board.
  const privatePhase = kind === 'board' ? isPrivateWriting(doc) : ctx.privateWriting === true;

  const text = (where: Where, max: number): { added: number; removed: number } => {
    let t = texts.get(where.key);
    if (!t) texts.set(where.key, (t = { max, type: where.type, added: 0, removed: 0 }));
    return t;
  };

  // ---- fresh items: where they land, what they hold, who may put them there
  for (const [item, at] of placements) {
    if (at.dropped) continue; // Yjs garbage-collects it on arrival: it holds nothing.
    const where = whereOf(at.parent);
    if (where === null) refuse('schema', 'content outside the schema');
    const { path } = where!;
    let shape = shapes.get(where!.key);
    if (shape === undefined) shapes.set(where!.key, (shape = shapeAt(kind, path)));
    if (shape === null)
      refuse('schema', `${labelOf(kind, path, at.key).slice(0, 80)} is not part of the schema`);
    const fresh =
      item.id.clock + item.length - Math.max(item.id.clock, Y.getState(doc.store, item.id.client));

    if (shape!.kind === 'text') {
      if (at.key !== null) refuse('schema', `${labelOf(kind, path, at.key)} holds no named entries`);
      if (!(item.content instanceof Y.ContentString) && !(item.content instanceof Y.ContentDeleted))
        refuse('schema', `${labelOf(kind, path, at.key)} holds plain text only`);
      if (item.content instanceof Y.ContentString) text(where!, shape!.max).added += fresh;
      continue;
    }
    if (shape!.kind !== 'map' || at.key === null)
      refuse('schema', `${labelOf(kind, path, at.key)} is not a list`);
    const key = at.key!;
    const field = fieldAt(shape as Extract<Field, { kind: 'map' }>, key);
    if (field === null) refuse('schema', `${labelOf(kind, path, at.key)} is not part of the schema`);
    checkContent(item, field!, kind, path, key);
    if (where!.type) {
      let keys = overwritten.get(where!.type);
      if (!keys) overwritten.set(where!.type, (keys = new Set()));
      keys.add(key);
    }
    const existing = currentValue(where!.type, key);

    // Counted roots: creations and replacements of whole entries.
    if (isRootPath(path, countedRoot)) {
      if (item.content instanceof Y.ContentType) {
        created++;
        if (kind === 'board' && privatePhase)
          refuse('forbidden', 'private writing: new notes stay private until the organizer reveals them');
        if (kind === 'mine' && !privatePhase)
          refuse('forbidden', 'private writing has ended: write notes on the board');
      }
      if (existing) {
        removed++;
        if (notesDoc && existing.content instanceof Y.ContentType) {
          const authorId = storedString(existing.content.type as Y.AbstractType<unknown>, 'authorId');
          if (!canDeleteNote(actor, authorId))
            refuse('forbidden', 'only the author or an organizer can replace this note');
        }
      }
      if (notesDoc && item.content instanceof Y.ContentType)
        newNotes.set(item, { authorId: [], authorName: [] });
      continue;
    }
    // A task's creator is the sender (G2): written once, when the task is made.
    if (kind === 'tasks' && path.length === 2 && key === 'createdBy' && !organizer) {
      const own = item.content instanceof Y.ContentAny && item.content.arr[0] === actor.userId;
      if (!where!.isNew || !own) refuse('forbidden', 'a task’s creator is the person who makes it');
      continue;
    }
    if (!notesDoc) continue;
    if (path[0] === 'roster') refuse('forbidden', 'the roster is written by the server only');
    if (path[0] === 'questions') refuse('forbidden', 'questions are written by the server only (QA1)');
    if (path[0] === 'info') refuse('forbidden', 'the board title is written by the server only (B2)');

    // Groups (GR1, GR2): anyone who writes the board makes, names and moves them.
    if (path[0] === 'groups' && path.length === 1) {
      if (item.content instanceof Y.ContentType) groupsCreated++;
      if (existing) {
        groupsRemoved++;
        const denial =
          existing.content instanceof Y.ContentType &&
          groupRemovalDenial(actor.role, hasVotes(existing.content.type) ? 1 : 0);
        if (denial) refuse('forbidden', denial);
      }
      continue;
    }
    if (path[0] === 'groups' && path.length === 2) {
      if (key === 'votes' && !where!.isNew && !organizer && existing !== null)
        refuse('forbidden', "only an organizer can replace a group's votes");
      continue;
    }

    // A note's own fields.
    if (path.length === 2 && path[0] === 'notes') {
      if (where!.isNew) {
        const fields = newNotes.get(where!.key);
        if (fields && (key === 'authorId' || key === 'authorName'))
          fields[key].push(item.content instanceof Y.ContentAny ? item.content.arr[0] : undefined);
      } else if (FIXED_NOTE_FIELDS.has(key) && !organizer) {
        // A note written by an older client may lack its votes map: casting a vote repairs it.
        const repair = key === 'votes' && existing === null && item.content instanceof Y.ContentType;
        if (!repair) refuse('forbidden', `only an organizer can change a note's ${key}`);
      }
      continue;
    }

    // Votes (G3, GR3): one's own entry, while voting is open, within the limit.
    if (path.length === 3 && (path[0] === 'notes' || path[0] === 'groups') && path[2] === 'votes') {
      const target = path[0] === 'notes' ? 'note' : 'group';
      if (where!.isNew && !organizer && !(item.content instanceof Y.ContentDeleted)) {
        const note = at.parent.kind === 'new' ? placements.get(at.parent.item) : undefined;
        const noteIsNew = note && !note.dropped && note.parent.kind === 'new';
        if (noteIsNew) refuse('forbidden', `a new ${target} starts without votes`);
      }
      if (key !== actor.userId) refuse('forbidden', 'a person changes only their own votes');
      const live = ctx.live;
      const denial = live && voteDenial(actor, live, 0);
      if (denial && denial.code !== 'no-votes-left') refuse(denial.code, denial.reason);
      voteChange = true;
      let v = ownVotes.get(where!.key);
      if (!v)
        ownVotes.set(
          where!.key,
          (v = { target, id: path[1]!, before: storedCount(existing), after: 0, item: null }),
        );
      const count = item.content instanceof Y.ContentAny ? storedCount(item) : 0;
      if (count >= v.after) v.item = { client: item.id.client, clock: item.id.clock };
      v.after = Math.max(v.after, count);
    }
  }

  // ---- deletions: each range must be known, and each removal allowed
  let ranges = 0;
  for (const list of ds.clients.values()) ranges += list.length;
  if (ranges > UPDATE_LIMITS.deleteRanges)
    refuse('too-large', `more than ${UPDATE_LIMITS.deleteRanges} deleted ranges in one update`);
  const removedItems: Y.Item[] = [];
  for (const [client, listed] of ds.clients) {
    const known = Y.getState(doc.store, client);
    const structs = doc.store.clients.get(client);
    // A range listed twice must not count twice (it would "pay" for more text or notes).
    for (const { clock, len } of mergeRanges(listed)) {
      if (len <= 0) continue;
      if (
        clock + len > known &&
        !index.covers(client, Math.max(clock, known), clock + len - Math.max(clock, known))
      )
        refuse('missing-dependencies', 'the update deletes content the server does not have: sync first');
      if (!structs || clock >= known) continue;
      let i = Y.findIndexSS(structs, clock);
      for (; i < structs.length; i++) {
        const s = structs[i]!;
        if (s.id.clock >= clock + len) break;
        if (!(s instanceof Y.Item) || s.deleted) continue;
        const overlap = Math.min(s.id.clock + s.length, clock + len) - Math.max(s.id.clock, clock);
        removedItems.push(s);
        if (s.content instanceof Y.ContentString && s.parent instanceof Y.AbstractType) {
          const t = texts.get(s.parent);
          if (t) t.removed += overlap;
          else texts.set(s.parent, { max: Infinity, type: s.parent, added: 0, removed: overlap });
        }
      }
    }
  }
  const removedSet = new Set(removedItems);
  const insideRemoved = (item: Y.Item): boolean => {
    for (let p = item.parent, depth = 0; p instanceof Y.AbstractType && depth < 8; depth++) {
      const owner = p._item;
      if (owner === null) return false;
      if (owner.deleted || removedSet.has(owner)) return true;
      p = owner.parent;
    }
    return false;
  };
  for (const item of removedItems) {
    const parent = item.parent;
    if (!(parent instanceof Y.AbstractType) || item.parentSub === null) continue; // text characters
    if (overwritten.get(parent)?.has(item.parentSub)) continue; // replaced: checked as a write
    if (insideRemoved(item)) continue; // goes with the note or task that holds it
    const path = docTypePath(parent);
    if (path === null) continue;
    if (isRootPath(path, countedRoot)) {
      removed++;
      if (notesDoc && item.content instanceof Y.ContentType) {
        const authorId = storedString(item.content.type as Y.AbstractType<unknown>, 'authorId');
        if (!canDeleteNote(actor, authorId))
          refuse('forbidden', 'only the author or an organizer can delete this note');
      }
      continue;
    }
    if (kind === 'tasks' && path.length === 2 && item.parentSub === 'createdBy' && !organizer)
      refuse('forbidden', 'a task’s creator is the person who made it');
    if (!notesDoc) continue;
    if (path[0] === 'roster') refuse('forbidden', 'the roster is written by the server only');
    if (path[0] === 'questions') refuse('forbidden', 'questions are written by the server only (QA1)');
    if (path[0] === 'info') refuse('forbidden', 'the board title is written by the server only (B2)');
    if (path[0] === 'groups' && path.length === 1) {
      groupsRemoved++;
      const denial =
        item.content instanceof Y.ContentType &&
        groupRemovalDenial(actor.role, hasVotes(item.content.type) ? 1 : 0);
      if (denial) refuse('forbidden', denial);
      continue;
    }
    if (path[0] === 'groups' && path.length === 2 && !organizer)
      refuse('forbidden', `only an organizer can remove a group's ${item.parentSub}`);
    if (path.length === 2 && path[0] === 'notes' && !organizer) {
      // Removing a fixed field (the votes map: everyone's votes) is never an author's edit.
      if (FIXED_NOTE_FIELDS.has(item.parentSub))
        refuse('forbidden', `only an organizer can remove a note's ${item.parentSub}`);
      const authorId = storedString(parent, 'authorId');
      if (!canDeleteNote(actor, authorId))
        refuse('forbidden', `only the author or an organizer can remove a note's ${item.parentSub}`);
    }
    if (path.length === 3 && (path[0] === 'notes' || path[0] === 'groups') && path[2] === 'votes') {
      if (!organizer) {
        if (item.parentSub !== actor.userId) refuse('forbidden', 'a person changes only their own votes');
        const denial = ctx.live && retractDenial(actor, ctx.live);
        if (denial) refuse(denial.code, denial.reason);
      }
      if (item.parentSub === actor.userId) {
        let v = ownVotes.get(parent);
        if (!v)
          ownVotes.set(
            parent,
            (v = {
              target: path[0] === 'notes' ? 'note' : 'group',
              id: path[1]!,
              before: storedCount(item),
              after: 0,
              item: null,
            }),
          );
      }
    }
  }

  // ---- totals after the update
  for (const t of texts.values()) {
    if (t.added === 0) continue;
    const current = t.type ? (t.type as Y.Text).length : 0;
    if (current - t.removed + t.added > t.max) refuse('schema', `a text is limited to ${t.max} characters`);
  }
  if (created > removed) {
    const root = doc.getMap(countedRoot);
    const limit = notesDoc ? ctx.limits.notes : kind === 'tasks' ? ctx.limits.tasks : ctx.limits.items;
    const what = notesDoc ? 'notes' : kind === 'tasks' ? 'tasks' : 'agenda items';
    if (liveEntries(root) + created - removed > limit)
      refuse('board-full', `this board is full: it holds at most ${limit} ${what}`);
  }
  if (!organizer) {
    for (const fields of newNotes.values()) {
      // Written once each: a second, concurrent-looking write could win Yjs's conflict resolution.
      if (
        fields.authorId.length !== 1 ||
        fields.authorName.length !== 1 ||
        !isOwnAuthorship(actor, actor.name, {
          authorId: fields.authorId[0],
          authorName: fields.authorName[0],
        })
      )
        refuse('forbidden', 'a new note must carry its author: you');
    }
  }
  if (groupsCreated > groupsRemoved) {
    const groups = doc.getMap('groups') as unknown as { _map: Map<string, Y.Item> };
    if (liveEntries(groups) + groupsCreated - groupsRemoved > MAX_GROUPS)
      refuse('board-full', `this board is full: it holds at most ${MAX_GROUPS} groups`);
  }
  if (voteChange && ctx.live) {
    let delta = 0;
    for (const v of ownVotes.values()) {
      delta += v.after - v.before;
      // A vote given to the kind that does not take votes now (GR3); taking one back is fine.
      const denial = v.after > v.before ? voteTargetDenial(ctx.live, v.target) : null;
      if (denial) refuse(denial.code, denial.reason);
    }
    if (delta > 0) {
      // One budget over notes and groups (GR3).
      const used = storedVotesOf(doc, actor.userId) + storedGroupVotesOf(doc, actor.userId);
      const denial = voteDenial(actor, ctx.live, used + delta - 1);
      if (denial) refuse(denial.code, denial.reason);
    }
    if (ctx.votes) {
      ctx.votes.delta = delta;
      for (const v of ownVotes.values())
        ctx.votes.targets.set(`${v.target}:${v.id}`, { count: v.after, item: v.after > 0 ? v.item : null });
    }
  }
}

/** Ranges sorted by clock, overlapping and adjacent ones merged. */
function mergeRanges(list: readonly { clock: number; len: number }[]): { clock: number; len: number }[] {
  const sorted = [...list].filter((r) => r.len > 0).sort((a, b) => a.clock - b.clock);
  const out: { clock: number; len: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.clock <= last.clock + last.len) last.len = Math.max(last.len, r.clock + r.len - last.clock);
    else out.push({ clock: r.clock, len: r.len });
  }
  return out;
}
