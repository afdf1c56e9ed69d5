import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * Issue 17 leftovers in Chromium: a tab that reopens a deleted board clears
 * the board from the browser (OF2), and removing a person offers to replace
 * the participant link in the same step (ID7).
 */
const clientDir = path.resolve(import.meta.dirname, '../../dist/client');

/** How many updates this browser keeps of a document (0 when it keeps none). */
const keptUpdates = (p: Page, name: string): Promise<number> =>
  p.evaluate(
    (n) =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open(n);
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('updates')) {
            db.close();
            resolve(0);
            return;
          }
          const count = db.transaction('updates').objectStore('updates').count();
          count.onsuccess = () => {
            resolve(count.result);
            db.close();
          };
        };
      }),
    name,
  );

const peopleHere = async (page: Page): Promise<string[]> =>
  (await page.getByRole('list', { name: 'People here' }).getByRole('listitem').allInnerTexts()).map((t) =>
    t.replace(/\s+/g, ' ').trim(),
  );

describe.skipIf(!browserAvailable())('issue 17 in the browser', () => {
  it(
    'OF2: a tab that reopens a deleted board clears its offline copy and says what it says for an unknown board',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Soon deleted');
      const browser = await launchBrowser();
      const { context, page } = await newPerson(browser, 'Pia', { width: 390, height: 844 });
      await page.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
      const names = ['agenda', 'board', 'tasks'].map((d) => `plenary:${board.id}:${d}`);
      await eventually(async () => expect(await keptUpdates(page, names[1]!)).toBeGreaterThan(0), {
        timeout: 30_000,
      });
      await page.close();

      const res = await fetch(`${server.url}/api/boards/${board.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${board.tokens.organizer}` },
      });
      expect(res.status).toBeLessThan(300);

      const again = await context.newPage();
      await again.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
      const heading = again.getByRole('heading', { name: 'This link is not valid' });
      await heading.waitFor({ timeout: 30_000 });
      for (const n of names)
        await eventually(async () => expect(await keptUpdates(again, n)).toBe(0), { timeout: 15_000 });

      // A board that never existed: the same words, nothing to tell them apart.
      const unknown = await context.newPage();
      await unknown.goto(`${server.url}/b/AAAAAAAAAAAAAAAAAAAAAA#${board.tokens.participant}`);
      const other = unknown.getByRole('heading', { name: 'This link is not valid' });
      await other.waitFor({ timeout: 30_000 });
      const text = (p: Page) => p.locator('main').innerText();
      expect((await text(unknown)).replace(/\s+/g, ' ')).toBe((await text(again)).replace(/\s+/g, ' '));
      await browser.close();
    },
  );

  it(
    'ID7: "Remove from this board" offers to replace the participant link, says why, and does both in one step',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Troll');
      const browser = await launchBrowser();
      const olga = await newPerson(browser, 'Olga');
      await olga.page.goto(`${server.url}/b/${board.id}#${board.tokens.organizer}`);
      const troll = await newPerson(browser, 'Troll');
      await troll.page.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
      await eventually(async () => expect(await peopleHere(olga.page)).toContain('T Troll'), {
        timeout: 30_000,
      });
      await olga.page.getByRole('button', { name: 'Remove Troll from this board' }).click();
      const dialog = olga.page.getByRole('dialog', { name: 'Remove Troll from this board?' });
      await dialog.waitFor();
      await expect
        .poll(() => dialog.innerText())
        .toMatch(/Anyone who has the participant link can join again under a new name, Troll too/);
      await dialog.getByRole('checkbox', { name: 'Also replace the participant link' }).check();
      await dialog.getByRole('button', { name: 'Remove and replace the link' }).click();
      await troll.page
        .getByRole('heading', { name: 'You were removed from this board' })
        .waitFor({ timeout: 30_000 });
      await eventually(async () =>
        expect(await olga.page.getByTestId('people-message').innerText()).toMatch(
          /Troll was removed and the participant link replaced/,
        ),
      );
      // The old link mints nobody any more: the troll cannot come back under a new name.
      const mint = await fetch(`${server.url}/api/boards/${board.id}/people`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.participant}` },
        body: JSON.stringify({ name: 'Troll again' }),
      });
      expect(mint.status).toBe(401);
      await browser.close();
    },
  );
});
