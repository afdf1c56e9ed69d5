import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addNote, NOTE_COLORS } from '../../shared/ops/board';
import { readNotes, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * What a participant sees first and how the canvas draws a large board (issue 18 item 1): the
 * board shows before the person's identity is issued, and notes the screen cannot show are not
 * drawn, yet panning and the keyboard still reach them.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');

async function boardWithNotes(notes: { text: string; x: number; y: number }[]): Promise<{
  server: TestServer;
  board: CreatedBoard;
}> {
  const server = await startTestServer({ clientDir });
  const board = await server.createBoard('First paint');
  await server.docs.change(board.id, 'board', 'e2e', (doc) => {
    for (const [i, n] of notes.entries())
      addNote(
        doc,
        {
          ...n,
          color: NOTE_COLORS[i % NOTE_COLORS.length]!.id,
          authorId: 'seed',
          authorName: 'Seed',
          itemId: null,
          createdAt: 1_700_000_000_000 + i,
        },
        serverOrigin('e2e'),
      );
  });
  return { server, board };
}

const noteWith = (page: Page, text: string) => page.locator('[data-note-id]', { hasText: text });
const focusedNoteText = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el instanceof HTMLElement && el.dataset.noteId
      ? (el.querySelector('.text')?.textContent ?? '')
      : '';
  });

// One browser per test, on a loaded 2-core machine.
describe.skipIf(!browserAvailable())('first paint and culled notes in Chromium (issue 18)', () => {
  it(
    'a new participant sees the board as soon as the name is given, read-only while the identity is issued, then writes',
    { timeout: 90_000 },
    async () => {
      const { server, board } = await boardWithNotes([{ text: 'Already here', x: 0, y: 0 }]);
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, null);
      // The identity's request is held until the board has been seen without it.
      let release: () => void = () => undefined;
      const released = new Promise<void>((r) => (release = r));
      let asked = false;
      await page.route('**/api/boards/*/people', async (route: Route) => {
        if (route.request().method() !== 'POST') return route.continue();
        asked = true;
        await released;
        await route.continue();
      });
      await page.goto(board.urls.participant);
      const name = page.getByRole('textbox', { name: /name/i });
      await name.fill('Ada');
      await name.press('Enter');

      await noteWith(page, 'Already here').waitFor({ timeout: 30_000 });
      expect(asked).toBe(true);
      await expect.poll(() => page.getByTestId('board-joining').isVisible()).toBe(true);
      expect(await page.getByTestId('new-note').isDisabled()).toBe(true);

      release();
      await eventually(async () => expect(await page.getByTestId('new-note').isEnabled()).toBe(true), {
        timeout: 30_000,
      });
      expect(await page.getByTestId('board-joining').count()).toBe(0);
      await page.getByTestId('new-note').click();
      await page.getByRole('textbox', { name: 'Note text' }).fill('Mine');
      await page.keyboard.press('Escape');
      // Written under the issued identity: the name is the person's.
      await eventually(
        async () => {
          const notes = await server.docs.read(board.id, 'board', (d) => readNotes(d));
          expect(notes.map((n) => [n.text, n.authorName])).toContainEqual(['Mine', 'Ada']);
        },
        { timeout: 15_000 },
      );
    },
  );

  it(
    'a note far off-screen is not drawn, appears when panned into view, and Tab reaches it from the last drawn note',
    { timeout: 90_000 },
    async () => {
      const { board } = await boardWithNotes([
        { text: 'Near one', x: 0, y: 0 },
        { text: 'Near two', x: 240, y: 0 },
        { text: 'Far away', x: 20_000, y: 0 },
      ]);
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, 'Bea');
      await page.goto(board.urls.participant);
      await noteWith(page, 'Near two').waitFor({ timeout: 30_000 });
      // Culled: not in the DOM at all.
      expect(await noteWith(page, 'Far away').count()).toBe(0);

      // The keyboard: Tab from the last drawn note brings the far one into view, focused.
      await noteWith(page, 'Near two').focus();
      await page.keyboard.press('Tab');
      await expect.poll(() => focusedNoteText(page)).toContain('Far away');
      expect(await noteWith(page, 'Far away').isVisible()).toBe(true);
      // And back.
      await page.keyboard.press('Shift+Tab');
      await expect.poll(() => focusedNoteText(page)).toContain('Near two');

      // Panning: the far note is drawn once the view nears it.
      await page.reload();
      await noteWith(page, 'Near two').waitFor({ timeout: 30_000 });
      expect(await noteWith(page, 'Far away').count()).toBe(0);
      const canvas = await page.locator('[data-canvas]').boundingBox();
      await page.mouse.move(canvas!.x + canvas!.width / 2, canvas!.y + canvas!.height / 2);
      await expect
        .poll(
          async () => {
            await page.mouse.wheel(600, 0);
            return noteWith(page, 'Far away').isVisible();
          },
          { timeout: 30_000, interval: 50 },
        )
        .toBe(true);
    },
  );

  it(
    'a crowded view below readable zoom draws the gist of each card; a focused card shows whole, with its author',
    { timeout: 90_000 },
    async () => {
      const notes = Array.from({ length: 300 }, (_, i) => ({
        text: `Idea ${i}: ${'a thought about open research data '.repeat(4)}`,
        x: (i % 20) * 230,
        y: Math.floor(i / 20) * 170,
      }));
      const { board } = await boardWithNotes(notes);
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, 'Cy');
      await page.goto(board.urls.participant);
      const first = noteWith(page, 'Idea 0:');
      await first.waitFor({ timeout: 30_000 });
      // The first view fits the board as far as readable-ish zoom allows: many cards, gists only.
      await expect.poll(() => page.locator('[data-note-id].gist').count()).toBeGreaterThan(120);
      expect(await first.locator('[data-testid="note-author"]').count()).toBe(0);
      expect(await first.getAttribute('aria-label')).toContain('Note by Seed');
      // Focus (Tab from the canvas reaches the first card) shows the whole card.
      await first.focus();
      await first.locator('[data-testid="note-author"]').waitFor();
      expect(await first.evaluate((el) => el.classList.contains('gist'))).toBe(false);
    },
  );
});
