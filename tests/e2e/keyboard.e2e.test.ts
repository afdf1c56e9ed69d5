import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';

describe.skipIf(!browserAvailable())('UX9: the list of notes is one tab stop (roving focus)', () => {
  it(
    'UX9: Tab enters the list once, reaches only the active note’s controls, and arrow keys move between notes',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Keyboard');
      await server.docs.change(board.id, 'board', 'seed', (doc) => {
        ['First idea', 'Second idea', 'Third idea'].forEach((text, i) =>
          addNote(
            doc,
            { text, x: i * 220, y: 0, authorId: 'seed', authorName: 'Seed', itemId: null, createdAt: i + 1 },
            serverOrigin('seed'),
          ),
        );
      });
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, 'Kim');
      await page.goto(board.urls.participant);
      await page.getByRole('button', { name: 'List', exact: true }).click();
      const list = page.getByTestId('note-list');
      await list.locator('li[data-note-id]').nth(2).waitFor();

      /** Elements of the list that Tab reaches, as "note text › control" labels. */
      const tabStops = (): Promise<string[]> =>
        list.evaluate((el) =>
          [...el.querySelectorAll<HTMLElement>('li[data-note-id], li[data-note-id] *')]
            .filter((e) => e.tabIndex >= 0 && !(e as HTMLButtonElement).disabled)
            .map((e) => {
              const li = e.closest('li')!;
              const text = li.querySelector('.text')?.textContent ?? '';
              return e === li ? text : `${text} › ${e.getAttribute('aria-label') ?? e.textContent}`;
            }),
        );
      const stops = await tabStops();
      // The first note and its own controls; nothing of the other two.
      expect(stops[0]).toBe('First idea');
      expect(stops.length).toBeGreaterThan(1);
      expect(stops.every((s) => s.startsWith('First idea'))).toBe(true);

      // Tab from the control before the list lands on the first note, then on its controls.
      await page.getByLabel('Sort by votes').focus();
      await page.keyboard.press('Tab');
      const focusedText = (): Promise<string> =>
        page.evaluate(() => {
          const a = document.activeElement as HTMLElement | null;
          return a?.closest('li')?.querySelector('.text')?.textContent ?? a?.tagName ?? '';
        });
      expect(await focusedText()).toBe('First idea');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      expect(await focusedText()).toBe('Third idea');
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      expect(await focusedText()).toBe('Second idea');
      // The tab stop moved with the focus.
      const after = await tabStops();
      expect(after[0]).toBe('Second idea');
      expect(after.every((s) => s.startsWith('Second idea'))).toBe(true);
      // Enter edits the focused note.
      await page.keyboard.press('Enter');
      await list.getByLabel('Note text').waitFor();
    },
  );
});
