import { SvelteSet } from 'svelte/reactivity';
import * as Y from 'yjs';
import {
  addNote,
  arrangeByTalk,
  bringToFront,
  castVote,
  countedVotes,
  createNoteUndoManager,
  DEFAULT_NOTE_COLOR,
  deleteNote,
  moveNote,
  noteText,
  NoteOpError,
  retractVote,
  setNoteColor,
  votesRemaining,
  type NoteColorId,
} from '$shared/ops/board';
import {
  clearSpotlight,
  clearTimer,
  closeVoting,
  LiveOpError,
  openVoting,
  setAnonymousNotes,
  setBoardLocked,
  setHideVotes,
  setSpotlight,
  startTimer,
} from '$shared/ops/live';
import {
  applyGroupPlan,
  castGroupVote,
  createGroup,
  deleteGroup,
  groupTitle,
  moveGroup,
  renameGroup,
  retractGroupVote,
  setGroupVotes,
  setNoteGroup,
  type GroupPlan,
} from '$shared/ops/groups';
import {
  boardGroups,
  boardInfo,
  boardNotes,
  isPrivateWriting,
  localOrigin,
  privateCounts,
  readGroups,
  type Group,
  readAgenda,
  readTasks,
  type Agenda,
  type AgendaItem,
  type Note,
  type Origin,
} from '$shared/schema';
import {
  authorFields,
  canDeleteNote,
  groupRemovalDenial,
  noteLimitDenial,
  retractDenial,
  voteDenial,
  votesUsed,
  voteTargetDenial,
} from '$shared/policy';
import { currentItemAt } from '$shared/time/schedule';
import { GroupSuggestion } from '../groups/suggest.svelte';
import { HistoryState } from '../history/history.svelte';
import { newWriterId, withWriter } from '../sync/anonymous';
import { YDocView, YView } from '../sync/reactive.svelte';
import type { BoardSessionApi } from '../sync/types';
import { dropTarget, groupFrame, type Rect } from '$shared/ops/geometry';
import { crowdedByEarlier, laneSpot, tidyGrid } from '$shared/ops/lanes';
import { NotesView } from './notes.svelte';
import { BoardPresence } from './presence.svelte';

/** How long a note put in a lane may still give way to one written at the same moment elsewhere. */
const LANE_SETTLE_MS = 30_000;

/** A rule's reason ("all 3 votes are used") as the start of a sentence. */
export const sentence = (reason: string): string => reason.charAt(0).toUpperCase() + reason.slice(1);

/** `'all'`, an agenda item id, or `'none'` for notes written outside any item. */
export type TalkFilter = string;
export const ALL_TALKS = 'all';
export const NO_TALK = 'none';

/**
 * Everything the board components show and do. Components never touch Yjs:
 * they call these methods, which run the intent-level operations with this
 * person's origin, and read the reactive getters.
 */
export class BoardState {
  readonly notes: NotesView;
  readonly presence: BoardPresence;
  /** Tracked by this person's UndoManager: note edits, moves, creations, deletions. */
  readonly origin: Origin;
  /** Votes and facilitation changes are deliberate acts, not undoable edits. */
  readonly #untracked: Origin;
  readonly #undo: Y.UndoManager;
  readonly #agenda: YDocView<Agenda>;
  readonly #tasks: YDocView<Set<string>>;
  readonly #groups: YView<Group[]>;
  readonly #info: YView<{ on: boolean; count: number }>;
  /** Notes picked (shift-click, or S on a focused note) for "Group". */
  readonly selected = new SvelteSet<string>();
  /** The organizer's suggested groups while they edit them (GR4). */
  readonly suggestion: GroupSuggestion;
  /** The history timeline and the picture downloads (issue 11). */
  readonly history: HistoryState;

  /** Last refusal or error to tell the person about (polite live region); stays until dismissed (NB14). */
  message = $state('');
  /** Neutral news ("3 groups made"), shown apart from errors and gone after a few seconds (NB14). */
  notice = $state('');
  canUndo = $state(false);
  canRedo = $state(false);
  filter = $state<TalkFilter>(ALL_TALKS);
  /** Emphasise the most-voted notes and dim the others. */
  highlightVotes = $state(false);
  newColor = $state<NoteColorId>(DEFAULT_NOTE_COLOR);
  /** Organizer only: this client's view is published as `live.spotlight`. */
  presenting = $state(false);
  /** The note whose text is open for editing on this client. */
  editing = $state<string | null>(null);
  /**
   * Set when the note this person was editing is deleted by someone else (NB4):
   * until they click or press Escape, "new note" does nothing, so the keys they go
   * on typing cannot create notes.
   */
  #orphaned = false;
  readonly #unobserve: () => void;
  /** Yjs client id for writes to this person's anonymous notes (NB1): never the one of their named writes. */
  readonly #anonWriter = newWriterId();

  constructor(readonly session: BoardSessionApi) {
    const { board, agenda, tasks } = session.docs;
    this.origin = localOrigin(session.user.id);
    this.#untracked = localOrigin(session.user.id);
    // PW1: this person's private notes are shown (and edited) with the board's.
    this.notes = new NotesView(board, new NotesView(session.docs.mine));
    this.#info = new YView(boardInfo(board), () => ({
      on: isPrivateWriting(board),
      count: [...privateCounts(board).values()].reduce((a, b) => a + b, 0),
    }));
    this.presence = new BoardPresence(session.awareness.board);
    this.#agenda = new YDocView(agenda, () => readAgenda(agenda));
    this.#tasks = new YDocView(tasks, () => {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- built once per read, never mutated after
      const ids = new Set<string>();
      for (const t of readTasks(tasks)) if (t.noteId) ids.add(t.noteId);
      return ids;
    });
    this.suggestion = new GroupSuggestion(session);
    this.history = new HistoryState(session);
    this.#groups = new YView(boardGroups(board), () => readGroups(board));
    this.#undo = createNoteUndoManager(board, this.origin);
    // Making, moving and removing groups are edits like those of notes: one undo stack for both.
    this.#undo.addToScope(boardGroups(board));
    const refresh = (): void => {
      this.canUndo = this.#undo.undoStack.length > 0;
      this.canRedo = this.#undo.redoStack.length > 0;
    };
    this.#undo.on('stack-item-added', refresh);
    this.#undo.on('stack-item-popped', refresh);
    this.#undo.on('stack-cleared', refresh);
    this.#unobserve = this.#watchEditedNote();
  }

  /** NB4: the note being edited is deleted by someone else: say so and let no typed key create a note. */
  #watchEditedNote(): () => void {
    const notes = boardNotes(this.session.docs.board);
    const onChange = (e: Y.YMapEvent<Y.Map<unknown>>, tr: Y.Transaction): void => {
      const id = this.editing;
      if (id === null || !e.keysChanged.has(id) || notes.has(id)) return;
      this.editing = null;
      this.presence.setEditing(null);
      // Our own deletion (or undo) needs no word.
      if (tr.local) return;
      this.message = 'The note you were editing was deleted by someone else.';
      this.#orphan();
    };
    notes.observe(onChange);
    return () => notes.unobserve(onChange);
  }

  #releaseOrphan: (() => void) | null = null;

  #orphan(): void {
    this.#orphaned = true;
    if (typeof window === 'undefined' || this.#releaseOrphan) return;
    const release = (e: Event): void => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      this.#orphaned = false;
      this.#releaseOrphan?.();
    };
    window.addEventListener('pointerdown', release, true);
    window.addEventListener('keydown', release, true);
    this.#releaseOrphan = () => {
      window.removeEventListener('pointerdown', release, true);
      window.removeEventListener('keydown', release, true);
      this.#releaseOrphan = null;
    };
  }

  /** True between an edited note's deletion by someone else and the next click or Escape (NB4). */
  get orphaned(): boolean {
    return this.#orphaned;
  }

  /** Ends NB4's pause on new notes (a click or Escape does it in the browser). */
  acknowledgeOrphan(): void {
    this.#orphaned = false;
    this.#releaseOrphan?.();
  }

  destroy(): void {
    this.#unobserve();
    this.#releaseOrphan?.();
    this.#undo.destroy();
    this.presence.destroy();
    this.presence.setEditing(null);
    this.presence.setCursor(null);
  }

  get agenda(): Agenda {
    return this.#agenda.current;
  }
  get live(): Agenda['live'] {
    return this.#agenda.current.live;
  }
  get items(): AgendaItem[] {
    return this.#agenda.current.items;
  }
  get isOrganizer(): boolean {
    return this.session.role === 'organizer';
  }
  get writable(): boolean {
    return this.session.canWrite('board');
  }
  /** Why the board is read-only for this person, or '' when it is not (shared/policy). */
  get readOnlyReason(): string {
    const denial = this.session.writeDenial('board');
    if (denial === null) return '';
    if (this.session.role === 'viewer') return 'You are viewing this board: it is read-only.';
    if (denial.code === 'board-locked') return `${sentence(denial.reason)}: it is read-only for now.`;
    return 'The board is read-only.';
  }

  /** Why this person cannot give one more vote now, or '' (shared/policy `voteDenial`). */
  readonly voteBlocked: string = $derived.by(() => {
    const denial =
      voteDenial(
        this.session.actor,
        this.live,
        votesUsed(this.notes.list, this.session.user.id) + this.myGroupVotes,
      ) ?? voteTargetDenial(this.live, 'note');
    return denial ? `${sentence(denial.reason)}.` : '';
  });

  itemTitle(itemId: string | null): string {
    if (itemId === null) return '';
    return this.items.find((i) => i.id === itemId)?.title ?? '';
  }

  /** The author as shown: "anonymous" while the organizer hides names. */
  authorLabel(n: Note): string {
    if (this.live.anonymousNotes) return 'anonymous';
    return n.authorName || 'anonymous';
  }

  /**
   * The Yjs client id to write a note under: this person's anonymous notes
   * get a separate one (NB1), everything else the document's (undefined).
   */
  writerFor(id: string): number | undefined {
    const n = this.notes.get(id);
    const pseudonym = this.session.actor.pseudonym;
    return n && pseudonym !== '' && n.authorId === pseudonym ? this.#anonWriter : undefined;
  }

  #asWriterOf<T>(id: string, fn: () => T): T {
    return withWriter(this.#docOf(id), this.writerFor(id), fn);
  }

  /** The document a note lives in: the board, or this person's private notes (PW1). */
  #docOf(id: string): Y.Doc {
    return this.notes.isPrivate(id) ? this.session.docs.mine : this.session.docs.board;
  }

  /** Private writing (PW1): new notes stay with their author until the organizer reveals them. */
  get privateWriting(): boolean {
    return this.#info.current.on;
  }

  /** How many private notes everyone has written so far (a count kept by the server, never text). */
  get privateCount(): number {
    return this.#info.current.count;
  }

  /** Organizer: starts private writing, or ends it with Reveal (PW1, PW2); the server does both. */
  async setPrivateWriting(action: 'start' | 'reveal'): Promise<void> {
    try {
      const res = await fetch(`/api/boards/${encodeURIComponent(this.session.boardId)}/private-writing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        this.message = `Private writing: ${body?.error?.message ?? `the server answered ${res.status}`}.`;
      }
    } catch {
      this.message = 'Could not reach the server: private writing did not change.';
    }
  }

  hasTask(noteId: string): boolean {
    return this.#tasks.current.has(noteId);
  }

  /** Counts per note, capped per voter (see `countedVotes`); derived once per change. */
  readonly votes: Map<string, number> = $derived.by(() => countedVotes(this.notes.list, this.live));

  /** Participants see counts unless they are hidden while voting is open. */
  get showCounts(): boolean {
    return this.isOrganizer || !(this.live.hideVotes && this.live.votingOpen);
  }

  readonly votesLeft: number = $derived.by(() =>
    Math.max(0, votesRemaining(this.notes.list, this.session.user.id, this.live) - this.myGroupVotes),
  );

  myVotes(n: Note): number {
    return n.votes[this.session.user.id] ?? 0;
  }

  /** Vote count at or above which a note counts as "top" (the five most-voted). */
  readonly topThreshold: number = $derived.by(() => {
    const counts = [...this.votes.values()].filter((c) => c > 0).sort((a, b) => b - a);
    return counts[Math.min(4, counts.length - 1)] ?? Infinity;
  });

  matchesFilter(n: Note): boolean {
    if (this.filter === ALL_TALKS) return true;
    if (this.filter === NO_TALK) return n.itemId === null || this.itemTitle(n.itemId) === '';
    return n.itemId === this.filter;
  }

  readonly visibleNotes: Note[] = $derived.by(() => {
    const list = this.notes.list;
    return this.filter === ALL_TALKS ? list : list.filter((n) => this.matchesFilter(n));
  });

  /** What a view with no notes says (NB5): '' when it shows some. */
  get emptyMessage(): string {
    if (this.visibleNotes.length > 0) return '';
    if (this.notes.list.length === 0 || this.filter === ALL_TALKS) return 'No notes yet.';
    if (this.filter === NO_TALK) return 'No notes outside a talk.';
    const title = this.itemTitle(this.filter);
    return title ? `No notes for this talk (${title}).` : 'No notes for this talk.';
  }

  canDelete(n: Note): boolean {
    return this.writable && canDeleteNote(this.session.actor, n.authorId);
  }

  #run<T>(fn: () => T): T | undefined {
    try {
      this.message = '';
      return fn();
    } catch (e) {
      if (e instanceof NoteOpError || e instanceof LiveOpError) this.message = e.message;
      else throw e;
      return undefined;
    }
  }

  #guard(): boolean {
    if (this.writable) return true;
    this.message = this.readOnlyReason;
    return false;
  }

  /**
   * Creates a note at world point (x, y), tagged with the agenda item live
   * now. Its author fields are the ones the rules ask for: this person's id and
   * name, or their pseudonym and no name while notes are anonymous.
   */
  add(x: number, y: number, text = ''): string | undefined {
    if (!this.#guard()) return undefined;
    if (this.#orphaned) return undefined;
    const full = noteLimitDenial(this.notes.list.length);
    if (full) {
      this.message = `${sentence(full)}.`;
      return undefined;
    }
    const now = this.session.clock.now();
    const item = currentItemAt(this.agenda, now);
    const author = authorFields(this.session.actor, this.session.user.name, this.live);
    const anonymous = author.authorName === '' && author.authorId !== this.session.user.id;
    this.#undo.stopCapturing();
    // While private (PW1), a new note goes to this person's own document: the board refuses it.
    const target = this.privateWriting ? this.session.docs.mine : this.session.docs.board;
    const id = this.#run(() =>
      withWriter(target, anonymous ? this.#anonWriter : undefined, () =>
        addNote(
          target,
          {
            text,
            x,
            y,
            color: this.newColor,
            ...author,
            itemId: item?.id ?? null,
            createdAt: now,
          },
          this.origin,
        ),
      ),
    );
    this.#undo.stopCapturing();
    // NB4: a new note is always visible: a filter on another talk would hide it (and its editor).
    const created = id === undefined ? undefined : this.notes.get(id);
    if (created && !this.matchesFilter(created)) {
      this.filter = ALL_TALKS;
      this.notice = 'Showing all talks, so that you see your new note.';
    }
    return id;
  }

  /**
   * A note written where its author does not place it on the canvas (a phone,
   * the list view): into its talk's lane, clear of other notes and frames (NB10).
   */
  addInLane(text: string): string | undefined {
    const item = currentItemAt(this.agenda, this.session.clock.now());
    const frames = this.groups.map((g) => this.frame(g));
    const p = laneSpot(this.notes.list, frames, item?.id ?? null, this.items);
    const id = this.add(p.x, p.y, text);
    if (id) this.#laned.set(id, { ...p, until: Date.now() + LANE_SETTLE_MS });
    return id;
  }

  /** Notes this person just put in a lane, where they were put, while they may still have to give way. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #laned = new Map<string, { x: number; y: number; until: number }>();

  /**
   * Called whenever the notes change where notes are written into lanes: a
   * note of ours that landed on a slot someone else took a moment earlier
   * moves to the next free one (only the later note moves, so it settles).
   */
  settleLanes(): void {
    if (this.#laned.size === 0) return;
    const notes = this.notes.list;
    const now = Date.now();
    for (const [id, at] of [...this.#laned]) {
      const n = this.notes.get(id);
      // Gone, moved by someone (then it is where they want it), or settled long enough.
      if (!n || n.x !== at.x || n.y !== at.y || now > at.until) {
        this.#laned.delete(id);
        continue;
      }
      if (!crowdedByEarlier(n, notes)) continue;
      const frames = this.groups.map((g) => this.frame(g));
      const p = laneSpot(
        notes.filter((o) => o.id !== id),
        frames,
        n.itemId,
        this.items,
      );
      this.#laned.set(id, { ...p, until: at.until });
      this.move(id, p.x, p.y);
    }
  }

  move(id: string, x: number, y: number): void {
    if (!this.#guard()) return;
    this.#run(() => this.#asWriterOf(id, () => moveNote(this.#docOf(id), id, x, y, this.origin)));
  }

  /** Keyboard moves: each press is its own undo step. */
  nudge(id: string, dx: number, dy: number): void {
    const n = this.notes.get(id);
    if (!n) return;
    this.#undo.stopCapturing();
    this.move(id, n.x + dx, n.y + dy);
    this.#undo.stopCapturing();
  }

  /** Starts a drag: everything until `endGesture` is one undo step. */
  beginGesture(id: string): void {
    if (!this.writable) return;
    this.#undo.stopCapturing();
    this.#undo.captureTimeout = Number.POSITIVE_INFINITY;
    this.#run(() => this.#asWriterOf(id, () => bringToFront(this.#docOf(id), id, this.origin)));
  }

  endGesture(): void {
    this.#undo.captureTimeout = 500;
    this.#undo.stopCapturing();
  }

  setColor(id: string, color: NoteColorId): void {
    if (!this.#guard()) return;
    this.#undo.stopCapturing();
    this.#run(() => this.#asWriterOf(id, () => setNoteColor(this.#docOf(id), id, color, this.origin)));
  }

  toFront(id: string): void {
    if (!this.#guard()) return;
    this.#run(() => this.#asWriterOf(id, () => bringToFront(this.#docOf(id), id, this.origin)));
  }

  remove(id: string): void {
    if (!this.#guard()) return;
    this.#undo.stopCapturing();
    const actor = this.session.actor;
    this.#run(() => deleteNote(this.#docOf(id), id, actor, this.origin));
    if (this.editing === id) this.stopEditing();
  }

  vote(id: string): void {
    if (!this.#guard()) return;
    if (this.voteBlocked) {
      this.message = this.voteBlocked;
      return;
    }
    this.#run(() => castVote(this.session.docs.board, id, this.session.user.id, this.live, this.#untracked));
  }

  unvote(id: string): void {
    if (!this.#guard()) return;
    const denial = retractDenial(this.session.actor, this.live);
    if (denial) {
      this.message = `${sentence(denial.reason)}.`;
      return;
    }
    this.#run(() =>
      retractVote(this.session.docs.board, id, this.session.user.id, this.live, this.#untracked),
    );
  }

  /** NB7: what to ask before "Arrange by talk" moves every note on everyone's board. */
  get arrangeQuestion(): string {
    const n = this.notes.list.length;
    return `Arrange ${n === 1 ? 'the 1 note' : `all ${n} notes`} by talk? This moves notes on everyone's board; Undo puts them back.`;
  }

  arrange(): void {
    if (!this.#guard()) return;
    this.#undo.stopCapturing();
    this.#run(() => arrangeByTalk(this.session.docs.board, this.items, this.origin));
    this.#undo.stopCapturing();
  }

  undo(): void {
    if (this.writable) this.#undo.undo();
  }
  redo(): void {
    if (this.writable) this.#undo.redo();
  }

  /** The shared text of a note, for the editor binding (null when deleted). */
  text(id: string): Y.Text | null {
    return noteText(this.#docOf(id), id);
  }

  startEditing(id: string): void {
    if (!this.writable) return;
    this.#undo.stopCapturing();
    this.editing = id;
    // Who edits an anonymous note is not announced: right after "new note" it would name the author (NB1).
    const n = this.notes.get(id);
    this.presence.setEditing(n && n.authorName === '' ? null : id);
  }

  /**
   * Closes the editor. A note left empty is removed (NB6) when this person may
   * delete it, unless `keepEmpty` (focus only moved to the note's own controls).
   * Returns whether the note is gone.
   */
  stopEditing(opts: { keepEmpty?: boolean } = {}): boolean {
    const id = this.editing;
    this.#undo.stopCapturing();
    this.editing = null;
    this.presence.setEditing(null);
    const n = id === null ? undefined : this.notes.get(id);
    if (!n || opts.keepEmpty || n.text.trim() !== '' || !this.writable || !this.canDelete(n)) return false;
    const actor = this.session.actor;
    this.#run(() => deleteNote(this.#docOf(n.id), n.id, actor, this.origin));
    this.#undo.stopCapturing();
    return this.notes.get(n.id) === undefined;
  }

  // Groups (issue 11, docs/SPEC.md GR1–GR3): frames around notes with a shared title.

  /** The board's groups, sorted by title. */
  get groups(): Group[] {
    return this.#groups.current;
  }

  group(id: string): Group | undefined {
    return this.groups.find((g) => g.id === id);
  }

  /** Each group's notes (of the whole board, whatever the talk filter). */
  readonly members: Map<string, Note[]> = $derived.by(() => {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- built once per read, never mutated after
    const m = new Map<string, Note[]>();
    for (const g of this.groups) m.set(g.id, []);
    for (const n of this.notes.list) if (n.groupId) m.get(n.groupId)?.push(n);
    return m;
  });

  /** The frame drawn for a group: around its notes, with room for the title above. */
  frame(g: Group): Rect {
    return groupFrame(g, this.members.get(g.id) ?? []);
  }

  /** What this person has given to groups (one budget with notes, GR3). */
  get myGroupVotes(): number {
    const me = this.session.user.id;
    return this.groups.reduce((s, g) => s + (g.votes[me] ?? 0), 0);
  }

  groupVoteCount(g: Group): number {
    return Object.values(g.votes).reduce((s, c) => s + c, 0);
  }

  /** Why this person cannot give a vote to a group now, or ''. */
  get groupVoteBlocked(): string {
    const used = votesUsed(this.notes.list, this.session.user.id) + this.myGroupVotes;
    const denial = voteDenial(this.session.actor, this.live, used) ?? voteTargetDenial(this.live, 'group');
    return denial ? `${sentence(denial.reason)}.` : '';
  }

  /** Picks a note for "Group", or puts it back. */
  toggleSelected(id: string): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  clearSelection(): void {
    this.selected.clear();
  }

  /** "Tidy up": the selected notes as a neat grid where they are (NB10); one undo step. */
  tidySelected(): void {
    if (!this.#guard()) return;
    const notes = [...this.selected].map((id) => this.notes.get(id)).filter((n): n is Note => !!n);
    if (notes.length < 2) return;
    this.#undo.stopCapturing();
    // One transaction per note (an anonymous note is moved as its own writer); one capture for undo.
    for (const m of tidyGrid(notes))
      this.#run(() => this.#asWriterOf(m.id, () => moveNote(this.#docOf(m.id), m.id, m.x, m.y, this.origin)));
    this.#undo.stopCapturing();
  }

  /** Renames a group in one step (GU8: only when its editor commits, never per keystroke). */
  renameGroup(id: string, title: string): void {
    if (!this.#guard()) return;
    if (!groupTitle(this.session.docs.board, id)) return;
    this.#undo.stopCapturing();
    this.#run(() => renameGroup(this.session.docs.board, id, title, this.origin));
    this.#undo.stopCapturing();
  }

  #newGroup(noteIds: readonly string[], title = ''): string | undefined {
    const notes = noteIds.map((id) => this.notes.get(id)).filter((n): n is Note => n !== undefined);
    if (notes.length === 0) return undefined;
    const at = { x: Math.min(...notes.map((n) => n.x)), y: Math.min(...notes.map((n) => n.y)) };
    return this.#run(() =>
      createGroup(
        this.session.docs.board,
        { title, ...at },
        notes.map((n) => n.id),
        this.origin,
      ),
    );
  }

  /** "Group": the selected notes (two or more) become one group; returns its id. */
  groupSelected(): string | undefined {
    if (!this.#guard()) return undefined;
    if (this.selected.size < 2) {
      this.message = 'Select two notes or more to group them (shift-click, or S on a focused note).';
      return undefined;
    }
    this.#undo.stopCapturing();
    const id = this.#newGroup([...this.selected]);
    this.#undo.stopCapturing();
    if (id) this.selected.clear();
    return id;
  }

  /**
   * The end of a note's drag (inside its gesture, so one undo step): dropped
   * on a note in no group, the two make a group; inside a group's frame, it
   * joins that group; dragged out of its group's frame, it leaves the group.
   */
  drop(id: string, x: number, y: number): void {
    if (!this.writable) return;
    const note = this.notes.get(id);
    if (!note) return;
    const target = dropTarget(note, { x, y }, this.visibleNotes, this.groups);
    const board = this.session.docs.board;
    if (target.kind === 'note') {
      this.#newGroup([target.id, id]);
    } else if (target.kind === 'group') {
      if (note.groupId !== target.id) this.#run(() => setNoteGroup(board, id, target.id, this.origin));
    } else if (note.groupId) {
      const others = (this.members.get(note.groupId) ?? []).filter((n) => n.id !== id);
      if (others.length > 0) this.#run(() => setNoteGroup(board, id, null, this.origin));
    }
  }

  /** Moves a group's frame by (dx, dy) from where the drag began; its notes follow. */
  moveGroup(id: string, x: number, y: number): void {
    if (!this.#guard()) return;
    this.#run(() => moveGroup(this.session.docs.board, id, x, y, this.origin));
  }

  /** Starts a frame drag: everything until `endGesture` is one undo step. */
  beginGroupGesture(): void {
    if (!this.writable) return;
    this.#undo.stopCapturing();
    this.#undo.captureTimeout = Number.POSITIVE_INFINITY;
  }

  /** Why this person may not remove group `g`, or '' (GR2: a voted group is the organizer's). */
  ungroupDenial(g: Group): string {
    if (!this.writable) return this.readOnlyReason;
    const denial = groupRemovalDenial(this.session.role, this.groupVoteCount(g));
    return denial ? `${denial[0]!.toUpperCase()}${denial.slice(1)}.` : '';
  }

  /** "Ungroup": the group goes, its notes stay where they are. */
  ungroup(id: string): void {
    const g = this.group(id);
    if (!g) return;
    const denial = this.ungroupDenial(g);
    if (denial) {
      this.message = denial;
      return;
    }
    this.#undo.stopCapturing();
    this.#run(() => deleteGroup(this.session.docs.board, id, this.origin));
    this.#undo.stopCapturing();
  }

  /** Takes one note out of its group. */
  leaveGroup(noteId: string): void {
    if (!this.#guard()) return;
    this.#undo.stopCapturing();
    this.#run(() => setNoteGroup(this.session.docs.board, noteId, null, this.origin));
    this.#undo.stopCapturing();
  }

  voteGroup(id: string): void {
    if (!this.#guard()) return;
    const blocked = this.groupVoteBlocked;
    if (blocked) {
      this.message = blocked;
      return;
    }
    this.#run(() =>
      castGroupVote(this.session.docs.board, id, this.session.user.id, this.live, this.#untracked),
    );
  }

  unvoteGroup(id: string): void {
    if (!this.#guard()) return;
    const denial = retractDenial(this.session.actor, this.live);
    if (denial) {
      this.message = `${sentence(denial.reason)}.`;
      return;
    }
    this.#run(() =>
      retractGroupVote(this.session.docs.board, id, this.session.user.id, this.live, this.#untracked),
    );
  }

  /** "Apply": the suggestion as the organizer edited it becomes groups, one undo step. */
  applySuggestion(): string[] {
    const ids = this.applyPlan(this.suggestion.plan);
    if (ids.length > 0) {
      this.suggestion.cancel();
      this.notice = `${ids.length === 1 ? '1 group' : `${ids.length} groups`} made: Undo (Ctrl+Z) takes them back.`;
    }
    return ids;
  }

  /** Applies an (edited) suggestion as one undo step (GR1); returns the new group ids. */
  applyPlan(plan: readonly GroupPlan[]): string[] {
    if (!this.#guard()) return [];
    const known = plan
      .map((g) => ({ title: g.title, noteIds: g.noteIds.filter((n) => this.notes.get(n) !== undefined) }))
      .filter((g) => g.noteIds.length > 0);
    this.#undo.stopCapturing();
    const ids = this.#run(() => applyGroupPlan(this.session.docs.board, known, this.origin)) ?? [];
    this.#undo.stopCapturing();
    return ids;
  }

  // Facilitation (organizers; the server refuses agenda writes from anyone else).

  #live(fn: (doc: Y.Doc, origin: Origin) => void): void {
    if (!this.session.canWrite('agenda')) {
      this.message = 'Only organizers can change this.';
      return;
    }
    this.#run(() => fn(this.session.docs.agenda, this.#untracked));
  }

  setLocked(locked: boolean): void {
    this.#live((d, o) => setBoardLocked(d, locked, o));
  }
  openVoting(votesPerPerson: number): void {
    this.#live((d, o) => openVoting(d, votesPerPerson, o));
  }
  closeVoting(): void {
    this.#live((d, o) => closeVoting(d, o));
  }
  setHideVotes(hide: boolean): void {
    this.#live((d, o) => setHideVotes(d, hide, o));
  }
  setAnonymous(anonymous: boolean): void {
    this.#live((d, o) => setAnonymousNotes(d, anonymous, o));
  }
  startTimer(minutes: number): void {
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 180) {
      this.message = 'Timer minutes must be between 1 and 180.';
      return;
    }
    const ends = this.session.clock.now() + minutes * 60_000;
    this.#live((d, o) => startTimer(d, ends, o));
  }
  clearTimer(): void {
    this.#live((d, o) => clearTimer(d, o));
  }
  spotlight(view: { x: number; y: number; zoom: number }): void {
    const at = this.session.clock.now();
    this.#live((d, o) => setSpotlight(d, { ...view, at }, o));
  }
  clearSpotlight(): void {
    this.#live((d, o) => clearSpotlight(d, o));
  }
  /** GR3: votes go to groups (on) or to notes (off). */
  setGroupVotes(on: boolean): void {
    this.#live((d, o) => setGroupVotes(d, on, o));
  }
}
