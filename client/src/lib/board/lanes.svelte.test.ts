// Named *.svelte.test.ts so that the vitest "runes" project (which owns client/src tests) runs it.
import { describe, expect, it } from 'vitest';
import { NOTE_SIZE } from '$shared/ops/board';
import type { Point, Rect } from '$shared/ops/geometry';
import { LANE_TOP, LANE_WIDTH, laneIndex, laneSpot, laneX, tidyGrid } from '$shared/ops/lanes';

const items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
const touch = (p: Point, q: Point): boolean =>
  Math.abs(p.x - q.x) < NOTE_SIZE.width && Math.abs(p.y - q.y) < NOTE_SIZE.height;
const inside = (p: Point, r: Rect): boolean =>
  p.x < r.x1 && p.x + NOTE_SIZE.width > r.x0 && p.y < r.y1 && p.y + NOTE_SIZE.height > r.y0;

describe('NB10: incoming notes find their talk’s lane', () => {
  it('NB10: 120 notes from phones over three talks and none overlap; each stays in its talk’s lane', () => {
    const notes: (Point & { item: string | null })[] = [];
    for (let i = 0; i < 120; i++) {
      const item = i % 4 === 3 ? null : items[i % 3]!.id;
      notes.push({ ...laneSpot(notes, [], item, items), item });
    }
    for (let i = 0; i < notes.length; i++)
      for (let j = i + 1; j < notes.length; j++) expect(touch(notes[i]!, notes[j]!)).toBe(false);
    for (const n of notes) {
      const x0 = laneX(laneIndex(n.item, items));
      expect(n.x).toBeGreaterThanOrEqual(x0);
      expect(n.x + NOTE_SIZE.width).toBeLessThanOrEqual(x0 + LANE_WIDTH);
      expect(n.y).toBeGreaterThanOrEqual(LANE_TOP);
    }
    // Untagged notes (and an unknown talk) go after the last talk.
    expect(laneIndex(null, items)).toBe(3);
    expect(laneIndex('gone', items)).toBe(3);
  });

  it('NB10: a lane steps around notes placed by hand and group frames', () => {
    const byHand = [{ x: laneX(1) + 10, y: LANE_TOP + 5 }];
    const frame: Rect = { x0: laneX(1) + 200, y0: 0, x1: laneX(1) + LANE_WIDTH, y1: 400 };
    const spots: Point[] = [];
    for (let i = 0; i < 6; i++) spots.push(laneSpot([...byHand, ...spots], [frame], 'b', items));
    for (const p of spots) {
      expect(inside(p, frame)).toBe(false);
      expect(touch(p, byHand[0]!)).toBe(false);
    }
  });

  it('NB10: "Tidy up" lines a scattered selection up as a grid from its top-left corner, in reading order', () => {
    const scattered = [
      { id: 'n1', x: 900, y: 700 },
      { id: 'n2', x: 100, y: 300 },
      { id: 'n3', x: 480, y: 310 },
      { id: 'n4', x: 130, y: 900 },
    ];
    const grid = tidyGrid(scattered);
    expect(grid.map((m) => m.id)).toEqual(['n2', 'n3', 'n1', 'n4']);
    expect(grid[0]).toMatchObject({ x: 100, y: 300 });
    for (let i = 0; i < grid.length; i++)
      for (let j = i + 1; j < grid.length; j++) expect(touch(grid[i]!, grid[j]!)).toBe(false);
    expect(new Set(grid.map((m) => m.y)).size).toBe(2); // 4 notes: 3 + 1
  });
});
