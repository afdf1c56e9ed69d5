/**
 * What an update means for the board, and whether its sender may do that
 * (docs/SPEC.md G1–G3, G5). Works on the placements found by `structure.ts`
 * and on the server's document before the update: nothing is applied here.
 * Every fresh item is checked against the shape of its place (G1); every map
 * entry it writes or removes, against the rule of its place in
 * `shared/schema/places.ts` (the rules are in `place-rules.ts`); then the
 * totals (text lengths, counted entries, authorship of new notes, votes).
 */
import * as Y from 'yjs';
import {
  isOwnAuthorship,
  MAX_GROUPS,
  voteDenial,
  voteTargetDenial,
  UPDATE_LIMITS,
} from '../../../shared/policy';
import { storedVotesOf } from '../../../shared/ops/board';
import { storedGroupVotesOf } from '../../../shared/ops/groups';
import { fieldAt, shapeAt, type Field } from '../../../shared/schema/shape';
import { PLACES, placeOf } from '../../../shared/schema/places';
import { isPrivateWriting, type DocKind } from '../../../shared/schema';
import { checkRemoval, checkWrite, Tally, type RuleContext, type RuleEnv, type Where } from './place-rules';
import { currentValue, liveEntries } from './stored';
import { docTypePath, refuse, type Placement, type TypeRef, type UpdateIndex } from './structure';

export type { RuleContext, VoteReport } from './place-rules';

const whereOf = (ref: TypeRef): Where | null =>
  ref.path === null
    ? null
    : ref.kind === 'doc'
      ? { path: ref.path, isNew: false, key: ref.type, type: ref.type }
      : { path: ref.path, isNew: true, key: ref.item, type: null };

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
  const env: RuleEnv = {
    ctx,
    organizer: actor.role === 'organizer',
    privatePhase: kind === 'board' ? isPrivateWriting(doc) : ctx.privateWriting === true,
    placements,
    tally: new Tally(),
  };
  /** Per text type: its limit, and characters added and removed by this update. */
  const texts = new Map<
    object,
    { max: number; type: Y.AbstractType<unknown> | null; added: number; removed: number }
  >();
  /** Map entries this update writes, per (server type, key): their removal is an overwrite. */
  const overwritten = new Map<Y.AbstractType<unknown>, Set<string>>();
  /** Shape per parent type, found once per update. */
  const shapes = new Map<object, Field | null>();

  // ---- fresh items: where they land, what they hold, who may put them there
  for (const [item, at] of placements) {
    if (at.dropped) continue; // Yjs garbage-collects it on arrival: it holds nothing.
    const where = whereOf(at.parent);
    if (where === null) return refuse('schema', 'content outside the schema');
    const { path } = where;
    let shape = shapes.get(where.key);
    if (shape === undefined) shapes.set(where.key, (shape = shapeAt(kind, path)));
    if (shape === null)
      return refuse('schema', `${labelOf(kind, path, at.key).slice(0, 80)} is not part of the schema`);

    if (shape.kind === 'text') {
      if (at.key !== null) refuse('schema', `${labelOf(kind, path, at.key)} holds no named entries`);
      if (!(item.content instanceof Y.ContentString) && !(item.content instanceof Y.ContentDeleted))
        refuse('schema', `${labelOf(kind, path, at.key)} holds plain text only`);
      if (item.content instanceof Y.ContentString) {
        const fresh =
          item.id.clock + item.length - Math.max(item.id.clock, Y.getState(doc.store, item.id.client));
        let t = texts.get(where.key);
        if (!t) texts.set(where.key, (t = { max: shape.max, type: where.type, added: 0, removed: 0 }));
        t.added += fresh;
      }
      continue;
    }
    if (shape.kind !== 'map' || at.key === null)
      return refuse('schema', `${labelOf(kind, path, at.key)} is not a list`);
    const key = at.key;
    const field = fieldAt(shape, key);
    if (field === null) return refuse('schema', `${labelOf(kind, path, at.key)} is not part of the schema`);
    checkContent(item, field, kind, path, key);
    if (where.type) {
      let keys = overwritten.get(where.type);
      if (!keys) overwritten.set(where.type, (keys = new Set()));
      keys.add(key);
    }
    const place = placeOf(kind, path, key);
    if (place)
      checkWrite(env, place, {
        item,
        parent: at.parent,
        where,
        key,
        existing: currentValue(where.type, key),
      });
  }

  // ---- deletions: each range must be known, and each removal allowed
  const removedItems = deletedItems(doc, index, ds, texts);
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
    const place = placeOf(kind, path, item.parentSub);
    if (place) checkRemoval(env, place, { item, parent, path, key: item.parentSub });
  }

  // ---- totals after the update
  for (const t of texts.values()) {
    if (t.added === 0) continue;
    const current = t.type ? (t.type as Y.Text).length : 0;
    if (current - t.removed + t.added > t.max) refuse('schema', `a text is limited to ${t.max} characters`);
  }
  checkTotals(env);
}

/** The stored items an update's delete set removes, after checking that the server has them (G4, G5). */
function deletedItems(
  doc: Y.Doc,
  index: UpdateIndex,
  ds: { clients: Map<number, { clock: number; len: number }[]> },
  texts: Map<object, { max: number; type: Y.AbstractType<unknown> | null; added: number; removed: number }>,
): Y.Item[] {
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
  return removedItems;
}

/** Counted entries, authorship of new notes, groups and votes after the whole update (G2, G3, G5, GR1, GR3). */
function checkTotals({ ctx, organizer, tally }: RuleEnv): void {
  const { kind, doc, actor } = ctx;
  if (tally.created > tally.removed) {
    const { root, limit: which, what } = PLACES[kind].counted;
    const limit = ctx.limits[which];
    if (liveEntries(doc.getMap(root)) + tally.created - tally.removed > limit)
      refuse('board-full', `this board is full: it holds at most ${limit} ${what}`);
  }
  if (!organizer) {
    for (const fields of tally.newNotes.values()) {
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
  if (tally.groupsCreated > tally.groupsRemoved) {
    const groups = doc.getMap('groups') as unknown as { _map: Map<string, Y.Item> };
    if (liveEntries(groups) + tally.groupsCreated - tally.groupsRemoved > MAX_GROUPS)
      refuse('board-full', `this board is full: it holds at most ${MAX_GROUPS} groups`);
  }
  if (tally.voteChange && ctx.live) {
    let delta = 0;
    for (const v of tally.ownVotes.values()) {
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
      for (const v of tally.ownVotes.values())
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
