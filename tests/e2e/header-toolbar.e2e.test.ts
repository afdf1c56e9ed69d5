import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { openVoting, startTimer } from '../../shared/ops/live';
import { serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

/**
 * The header and the board's toolbar hold their shape (issue 20 items 13 and
 * 15): a phone's header offline with unsynced changes keeps the logo, the
 * title and the name apart; at 1440×900 with both panels open, the timer
 * running and History shown, no toolbar button is wrapped or clipped.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const origin = serverOrigin('e2e');
const SHOTS = process.env.PLENARY_SHOTS ?? '';

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;

async function boxOf(page: Page, selector: string): Promise<Box> {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return b;
}

/** The element's own box is not cut by any ancestor that clips (overflow other than visible). */
async function clippedBy(page: Page, selector: string): Promise<string[]> {
  return page.locator(selector).evaluateAll((els) =>
    els.flatMap((el) => {
      const r = el.getBoundingClientRect();
      const out: string[] = [];
      if (r.width === 0 || r.height === 0)
        return [`${el.textContent?.trim() || el.getAttribute('aria-label')}: not shown`];
      if (r.left < 0 || r.right > window.innerWidth + 0.5)
        out.push(`${el.getAttribute('aria-label') ?? el.textContent?.trim()}: off screen`);
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const c = p.getBoundingClientRect();
        if (
          r.left < c.left - 0.5 ||
          r.right > c.right + 0.5 ||
          r.top < c.top - 0.5 ||
          r.bottom > c.bottom + 0.5
        )
          out.push(`${el.getAttribute('aria-label') ?? el.textContent?.trim()}: clipped by ${p.className}`);
      }
      // A label that wraps onto a second line inside a one-line button.
      const label = el.querySelector('.tool-label');
      if (label && label.getBoundingClientRect().height > 0) {
        const lines = label.getClientRects().length;
        if (lines > 1) out.push(`${el.textContent?.trim()}: label wraps`);
      }
      return out;
    }),
  );
}

describe.skipIf(!browserAvailable())('header and toolbar hold their shape (issue 20)', () => {
  it(
    'item 13: a phone at 390×844 offline with 2 unsynced changes keeps the logo, the title, the name chip and the status apart, and says the full status to screen readers',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Federated Imaging Workshop');
      const browser = await launchBrowser();
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPerson(browser, 'Ngozi Okafor', { width: 390, height: 844 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(board.urls.participant);
        const status = page
          .getByRole('status')
          .filter({ hasText: /Live|Saved|Syncing|Connecting|Offline|Saving/ })
          .first();
        await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Live|Saved/);
        await context.setOffline(true);
        await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(/Offline/);
        for (const text of ['First thought', 'Second thought']) {
          await page.locator('#note-draft').fill(text);
          await page.getByRole('button', { name: 'Add note' }).click();
        }
        await expect
          .poll(() => status.textContent(), { timeout: 30_000 })
          .toMatch(/Offline – 2 unsynced changes/);
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/phone-offline-${scheme}.png` });

        const parts = {
          logo: await boxOf(page, 'header .brand'),
          title: await boxOf(page, 'header h1.title'),
          people: await boxOf(page, 'header .people, header [data-testid="people"]'),
          status: await boxOf(page, 'header [role="status"]'),
        };
        const names = Object.keys(parts) as (keyof typeof parts)[];
        for (const a of names)
          for (const b of names)
            if (a < b) expect(overlaps(parts[a], parts[b]), `${a} overlaps ${b}`).toBe(false);
        // The title keeps room to be read, and everything stays on the screen.
        expect(parts.title.width).toBeGreaterThanOrEqual(60);
        for (const n of names) expect(parts[n].x + parts[n].width, n).toBeLessThanOrEqual(390);
        await context.close();
      }
    },
  );

  it(
    'item 15: at 1440×900 with both panels open, the timer running and History shown, every toolbar button keeps its whole box and "New note" stays on one line',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Federated Imaging Workshop');
      await server.docs.change(board.id, 'agenda', 'setup', (doc) => {
        addItem(doc, { start: '09:00', minutes: 15, title: 'Welcome', kind: 'other' }, origin);
        const talk = addItem(
          doc,
          { start: '09:15', minutes: 30, title: 'Open data in practice: a long talk title', kind: 'talk' },
          origin,
        );
        setCurrentItem(doc, talk, origin);
        startTimer(doc, Date.now() + 10 * 60_000, origin);
        openVoting(doc, 3, origin);
      });
      const browser = await launchBrowser();
      for (const scheme of ['light', 'dark'] as const) {
        const { context, page } = await newPerson(browser, 'Ana Souza', { width: 1440, height: 900 });
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(board.urls.organizer);
        const toolbar = page.getByRole('toolbar', { name: 'Board tools' });
        await toolbar.waitFor({ timeout: 30_000 });
        await page.locator('#area-agenda').waitFor({ state: 'visible', timeout: 30_000 });
        await page.locator('#area-tasks').waitFor({ state: 'visible', timeout: 30_000 });
        await page.locator('.timer-slot').waitFor({ timeout: 30_000 });
        await page.locator('.facilitation summary').waitFor({ timeout: 30_000 });
        const tools =
          '[aria-label="Board tools"] > button, [aria-label="Board tools"] > .pop > button, [aria-label="Board tools"] > select, [aria-label="Board tools"] .mode > button';
        expect(await clippedBy(page, tools)).toEqual([]);

        await page.getByRole('button', { name: 'More board tools' }).click();
        await page.getByTestId('open-history').click();
        await page.getByTestId('history-panel').waitFor({ timeout: 30_000 });
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/toolbar-1440-${scheme}.png` });
        expect(await clippedBy(page, tools)).toEqual([]);
        // Nothing covers the toolbar: the timer, the Facilitate button and History keep clear of it.
        const bar = await toolbar.boundingBox();
        for (const other of ['.timer-slot', '.facilitation summary', '[data-testid="history-panel"]']) {
          const b = await boxOf(page, other);
          expect(overlaps(bar!, b), `the toolbar overlaps ${other}`).toBe(false);
        }
        const newNote = await boxOf(page, '[data-testid="new-note"]');
        expect(newNote.height).toBeLessThanOrEqual(40);
        await context.close();
      }
    },
  );
});
