import type * as Y from 'yjs';
import type { NoteColorId } from '$shared/ops/board';
import type { GroupPlan } from '$shared/ops/groups';
import type { Group, Note } from '$shared/schema';
import type { BoardSessionApi } from '../sync/types';
import { BoardCore } from './board-core.svelte';
import { Facilitation } from './facilitation.svelte';
import { GroupActions } from './group-actions.svelte';
import { NoteActions } from './note-actions.svelte';
import { groupVoteCount, VoteState } from './vote-state.svelte';

export { ALL_TALKS, NO_TALK, sentence, type TalkFilter } from './board-core.svelte';

/**
 * Everything the board components show and do. Components never touch Yjs:
 * they call these methods, which run the intent-level operations with this
 * person's origin, and read the reactive getters.
 *
 * Built from parts of its own: `BoardCore` (what they share: reads, undo,
 * message, view settings), `NoteActions`, `VoteState`, `GroupActions` and
 * `Facilitation`. The methods below only hand over to them, so components keep
 * one object to talk to; new code may use a part directly (`board.voting`).
 *
 * Lifecycle, as for every state class with observers or listeners of its own
 * (docs/architecture.md "Client state"): the component that shows the board
 * creates it with `new BoardState(session)` inside `{#key session.generation}`
 * and calls `destroy()` in `onDestroy`.
 */
export class BoardState extends BoardCore {
  readonly writing: NoteActions;
  readonly voting: VoteState;
  readonly grouping: GroupActions;
  readonly facilitation: Facilitation;

  constructor(session: BoardSessionApi) {
    super(session);
    this.writing = new NoteActions(this);
    this.voting = new VoteState(this);
    this.grouping = new GroupActions(this);
    this.facilitation = new Facilitation(this);
  }

  override destroy(): void {
    this.writing.destroy();
    super.destroy();
  }

  // Notes (NoteActions).
  get orphaned(): boolean {
    return this.writing.orphaned;
  }
  get arrangeQuestion(): string {
    return this.writing.arrangeQuestion;
  }
  acknowledgeOrphan = (): void => this.writing.acknowledgeOrphan();
  add = (x: number, y: number, text = ''): string | undefined => this.writing.add(x, y, text);
  addInLane = (text: string): string | undefined => this.writing.addInLane(text);
  settleLanes = (): void => this.writing.settleLanes();
  move = (id: string, x: number, y: number): void => this.writing.move(id, x, y);
  nudge = (id: string, dx: number, dy: number): void => this.writing.nudge(id, dx, dy);
  beginGesture = (id: string): void => this.writing.beginGesture(id);
  setColor = (id: string, color: NoteColorId): void => this.writing.setColor(id, color);
  toFront = (id: string): void => this.writing.toFront(id);
  remove = (id: string): void => this.writing.remove(id);
  arrange = (): void => this.writing.arrange();
  text = (id: string): Y.Text | null => this.writing.text(id);
  startEditing = (id: string): void => this.writing.startEditing(id);
  stopEditing = (opts: { keepEmpty?: boolean } = {}): boolean => this.writing.stopEditing(opts);

  // Votes (VoteState).
  get votes(): Map<string, number> {
    return this.voting.counts;
  }
  get voteBlocked(): string {
    return this.voting.noteBlocked;
  }
  get groupVoteBlocked(): string {
    return this.voting.groupBlocked;
  }
  get votesLeft(): number {
    return this.voting.left;
  }
  get myGroupVotes(): number {
    return this.voting.myGroupVotes;
  }
  get showCounts(): boolean {
    return this.voting.showCounts;
  }
  get topThreshold(): number {
    return this.voting.topThreshold;
  }
  myVotes = (n: Note): number => this.voting.mine(n);
  groupVoteCount = (g: Group): number => groupVoteCount(g);
  vote = (id: string): void => this.voting.vote(id);
  unvote = (id: string): void => this.voting.unvote(id);
  voteGroup = (id: string): void => this.voting.voteGroup(id);
  unvoteGroup = (id: string): void => this.voting.unvoteGroup(id);

  // Groups (GroupActions).
  get selected(): GroupActions['selected'] {
    return this.grouping.selected;
  }
  get suggestion(): GroupActions['suggestion'] {
    return this.grouping.suggestion;
  }
  toggleSelected = (id: string): void => this.grouping.toggleSelected(id);
  clearSelection = (): void => this.grouping.clearSelection();
  tidySelected = (): void => this.grouping.tidySelected();
  renameGroup = (id: string, title: string): void => this.grouping.renameGroup(id, title);
  groupSelected = (): string | undefined => this.grouping.groupSelected();
  drop = (id: string, x: number, y: number): void => this.grouping.drop(id, x, y);
  moveGroup = (id: string, x: number, y: number): void => this.grouping.moveGroup(id, x, y);
  beginGroupGesture = (): void => this.grouping.beginGroupGesture();
  ungroupDenial = (g: Group): string => this.grouping.ungroupDenial(g);
  ungroup = (id: string): void => this.grouping.ungroup(id);
  leaveGroup = (noteId: string): void => this.grouping.leaveGroup(noteId);
  applySuggestion = (): string[] => this.grouping.applySuggestion();
  applyPlan = (plan: readonly GroupPlan[]): string[] => this.grouping.applyPlan(plan);

  // Facilitation (organizers).
  setPrivateWriting = (action: 'start' | 'reveal'): Promise<void> =>
    this.facilitation.setPrivateWriting(action);
  setLocked = (locked: boolean): void => this.facilitation.setLocked(locked);
  openVoting = (votesPerPerson: number): void => this.facilitation.openVoting(votesPerPerson);
  closeVoting = (): void => this.facilitation.closeVoting();
  setHideVotes = (hide: boolean): void => this.facilitation.setHideVotes(hide);
  setAnonymous = (anonymous: boolean): void => this.facilitation.setAnonymous(anonymous);
  startTimer = (minutes: number): void => this.facilitation.startTimer(minutes);
  clearTimer = (): void => this.facilitation.clearTimer();
  spotlight = (view: { x: number; y: number; zoom: number }): void => this.facilitation.spotlight(view);
  clearSpotlight = (): void => this.facilitation.clearSpotlight();
  setGroupVotes = (on: boolean): void => this.facilitation.setGroupVotes(on);
}
