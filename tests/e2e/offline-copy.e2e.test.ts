import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addItem } from '../../shared/ops/agenda';
import { readAgenda, readLive, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';
const srv = serverOrigin('e2e');

const status = (p: Page) =>
  p
    .getByRole('status')
    .filter({ hasText: /Live|Saved|Syncing|Connecting|Offline|Saving/ })
    .first();

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

describe.skipIf(!browserAvailable())('the browser’s offline copy (issue 20)', () => {
  it(
    'OF1: a participant and a viewer who reload with an offline copy of the agenda see no refusal',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Reloads');
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => {
        addItem(d, { start: '09:00', minutes: 30, title: 'Opening talk', kind: 'talk' }, srv);
      });
      const browser = await launchBrowser();
      for (const role of ['participant', 'viewer'] as const) {
        const { page } = await newPerson(browser, role === 'viewer' ? 'Vic' : 'Pia', {
          width: 390,
          height: 844,
        });
        await page.goto(board.urls[role]);
        await expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
        // The agenda is kept in this browser before the reload.
        await eventually(
          async () => expect(await keptUpdates(page, `plenary:${board.id}:agenda`)).toBeGreaterThan(0),
          {
            timeout: 30_000,
          },
        );
        await page.reload();
        await expect.poll(() => status(page).textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
        // A change made after the reload reaches this page: the connection is past its session and sync.
        const title = `Added after the ${role} reloaded`;
        await server.docs.change(board.id, 'agenda', 'e2e', (d) => {
          addItem(d, { start: '10:00', minutes: 30, title, kind: 'talk' }, srv);
        });
        await page.getByText(title).first().waitFor({ state: 'attached', timeout: 30_000 });
        expect(await page.getByTestId('refusal').count()).toBe(0);
        expect(await page.getByText(/was refused/).count()).toBe(0);
        await page.close();
      }
    },
  );

  it(
    'OF1: another tab replacing the offline copy leaves this tab syncing: every change reaches the server, none is shown saved without it',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Two tabs');
      const browser = await launchBrowser();
      const { context, page: first } = await newPerson(browser, 'Olga', { width: 1440, height: 900 });
      await first.goto(board.urls.organizer);
      await expect.poll(() => status(first).textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
      const second = await context.newPage();
      await second.setViewportSize({ width: 1440, height: 900 });
      await second.goto(board.urls.organizer);
      await expect.poll(() => status(second).textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
      const name = `plenary:${board.id}:agenda`;
      await eventually(async () => expect(await keptUpdates(second, name)).toBeGreaterThan(0), {
        timeout: 30_000,
      });

      // The first tab replaces the copy (as after a refused change): the second tab's connection to it closes.
      await first.evaluate(
        (n) =>
          new Promise<void>((resolve, reject) => {
            const del = indexedDB.deleteDatabase(n);
            del.onsuccess = () => resolve();
            del.onerror = () => reject(del.error);
          }),
        name,
      );

      const locked = () => server.docs.read(board.id, 'agenda', (d) => readLive(d).boardLocked);
      const lock = second.getByTestId('lock-board');
      await lock.check();
      await eventually(async () => expect(await locked()).toBe(true), { timeout: 30_000 });
      await lock.uncheck();
      await eventually(async () => expect(await locked()).toBe(false), { timeout: 30_000 });
      await second.getByTestId('start-timer').click();
      await eventually(
        async () =>
          expect(await server.docs.read(board.id, 'agenda', (d) => readLive(d).timerEndsAt)).not.toBeNull(),
        { timeout: 30_000 },
      );
      await expect.poll(() => status(second).textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
      // The first tab sees the timer too, and the second tab keeps a copy again.
      await eventually(async () => expect(await keptUpdates(second, name)).toBeGreaterThan(0), {
        timeout: 30_000,
      });
      expect(await server.docs.read(board.id, 'agenda', (d) => readAgenda(d).live.boardLocked)).toBe(false);
    },
  );
});
