import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { serverOrigin } from '../../shared/schema';
import { SVG_LAYOUT, toBoardSvg } from '../../server/export/svg';
import { textDirection } from '../../server/export/text-direction';
import { NOTE_SIZE } from '../../shared/ops/board';
import { newBoardDocs, snapshotOf } from '../fixtures/boards/workshop';

const origin = serverOrigin('test');

/** The `<text>` element that holds a note's lines, as the attribute map of its start tag. */
function noteTextTag(svg: string, id: string): Record<string, string> {
  const group = svg.slice(svg.indexOf(`<g class="note" data-id="${id}">`));
  const tag = /<text ([^>]*)>/.exec(group.slice(0, group.indexOf('</g>')))?.[1] ?? '';
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('right-to-left text in board.svg (issue 20 item 11)', () => {
  it('a text reads in the direction of its first letter, as dir="auto" decides', () => {
    expect(textDirection('מה שלומך? 🙂')).toBe('rtl');
    expect(textDirection('ما رأيك؟')).toBe('rtl');
    expect(textDirection('🙂 123 — שלום')).toBe('rtl');
    expect(textDirection('Hello שלום')).toBe('ltr');
    expect(textDirection('12 🙂 ?')).toBe('ltr');
    expect(textDirection('')).toBe('ltr');
  });

  it('a Hebrew or Arabic note starts at its right edge with direction rtl; a Latin note at its left with ltr', () => {
    const docs = newBoardDocs();
    const base = { authorId: 'a1', authorName: 'Ana', itemId: null };
    const he = addNote(docs.board, { ...base, id: 'he', text: 'מה עם הנתונים? 🙂', x: 0, y: 0 }, origin);
    const ar = addNote(docs.board, { ...base, id: 'ar', text: 'ما رأيك في ذلك؟ 👍', x: 300, y: 0 }, origin);
    const en = addNote(
      docs.board,
      { ...base, id: 'en', text: 'What about the data? 🙂', x: 600, y: 0 },
      origin,
    );
    const svg = toBoardSvg(snapshotOf(docs));

    for (const [id, x] of [
      [he, 0],
      [ar, 300],
    ] as const) {
      const tag = noteTextTag(svg, id);
      expect(tag.direction).toBe('rtl');
      expect(tag['unicode-bidi']).toBe('embed');
      expect(Number(tag.x)).toBe(x + NOTE_SIZE.width - SVG_LAYOUT.padding);
    }
    const tag = noteTextTag(svg, en);
    expect(tag.direction).toBe('ltr');
    expect(Number(tag.x)).toBe(600 + SVG_LAYOUT.padding);
    // Every line of the right-to-left note starts at the same right edge.
    const heGroup = svg.slice(svg.indexOf(`data-id="${he}"`));
    const tspans = [...heGroup.slice(0, heGroup.indexOf('</g>')).matchAll(/<tspan x="([^"]+)"/g)];
    expect(tspans.length).toBeGreaterThan(0);
    for (const t of tspans) expect(Number(t[1])).toBe(NOTE_SIZE.width - SVG_LAYOUT.padding);
  });
});
