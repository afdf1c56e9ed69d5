// Named *.svelte.test.ts so that the vitest "runes" project (which owns client/src tests) runs it.
import { describe, expect, it } from 'vitest';
import { NOTE_SIZE } from '$shared/ops/board';
import {
  cullKey,
  dropTarget,
  fitView,
  FRAME_PAD,
  FRAME_TITLE,
  groupFrame,
  freeSpot,
  noteIntersects,
  parseRect,
  placeInView,
  screenToWorld,
  visibleWorld,
  zoomAt,
} from '$shared/ops/geometry';

describe('canvas geometry', () => {
  it('zooming around a point keeps the world point under it in place', () => {
    const v = { x: 100, y: 50, zoom: 1 };
    const p = { x: 400, y: 300 };
    const before = screenToWorld(v, p);
    const after = screenToWorld(zoomAt(v, p, 1.7), p);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('clamps zoom to the allowed range', () => {
    expect(zoomAt({ x: 0, y: 0, zoom: 1 }, { x: 0, y: 0 }, 1000).zoom).toBe(4);
    expect(zoomAt({ x: 0, y: 0, zoom: 1 }, { x: 0, y: 0 }, 0).zoom).toBe(0.05);
  });

  it('fit all shows every note and never zooms in past 100 %', () => {
    const notes = [
      { x: -500, y: 0 },
      { x: 3000, y: 2000 },
    ];
    const v = fitView(notes, 1000, 600);
    const w = visibleWorld(v, 1000, 600);
    expect(w.x0).toBeLessThanOrEqual(-500);
    expect(w.x1).toBeGreaterThanOrEqual(3000 + NOTE_SIZE.width);
    expect(w.y1).toBeGreaterThanOrEqual(2000 + NOTE_SIZE.height);
    expect(fitView([{ x: 0, y: 0 }], 1000, 600).zoom).toBe(1);
  });

  it('fits the notes below the tools floating over the top of the canvas', () => {
    const notes = [
      { x: 0, y: 0 },
      { x: 2000, y: 1500 },
    ];
    const top = 64;
    const v = fitView(notes, 390, 600, 40, top);
    // The topmost note starts below the toolbar, the lowest one ends on screen.
    expect(v.y + 0 * v.zoom).toBeGreaterThanOrEqual(top);
    expect(v.y + (1500 + NOTE_SIZE.height) * v.zoom).toBeLessThanOrEqual(600);
    expect(v.x).toBeGreaterThanOrEqual(0);
  });

  it('the culling key stays the same for small pans and covers the whole screen', () => {
    const v = { x: 0, y: 0, zoom: 1 };
    const key = cullKey(v, 1000, 600);
    expect(cullKey({ ...v, x: -30, y: 20 }, 1000, 600)).toBe(key);
    const r = parseRect(key);
    const seen = visibleWorld(v, 1000, 600);
    expect(r.x0).toBeLessThanOrEqual(seen.x0);
    expect(r.x1).toBeGreaterThanOrEqual(seen.x1);
    expect(r.y0).toBeLessThanOrEqual(seen.y0);
    expect(r.y1).toBeGreaterThanOrEqual(seen.y1);
    expect(cullKey({ ...v, x: -5000 }, 1000, 600)).not.toBe(key);
  });

  it('a note partly on screen counts as intersecting', () => {
    const r = { x0: 0, y0: 0, x1: 100, y1: 100 };
    expect(noteIntersects({ x: -NOTE_SIZE.width + 1, y: 50 }, r)).toBe(true);
    expect(noteIntersects({ x: -NOTE_SIZE.width, y: 50 }, r)).toBe(false);
    expect(noteIntersects({ x: 100, y: 0 }, r)).toBe(false);
  });

  it('places a new note where it overlaps no existing note', () => {
    const center = { x: 500, y: 400 };
    const first = freeSpot([], center);
    expect(first).toEqual({ x: 500 - NOTE_SIZE.width / 2, y: 400 - NOTE_SIZE.height / 2 });
    const second = freeSpot([first], center);
    expect(second).not.toEqual(first);
    const third = freeSpot([first, second], center);
    for (const other of [first, second]) {
      const apart =
        Math.abs(third.x - other.x) >= NOTE_SIZE.width || Math.abs(third.y - other.y) >= NOTE_SIZE.height;
      expect(apart).toBe(true);
    }
  });

  it('NB8: "+ New note" lands inside the visible canvas, clear of panels and of every other note', () => {
    const view = { x: -1000, y: -500, zoom: 0.5 };
    const [width, height] = [1280, 800];
    // A panel covers the right 400 px, a toolbar the top 60 px.
    const insets = { top: 60, right: 400, bottom: 0, left: 0 };
    const a = screenToWorld(view, { x: 0, y: 60 });
    const b = screenToWorld(view, { x: 880, y: 800 });
    const placed: { x: number; y: number }[] = [];
    for (let i = 0; i < 30; i++) {
      const p = placeInView(placed, view, width, height, insets);
      expect(p.x).toBeGreaterThanOrEqual(a.x);
      expect(p.y).toBeGreaterThanOrEqual(a.y);
      expect(p.x + NOTE_SIZE.width).toBeLessThanOrEqual(b.x);
      expect(p.y + NOTE_SIZE.height).toBeLessThanOrEqual(b.y);
      for (const other of placed) {
        const apart =
          Math.abs(p.x - other.x) >= NOTE_SIZE.width || Math.abs(p.y - other.y) >= NOTE_SIZE.height;
        expect(apart).toBe(true);
      }
      placed.push(p);
    }
  });

  it('NB8: a full view still shows the new note, stepped off the one at the centre', () => {
    const view = { x: 0, y: 0, zoom: 1 };
    const first = placeInView([], view, 300, 200);
    const second = placeInView([first], view, 300, 200);
    expect(second).not.toEqual(first);
    expect(Math.abs(second.x - first.x)).toBeLessThan(100);
  });
});

describe('group frames and drop targets (issue 11)', () => {
  const note = (id: string, x: number, y: number, groupId: string | null = null) => ({ id, x, y, groupId });

  it('GU1: a frame surrounds its notes with padding and a title bar above them', () => {
    const f = groupFrame({ x: 0, y: 0 }, [note('a', 100, 100), note('b', 400, 300)]);
    expect(f).toEqual({
      x0: 100 - FRAME_PAD,
      y0: 100 - FRAME_PAD - FRAME_TITLE,
      x1: 400 + NOTE_SIZE.width + FRAME_PAD,
      y1: 300 + NOTE_SIZE.height + FRAME_PAD,
    });
    // An empty group is a frame at its own position.
    expect(groupFrame({ x: 50, y: 60 }, []).x0).toBe(50 - FRAME_PAD);
  });

  it('GU1: over a lone note makes a group; inside a frame joins it; elsewhere no target', () => {
    const notes = [note('a', 0, 0), note('b', 1000, 0, 'g'), note('c', 1300, 0, 'g'), note('d', 3000, 0)];
    const groups = [{ id: 'g', x: 1000, y: 0 }];
    const dropped = notes[3]!;
    expect(dropTarget(dropped, { x: 30, y: 20 }, notes, groups)).toEqual({ kind: 'note', id: 'a' });
    // Over a grouped note, or its frame's empty space: the group.
    expect(dropTarget(dropped, { x: 1010, y: 10 }, notes, groups)).toEqual({ kind: 'group', id: 'g' });
    expect(dropTarget(dropped, { x: 1150, y: -40 }, notes, groups)).toEqual({ kind: 'group', id: 'g' });
    expect(dropTarget(dropped, { x: 2000, y: 800 }, notes, groups)).toEqual({ kind: 'none' });
    // A note is never its own target, and a group's frame is judged without the dragged note.
    expect(dropTarget(notes[0]!, { x: 0, y: 0 }, notes, groups)).toEqual({ kind: 'none' });
    const leaving = notes[2]!;
    expect(dropTarget(leaving, { x: 1500, y: 0 }, notes, groups)).toEqual({ kind: 'none' });
    expect(dropTarget(leaving, { x: 1050, y: 20 }, notes, groups)).toEqual({ kind: 'group', id: 'g' });
  });
});
