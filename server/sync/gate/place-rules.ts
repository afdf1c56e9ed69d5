/**
 * What each rule of `shared/schema/places.ts` checks when an update writes or
 * removes an entry at its place (docs/SPEC.md G2, G3, G5, GR1–GR3, PW1, QA1,
 * B2). Each rule refuses at once, or records what the totals after the update
 * need (`Tally`): the gate's walk (`rules.ts`) finds the place, this says what
 * it means.
 */
import * as Y from 'yjs';
import {
  canDeleteNote,
  groupRemovalDenial,
  retractDenial,
  voteDenial,
  type Actor,
  type BoardLimits,
} from '../../../shared/policy';
import type { DocKind, LiveState } from '../../../shared/schema';
import type { Place, PlaceRule } from '../../../shared/schema/places';
import { hasVotes, storedCount, storedString } from './stored';
import { refuse, type Placement } from './structure';

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
export interface Where {
  path: readonly string[];
  isNew: boolean;
  /** Identity of the type, to group counts per text or per votes map. */
  key: object;
  /** The server's type (absent for types the update creates). */
  type: Y.AbstractType<unknown> | null;
}

/** One voter's entry in one votes map: the stored count and the highest count this update writes. */
interface OwnVote {
  target: 'note' | 'group';
  id: string;
  before: number;
  after: number;
  item: { client: number; clock: number } | null;
}

/** What one update adds up to, for the checks after its last entry (`rules.ts`). */
export class Tally {
  /** Entries created and removed under the counted root (notes, tasks, agenda items; G5). */
  created = 0;
  removed = 0;
  /** New notes of this update and the author fields written into them (G2). */
  readonly newNotes = new Map<object, { authorId: unknown[]; authorName: unknown[] }>();
  /** Own vote entries, per votes map (G3, GR3, R6). */
  readonly ownVotes = new Map<object, OwnVote>();
  /** Groups created and removed (GR1). */
  groupsCreated = 0;
  groupsRemoved = 0;
  voteChange = false;
}

export interface RuleEnv {
  ctx: RuleContext;
  organizer: boolean;
  /** PW1: whether new notes go to their author's private document now. */
  privatePhase: boolean;
  placements: Map<Y.Item, Placement>;
  tally: Tally;
}

/** A fresh item written as entry `key` of a map. */
export interface Write {
  item: Y.Item;
  parent: Extract<Placement, { dropped: false }>['parent'];
  where: Where;
  key: string;
  /** What the entry holds now, before the update. */
  existing: Y.Item | null;
}

/** A stored entry `key` of a map that the update deletes (not one it overwrites). */
export interface Removal {
  item: Y.Item;
  parent: Y.AbstractType<unknown>;
  path: readonly string[];
  key: string;
}

/** Note fields that only the author (or an organizer) sets, and only when the note is made. */
const FIXED_NOTE_FIELDS = new Set(['authorId', 'authorName', 'createdAt', 'itemId', 'text', 'votes']);

const authorOf = (content: Y.Item['content']): string =>
  storedString((content as Y.ContentType).type as Y.AbstractType<unknown>, 'authorId');

const groupDenial = (env: RuleEnv, content: Y.Item['content']): string | null =>
  content instanceof Y.ContentType
    ? groupRemovalDenial(env.ctx.actor.role, hasVotes(content.type) ? 1 : 0)
    : null;

/** The vote entry of `votes` (a stored or new votes map) for this update, made on first sight. */
function ownVote(env: RuleEnv, votes: object, target: 'note' | 'group', id: string, before: number): OwnVote {
  let v = env.tally.ownVotes.get(votes);
  if (!v) env.tally.ownVotes.set(votes, (v = { target, id, before, after: 0, item: null }));
  return v;
}

interface Handlers<P> {
  write(env: RuleEnv, place: P, w: Write): void;
  remove(env: RuleEnv, place: P, r: Removal): void;
}

const RULES: { [R in PlaceRule['rule']]: Handlers<Extract<Place, { rule: R }>> } = {
  note: {
    write(env, _place, { item, existing }) {
      const { kind, actor } = env.ctx;
      const made = item.content instanceof Y.ContentType;
      if (made) {
        env.tally.created++;
        // PW1: while private, a new note goes to its author's private document, never to the board
        // (organizers too, so that no text reaches the others by mistake); outside it, only to the board.
        if (kind === 'board' && env.privatePhase)
          refuse('forbidden', 'private writing: new notes stay private until the organizer reveals them');
        if (kind === 'mine' && !env.privatePhase)
          refuse('forbidden', 'private writing has ended: write notes on the board');
      }
      if (existing) {
        env.tally.removed++;
        if (existing.content instanceof Y.ContentType && !canDeleteNote(actor, authorOf(existing.content)))
          refuse('forbidden', 'only the author or an organizer can replace this note');
      }
      if (made) env.tally.newNotes.set(item, { authorId: [], authorName: [] });
    },
    remove(env, _place, { item }) {
      env.tally.removed++;
      if (item.content instanceof Y.ContentType && !canDeleteNote(env.ctx.actor, authorOf(item.content)))
        refuse('forbidden', 'only the author or an organizer can delete this note');
    },
  },
  'note-field': {
    write(env, _place, { item, where, key, existing }) {
      if (where.isNew) {
        const fields = env.tally.newNotes.get(where.key);
        if (fields && (key === 'authorId' || key === 'authorName'))
          fields[key].push(item.content instanceof Y.ContentAny ? item.content.arr[0] : undefined);
      } else if (FIXED_NOTE_FIELDS.has(key) && !env.organizer) {
        // A note written by an older client may lack its votes map: casting a vote repairs it.
        const repair = key === 'votes' && existing === null && item.content instanceof Y.ContentType;
        if (!repair) refuse('forbidden', `only an organizer can change a note's ${key}`);
      }
    },
    remove(env, _place, { parent, key }) {
      if (env.organizer) return;
      // Removing a fixed field (the votes map: everyone's votes) is never an author's edit.
      if (FIXED_NOTE_FIELDS.has(key)) refuse('forbidden', `only an organizer can remove a note's ${key}`);
      if (!canDeleteNote(env.ctx.actor, storedString(parent, 'authorId')))
        refuse('forbidden', `only the author or an organizer can remove a note's ${key}`);
    },
  },
  entry: {
    write(env, _place, { item, existing }) {
      if (item.content instanceof Y.ContentType) env.tally.created++;
      if (existing) env.tally.removed++;
    },
    remove(env) {
      env.tally.removed++;
    },
  },
  'task-creator': {
    write(env, _place, { item, where }) {
      if (env.organizer) return;
      const own = item.content instanceof Y.ContentAny && item.content.arr[0] === env.ctx.actor.userId;
      if (!where.isNew || !own) refuse('forbidden', 'a task’s creator is the person who makes it');
    },
    remove(env) {
      if (!env.organizer) refuse('forbidden', 'a task’s creator is the person who made it');
    },
  },
  group: {
    write(env, _place, { item, existing }) {
      if (item.content instanceof Y.ContentType) env.tally.groupsCreated++;
      if (existing) {
        env.tally.groupsRemoved++;
        const denial = groupDenial(env, existing.content);
        if (denial) refuse('forbidden', denial);
      }
    },
    remove(env, _place, { item }) {
      env.tally.groupsRemoved++;
      const denial = groupDenial(env, item.content);
      if (denial) refuse('forbidden', denial);
    },
  },
  'group-field': {
    write(env, _place, { where, key, existing }) {
      if (key === 'votes' && !where.isNew && !env.organizer && existing !== null)
        refuse('forbidden', "only an organizer can replace a group's votes");
    },
    remove(env, _place, { key }) {
      if (!env.organizer) refuse('forbidden', `only an organizer can remove a group's ${key}`);
    },
  },
  'organizer-only': {
    write(env, { reason }) {
      if (!env.organizer) refuse('forbidden', reason);
    },
    remove(env, { reason }) {
      if (!env.organizer) refuse('forbidden', reason);
    },
  },
  'server-only': {
    write(_env, { reason }) {
      refuse('forbidden', reason);
    },
    remove(_env, { reason }) {
      refuse('forbidden', reason);
    },
  },
  vote: {
    write(env, { target }, { item, parent, where, key, existing }) {
      const { actor, live } = env.ctx;
      if (where.isNew && !env.organizer && !(item.content instanceof Y.ContentDeleted)) {
        const holder = parent.kind === 'new' ? env.placements.get(parent.item) : undefined;
        if (holder && !holder.dropped && holder.parent.kind === 'new')
          refuse('forbidden', `a new ${target} starts without votes`);
      }
      if (key !== actor.userId) refuse('forbidden', 'a person changes only their own votes');
      const denial = live && voteDenial(actor, live, 0);
      if (denial && denial.code !== 'no-votes-left') refuse(denial.code, denial.reason);
      env.tally.voteChange = true;
      const v = ownVote(env, where.key, target, where.path[1]!, storedCount(existing));
      const count = item.content instanceof Y.ContentAny ? storedCount(item) : 0;
      if (count >= v.after) v.item = { client: item.id.client, clock: item.id.clock };
      v.after = Math.max(v.after, count);
    },
    remove(env, { target }, { item, parent, path, key }) {
      const { actor, live } = env.ctx;
      if (!env.organizer) {
        if (key !== actor.userId) refuse('forbidden', 'a person changes only their own votes');
        const denial = live && retractDenial(actor, live);
        if (denial) refuse(denial.code, denial.reason);
      }
      if (key === actor.userId) ownVote(env, parent, target, path[1]!, storedCount(item));
    },
  },
};

/** Checks a write at `place` (the correlated union of rule and handler is one cast here, once). */
export const checkWrite = (env: RuleEnv, place: Place, w: Write): void =>
  (RULES[place.rule] as Handlers<Place>).write(env, place, w);

/** Checks a removal at `place`. */
export const checkRemoval = (env: RuleEnv, place: Place, r: Removal): void =>
  (RULES[place.rule] as Handlers<Place>).remove(env, place, r);
