import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, arrangeByTalk, NOTE_SIZE, talkBlocks } from '../../shared/ops/board';
import { fitView, notesBounds } from '../../shared/ops/geometry';
import { localOrigin, readNotes, type AgendaItem } from '../../shared/schema';

const ada = localOrigin('ada');
const item = (id: string, title: string): AgendaItem => ({
  id,
  start: '09:00',
  minutes: 20,
  title,
  speaker: '',
  affiliation: '',
  url: '',
  kind: 'talk',
});

describe('NB7: arrange by talk lays each talk out as a grid block', () => {
  it('NB7: 200 notes of one talk make a block about 1.5 times wider than tall that "fit all" shows above 20 %', () => {
    const doc = new Y.Doc();
    for (let i = 0; i < 200; i++)
      addNote(
        doc,
        { text: `n${i}`, x: 0, y: 0, authorId: 'ada', authorName: 'Ada', itemId: 't1', createdAt: i },
        ada,
      );
    addNote(
      doc,
      { text: 'other', x: 0, y: 0, authorId: 'ada', authorName: 'Ada', itemId: 't2', createdAt: 999 },
      ada,
    );
    const blocks = arrangeByTalk(doc, [item('t1', 'Big talk'), item('t2', 'Small talk')], ada);
    expect(blocks.map((b) => [b.title, b.noteIds.length, b.cols])).toEqual([
      ['Big talk', 200, 18],
      ['Small talk', 1, 1],
    ]);
    const notes = readNotes(doc);
    // No two notes share a place; no note overlaps another.
    const spots = new Set(notes.map((n) => `${n.x},${n.y}`));
    expect(spots.size).toBe(notes.length);
    const big = blocks[0]!;
    expect(big.height).toBeLessThan(big.width);
    const b = notesBounds(notes)!;
    expect(b.y1 - b.y0).toBeLessThan(12 * (NOTE_SIZE.height + 40));
    expect(fitView(notes, 1280, 800).zoom).toBeGreaterThan(0.2);
    // The small talk's block sits to the right of the big one.
    expect(blocks[1]!.x).toBeGreaterThanOrEqual(big.x + big.width);
  });

  it('NB7: a few notes keep one column; blocks wrap into rows past the row width', () => {
    const notes = Array.from({ length: 60 }, (_, i) => ({
      id: `n${i}`,
      text: '',
      x: 0,
      y: 0,
      color: 'yellow',
      authorId: 'a',
      authorName: 'A',
      itemId: `t${i % 20}`,
      createdAt: i,
      votes: {},
      z: 0,
      group: '',
    }));
    const items = Array.from({ length: 20 }, (_, i) => item(`t${i}`, `Talk ${i}`));
    const blocks = talkBlocks(notes as never, items);
    expect(blocks.every((b) => b.cols === 1)).toBe(true);
    const rows = new Set(blocks.map((b) => b.y));
    expect(rows.size).toBeGreaterThan(1);
    for (const b of blocks) expect(b.x + b.width).toBeLessThanOrEqual(4800);
  });
});
