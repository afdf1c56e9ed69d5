import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { readQuestions } from '../../shared/ops/questions';
import { serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * Q&A in Debian's Chromium against the built client (issue 11): a participant
 * asks while the organizer moderates, the question waits (never shown to the
 * other participant), the organizer approves it, and two participants upvote
 * it. Needs the Q&A panel mounted in the board page (client/src/lib/qa/QaPanel.svelte).
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const slow = { timeout: 25_000, interval: 100 };
const TEST_TIMEOUT = 120_000;
const origin = serverOrigin('e2e');
const QUESTION = 'Will the recordings be shared after the workshop?';

const panel = (page: Page) => page.locator('[data-testid="qa-panel"]');
const listed = (page: Page) =>
  panel(page)
    .locator('ol.questions .text')
    .evaluateAll((els) => els.map((e) => e.textContent ?? ''));

describe.skipIf(!browserAvailable())('Q&A in a real browser', () => {
  it(
    'QA2, QA4, QA10: ask → moderate (counted, badged, in view) → approve (the asker is told) → upvote on two participants',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Q&A workshop');
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => {
        const talk = addItem(
          d,
          { start: '09:00', minutes: 45, title: 'Opening keynote', kind: 'talk' },
          origin,
        );
        setCurrentItem(d, talk, origin);
      });
      const browser = await launchBrowser();
      const wide = { width: 1400, height: 900 };
      const olga = await newPerson(browser, 'Olga', wide);
      const ana = await newPerson(browser, 'Ana', wide);
      const ben = await newPerson(browser, 'Ben', wide);
      await Promise.all([
        olga.page.goto(board.urls.organizer),
        ana.page.goto(board.urls.participant),
        ben.page.goto(board.urls.participant),
      ]);
      for (const p of [olga.page, ana.page, ben.page]) await panel(p).waitFor({ timeout: 25_000 });

      // The organizer turns moderation on.
      await olga.page.getByLabel('Approve questions before everyone sees them').check();
      await eventually(async () => {
        const res = await fetch(`${server.url}/api/boards/${board.id}/questions`, {
          headers: { authorization: `Bearer ${board.tokens.viewer}` },
        });
        expect(((await res.json()) as { moderated: boolean }).moderated).toBe(true);
      }, slow);

      // Ana asks; her question waits, and she is told so.
      await ana.page.getByLabel('Your question').fill(QUESTION);
      await panel(ana.page).getByRole('button', { name: 'Ask', exact: true }).click();
      await panel(ana.page).getByText('Your question waits for the organizer’s approval.').waitFor(slow);
      await panel(ana.page).getByText('Your questions waiting for approval').waitFor(slow);

      // The organizer sees it waiting; Ben sees nothing of it.
      const waiting = panel(olga.page).locator('ul.waiting li', { hasText: QUESTION });
      await waiting.waitFor(slow);
      expect(await ben.page.content()).not.toContain(QUESTION);
      // QA10: counted in the heading and on the header's badge, and in view without scrolling.
      await eventually(
        async () =>
          expect(await panel(olga.page).getByTestId('qa-count').textContent()).toBe('(0, 1 waiting)'),
        slow,
      );
      const badge = olga.page.getByTestId('waiting-badge');
      await eventually(async () => expect(await badge.textContent()).toBe('1'), slow);
      await panel(olga.page).scrollIntoViewIfNeeded();
      const box = await waiting.getByRole('button', { name: 'Approve' }).boundingBox();
      const form = await panel(olga.page).getByLabel('Your question').boundingBox();
      expect(box && form && box.y < form.y).toBe(true);
      expect(await ben.page.getByTestId('waiting-badge').count()).toBe(0);
      expect(await server.docs.read(board.id, 'board', (d) => readQuestions(d))).toEqual([]);

      await waiting.getByRole('button', { name: 'Approve' }).click();
      for (const p of [ana.page, ben.page, olga.page])
        await eventually(async () => expect(await listed(p)).toEqual([QUESTION]), slow);
      await panel(ana.page).getByText('Your question was approved: it is on the list.').waitFor(slow);
      await badge.waitFor({ state: 'detached', ...slow });
      expect(await panel(olga.page).getByTestId('qa-count').textContent()).toBe('(1)');

      // Two participants upvote it; each may do so once.
      for (const p of [ana.page, ben.page])
        await panel(p)
          .getByRole('button', { name: /^Upvote/ })
          .click();
      await eventually(async () => {
        const [q] = await server.docs.read(board.id, 'board', (d) => readQuestions(d));
        expect(q?.voters).toHaveLength(2);
      }, slow);
      await eventually(
        async () =>
          expect(
            await panel(olga.page)
              .getByRole('button', { name: /Upvote \(2\)/ })
              .count(),
          ).toBe(1),
        slow,
      );
      expect(
        await panel(ben.page)
          .getByRole('button', { name: /Take back your upvote \(2\)/ })
          .count(),
      ).toBe(1);
    },
    TEST_TIMEOUT,
  );
});
