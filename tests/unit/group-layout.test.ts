import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, NOTE_SIZE } from '../../shared/ops/board';
import { FRAME_TITLE, groupFrame, type Rect } from '../../shared/ops/geometry';
import { FRAME_GAP, layoutGroups } from '../../shared/ops/group-layout';
import { applyGroupPlan, createGroup } from '../../shared/ops/groups';
import { localOrigin, readGroups, readNotes, type Note } from '../../shared/schema';
import { toBoardSvg } from '../../server/export/svg';
import { newBoardDocs, snapshotOf } from '../fixtures/boards/workshop';

const me = localOrigin('u1');

/** A small deterministic generator (mulberry32), so the scattered board is the same every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hits = (a: Rect, b: Rect): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const noteRect = (n: { x: number; y: number }): Rect => ({
  x0: n.x,
  y0: n.y,
  x1: n.x + NOTE_SIZE.width,
  y1: n.y + NOTE_SIZE.height,
});
const inside = (a: Rect, b: Rect): boolean => a.x0 >= b.x0 && a.y0 >= b.y0 && a.x1 <= b.x1 && a.y1 <= b.y1;

/** `count` notes never arranged: piled up at random over a small area, as phones' notes land. */
function scattered(doc: Y.Doc, count: number, seed: number): string[] {
  const rnd = seeded(seed);
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(
      addNote(
        doc,
        {
          id: `n${i}`,
          text: `note ${i}`,
          x: Math.round(rnd() * 1400),
          y: Math.round(rnd() * 900),
          authorId: 'u1',
          authorName: 'U',
          itemId: null,
        },
        me,
      ),
    );
  return ids;
}

/** Every frame on the board, by group, from its notes (as the canvas and board.svg draw them). */
function frames(doc: Y.Doc): { id: string; frame: Rect; members: Note[] }[] {
  const notes = readNotes(doc);
  return readGroups(doc).map((g) => {
    const members = notes.filter((n) => n.groupId === g.id);
    return { id: g.id, frame: groupFrame(g, members), members };
  });
}

/** The new groups' frames hold their notes and touch nothing; no two frames on the board overlap. */
function expectTidy(doc: Y.Doc, made: readonly string[]): void {
  const all = frames(doc);
  const notes = readNotes(doc);
  for (const [i, a] of all.entries()) {
    // Every note of a group inside its frame, below the title band.
    for (const n of a.members) {
      expect(inside(noteRect(n), a.frame), `note ${n.id} inside its frame`).toBe(true);
      expect(n.y).toBeGreaterThanOrEqual(a.frame.y0 + FRAME_TITLE);
    }
    // No two frames overlap.
    for (const b of all.slice(i + 1)) expect(hits(a.frame, b.frame), `${a.id} overlaps ${b.id}`).toBe(false);
    // No other note lies on a new frame (nor on its title). (A group made by hand around scattered notes is the organizer's.)
    if (made.includes(a.id))
      for (const n of notes)
        if (n.groupId !== a.id)
          expect(hits(noteRect(n), a.frame), `note ${n.id} on frame ${a.id}`).toBe(false);
  }
}

describe('applied groups are laid out without overlaps (issue 20 item 10)', () => {
  it('GR1: six suggested groups over 283 scattered notes: no two frames overlap, every note inside its frame, no other note on a frame', () => {
    const doc = new Y.Doc();
    const ids = scattered(doc, 283, 20);
    // An existing group, kept by the plan.
    createGroup(doc, { title: 'Already there', x: 0, y: 0 }, [ids[0]!, ids[1]!, ids[2]!], me);
    const rnd = seeded(7);
    const rest = ids.slice(3).sort(() => rnd() - 0.5);
    const sizes = [60, 45, 30, 20, 12, 3];
    let k = 0;
    const plan = sizes.map((n, i) => ({ title: `Theme ${i + 1}`, noteIds: rest.slice(k, (k += n)) }));
    const made = applyGroupPlan(doc, plan, me);
    expect(made).toHaveLength(6);
    expectTidy(doc, made);
    // The notes that were in no group did not move.
    const before = new Y.Doc();
    scattered(before, 283, 20);
    const was = new Map(readNotes(before).map((n) => [n.id, n]));
    const planned = new Set(plan.flatMap((g) => g.noteIds));
    for (const n of readNotes(doc))
      if (!planned.has(n.id))
        expect({ x: n.x, y: n.y }).toEqual({ x: was.get(n.id)!.x, y: was.get(n.id)!.y });
  });

  it('GR1: groups applied twice, and on notes taken out of an existing group, still keep apart', () => {
    const doc = new Y.Doc();
    const ids = scattered(doc, 40, 3);
    createGroup(doc, { title: 'Old', x: 0, y: 0 }, ids.slice(0, 6), me);
    const made = applyGroupPlan(doc, [{ title: 'A', noteIds: ids.slice(3, 12) }], me);
    made.push(
      ...applyGroupPlan(
        doc,
        [
          { title: 'B', noteIds: ids.slice(12, 20) },
          { title: 'C', noteIds: ids.slice(20, 22) },
        ],
        me,
      ),
    );
    expectTidy(doc, made);
  });

  it('the frames of board.svg are the canvas frames: they do not overlap in the picture either', () => {
    const docs = newBoardDocs();
    const ids = scattered(docs.board, 60, 11);
    applyGroupPlan(
      docs.board,
      [
        { title: 'One', noteIds: ids.slice(0, 10) },
        { title: 'Two', noteIds: ids.slice(10, 25) },
        { title: 'Three', noteIds: ids.slice(25, 28) },
      ],
      me,
    );
    const svg = toBoardSvg({ ...snapshotOf(docs), groups: readGroups(docs.board) });
    const rects = [
      ...svg.matchAll(
        /<g class="group"[^>]*>\n<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"/g,
      ),
    ].map((m) => ({ x0: +m[1]!, y0: +m[2]!, x1: +m[1]! + +m[3]!, y1: +m[2]! + +m[4]! }));
    expect(rects).toHaveLength(3);
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(hits(a, b)).toBe(false);
    const canvas = frames(docs.board).map((f) => f.frame);
    for (const r of rects) expect(canvas).toContainEqual(r);
  });

  it('layoutGroups keeps a gap around the block and stays where the notes were when that is free', () => {
    const free = layoutGroups([4, 2], [], { x: 100, y: 200 });
    expect(free[0]!.frame.x0).toBe(100);
    expect(free[0]!.frame.y0).toBe(200);
    const wall: Rect = { x0: 0, y0: 0, x1: 2000, y1: 600 };
    const moved = layoutGroups([4, 2], [wall], { x: 100, y: 200 });
    for (const p of moved) {
      expect(
        hits(p.frame, {
          x0: wall.x0 - FRAME_GAP,
          y0: wall.y0 - FRAME_GAP,
          x1: wall.x1 + FRAME_GAP,
          y1: wall.y1 + FRAME_GAP,
        }),
      ).toBe(false);
    }
  });
});
