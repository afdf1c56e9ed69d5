import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readNotes } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!browserAvailable())('connection state is honest', () => {
  it(
    'shows offline with the unsynced count while the server is down, then saves on reconnect',
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'plenary-offline-'));
      dirs.push(dir);
      const dbFile = path.join(dir, 'plenary.db');
      const first = await startTestServer({ clientDir, dbFile });
      const board = await first.createBoard('Flaky network');
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, 'Ada');
      await page.goto(board.urls.participant);
      const status = page
        .getByRole('status')
        .filter({ hasText: /Live|Saved|Syncing|Connecting|Offline|Saving/ })
        .first();
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);

      await first.close();
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Offline/);
      await page
        .getByRole('button', { name: /new note/i })
        .first()
        .click();
      await page.keyboard.type('Written offline');
      await page.keyboard.press('Escape');
      await expect
        .poll(() => status.textContent(), { timeout: 30_000 })
        .toMatch(/Offline – \d+ unsynced change/);

      // The server comes back on the same port with the same database.
      const second = await startTestServer({ clientDir, dbFile, port: first.port });
      await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/Saved/);
      await eventually(async () =>
        expect(await second.docs.read(board.id, 'board', (d) => readNotes(d).map((n) => n.text))).toEqual([
          'Written offline',
        ]),
      );
    },
  );
});
