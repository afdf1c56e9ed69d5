import { describe, expect, it } from 'vitest';
import { LANE_TOP, LANE_WIDTH, laneHeadings, laneX } from '../../shared/ops/lanes';

const items = [
  { id: 'a', title: 'Welcome' },
  { id: 'b', title: 'Open data' },
  { id: 'c', title: '' },
];

describe('lane headings (issue 20, NB10)', () => {
  it('NB10: a lane with its talk’s notes in it, and the current talk’s lane, are headed above the first row; other lanes are not', () => {
    const notes = [
      { x: laneX(1) + 10, y: LANE_TOP, itemId: 'b' },
      // A note of talk a placed by hand far from its lane: no heading for it.
      { x: laneX(1) + 300, y: 900, itemId: 'a' },
      { x: laneX(3), y: LANE_TOP + 160, itemId: null },
    ];
    const headings = laneHeadings(notes, items, 'c');
    expect(headings.map((h) => [h.itemId, h.title])).toEqual([
      ['b', 'Open data'],
      ['c', 'Untitled talk'],
      [null, 'No talk'],
    ]);
    for (const h of headings) {
      expect(h.width).toBe(LANE_WIDTH);
      expect(h.y + h.height).toBeLessThanOrEqual(LANE_TOP);
    }
  });
});
