import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { openVoting } from '../../shared/ops/live';
import { BOARD_LIMITS } from '../../shared/policy';
import { readNotes, serverOrigin, type Note } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * The board's rules in Chromium (issue 8): the UI says why something is not
 * possible before the server has to refuse it, and when the server refuses a
 * change anyway (two tabs of one person, an offline edit, a limit only the
 * server knows), the page drops it, says so, and shows what the others see.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const origin = serverOrigin('e2e');
const IDEAS = ['First idea', 'Second idea', 'Third idea'];

/** A board with three notes written before anyone came (by the server). */
async function boardWithNotes(
  overrides: Parameters<typeof startTestServer>[0] = {},
): Promise<{ server: TestServer; board: CreatedBoard }> {
  const server = await startTestServer({ clientDir, ...overrides });
  const board = await server.createBoard('Rules');
  await server.docs.change(board.id, 'board', 'e2e setup', (doc) => {
    IDEAS.forEach((text, i) =>
      addNote(
        doc,
        { text, x: i * 240, y: 0, authorId: 'seed', authorName: 'Seed', itemId: null, createdAt: i + 1 },
        origin,
      ),
    );
  });
  return { server, board };
}

async function open(browser: Browser, server: TestServer, board: CreatedBoard, name: string, token: string) {
  const person = await newPerson(browser, name);
  await person.page.goto(`${server.url}/b/${board.id}#${token}`);
  await person.page.locator('[data-canvas]').waitFor({ timeout: 60_000 });
  await eventually(async () => expect(await person.page.locator('[data-note-id]').count()).toBe(3));
  return person;
}

/** A second tab of the same person: a context holding the same identity for the board. */
async function secondTab(browser: Browser, first: Page, board: CreatedBoard) {
  const stored = await first.evaluate((id) => localStorage.getItem(`plenary.person.${id}`), board.id);
  expect(stored).not.toBeNull();
  const tab = await newPerson(browser, 'Ada');
  await tab.context.addInitScript(([key, value]) => window.localStorage.setItem(key, value), [
    `plenary.person.${board.id}`,
    stored!,
  ] as const);
  return tab;
}

const noteWith = (page: Page, text: string): Locator => page.locator('[data-note-id]', { hasText: text });

const countOn = async (page: Page, text: string): Promise<string | null> =>
  noteWith(page, text).locator('[data-testid="note-votes"]').textContent();

const serverNotes = (server: TestServer, board: CreatedBoard): Promise<Note[]> =>
  server.docs.read(board.id, 'board', (d) => readNotes(d));

const votesOf = (notes: Note[]): number[] =>
  notes.map((n) => Object.values(n.votes).reduce((a, b) => a + b, 0));

const refusal = (page: Page): Locator => page.getByTestId('refusal');
const boardMessage = (page: Page): Locator => page.locator('.board-area .message[role="status"]');
const connection = (page: Page): Locator => page.locator('[data-state]');

describe.skipIf(!browserAvailable())('the rules in Chromium', () => {
  it(
    'a participant who reaches the vote limit sees why, and a refused vote from a second tab converges',
    { timeout: 90_000 },
    async () => {
      const { server, board } = await boardWithNotes();
      await server.docs.change(board.id, 'agenda', 'open voting', (d) => openVoting(d, 2, origin));
      const browser = await launchBrowser();
      const ada = await open(browser, server, board, 'Ada', board.tokens.participant);
      const bea = await open(browser, server, board, 'Bea', board.tokens.participant);

      // Ada's other tab (same person), which goes offline for a while.
      const tab = await secondTab(browser, ada.page, board);
      await tab.page.goto(board.urls.participant);
      await eventually(async () => expect(await tab.page.locator('[data-note-id]').count()).toBe(3));

      await noteWith(ada.page, IDEAS[0]!).getByTestId('vote').click();
      const left = (p: Page) => p.getByTestId('votes-left').textContent();
      await eventually(async () => expect(await left(tab.page)).toContain('1 of 2 votes left'));

      await tab.context.setOffline(true);
      await eventually(async () => expect(await connection(tab.page).textContent()).toMatch(/Offline/));
      await noteWith(tab.page, IDEAS[1]!).getByTestId('vote').click();
      expect(await left(tab.page)).toContain('0 of 2 votes left');

      // Meanwhile the first tab spends the last vote elsewhere: the server is at the limit.
      await noteWith(ada.page, IDEAS[2]!).getByTestId('vote').click();
      await eventually(async () => expect(await left(ada.page)).toContain('0 of 2 votes left'));

      // The limit is explained, not just a dead button.
      const vote = noteWith(ada.page, IDEAS[1]!).getByTestId('vote');
      expect(await vote.getAttribute('aria-disabled')).toBe('true');
      expect(await vote.getAttribute('title')).toBe('All 2 votes are used.');
      // (aria-disabled, not disabled: it can still be pressed, and then says why.)
      await vote.click({ force: true });
      await eventually(async () =>
        expect(await boardMessage(ada.page).textContent()).toBe('All 2 votes are used.'),
      );

      // Back online, the offline vote is refused: the tab says so and shows what was saved.
      await tab.context.setOffline(false);
      await refusal(tab.page).waitFor({ timeout: 30_000 });
      expect(await refusal(tab.page).innerText()).toBe(
        'Your last change was refused: all 2 votes are used. The board shows what was saved.',
      );
      await eventually(async () => expect(votesOf(await serverNotes(server, board))).toEqual([1, 0, 1]));
      for (const page of [ada.page, bea.page, tab.page]) {
        await eventually(async () => {
          expect(await countOn(page, IDEAS[0]!)).toBe('★ 1');
          expect(await countOn(page, IDEAS[1]!)).toBe('★ 0');
          expect(await countOn(page, IDEAS[2]!)).toBe('★ 1');
        });
      }
      await eventually(async () => expect(await connection(tab.page).textContent()).toMatch(/Live|Saved/));
      expect(await left(tab.page)).toContain('0 of 2 votes left');
      // Dismissed, it goes.
      await refusal(tab.page).getByRole('button', { name: 'Dismiss this message' }).click();
      expect(await refusal(tab.page).count()).toBe(0);
    },
  );

  it(
    'a locked board says so, and a note written offline before the lock is dropped with a reason',
    { timeout: 90_000 },
    async () => {
      const { server, board } = await boardWithNotes();
      const browser = await launchBrowser();
      const olga = await open(browser, server, board, 'Olga', board.tokens.organizer);
      const ada = await open(browser, server, board, 'Ada', board.tokens.participant);

      await ada.context.setOffline(true);
      await eventually(async () => expect(await connection(ada.page).textContent()).toMatch(/Offline/));
      await ada.page.getByTestId('new-note').click();
      await ada.page.keyboard.type('Written on the train');
      await ada.page.keyboard.press('Escape');
      await noteWith(ada.page, 'Written on the train').waitFor();

      await olga.page.getByTestId('lock-board').check();
      await eventually(async () =>
        expect(await server.docs.read(board.id, 'agenda', (d) => d.getMap('live').get('boardLocked'))).toBe(
          true,
        ),
      );

      await ada.context.setOffline(false);
      await refusal(ada.page).waitFor({ timeout: 30_000 });
      expect(await refusal(ada.page).innerText()).toBe(
        'Your last change was refused: the organizer has locked the board. The board shows what was saved.',
      );
      const banner = ada.page.getByTestId('board-readonly');
      await banner.waitFor();
      expect(await banner.textContent()).toBe('The organizer has locked the board: it is read-only for now.');
      await eventually(async () => expect(await ada.page.locator('[data-note-id]').count()).toBe(3));
      expect(await noteWith(ada.page, 'Written on the train').count()).toBe(0);
      expect(await ada.page.getByTestId('new-note').isDisabled()).toBe(true);
      expect((await serverNotes(server, board)).map((n) => n.text)).toEqual(IDEAS);
      expect(await olga.page.locator('[data-note-id]').count()).toBe(3);

      // Unlocked, Ada writes again, and it is kept.
      await olga.page.getByTestId('lock-board').uncheck();
      await eventually(async () => expect(await ada.page.getByTestId('new-note').isDisabled()).toBe(false));
      await ada.page.getByTestId('new-note').click();
      await ada.page.keyboard.type('After the lock');
      await ada.page.keyboard.press('Escape');
      await noteWith(olga.page, 'After the lock').waitFor();
      await eventually(async () =>
        expect((await serverNotes(server, board)).map((n) => n.text)).toContain('After the lock'),
      );
    },
  );

  it(
    'a full board (a lower limit on the server) refuses one more note and every page shows the same notes',
    { timeout: 90_000 },
    async () => {
      const { server, board } = await boardWithNotes({ boardLimits: { ...BOARD_LIMITS, notes: 3 } });
      const browser = await launchBrowser();
      const ada = await open(browser, server, board, 'Ada', board.tokens.participant);
      const bea = await open(browser, server, board, 'Bea', board.tokens.participant);

      await ada.page.getByTestId('new-note').click();
      await ada.page.keyboard.type('One too many');
      await refusal(ada.page).waitFor({ timeout: 15_000 });
      expect(await refusal(ada.page).innerText()).toMatch(
        /^Your last change was refused: this board is full.*\. The board shows what was saved\.$/,
      );
      await eventually(async () => expect(await ada.page.locator('[data-note-id]').count()).toBe(3));
      expect(await bea.page.locator('[data-note-id]').count()).toBe(3);
      expect((await serverNotes(server, board)).map((n) => n.text)).toEqual(IDEAS);
      // The page still works: an edit of an existing note is kept and reaches the other.
      await eventually(async () => expect(await connection(ada.page).textContent()).toMatch(/Live|Saved/));
      await noteWith(ada.page, IDEAS[0]!).focus();
      await ada.page.keyboard.press('Enter');
      await eventually(async () =>
        expect(await ada.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
          'Note text',
        ),
      );
      await ada.page.keyboard.press('End');
      await ada.page.keyboard.type('!');
      await ada.page.keyboard.press('Escape');
      await noteWith(bea.page, `${IDEAS[0]!}!`).waitFor();
    },
  );
});
