import { castVote, countedVotes, retractVote, votesRemaining } from '$shared/ops/board';
import { castGroupVote, retractGroupVote } from '$shared/ops/groups';
import type * as Y from 'yjs';
import type { Agenda, Group, Note, Origin } from '$shared/schema';
import { retractDenial, voteDenial, votesUsed, voteTargetDenial } from '$shared/policy';
import { sentence, type BoardCore } from './board-core.svelte';

type VoteOp = (doc: Y.Doc, id: string, voterId: string, live: Agenda['live'], origin: Origin) => void;

/** All the votes a group holds. */
export const groupVoteCount = (g: Group): number => Object.values(g.votes).reduce((s, c) => s + c, 0);

/**
 * Votes on notes and on groups (one budget for both, GR3): the counts as
 * shown, what this person has left, and casting or taking back a vote.
 * Votes are deliberate acts, written with the untracked origin (not undone).
 */
export class VoteState {
  readonly #core: BoardCore;

  constructor(core: BoardCore) {
    this.#core = core;
  }

  /** Counts per note, capped per voter (see `countedVotes`); derived once per change. */
  readonly counts: Map<string, number> = $derived.by(() =>
    countedVotes(this.#core.notes.list, this.#core.live),
  );

  /** What this person has given to groups (one budget with notes, GR3). */
  get myGroupVotes(): number {
    const me = this.#core.session.user.id;
    return this.#core.groups.reduce((s, g) => s + (g.votes[me] ?? 0), 0);
  }

  /** Why this person cannot give one more vote to a `target` now, or '' (shared/policy `voteDenial`). */
  #blocked(target: 'note' | 'group'): string {
    const { session, live, notes } = this.#core;
    const used = votesUsed(notes.list, session.user.id) + this.myGroupVotes;
    const denial = voteDenial(session.actor, live, used) ?? voteTargetDenial(live, target);
    return denial ? `${sentence(denial.reason)}.` : '';
  }

  /** Why this person cannot give one more vote to a note now, or ''. */
  readonly noteBlocked: string = $derived.by(() => this.#blocked('note'));

  /** Why this person cannot give a vote to a group now, or ''. */
  get groupBlocked(): string {
    return this.#blocked('group');
  }

  /** Participants see counts unless they are hidden while voting is open. */
  get showCounts(): boolean {
    const { isOrganizer, live } = this.#core;
    return isOrganizer || !(live.hideVotes && live.votingOpen);
  }

  readonly left: number = $derived.by(() => {
    const { notes, session, live } = this.#core;
    return Math.max(0, votesRemaining(notes.list, session.user.id, live) - this.myGroupVotes);
  });

  mine(n: Note): number {
    return n.votes[this.#core.session.user.id] ?? 0;
  }

  /** Vote count at or above which a note counts as "top" (the five most-voted). */
  readonly topThreshold: number = $derived.by(() => {
    const counts = [...this.counts.values()].filter((c) => c > 0).sort((a, b) => b - a);
    return counts[Math.min(4, counts.length - 1)] ?? Infinity;
  });

  vote(id: string): void {
    this.#write(this.noteBlocked, castVote, id);
  }

  unvote(id: string): void {
    this.#write(this.#retractBlocked(), retractVote, id);
  }

  voteGroup(id: string): void {
    this.#write(this.groupBlocked, castGroupVote, id);
  }

  unvoteGroup(id: string): void {
    this.#write(this.#retractBlocked(), retractGroupVote, id);
  }

  /** Runs a vote operation on `id` as this person, unless the board or `blocked` ('' when not) refuses. */
  #write(blocked: string, op: VoteOp, id: string): void {
    const core = this.#core;
    if (!core.guard() || core.refuse(blocked)) return;
    core.attempt(() => op(core.session.docs.board, id, core.session.user.id, core.live, core.untracked));
  }

  #retractBlocked(): string {
    const denial = retractDenial(this.#core.session.actor, this.#core.live);
    return denial ? `${sentence(denial.reason)}.` : '';
  }
}
