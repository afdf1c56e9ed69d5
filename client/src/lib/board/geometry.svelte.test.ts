// Named *.svelte.test.ts so that the vitest "runes" project (which owns client/src tests) runs it.
import { describe, expect, it } from 'vitest';
import { NOTE_SIZE } from '../../../../shared/ops/board';
import {
  cullKey,
  fitView,
  freeSpot,
  noteIntersects,
  parseRect,
  screenToWorld,
  visibleWorld,
  zoomAt,
} from './geometry';

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
});
