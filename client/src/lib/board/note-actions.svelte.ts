import type * as Y from 'yjs';
import {
  addNote,
  arrangeByTalk,
  bringToFront,
  deleteNote,
  moveNote,
  noteText,
  setNoteColor,
  type NoteColorId,
} from '$shared/ops/board';
import { boardNotes } from '$shared/schema';
import { authorFields, noteLimitDenial } from '$shared/policy';
import { currentItemAt } from '$shared/time/schedule';
import { crowdedByEarlier, laneSpot } from '$shared/ops/lanes';
import { withWriter } from '../sync/anonymous';
import { ALL_TALKS, sentence, type BoardCore } from './board-core.svelte';

/** How long a note put in a lane may still give way to one written at the same moment elsewhere. */
const LANE_SETTLE_MS = 30_000;

/**
 * Writing notes: create (on the canvas or into a talk's lane), move, colour,
 * delete, edit, arrange. Watches the note being edited (NB4) until `destroy`.
 */
export class NoteActions {
  readonly #core: BoardCore;
  /**
   * Set when the note this person was editing is deleted by someone else (NB4):
   * until they click or press Escape, "new note" does nothing, so the keys they go
   * on typing cannot create notes.
   */
  #orphaned = false;
  #releaseOrphan: (() => void) | null = null;
  readonly #unobserve: () => void;
  /** Notes this person just put in a lane, where they were put, while they may still have to give way. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #laned = new Map<string, { x: number; y: number; until: number }>();

  constructor(core: BoardCore) {
    this.#core = core;
    this.#unobserve = this.#watchEditedNote();
  }

  destroy(): void {
    this.#unobserve();
    this.#releaseOrphan?.();
  }

  /** NB4: the note being edited is deleted by someone else: say so and let no typed key create a note. */
  #watchEditedNote(): () => void {
    const core = this.#core;
    const notes = boardNotes(core.session.docs.board);
    const onChange = (e: Y.YMapEvent<Y.Map<unknown>>, tr: Y.Transaction): void => {
      const id = core.editing;
      if (id === null || !e.keysChanged.has(id) || notes.has(id)) return;
      core.editing = null;
      core.presence.setEditing(null);
      // Our own deletion (or undo) needs no word.
      if (tr.local) return;
      core.message = 'The note you were editing was deleted by someone else.';
      this.#orphan();
    };
    notes.observe(onChange);
    return () => notes.unobserve(onChange);
  }

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

  /**
   * Creates a note at world point (x, y), tagged with the agenda item live
   * now. Its author fields are the ones the rules ask for: this person's id and
   * name, or their pseudonym and no name while notes are anonymous.
   */
  add(x: number, y: number, text = ''): string | undefined {
    const core = this.#core;
    if (!core.guard() || this.#orphaned) return undefined;
    const full = noteLimitDenial(core.notes.list.length);
    if (core.refuse(full && `${sentence(full)}.`)) return undefined;
    const { session } = core;
    const now = session.clock.now();
    const item = currentItemAt(core.agenda, now);
    const author = authorFields(session.actor, session.user.name, core.live);
    const anonymous = author.authorName === '' && author.authorId !== session.user.id;
    // While private (PW1), a new note goes to this person's own document: the board refuses it.
    const target = core.privateWriting ? session.docs.mine : session.docs.board;
    const note = { text, x, y, color: core.newColor, ...author, itemId: item?.id ?? null, createdAt: now };
    const id = core.oneStep(() =>
      core.attempt(() =>
        withWriter(target, anonymous ? core.anonWriter : undefined, () => addNote(target, note, core.origin)),
      ),
    );
    // NB4: a new note is always visible: a filter on another talk would hide it (and its editor).
    const created = id === undefined ? undefined : core.notes.get(id);
    if (created && !core.matchesFilter(created)) {
      core.filter = ALL_TALKS;
      core.notice = 'Showing all talks, so that you see your new note.';
    }
    return id;
  }

  /**
   * A note written where its author does not place it on the canvas (a phone,
   * the list view): into its talk's lane, clear of other notes and frames (NB10).
   */
  addInLane(text: string): string | undefined {
    const core = this.#core;
    const item = currentItemAt(core.agenda, core.session.clock.now());
    const frames = core.groups.map((g) => core.frame(g));
    const p = laneSpot(core.notes.list, frames, item?.id ?? null, core.items);
    const id = this.add(p.x, p.y, text);
    if (id) this.#laned.set(id, { ...p, until: Date.now() + LANE_SETTLE_MS });
    return id;
  }

  /**
   * Called whenever the notes change where notes are written into lanes: a
   * note of ours that landed on a slot someone else took a moment earlier
   * moves to the next free one (only the later note moves, so it settles).
   */
  settleLanes(): void {
    if (this.#laned.size === 0) return;
    const core = this.#core;
    const notes = core.notes.list;
    const now = Date.now();
    for (const [id, at] of [...this.#laned]) {
      const n = core.notes.get(id);
      // Gone, moved by someone (then it is where they want it), or settled long enough.
      if (!n || n.x !== at.x || n.y !== at.y || now > at.until) {
        this.#laned.delete(id);
        continue;
      }
      if (!crowdedByEarlier(n, notes)) continue;
      const frames = core.groups.map((g) => core.frame(g));
      const p = laneSpot(
        notes.filter((o) => o.id !== id),
        frames,
        n.itemId,
        core.items,
      );
      this.#laned.set(id, { ...p, until: at.until });
      this.move(id, p.x, p.y);
    }
  }

  move(id: string, x: number, y: number): void {
    const core = this.#core;
    if (!core.guard()) return;
    core.attempt(() => core.asWriterOf(id, (doc) => moveNote(doc, id, x, y, core.origin)));
  }

  /** Keyboard moves: each press is its own undo step. */
  nudge(id: string, dx: number, dy: number): void {
    const n = this.#core.notes.get(id);
    if (n) this.#core.oneStep(() => this.move(id, n.x + dx, n.y + dy));
  }

  /** Starts a drag: everything until `endGesture` is one undo step. */
  beginGesture(id: string): void {
    const core = this.#core;
    if (!core.writable) return;
    core.beginUndoStep();
    core.attempt(() => core.asWriterOf(id, (doc) => bringToFront(doc, id, core.origin)));
  }

  setColor(id: string, color: NoteColorId): void {
    const core = this.#core;
    if (!core.guard()) return;
    core.undoManager.stopCapturing();
    core.attempt(() => core.asWriterOf(id, (doc) => setNoteColor(doc, id, color, core.origin)));
  }

  toFront(id: string): void {
    const core = this.#core;
    if (!core.guard()) return;
    core.attempt(() => core.asWriterOf(id, (doc) => bringToFront(doc, id, core.origin)));
  }

  remove(id: string): void {
    const core = this.#core;
    if (!core.guard()) return;
    core.undoManager.stopCapturing();
    const actor = core.session.actor;
    core.attempt(() => deleteNote(core.docOf(id), id, actor, core.origin));
    if (core.editing === id) this.stopEditing();
  }

  /** NB7: what to ask before "Arrange by talk" moves every note on everyone's board. */
  get arrangeQuestion(): string {
    const n = this.#core.notes.list.length;
    return `Arrange ${n === 1 ? 'the 1 note' : `all ${n} notes`} by talk? This moves notes on everyone's board; Undo puts them back.`;
  }

  arrange(): void {
    const core = this.#core;
    if (!core.guard()) return;
    core.oneStep(() => core.attempt(() => arrangeByTalk(core.session.docs.board, core.items, core.origin)));
  }

  /** The shared text of a note, for the editor binding (null when deleted). */
  text(id: string): Y.Text | null {
    return noteText(this.#core.docOf(id), id);
  }

  startEditing(id: string): void {
    const core = this.#core;
    if (!core.writable) return;
    core.undoManager.stopCapturing();
    core.editing = id;
    // Who edits an anonymous note is not announced: right after "new note" it would name the author (NB1).
    const n = core.notes.get(id);
    core.presence.setEditing(n && n.authorName === '' ? null : id);
  }

  /**
   * Closes the editor. A note left empty is removed (NB6) when this person may
   * delete it, unless `keepEmpty` (focus only moved to the note's own controls).
   * Returns whether the note is gone.
   */
  stopEditing(opts: { keepEmpty?: boolean } = {}): boolean {
    const core = this.#core;
    const id = core.editing;
    core.undoManager.stopCapturing();
    core.editing = null;
    core.presence.setEditing(null);
    const n = id === null ? undefined : core.notes.get(id);
    if (!n || opts.keepEmpty || n.text.trim() !== '' || !core.writable || !core.canDelete(n)) return false;
    const actor = core.session.actor;
    core.attempt(() => deleteNote(core.docOf(n.id), n.id, actor, core.origin));
    core.undoManager.stopCapturing();
    return core.notes.get(n.id) === undefined;
  }
}
