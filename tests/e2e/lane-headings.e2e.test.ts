import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { LANE_TOP, LANE_WIDTH, laneX } from '../../shared/ops/lanes';
import { readNotes, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * Lanes on the canvas (issue 20, NB10): each talk's lane in use shows the
 * talk's title above its notes, and "+ New note" on the canvas puts the note
 * in the current talk's lane, as notes from phones go, and shows it.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const origin = serverOrigin('e2e');
const slow = { timeout: 25_000, interval: 100 };
const SHOTS = process.env.PLENARY_SHOTS ?? '';

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;

describe.skipIf(!browserAvailable())('lane headings and new notes in lanes (issue 20)', () => {
  it(
    'NB10: each lane in use is headed by its talk’s title, clear of its notes; “+ New note” on the canvas goes into the current talk’s lane and into view',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Lanes');
      let first = '';
      let second = '';
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => {
        first = addItem(
          d,
          { start: '09:00', minutes: 30, title: 'Open data in practice', kind: 'talk' },
          origin,
        );
        second = addItem(d, { start: '09:30', minutes: 30, title: 'نقاش مفتوح', kind: 'talk' }, origin);
        setCurrentItem(d, second, origin);
      });
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        for (let i = 0; i < 4; i++)
          addNote(
            d,
            {
              text: `From a phone ${i + 1}`,
              x: laneX(0) + (i % 2) * 240,
              y: LANE_TOP + Math.floor(i / 2) * 160,
              authorId: 'p1',
              authorName: 'Pia',
              itemId: first,
              createdAt: 1_000 + i,
            },
            origin,
          );
      });
      const browser = await launchBrowser();
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPerson(browser, 'Olga', { width: 1440, height: 900 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(board.urls.organizer);
        await page.locator('[data-note-id]').nth(3).waitFor(slow);
        const heading = page.locator(`[data-lane-item="${first}"]`);
        await heading.waitFor(slow);
        expect(await heading.textContent()).toContain('Open data in practice');
        // The current talk's lane is headed before its first note.
        expect(await page.locator(`[data-lane-item="${second}"]`).textContent()).toContain('نقاش مفتوح');
        const hb = (await heading.boundingBox())!;
        for (const n of await page.locator('[data-note-id]').all())
          expect(overlaps(hb, (await n.boundingBox())!)).toBe(false);

        if (scheme === 'light') {
          await page.getByTestId('new-note').click();
          await page.keyboard.type('Written on the canvas');
          await page.keyboard.press('Escape');
          let id = '';
          await eventually(async () => {
            const notes = await server.docs.read(board.id, 'board', (d) => readNotes(d));
            const mine = notes.find((n) => n.text === 'Written on the canvas');
            expect(mine).toBeDefined();
            expect(mine!.itemId).toBe(second);
            expect(mine!.x).toBeGreaterThanOrEqual(laneX(1));
            expect(mine!.x).toBeLessThan(laneX(1) + LANE_WIDTH);
            expect(mine!.y).toBeGreaterThanOrEqual(LANE_TOP);
            id = mine!.id;
          }, slow);
          // The new note is on screen, inside the canvas.
          const canvas = (await page.locator('[data-canvas]').boundingBox())!;
          const nb = (await page.locator(`[data-note-id="${id}"]`).boundingBox())!;
          expect(nb.x).toBeGreaterThanOrEqual(canvas.x);
          expect(nb.x + nb.width).toBeLessThanOrEqual(canvas.x + canvas.width);
          expect(nb.y).toBeGreaterThanOrEqual(canvas.y);
          expect(nb.y + nb.height).toBeLessThanOrEqual(canvas.y + canvas.height);
        }
        await page.keyboard.press('0');
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/lanes-${scheme}.png` });
        await context.close();
      }
    },
  );
});
