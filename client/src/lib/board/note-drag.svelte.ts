import type { BoardState } from './board.svelte';

/** Others see a dragged note move live, at most 20 writes per second. */
const WRITE_EVERY_MS = 50;
/** A press that moves less than this (px, |dx|+|dy|) is a click, not a drag. */
const DRAG_SLOP_PX = 4;

interface Grab {
  pointerId: number;
  startX: number;
  startY: number;
  noteX: number;
  noteY: number;
  moved: boolean;
  lastWrite: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Dragging one note with a pointer: where this client shows it (`local`, ahead of the throttled
 * writes to the shared document), the writes, and the drop that may group it (GR1) in one undo step.
 */
export class NoteDrag {
  /** Where this client shows the note while it is dragged, or null. */
  local = $state<{ x: number; y: number } | null>(null);
  #grab: Grab | null = null;

  constructor(
    private readonly board: BoardState,
    private readonly noteId: () => string,
    private readonly zoom: () => number,
  ) {}

  /** The pointer went down on the note: it is grabbed (captured by `el`). */
  start(e: PointerEvent, el: HTMLElement | undefined, from: { x: number; y: number }): void {
    el?.setPointerCapture(e.pointerId);
    this.#grab = {
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      noteX: from.x,
      noteY: from.y,
      moved: false,
      lastWrite: 0,
      timer: null,
    };
  }

  move(e: PointerEvent): void {
    const g = this.#grab;
    if (!g || e.pointerId !== g.pointerId) return;
    const dx = e.clientX - g.startX;
    const dy = e.clientY - g.startY;
    if (!g.moved) {
      if (Math.abs(dx) + Math.abs(dy) < DRAG_SLOP_PX) return;
      g.moved = true;
      this.board.beginGesture(this.noteId());
    }
    const zoom = this.zoom();
    this.local = { x: g.noteX + dx / zoom, y: g.noteY + dy / zoom };
    const wait = g.lastWrite + WRITE_EVERY_MS - performance.now();
    if (wait <= 0) this.#write();
    else g.timer ??= setTimeout(() => this.#write(), wait);
  }

  /**
   * The pointer came up: 'moved' after a drag (written and dropped), 'click' when it did not
   * move, null when this pointer was not grabbing the note.
   */
  end(e: PointerEvent): 'moved' | 'click' | null {
    const g = this.#grab;
    if (!g || e.pointerId !== g.pointerId) return null;
    if (g.timer) clearTimeout(g.timer);
    if (g.moved) {
      this.#write();
      // Onto another note or into a group's frame: grouped in the same undo step (GR1).
      if (this.local) this.board.drop(this.noteId(), this.local.x, this.local.y);
      this.board.endGesture();
    }
    this.#grab = null;
    this.local = null;
    return g.moved ? 'moved' : 'click';
  }

  #write(): void {
    const g = this.#grab;
    if (!g || !this.local) return;
    g.lastWrite = performance.now();
    g.timer = null;
    this.board.move(this.noteId(), this.local.x, this.local.y);
  }
}
