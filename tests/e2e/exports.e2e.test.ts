import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';
const srv = serverOrigin('e2e');

describe.skipIf(!browserAvailable())('every export has a button (issue 20)', () => {
  it(
    'XP3: "Notes (.csv)" and "Board (.svg)" download the notes and the board picture',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Export day');
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        addNote(
          d,
          { text: 'Open the data', x: 0, y: 60, authorId: 'u1', authorName: 'Ana', itemId: null },
          srv,
        );
      });
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, 'Olga', { width: 1440, height: 900 });
      await page.goto(board.urls.participant);
      const notes = page.getByRole('button', { name: 'Notes (.csv)' });
      await notes.waitFor({ state: 'attached', timeout: 30_000 });
      if (!(await notes.isVisible())) await page.locator('[aria-controls="area-tasks"]').first().click();
      for (const [name, file, content] of [
        ['Notes (.csv)', 'export-day-notes.csv', 'Open the data'],
        ['Board (.svg)', 'export-day-board.svg', '<svg'],
      ] as const) {
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name }).click(),
        ]);
        expect(download.suggestedFilename()).toBe(file);
        const path = await download.path();
        expect(readFileSync(path, 'utf8')).toContain(content);
      }
    },
  );
});
