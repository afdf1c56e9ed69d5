import { NOTE_SIZE } from './board';
import { ZOOM_RANGE } from './live';

/**
 * Pure viewport math for the canvas. A view maps world to screen as
 * `screen = world * zoom + (x, y)`; the canvas applies exactly that as one
 * CSS transform on the world layer.
 */
export interface View {
  x: number;
  y: number;
  zoom: number;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Point {
  x: number;
  y: number;
}

export const clampZoom = (z: number): number =>
  Math.min(ZOOM_RANGE.max, Math.max(ZOOM_RANGE.min, Number.isFinite(z) ? z : 1));

export const screenToWorld = (v: View, p: Point): Point => ({
  x: (p.x - v.x) / v.zoom,
  y: (p.y - v.y) / v.zoom,
});

/** The world rectangle a screen of `width` × `height` shows. */
export const visibleWorld = (v: View, width: number, height: number): Rect => ({
  x0: -v.x / v.zoom,
  y0: -v.y / v.zoom,
  x1: (width - v.x) / v.zoom,
  y1: (height - v.y) / v.zoom,
});

/** Zoom by `factor` keeping the world point under screen point `p` in place. */
export function zoomAt(v: View, p: Point, factor: number): View {
  const zoom = clampZoom(v.zoom * factor);
  const w = screenToWorld(v, p);
  return { x: p.x - w.x * zoom, y: p.y - w.y * zoom, zoom };
}

/** The view whose screen centre shows world point `c` at `zoom`. */
export const centerOn = (c: Point, zoom: number, width: number, height: number): View => {
  const z = clampZoom(zoom);
  return { x: width / 2 - c.x * z, y: height / 2 - c.y * z, zoom: z };
};

/** The screen centre of a view, in world coordinates. */
export const viewCenter = (v: View, width: number, height: number): Point =>
  screenToWorld(v, { x: width / 2, y: height / 2 });

/** Bounding box of notes (their top-left corners plus the note size), or null when empty. */
export function notesBounds(notes: readonly Point[]): Rect | null {
  if (notes.length === 0) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of notes) {
    if (n.x < x0) x0 = n.x;
    if (n.y < y0) y0 = n.y;
    if (n.x + NOTE_SIZE.width > x1) x1 = n.x + NOTE_SIZE.width;
    if (n.y + NOTE_SIZE.height > y1) y1 = n.y + NOTE_SIZE.height;
  }
  return { x0, y0, x1, y1 };
}

/** The view that shows every note with a margin, never zooming in past 100 %. */
export function fitView(
  notes: readonly Point[],
  width: number,
  height: number,
  margin = 40,
  /** Screen pixels at the top covered by floating tools: the notes fit below them. */
  top = 0,
): View {
  const b = notesBounds(notes);
  const inset = Math.min(Math.max(0, top), height / 2);
  if (!b || width <= 0 || height <= 0) return { x: margin, y: margin + inset, zoom: 1 };
  const zoom = clampZoom(
    Math.min(
      1,
      (width - 2 * margin) / Math.max(1, b.x1 - b.x0),
      (height - inset - 2 * margin) / Math.max(1, b.y1 - b.y0),
    ),
  );
  const v = centerOn({ x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2 }, zoom, width, height - inset);
  return { ...v, y: v.y + inset };
}

/**
 * The region whose notes are rendered: the visible world grown by half a
 * screen on each side and snapped outward to a grid whose cell size is a
 * power of two. Panning within the margin keeps the same string, so the set
 * of rendered notes (and Svelte's work) changes only every half screen, not
 * every frame.
 */
export function cullKey(v: View, width: number, height: number): string {
  const w = visibleWorld(v, width, height);
  const span = Math.max(w.x1 - w.x0, w.y1 - w.y0, 1);
  const cell = 2 ** Math.ceil(Math.log2(span / 2));
  const snapDown = (n: number): number => Math.floor(n / cell) * cell;
  const snapUp = (n: number): number => Math.ceil(n / cell) * cell;
  const x0 = snapDown(w.x0 - cell / 2);
  const y0 = snapDown(w.y0 - cell / 2);
  const x1 = snapUp(w.x1 + cell / 2);
  const y1 = snapUp(w.y1 + cell / 2);
  return `${x0},${y0},${x1},${y1}`;
}

export function parseRect(key: string): Rect {
  const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = key.split(',').map(Number);
  return { x0, y0, x1, y1 };
}

/** Whether a note with top-left corner `p` overlaps `r`. */
export const noteIntersects = (p: Point, r: Rect): boolean =>
  p.x < r.x1 && p.x + NOTE_SIZE.width > r.x0 && p.y < r.y1 && p.y + NOTE_SIZE.height > r.y0;

/** Below this zoom, text is unreadable anyway: notes render as plain coloured blocks. */
export const DETAIL_ZOOM = 0.35;

/** Reading order (rows top to bottom, then left to right) for Tab and screen readers. */
export const readingOrder = (a: Point, b: Point): number =>
  Math.floor(a.y / NOTE_SIZE.height) - Math.floor(b.y / NOTE_SIZE.height) || a.x - b.x;

/**
 * Top-left corner for a new note near `center` that overlaps no existing
 * note: rings of candidate slots around the centre, nearest first. With
 * `within`, only slots that lie wholly inside that world rectangle count and
 * the rings reach its edges (NB8); when every slot is taken, the note goes at
 * the centre, stepped down-right past notes already there so it never hides one.
 */
export function freeSpot(notes: readonly Point[], center: Point, rings = 4, within?: Rect): Point {
  const gap = 16;
  const w = NOTE_SIZE.width + gap;
  const h = NOTE_SIZE.height + gap;
  const origin = { x: center.x - NOTE_SIZE.width / 2, y: center.y - NOTE_SIZE.height / 2 };
  const overlaps = (p: Point): boolean =>
    notes.some((n) => Math.abs(n.x - p.x) < w - gap / 2 && Math.abs(n.y - p.y) < h - gap / 2);
  const inside = (p: Point): boolean =>
    !within ||
    (p.x >= within.x0 &&
      p.y >= within.y0 &&
      p.x + NOTE_SIZE.width <= within.x1 &&
      p.y + NOTE_SIZE.height <= within.y1);
  const reach = within
    ? Math.min(40, Math.ceil(Math.max((within.x1 - within.x0) / w, (within.y1 - within.y0) / h) / 2) + 1)
    : rings;
  for (let r = 0; r <= reach; r++) {
    const ring: Point[] = [];
    for (let i = -r; i <= r; i++)
      for (let j = -r; j <= r; j++)
        if (Math.max(Math.abs(i), Math.abs(j)) === r) ring.push({ x: origin.x + i * w, y: origin.y + j * h });
    ring.sort(
      (a, b) => Math.hypot(a.x - origin.x, a.y - origin.y) - Math.hypot(b.x - origin.x, b.y - origin.y),
    );
    const free = ring.find((p) => inside(p) && !overlaps(p));
    if (free) return free;
  }
  // Full: a cascade from the centre (at most a few steps, so it stays in view).
  const step = 24;
  let p = origin;
  for (let k = 0; k < 8 && notes.some((n) => Math.abs(n.x - p.x) < 4 && Math.abs(n.y - p.y) < 4); k++)
    p = { x: p.x + step, y: p.y + step };
  return p;
}

/** Screen margins covered by floating chrome (toolbars, panels), in CSS pixels. */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/**
 * Where "+ New note" puts a note (NB8): in the part of the canvas the person
 * sees (the screen minus what floating panels and toolbars cover), as near
 * its middle as a free slot allows, never on top of another note.
 */
export function placeInView(
  notes: readonly Point[],
  view: View,
  width: number,
  height: number,
  insets: Insets = { top: 0, right: 0, bottom: 0, left: 0 },
): Point {
  const left = Math.min(insets.left, width / 2);
  const top = Math.min(insets.top, height / 2);
  const right = Math.max(left, width - insets.right);
  const bottom = Math.max(top, height - insets.bottom);
  const a = screenToWorld(view, { x: left, y: top });
  const b = screenToWorld(view, { x: right, y: bottom });
  const within: Rect = { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
  const center = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  // Too small a view for a whole note: its middle is the best there is.
  if (b.x - a.x < NOTE_SIZE.width || b.y - a.y < NOTE_SIZE.height) return freeSpot(notes, center);
  return freeSpot(notes, center, 4, within);
}

// Groups (issue 11): a group is drawn as a frame around its notes, with its title above them.

/** Space around a group's notes, and the height of its title bar above them (world units). */
export const FRAME_PAD = 16;
export const FRAME_TITLE = 44;

/**
 * The frame of a group: the box around its notes plus padding and a title bar;
 * a group without notes is an empty frame at its own position.
 */
export function groupFrame(at: Point, members: readonly Point[]): Rect {
  const b = notesBounds(members) ?? {
    x0: at.x,
    y0: at.y,
    x1: at.x + NOTE_SIZE.width,
    y1: at.y + NOTE_SIZE.height,
  };
  return {
    x0: b.x0 - FRAME_PAD,
    y0: b.y0 - FRAME_PAD - FRAME_TITLE,
    x1: b.x1 + FRAME_PAD,
    y1: b.y1 + FRAME_PAD,
  };
}

const within = (p: Point, r: Rect): boolean => p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1;

export type DropTarget = { kind: 'group'; id: string } | { kind: 'note'; id: string } | { kind: 'none' };

export interface DropNote extends Point {
  id: string;
  groupId?: string | null;
}

/**
 * Where a note dropped with its top-left corner at `at` lands, judged by its
 * centre: over a note that is in no group makes a group of the two (the
 * topmost such note, last in `notes`, wins); inside a group's frame (drawn
 * without the dropped note) joins that group; anything else is no target.
 */
export function dropTarget(
  dropped: DropNote,
  at: Point,
  notes: readonly DropNote[],
  groups: readonly (Point & { id: string })[],
): DropTarget {
  const c = { x: at.x + NOTE_SIZE.width / 2, y: at.y + NOTE_SIZE.height / 2 };
  for (let i = notes.length - 1; i >= 0; i--) {
    const n = notes[i]!;
    if (n.id === dropped.id || n.groupId) continue;
    if (within(c, { x0: n.x, y0: n.y, x1: n.x + NOTE_SIZE.width, y1: n.y + NOTE_SIZE.height }))
      return { kind: 'note', id: n.id };
  }
  for (const g of groups) {
    const members = notes.filter((n) => n.groupId === g.id && n.id !== dropped.id);
    // A group whose only note is being dragged has no frame to drop into.
    if (members.length === 0 && dropped.groupId === g.id) continue;
    if (within(c, groupFrame(g, members))) return { kind: 'group', id: g.id };
  }
  return { kind: 'none' };
}
