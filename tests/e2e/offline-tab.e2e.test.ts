import { afterEach, describe, expect, it } from 'vitest';
import { readNotes } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { mintPerson, SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { noteScratch } from '../helpers/probes';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';
const clients: SioClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe.skipIf(!browserAvailable())('OF1: offline edits survive the tab', () => {
  it(
    'OF1: a note written offline survives closing the tab (leaving asks first), shows when the link is reopened offline (where more can be written), and reaches the server merged with what others did meanwhile',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Train ride');
      const browser = await launchBrowser();
      const { context, page } = await newPerson(browser, 'Ada');
      await page.goto(board.urls.participant);
      const status = (p = page) =>
        p
          .getByRole('status')
          .filter({ hasText: /Live|Saved|Syncing|Connecting|Offline|Saving/ })
          .first();
      await expect.poll(() => status().textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
      // The app shell is kept by the service worker once it is active.
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });

      await context.setOffline(true);
      await expect.poll(() => status().textContent(), { timeout: 30_000 }).toMatch(/Offline/);
      await page
        .getByRole('button', { name: /new note/i })
        .first()
        .click();
      await page.keyboard.type('Written on a train');
      await page.keyboard.press('Escape');
      await expect.poll(() => status().textContent(), { timeout: 30_000 }).toMatch(/unsynced/);

      // The browser's copy has every keystroke before the tab goes (IndexedDB writes are asynchronous;
      // a person who closes a tab a second later has them all): its update count settles.
      const storedUpdates = (): Promise<number> =>
        page.evaluate(
          (name) =>
            new Promise<number>((resolve, reject) => {
              const open = indexedDB.open(name);
              open.onerror = () => reject(open.error);
              open.onsuccess = () => {
                const db = open.result;
                const count = db.transaction('updates').objectStore('updates').count();
                count.onsuccess = () => {
                  resolve(count.result);
                  db.close();
                };
              };
            }),
          `plenary:${board.id}:board`,
        );
      let last = -1;
      await eventually(
        async () => {
          const now = await storedUpdates();
          const settled = now === last && now > 'Written on a train'.length;
          last = now;
          expect(settled).toBe(true);
        },
        { timeout: 30_000, interval: 300 },
      );

      // Leaving with unsynced changes asks first.
      const asked = new Promise<string>((resolve) =>
        page.once('dialog', (d) => {
          resolve(d.type());
          void d.accept();
        }),
      );
      await page.close({ runBeforeUnload: true });
      expect(await asked).toBe('beforeunload');

      // Meanwhile someone online adds a note of their own.
      const bob = await mintPerson(server.url, board.id, board.tokens.participant, 'Bob');
      const online = new SioClient(
        server.url,
        { board: board.id, token: board.tokens.participant, name: 'Bob' },
        { identity: bob },
      );
      clients.push(online);
      await eventually(() => expect(online.session).not.toBeNull());
      const scratch = noteScratch(online.docs.board, { userId: bob.userId, name: 'Bob' }, 'bobs-note');
      scratch.insert(0, 'Meanwhile online');
      await eventually(() => expect(online.acks.some((a) => a.ok)).toBe(true));

      // Reopened with no network: the page comes from the service worker, the note from IndexedDB.
      const again = await context.newPage();
      await again.goto(board.urls.participant);
      await expect.poll(() => status(again).textContent(), { timeout: 30_000 }).toMatch(/Offline|Connecting/);
      await again
        .locator('[data-note-id]', { hasText: 'Written on a train' })
        .waitFor({ state: 'visible', timeout: 30_000 });
      expect(await server.docs.read(board.id, 'board', (d) => readNotes(d).map((n) => n.text))).toEqual([
        'Meanwhile online',
      ]);
      // Still offline, the reopened page can be written (the role this link had is remembered).
      await again
        .getByRole('button', { name: /new note/i })
        .first()
        .click();
      await again.keyboard.type('Written after reopening');
      await again.keyboard.press('Escape');

      // The network returns: both notes everywhere.
      await context.setOffline(false);
      await eventually(
        async () =>
          expect(
            (await server.docs.read(board.id, 'board', (d) => readNotes(d).map((n) => n.text))).sort(),
          ).toEqual(['Meanwhile online', 'Written after reopening', 'Written on a train']),
        { timeout: 60_000 },
      );
      await again
        .locator('[data-note-id]', { hasText: 'Meanwhile online' })
        .waitFor({ state: 'visible', timeout: 30_000 });
      await eventually(() =>
        expect(
          readNotes(online.docs.board)
            .map((n) => n.text)
            .sort(),
        ).toEqual(['Meanwhile online', 'Written after reopening', 'Written on a train']),
      );
    },
  );
});
