import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addItem, setMeta, shiftDelay } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { openVoting, setBoardLocked } from '../../shared/ops/live';
import { readGroups, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * What a facilitator met in a full workshop run (issue 20 items 12 and 14),
 * in Debian's Chromium against the built client: news and errors look and
 * behave differently, and the board only offers what makes sense now.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const slow = { timeout: 25_000, interval: 100 };
const TEST_TIMEOUT = 150_000;
const origin = serverOrigin('e2e');
const laptop = { width: 1440, height: 900 };

/** The computed colour `css` (e.g. `var(--danger)`) resolves to on this page. */
const resolvedColor = (page: Page, css: string): Promise<string> =>
  page.evaluate((value) => {
    const probe = document.createElement('span');
    probe.style.color = value;
    document.body.append(probe);
    const out = getComputedStyle(probe).color;
    probe.remove();
    return out;
  }, css);

const colorOf = (el: Locator): Promise<string> => el.evaluate((e) => getComputedStyle(e).color);
const backgroundOf = (el: Locator): Promise<string> =>
  el.evaluate((e) => getComputedStyle(e).backgroundColor);

/**
 * A dated agenda in a zone where it is about noon (no run crosses midnight):
 * a talk that began 10 minutes ago and one in 20 minutes.
 */
async function boardWithTalks(server: TestServer, title: string): Promise<CreatedBoard> {
  const board = await server.createBoard(title);
  const utcHour = DateTime.utc().hour;
  const offset = Math.max(-12, Math.min(14, 12 - utcHour));
  const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  const local = DateTime.now().setZone(zone);
  const hhmm = (d: DateTime): string => d.toFormat('HH:mm');
  await server.docs.change(board.id, 'agenda', 'setup', (doc) => {
    setMeta(doc, { title, timeZone: zone, date: local.toISODate() ?? '' }, origin);
    const talk = { minutes: 30, kind: 'talk' } as const;
    addItem(
      doc,
      { ...talk, start: hhmm(local.minus({ minutes: 10 })), title: 'Open data in practice' },
      origin,
    );
    addItem(
      doc,
      { ...talk, start: hhmm(local.plus({ minutes: 20 })), title: 'Licences for everyone' },
      origin,
    );
  });
  return board;
}

describe.skipIf(!browserAvailable())('a facilitator’s run in the browser (issue 20)', () => {
  it(
    'NB14: "3 groups made" is a neutral notice that leaves by itself; an error stays, in red, until dismissed',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Notice workshop');
      const texts = [
        'Federated learning of hospital models',
        'Federated models trained in each hospital',
        'Hospital federated learning with private data',
        'Coffee break with pastries and coffee',
        'Better coffee and pastries at the break',
        'More coffee during the break please',
      ];
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => openVoting(d, 1, origin));
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        texts.forEach((text, i) =>
          addNote(
            d,
            {
              id: `note-${i + 1}`,
              text,
              x: (i % 3) * 260,
              y: Math.floor(i / 3) * 200,
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
      const { page } = await newPerson(browser, 'Olga', laptop);
      await page.goto(board.urls.organizer);
      await page.locator('[data-note-id]').nth(5).waitFor(slow);
      const danger = await resolvedColor(page, 'var(--danger)');
      const dangerBg = await resolvedColor(page, 'var(--danger-bg)');

      await page.getByRole('button', { name: 'More board tools' }).click();
      await page.getByTestId('suggest-groups').click();
      await eventually(
        async () => expect(await page.locator('[data-suggested-group]').count()).toBe(2),
        slow,
      );
      await page.getByTestId('apply-suggestion').click();
      await eventually(
        async () => expect(await server.docs.read(board.id, 'board', readGroups)).toHaveLength(2),
        slow,
      );

      // The news: announced politely, in the page's neutral colours, not as an error.
      const notice = page.getByTestId('board-notice');
      await expect
        .poll(() => notice.textContent(), slow)
        .toContain('2 groups made: Undo (Ctrl+Z) takes them back.');
      expect(await notice.getAttribute('role')).toBe('status');
      expect(await notice.getAttribute('aria-live')).toBe('polite');
      expect(await colorOf(notice)).not.toBe(danger);
      expect(await backgroundOf(notice)).not.toBe(dangerBg);
      const message = page.locator('.board-area .message[role="status"]');
      expect((await message.textContent())?.trim()).toBe('');

      // An error meanwhile: the second vote of a one-vote budget.
      const vote = page.locator('[data-note-id="note-1"]').getByTestId('vote');
      await vote.click();
      // aria-disabled, not disabled: pressed anyway, it says why.
      await expect.poll(() => vote.getAttribute('aria-disabled'), slow).toBe('true');
      await vote.click({ force: true });
      await expect.poll(() => message.textContent(), slow).toContain('votes are used');
      expect(await colorOf(message)).toBe(danger);

      // The notice leaves by itself (after about 6 s); the error is still there afterwards.
      await expect.poll(() => notice.isVisible(), { timeout: 20_000, interval: 250 }).toBe(false);
      expect(await message.textContent()).toContain('votes are used');
      expect(await message.isVisible()).toBe(true);

      // … until the person dismisses it.
      await page.getByRole('button', { name: 'Dismiss this message' }).click();
      await expect.poll(() => message.isVisible(), slow).toBe(false);
      expect(await page.getByRole('button', { name: 'Dismiss this message' }).count()).toBe(0);
    },
    TEST_TIMEOUT,
  );

  it(
    'issue 20 item 14: "votes left" only for people who can vote, no "Start this item now" on the live item, "running early" not in alarm red, Remove asks in the app’s dialog',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await boardWithTalks(server, 'Wording workshop');
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => {
        openVoting(d, 3, origin);
        shiftDelay(d, -5, origin);
      });
      const browser = await launchBrowser();
      const [olga, pia, vera] = await Promise.all([
        newPerson(browser, 'Olga', laptop),
        newPerson(browser, 'Pia', laptop),
        newPerson(browser, 'Vera', laptop),
      ]);
      await Promise.all([
        olga.page.goto(board.urls.organizer),
        pia.page.goto(board.urls.participant),
        vera.page.goto(board.urls.viewer),
      ]);
      const rows = olga.page.getByTestId('agenda-panel').getByTestId('agenda-item');
      await eventually(async () => expect(await rows.count()).toBe(2), slow);

      // The live item is already started: only the other one offers it.
      const live = olga.page.locator('[data-testid="agenda-item"][data-status="current"]');
      await eventually(async () => expect(await live.textContent()).toContain('Open data in practice'), slow);
      expect(await live.getByRole('button', { name: 'Start this item now' }).count()).toBe(0);
      const upcoming = olga.page.locator('[data-testid="agenda-item"][data-status="upcoming"]');
      expect(await upcoming.getByRole('button', { name: 'Start this item now' }).count()).toBe(1);

      // Early is not an alarm.
      const delay = olga.page.getByTestId('agenda-delay');
      await expect.poll(() => delay.textContent(), slow).toBe('running 5 min early');
      expect(await colorOf(delay)).not.toBe(await resolvedColor(olga.page, 'var(--danger)'));

      // Votes left: the participant, never the viewer; not on a locked board.
      await expect.poll(() => pia.page.getByTestId('votes-left').textContent(), slow).toContain('3 of 3');
      await vera.page.getByTestId('agenda-item').first().waitFor(slow);
      expect(await vera.page.getByTestId('votes-left').count()).toBe(0);
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => setBoardLocked(d, true, origin));
      await expect.poll(() => pia.page.getByTestId('board-readonly').count(), slow).toBe(1);
      expect(await pia.page.getByTestId('votes-left').count()).toBe(0);

      // Remove asks in the app's own dialog; Cancel keeps the item.
      let browserDialogs = 0;
      olga.page.on('dialog', (d) => {
        browserDialogs++;
        void d.dismiss();
      });
      await upcoming.getByRole('button', { name: 'Remove' }).click();
      const ask = olga.page.getByRole('dialog', { name: 'Remove “Licences for everyone” from the agenda?' });
      await ask.waitFor(slow);
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => ask.count(), slow).toBe(0);
      expect(await rows.count()).toBe(2);
      await upcoming.getByRole('button', { name: 'Remove' }).click();
      await ask.getByRole('button', { name: 'Remove' }).click();
      await eventually(async () => expect(await rows.count()).toBe(1), slow);
      expect(browserDialogs).toBe(0);
    },
    TEST_TIMEOUT,
  );
});
