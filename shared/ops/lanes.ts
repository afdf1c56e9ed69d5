import { NOTE_SIZE } from './board';
import { readingOrder, type Point, type Rect } from './geometry';

/**
 * Lanes (issue 20, NB10): a note written where its author does not see the
 * canvas (a phone, the list view) goes into its talk's lane, the first free
 * slot from the top, clear of every note and group frame. Lanes stand side by
 * side in agenda order from the world's origin, notes without a talk last, so
 * a board of 100+ notes written from phones stays readable without "Arrange".
 */
export const LANE_COLUMNS = 2;
const GAP_X = 40;
const GAP_Y = 20;
/** Between lanes: wider than between notes, so talks read apart. */
const LANE_GAP = 160;
/** Room above the lanes, as "Arrange by talk" leaves for its headings. */
export const LANE_TOP = 60;
const CELL_W = NOTE_SIZE.width + GAP_X;
const CELL_H = NOTE_SIZE.height + GAP_Y;
export const LANE_WIDTH = LANE_COLUMNS * CELL_W - GAP_X;
/** A lane is searched this far down; past it the note goes below everything in the lane. */
const MAX_ROWS = 400;

/** The lane's index: agenda order; no talk or an unknown one, after the last. */
export function laneIndex(itemId: string | null, items: readonly { id: string }[]): number {
  const i = itemId === null ? -1 : items.findIndex((it) => it.id === itemId);
  return i < 0 ? items.length : i;
}

export const laneX = (index: number): number => index * (LANE_WIDTH + LANE_GAP);

const overlaps = (p: Point, r: Rect): boolean =>
  p.x < r.x1 && p.x + NOTE_SIZE.width > r.x0 && p.y < r.y1 && p.y + NOTE_SIZE.height > r.y0;

/** A note's box with half a gap around it, so that neighbours never touch. */
const noteBox = (n: Point): Rect => ({
  x0: n.x - GAP_X / 2,
  y0: n.y - GAP_Y / 2,
  x1: n.x + NOTE_SIZE.width + GAP_X / 2,
  y1: n.y + NOTE_SIZE.height + GAP_Y / 2,
});

/**
 * Top-left corner for a new note in the lane of `itemId`: rows from the top,
 * left to right, the first slot that touches no note and no frame.
 */
export function laneSpot(
  notes: readonly Point[],
  frames: readonly Rect[],
  itemId: string | null,
  items: readonly { id: string }[],
): Point {
  const x0 = laneX(laneIndex(itemId, items));
  const x1 = x0 + LANE_WIDTH;
  // Only what reaches into the lane can be in the way.
  const inLane = (r: Rect): boolean => r.x1 > x0 && r.x0 < x1;
  const obstacles = [...notes.map(noteBox), ...frames].filter(inLane);
  for (let row = 0; row < MAX_ROWS; row++)
    for (let col = 0; col < LANE_COLUMNS; col++) {
      const p = { x: x0 + col * CELL_W, y: LANE_TOP + row * CELL_H };
      if (!obstacles.some((r) => overlaps(p, r))) return p;
    }
  const bottom = Math.max(LANE_TOP, ...obstacles.map((r) => r.y1));
  return { x: x0, y: bottom + GAP_Y };
}

/**
 * "Tidy up" for a selection: the notes in reading order as a grid about 1.5
 * times wider than tall, from the selection's top-left corner.
 */
export function tidyGrid(notes: readonly (Point & { id: string })[]): { id: string; x: number; y: number }[] {
  if (notes.length === 0) return [];
  const x0 = Math.min(...notes.map((n) => n.x));
  const y0 = Math.min(...notes.map((n) => n.y));
  const cols = Math.max(1, Math.ceil(Math.sqrt(notes.length * 1.5)));
  return [...notes].sort(readingOrder).map((n, i) => ({
    id: n.id,
    x: x0 + (i % cols) * CELL_W,
    y: y0 + Math.floor(i / cols) * CELL_H,
  }));
}

/**
 * Two phones writing at the same moment pick the same free slot (neither has
 * the other's note yet). Once both notes are in, the later one (by creation
 * time, then id) is the one to move: this says whether `note` must.
 */
export function crowdedByEarlier(
  note: Point & { id: string; createdAt: number },
  notes: readonly (Point & { id: string; createdAt: number })[],
): boolean {
  const box = noteBox(note);
  return notes.some(
    (o) =>
      o.id !== note.id &&
      (o.createdAt < note.createdAt || (o.createdAt === note.createdAt && o.id < note.id)) &&
      overlaps(o, box),
  );
}

/** A lane's heading on the canvas: the talk's title above its lane. */
export interface LaneHeading {
  /** The agenda item, or null for the lane of notes without a talk. */
  itemId: string | null;
  title: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The heading band above the lanes (world units): inside LANE_TOP, clear of the first row of notes. */
export const LANE_HEADING = { top: 4, height: LANE_TOP - 16 } as const;

/**
 * Headings for the lanes in use (issue 20, NB10): a lane gets its talk's
 * title when one of that talk's notes sits in it, and the current talk's lane
 * gets one before its first note, so everyone sees where new notes go.
 */
export function laneHeadings(
  notes: readonly (Point & { itemId: string | null })[],
  items: readonly { id: string; title: string }[],
  currentItemId: string | null,
): LaneHeading[] {
  const used = new Set<number>();
  if (currentItemId !== null && items.some((i) => i.id === currentItemId))
    used.add(laneIndex(currentItemId, items));
  for (const n of notes) {
    const index = laneIndex(n.itemId, items);
    if (used.has(index)) continue;
    const x0 = laneX(index);
    if (n.x >= x0 && n.x < x0 + LANE_WIDTH && n.y >= LANE_TOP) used.add(index);
  }
  return [...used]
    .sort((a, b) => a - b)
    .map((index) => {
      const item = items[index];
      return {
        itemId: item?.id ?? null,
        title: item ? item.title || 'Untitled talk' : 'No talk',
        x: laneX(index),
        y: LANE_HEADING.top,
        width: LANE_WIDTH,
        height: LANE_HEADING.height,
      };
    });
}
