import type * as Y from 'yjs';
import { createNoteUndoManager, DEFAULT_NOTE_COLOR, NoteOpError, type NoteColorId } from '$shared/ops/board';
import { LiveOpError } from '$shared/ops/live';
import { groupFrame, type Rect } from '$shared/ops/geometry';
import {
  boardGroups,
  boardInfo,
  isPrivateWriting,
  localOrigin,
  privateCounts,
  readAgenda,
  readGroups,
  readTasks,
  type Agenda,
  type AgendaItem,
  type Group,
  type Note,
  type Origin,
} from '$shared/schema';
import { canDeleteNote } from '$shared/policy';
import { HistoryState } from '../history/history.svelte';
import { newWriterId, withWriter } from '../sync/anonymous';
import { YDocView, YView } from '../sync/reactive.svelte';
import type { BoardSessionApi } from '../sync/types';
import { NotesView } from './notes.svelte';
import { BoardPresence } from './presence.svelte';

/** A rule's reason ("all 3 votes are used") as the start of a sentence. */
export const sentence = (reason: string): string => reason.charAt(0).toUpperCase() + reason.slice(1);

/** `'all'`, an agenda item id, or `'none'` for notes written outside any item. */
export type TalkFilter = string;
export const ALL_TALKS = 'all';
export const NO_TALK = 'none';

/**
 * What every part of the board state shares: the session, the reactive reads
 * of the three documents (notes, groups, agenda, tasks), this person's undo
 * stack, the view settings, and the one message line. The parts
 * (`NoteActions`, `VoteState`, `GroupActions`, `Facilitation`) each get this
 * core and write through `attempt`, so a refused operation says why the same
 * way everywhere.
 */
export class BoardCore {
  readonly notes: NotesView;
  readonly presence: BoardPresence;
  /** The history timeline and the picture downloads (issue 11). */
  readonly history: HistoryState;
  /** Tracked by this person's UndoManager: note edits, moves, creations, deletions, groups. */
  readonly origin: Origin;
  /** Votes and facilitation changes are deliberate acts, not undoable edits. */
  readonly untracked: Origin;
  readonly undoManager: Y.UndoManager;
  /** Yjs client id for writes to this person's anonymous notes (NB1): never the one of their named writes. */
  readonly anonWriter = newWriterId();
  readonly #agenda: YDocView<Agenda>;
  readonly #tasks: YDocView<Set<string>>;
  readonly #groups: YView<Group[]>;
  readonly #info: YView<{ on: boolean; count: number }>;

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

  constructor(readonly session: BoardSessionApi) {
    const { board, agenda, tasks } = session.docs;
    this.origin = localOrigin(session.user.id);
    this.untracked = localOrigin(session.user.id);
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
    this.history = new HistoryState(session);
    this.#groups = new YView(boardGroups(board), () => readGroups(board));
    this.undoManager = createNoteUndoManager(board, this.origin);
    // Making, moving and removing groups are edits like those of notes: one undo stack for both.
    this.undoManager.addToScope(boardGroups(board));
    const refresh = (): void => {
      this.canUndo = this.undoManager.undoStack.length > 0;
      this.canRedo = this.undoManager.redoStack.length > 0;
    };
    this.undoManager.on('stack-item-added', refresh);
    this.undoManager.on('stack-item-popped', refresh);
    this.undoManager.on('stack-cleared', refresh);
  }

  /** Lets go of the undo stack and this person's presence on the board. */
  destroy(): void {
    this.undoManager.destroy();
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

  itemTitle(itemId: string | null): string {
    if (itemId === null) return '';
    return this.items.find((i) => i.id === itemId)?.title ?? '';
  }

  /** The author as shown: "anonymous" while the organizer hides names. */
  authorLabel(n: Note): string {
    if (this.live.anonymousNotes) return 'anonymous';
    return n.authorName || 'anonymous';
  }

  hasTask(noteId: string): boolean {
    return this.#tasks.current.has(noteId);
  }

  canDelete(n: Note): boolean {
    return this.writable && canDeleteNote(this.session.actor, n.authorId);
  }

  /** Private writing (PW1): new notes stay with their author until the organizer reveals them. */
  get privateWriting(): boolean {
    return this.#info.current.on;
  }

  /** How many private notes everyone has written so far (a count kept by the server, never text). */
  get privateCount(): number {
    return this.#info.current.count;
  }

  /**
   * The Yjs client id to write a note under: this person's anonymous notes
   * get a separate one (NB1), everything else the document's (undefined).
   */
  writerFor(id: string): number | undefined {
    const n = this.notes.get(id);
    const pseudonym = this.session.actor.pseudonym;
    return n && pseudonym !== '' && n.authorId === pseudonym ? this.anonWriter : undefined;
  }

  /** The document a note lives in: the board, or this person's private notes (PW1). */
  docOf(id: string): Y.Doc {
    return this.notes.isPrivate(id) ? this.session.docs.mine : this.session.docs.board;
  }

  /** Runs `fn` on note `id`'s document as the writer the note asks for (NB1). */
  asWriterOf<T>(id: string, fn: (doc: Y.Doc) => T): T {
    const doc = this.docOf(id);
    return withWriter(doc, this.writerFor(id), () => fn(doc));
  }

  // Talk filter (NB5).

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

  // Groups as read (issue 11, docs/SPEC.md GR1–GR3): frames around notes with a shared title.

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

  // Writing.

  /**
   * Runs an operation, clearing the message first; a refusal by the rules
   * (`NoteOpError`, `LiveOpError`) becomes the message, anything else throws.
   */
  attempt<T>(fn: () => T): T | undefined {
    try {
      this.message = '';
      return fn();
    } catch (e) {
      if (e instanceof NoteOpError || e instanceof LiveOpError) this.message = e.message;
      else throw e;
      return undefined;
    }
  }

  /** Whether this person may write the board now; if not, says why. */
  guard(): boolean {
    if (this.writable) return true;
    this.message = this.readOnlyReason;
    return false;
  }

  /** Says a denial ('' or null: none) as the message; true when there was one. */
  refuse(denial: string | null): boolean {
    if (!denial) return false;
    this.message = denial;
    return true;
  }

  /** `fn` as an undo step of its own (nothing before or after is merged into it). */
  oneStep<T>(fn: () => T): T {
    this.undoManager.stopCapturing();
    try {
      return fn();
    } finally {
      this.undoManager.stopCapturing();
    }
  }

  /** Starts a drag's undo step: everything until `endGesture` is one step. */
  beginUndoStep(): void {
    this.undoManager.stopCapturing();
    this.undoManager.captureTimeout = Number.POSITIVE_INFINITY;
  }

  endGesture(): void {
    this.undoManager.captureTimeout = 500;
    this.undoManager.stopCapturing();
  }

  undo(): void {
    if (this.writable) this.undoManager.undo();
  }
  redo(): void {
    if (this.writable) this.undoManager.redo();
  }
}
