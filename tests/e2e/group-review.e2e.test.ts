import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { readGroups, readNotes, serverOrigin } from '../../shared/schema';
import { seriousViolations } from '../helpers/axe';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * Suggested groups are reviewed in a list and applied without overlaps
 * (issue 20 item 10): on notes never arranged (piled over each other), the
 * organizer accepts or rejects each suggested group, applies, and the frames
 * on the canvas overlap neither each other nor any other note.
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

const THEMES = [
  [
    'Federated learning of hospital models',
    'Federated models trained in each hospital',
    'Hospital federated learning with private data',
    'Federated hospital models share weights',
  ],
  [
    'Coffee break with pastries and coffee',
    'Better coffee and pastries at the break',
    'More coffee during the break please',
  ],
  [
    'Open data portal licences for images',
    'Licences of the open data portal',
    'Image licences on the open portal',
  ],
];

describe.skipIf(!browserAvailable())('reviewing suggested groups (issue 20 item 10)', () => {
  it(
    'GU3: the review list accepts or rejects each suggested group; applied groups get frames that overlap no frame and no other note, titles above their notes',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Suggestion review');
      const texts = [...THEMES.flat(), 'A stray thought about nothing', 'Another unrelated remark'];
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        // Never arranged: piled up 23 px apart, as phones' notes once landed.
        texts.forEach((text, i) =>
          addNote(
            d,
            {
              id: `note-${i + 1}`,
              text,
              x: 60 + i * 23,
              y: 80 + i * 23,
              authorId: 'p1',
              authorName: 'Pia',
              itemId: null,
              createdAt: 1_000 + i,
            },
            origin,
          ),
        );
      });
      const browser = await launchBrowser();
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPerson(browser, 'Olga', { width: 1440, height: 900 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(board.urls.organizer);
        await page
          .locator('[data-note-id]')
          .nth(texts.length - 1)
          .waitFor(slow);
        if (scheme === 'light') {
          await page.getByRole('button', { name: 'More board tools' }).click();
          await page.getByTestId('suggest-groups').click();
          const review = page.getByTestId('suggestion-review');
          await eventually(
            async () => expect(await review.locator('> li').count()).toBeGreaterThanOrEqual(2),
            slow,
          );
          const offered = await review.locator('> li').count();
          expect(await seriousViolations(page)).toEqual([]);
          if (SHOTS) await page.screenshot({ path: `${SHOTS}/review-${scheme}.png` });
          // Reject the last one: it leaves the canvas and is not applied.
          await review.getByTestId('accept-suggested').last().uncheck();
          await eventually(
            async () => expect(await page.locator('[data-suggested-group]').count()).toBe(offered - 1),
            slow,
          );
          const apply = page.getByTestId('apply-suggestion');
          expect(await apply.textContent()).toContain(`${offered - 1}`);
          await apply.click();
          await eventually(async () => {
            const groups = await server.docs.read(board.id, 'board', (d) => readGroups(d));
            expect(groups).toHaveLength(offered - 1);
          }, slow);
        }
        const frames = page.locator('[data-group-id]');
        await eventually(async () => expect(await frames.count()).toBeGreaterThanOrEqual(1), slow);
        // Everything on screen at once, then compare the boxes the browser drew.
        await page.keyboard.press('0');
        await page.waitForFunction(() => true);
        const [groups, notes] = await server.docs.read(
          board.id,
          'board',
          (d) => [readGroups(d), readNotes(d)] as const,
        );
        const frameBoxes = await Promise.all(
          groups.map(async (g) => ({
            id: g.id,
            box: (await page.locator(`[data-group-id="${g.id}"]`).boundingBox())!,
          })),
        );
        const noteBoxes = await Promise.all(
          notes.map(async (n) => ({
            n,
            box: (await page.locator(`[data-note-id="${n.id}"]`).boundingBox())!,
          })),
        );
        for (const [i, a] of frameBoxes.entries()) {
          for (const b of frameBoxes.slice(i + 1))
            expect(overlaps(a.box, b.box), 'two frames overlap').toBe(false);
          for (const { n, box } of noteBoxes) {
            if (n.groupId === a.id) {
              // Inside its frame, below the frame's title.
              expect(box.x).toBeGreaterThanOrEqual(a.box.x);
              expect(box.x + box.width).toBeLessThanOrEqual(a.box.x + a.box.width + 0.5);
              expect(box.y).toBeGreaterThan(a.box.y + 20);
              expect(box.y + box.height).toBeLessThanOrEqual(a.box.y + a.box.height + 0.5);
            } else expect(overlaps(box, a.box), `note ${n.id} on a frame`).toBe(false);
          }
        }
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/applied-${scheme}.png` });
        await context.close();
      }
    },
  );
});
