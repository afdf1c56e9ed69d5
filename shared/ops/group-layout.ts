import { NOTE_SIZE } from './board';
import { FRAME_PAD, FRAME_TITLE, type Point, type Rect } from './geometry';

/**
 * Where applied groups go (issue 20 item 10): each group is a frame with its
 * title on top and its notes in a grid inside; the frames are packed in rows
 * into one block, and the block goes where it touches no other note, no
 * other frame and keeps a gap around it: where the notes were when there is
 * room, else the nearest spot just right of or below what is in the way. So
 * frames never overlap each other or other notes, and no note hides a title,
 * on the canvas and in board.svg (which draws the same frames).
 */

/** Between notes inside a frame. */
export const NOTE_GAP = 20;
/** Around each frame: nothing else comes this close. */
export const FRAME_GAP = 40;

export interface GroupPlacement {
  frame: Rect;
  /** Top-left corners of the group's notes, in the order given. */
  notes: Point[];
}

/** Columns of a group of `n` notes: a grid about 1.5 times wider than tall. */
export const frameColumns = (n: number): number => Math.max(1, Math.ceil(Math.sqrt(Math.max(1, n) * 1.5)));

function frameSize(n: number): { width: number; height: number } {
  const cols = Math.min(frameColumns(n), Math.max(1, n));
  const rows = Math.max(1, Math.ceil(n / cols));
  return {
    width: cols * NOTE_SIZE.width + (cols - 1) * NOTE_GAP + 2 * FRAME_PAD,
    height: rows * NOTE_SIZE.height + (rows - 1) * NOTE_GAP + 2 * FRAME_PAD + FRAME_TITLE,
  };
}

const hits = (a: Rect, b: Rect): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Frames for groups of `sizes[i]` notes, clear of `obstacles` (other notes'
 * boxes and other frames), as close to `anchor` (top-left) as it finds room.
 */
export function layoutGroups(
  sizes: readonly number[],
  obstacles: readonly Rect[],
  anchor: Point,
): GroupPlacement[] {
  if (sizes.length === 0) return [];
  // Shelf packing: rows of frames, each row as wide as about the square root of the total area.
  const dims = sizes.map(frameSize);
  const area = dims.reduce((s, d) => s + (d.width + FRAME_GAP) * (d.height + FRAME_GAP), 0);
  const rowWidth = Math.max(...dims.map((d) => d.width), Math.sqrt(area) * 1.6);
  const offsets: Point[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let blockWidth = 0;
  for (const d of dims) {
    if (x > 0 && x + d.width > rowWidth) {
      x = 0;
      y += rowHeight + FRAME_GAP;
      rowHeight = 0;
    }
    offsets.push({ x, y });
    x += d.width + FRAME_GAP;
    blockWidth = Math.max(blockWidth, x - FRAME_GAP);
    rowHeight = Math.max(rowHeight, d.height);
  }
  const blockHeight = y + rowHeight;

  // The block's spot: the anchor, or just right of / below an obstacle, nearest first.
  const clear = (p: Point): boolean => {
    const box = {
      x0: p.x - FRAME_GAP,
      y0: p.y - FRAME_GAP,
      x1: p.x + blockWidth + FRAME_GAP,
      y1: p.y + blockHeight + FRAME_GAP,
    };
    return !obstacles.some((o) => hits(box, o));
  };
  // Right of everything or below everything is always free: only nearer spots are worth trying.
  const dist = (p: Point): number => Math.hypot(p.x - anchor.x, p.y - anchor.y);
  const sure = obstacles.length
    ? [
        { x: Math.max(...obstacles.map((o) => o.x1)) + FRAME_GAP, y: anchor.y },
        { x: anchor.x, y: Math.max(...obstacles.map((o) => o.y1)) + FRAME_GAP },
      ].sort((a, b) => dist(a) - dist(b))[0]!
    : anchor;
  const bound = dist(sure);
  const candidates: Point[] = [anchor];
  for (const o of obstacles)
    for (const p of [
      { x: o.x1 + FRAME_GAP, y: anchor.y },
      { x: anchor.x, y: o.y1 + FRAME_GAP },
      { x: o.x1 + FRAME_GAP, y: o.y0 },
      { x: o.x0, y: o.y1 + FRAME_GAP },
    ])
      if (dist(p) < bound) candidates.push(p);
  candidates.sort((a, b) => dist(a) - dist(b));
  const at = candidates.find(clear) ?? sure;

  return sizes.map((n, i) => {
    const o = offsets[i]!;
    const d = dims[i]!;
    const fx = at.x + o.x;
    const fy = at.y + o.y;
    const cols = frameColumns(n);
    const notes = Array.from({ length: n }, (_, k) => ({
      x: fx + FRAME_PAD + (k % cols) * (NOTE_SIZE.width + NOTE_GAP),
      y: fy + FRAME_TITLE + FRAME_PAD + Math.floor(k / cols) * (NOTE_SIZE.height + NOTE_GAP),
    }));
    return { frame: { x0: fx, y0: fy, x1: fx + d.width, y1: fy + d.height }, notes };
  });
}
