import { SvelteSet } from 'svelte/reactivity';
import { moveNote } from '$shared/ops/board';
import {
  applyGroupPlan,
  createGroup,
  deleteGroup,
  groupTitle,
  moveGroup,
  renameGroup,
  setNoteGroup,
  type GroupPlan,
} from '$shared/ops/groups';
import { dropTarget } from '$shared/ops/geometry';
import { tidyGrid } from '$shared/ops/lanes';
import type { Group, Note } from '$shared/schema';
import { groupRemovalDenial } from '$shared/policy';
import { GroupSuggestion } from '../groups/suggest.svelte';
import type { BoardCore } from './board-core.svelte';
import { groupVoteCount } from './vote-state.svelte';

/**
 * Making and changing groups (issue 11, docs/SPEC.md GR1–GR3, GU8): the
 * selection of notes to group, drag and drop into and out of frames, rename,
 * ungroup, and the organizer's suggested groups. Group edits are undoable
 * like note edits (one undo stack).
 */
export class GroupActions {
  readonly #core: BoardCore;
  /** Notes picked (shift-click, or S on a focused note) for "Group". */
  readonly selected = new SvelteSet<string>();
  /** The organizer's suggested groups while they edit them (GR4). */
  readonly suggestion: GroupSuggestion;

  constructor(core: BoardCore) {
    this.#core = core;
    this.suggestion = new GroupSuggestion(core.session);
  }

  /** Picks a note for "Group", or puts it back. */
  toggleSelected(id: string): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  clearSelection(): void {
    this.selected.clear();
  }

  #selectedNotes(): Note[] {
    return [...this.selected].map((id) => this.#core.notes.get(id)).filter((n): n is Note => !!n);
  }

  /** "Tidy up": the selected notes as a neat grid where they are (NB10); one undo step. */
  tidySelected(): void {
    const core = this.#core;
    if (!core.guard()) return;
    const notes = this.#selectedNotes();
    if (notes.length < 2) return;
    // One transaction per note (an anonymous note is moved as its own writer); one capture for undo.
    core.oneStep(() => {
      for (const m of tidyGrid(notes))
        core.attempt(() => core.asWriterOf(m.id, (doc) => moveNote(doc, m.id, m.x, m.y, core.origin)));
    });
  }

  /** Renames a group in one step (GU8: only when its editor commits, never per keystroke). */
  renameGroup(id: string, title: string): void {
    const core = this.#core;
    if (!core.guard()) return;
    const board = core.session.docs.board;
    if (!groupTitle(board, id)) return;
    core.oneStep(() => core.attempt(() => renameGroup(board, id, title, core.origin)));
  }

  #newGroup(noteIds: readonly string[], title = ''): string | undefined {
    const core = this.#core;
    const notes = noteIds.map((id) => core.notes.get(id)).filter((n): n is Note => n !== undefined);
    if (notes.length === 0) return undefined;
    const at = { x: Math.min(...notes.map((n) => n.x)), y: Math.min(...notes.map((n) => n.y)) };
    const ids = notes.map((n) => n.id);
    return core.attempt(() => createGroup(core.session.docs.board, { title, ...at }, ids, core.origin));
  }

  /** "Group": the selected notes (two or more) become one group; returns its id. */
  groupSelected(): string | undefined {
    const core = this.#core;
    if (!core.guard()) return undefined;
    if (this.selected.size < 2) {
      core.message = 'Select two notes or more to group them (shift-click, or S on a focused note).';
      return undefined;
    }
    const id = core.oneStep(() => this.#newGroup([...this.selected]));
    if (id) this.selected.clear();
    return id;
  }

  /**
   * The end of a note's drag (inside its gesture, so one undo step): dropped
   * on a note in no group, the two make a group; inside a group's frame, it
   * joins that group; dragged out of its group's frame, it leaves the group.
   */
  drop(id: string, x: number, y: number): void {
    const core = this.#core;
    if (!core.writable) return;
    const note = core.notes.get(id);
    if (!note) return;
    const target = dropTarget(note, { x, y }, core.visibleNotes, core.groups);
    const board = core.session.docs.board;
    if (target.kind === 'note') {
      this.#newGroup([target.id, id]);
    } else if (target.kind === 'group') {
      if (note.groupId !== target.id) core.attempt(() => setNoteGroup(board, id, target.id, core.origin));
    } else if (note.groupId) {
      const others = (core.members.get(note.groupId) ?? []).filter((n) => n.id !== id);
      if (others.length > 0) core.attempt(() => setNoteGroup(board, id, null, core.origin));
    }
  }

  /** Moves a group's frame by (dx, dy) from where the drag began; its notes follow. */
  moveGroup(id: string, x: number, y: number): void {
    const core = this.#core;
    if (!core.guard()) return;
    core.attempt(() => moveGroup(core.session.docs.board, id, x, y, core.origin));
  }

  /** Starts a frame drag: everything until `endGesture` is one undo step. */
  beginGroupGesture(): void {
    if (this.#core.writable) this.#core.beginUndoStep();
  }

  /** Why this person may not remove group `g`, or '' (GR2: a voted group is the organizer's). */
  ungroupDenial(g: Group): string {
    const core = this.#core;
    if (!core.writable) return core.readOnlyReason;
    const denial = groupRemovalDenial(core.session.role, groupVoteCount(g));
    return denial ? `${denial[0]!.toUpperCase()}${denial.slice(1)}.` : '';
  }

  /** "Ungroup": the group goes, its notes stay where they are. */
  ungroup(id: string): void {
    const core = this.#core;
    const g = core.group(id);
    if (!g || core.refuse(this.ungroupDenial(g))) return;
    core.oneStep(() => core.attempt(() => deleteGroup(core.session.docs.board, id, core.origin)));
  }

  /** Takes one note out of its group. */
  leaveGroup(noteId: string): void {
    const core = this.#core;
    if (!core.guard()) return;
    core.oneStep(() => core.attempt(() => setNoteGroup(core.session.docs.board, noteId, null, core.origin)));
  }

  /** "Apply": the suggestion as the organizer edited it becomes groups, one undo step. */
  applySuggestion(): string[] {
    const ids = this.applyPlan(this.suggestion.plan);
    if (ids.length > 0) {
      this.suggestion.cancel();
      this.#core.notice = `${ids.length === 1 ? '1 group' : `${ids.length} groups`} made: Undo (Ctrl+Z) takes them back.`;
    }
    return ids;
  }

  /** Applies an (edited) suggestion as one undo step (GR1); returns the new group ids. */
  applyPlan(plan: readonly GroupPlan[]): string[] {
    const core = this.#core;
    if (!core.guard()) return [];
    const known = plan
      .map((g) => ({ title: g.title, noteIds: g.noteIds.filter((n) => core.notes.get(n) !== undefined) }))
      .filter((g) => g.noteIds.length > 0);
    return (
      core.oneStep(() => core.attempt(() => applyGroupPlan(core.session.docs.board, known, core.origin))) ??
      []
    );
  }
}
