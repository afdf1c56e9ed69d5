/**
 * Screenshots of the identity and rules messages, at phone (390×844) and
 * laptop (1366×768) sizes, light and dark, into docs/screenshots/.
 *
 *   npm run build && npx tsx tests/e2e/screenshots.ts
 *
 * Not a test: a look at what people see (run it after changing these panels).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/app';
import { testConfig } from '../../server/config';
import { addItem, setCurrentItem, setMeta } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { openVoting } from '../../shared/ops/live';
import { BOARD_LIMITS } from '../../shared/policy';
import { serverOrigin } from '../../shared/schema';
import { CHROMIUM_PATH } from '../helpers/env';

const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(root, 'docs/screenshots');
const origin = serverOrigin('screenshots');

const SIZES = {
  phone: { width: 390, height: 844 },
  laptop: { width: 1366, height: 768 },
} as const;
type Size = keyof typeof SIZES;
type Scheme = 'light' | 'dark';

interface Board {
  id: string;
  tokens: { organizer: string; participant: string; viewer: string };
}

async function createBoard(server: RunningServer, url: string, title: string): Promise<Board> {
  const res = await fetch(`${url}/api/boards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  const board = (await res.json()) as Board;
  await server.docs.change(board.id, 'agenda', 'screenshots', (doc) => {
    setMeta(doc, { title, timeZone: 'Europe/Berlin', date: new Date().toISOString().slice(0, 10) }, origin);
    addItem(doc, { start: '09:00', minutes: 15, title: 'Welcome', kind: 'other' }, origin);
    const talk = addItem(
      doc,
      { start: '09:15', minutes: 40, title: 'Open data in practice', speaker: 'Ana Souza', kind: 'talk' },
      origin,
    );
    addItem(doc, { start: '09:55', minutes: 30, title: 'Discussion', kind: 'discussion' }, origin);
    setCurrentItem(doc, talk, origin);
  });
  await server.docs.change(board.id, 'board', 'screenshots', (doc) => {
    ['Publish the raw data', 'One licence for all datasets', 'Ask the funders'].forEach((text, i) =>
      addNote(
        doc,
        {
          text,
          x: 20 + (i % 2) * 230,
          y: 20 + Math.floor(i / 2) * 170,
          authorId: 'seed',
          authorName: 'Kenji',
          itemId: null,
          createdAt: i + 1,
        },
        origin,
      ),
    );
  });
  return board;
}

async function person(
  browser: Browser,
  name: string,
  size: Size,
  scheme: Scheme,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: SIZES[size],
    colorScheme: scheme,
    deviceScaleFactor: 1,
  });
  await context.addInitScript((n) => window.localStorage.setItem('plenary.name', n), name);
  const page = await context.newPage();
  return { context, page };
}

const settle = (page: Page): Promise<void> => page.waitForTimeout(400);

async function shoot(page: Page, name: string, size: Size, scheme: Scheme): Promise<void> {
  await settle(page);
  const file = path.join(outDir, `${name}-${size}-${scheme}.png`);
  await page.screenshot({ path: file });
  process.stdout.write(`${path.relative(root, file)}\n`);
}

async function openBoard(page: Page, url: string, board: Board, token: string): Promise<void> {
  await page.goto(`${url}/b/${board.id}#${token}`);
  await page.getByRole('list', { name: 'People here' }).waitFor();
  await page.locator('[data-note-id]').first().waitFor();
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const clientDir = path.join(root, 'dist/client');
  const server = await startServer(
    testConfig({
      clientDir,
      peoplePerAddress: 10_000,
      peoplePerLink: 10_000,
      boardLimits: { ...BOARD_LIMITS, notes: 3 },
    }),
  );
  const url = `http://127.0.0.1:${server.port}`;
  const only = process.argv[2];
  try {
    for (const size of Object.keys(SIZES) as Size[]) {
      for (const scheme of ['light', 'dark'] as Scheme[]) {
        // 1. A refused change: one note too many on a full board.
        if (!only || only === 'refused') {
          const board = await createBoard(server, url, 'Workshop on open data');
          const { context, page } = await person(browser, 'Ada', size, scheme);
          await openBoard(page, url, board, board.tokens.participant);
          if (size === 'phone') {
            await page.locator('#note-draft').fill('One idea too many');
            await page.getByRole('button', { name: 'Add note' }).click();
          } else {
            await page.getByTestId('new-note').click();
            await page.keyboard.type('One idea too many');
          }
          await page.getByTestId('refusal').waitFor({ timeout: 15_000 });
          await shoot(page, 'refused-change', size, scheme);
          await context.close();
        }

        // 2. The vote limit, explained.
        if (!only || only === 'votes') {
          const board = await createBoard(server, url, 'Workshop on open data');
          await server.docs.change(board.id, 'agenda', 'vote', (d) => openVoting(d, 2, origin));
          const { context, page } = await person(browser, 'Ada', size, scheme);
          await openBoard(page, url, board, board.tokens.participant);
          const votes = page.locator('[data-testid="vote"], button[aria-label="Vote for this note"]');
          await votes.nth(0).click();
          await votes.nth(1).click();
          await page.getByText('0 of 2 votes left').waitFor();
          await votes.nth(2).click({ force: true });
          await page.getByText('All 2 votes are used.').first().waitFor();
          await shoot(page, 'vote-limit', size, scheme);
          await context.close();
        }

        // 3. A locked board.
        if (!only || only === 'locked') {
          const board = await createBoard(server, url, 'Workshop on open data');
          await server.docs.change(board.id, 'agenda', 'lock', (d) =>
            d.getMap('live').set('boardLocked', true),
          );
          const { context, page } = await person(browser, 'Ada', size, scheme);
          await openBoard(page, url, board, board.tokens.participant);
          await page.getByTestId('board-readonly').waitFor();
          await shoot(page, 'locked-board', size, scheme);
          await context.close();
        }

        // 4. The organizer removes someone: the button, the confirmation, the result.
        if (!only || only === 'remove') {
          const board = await createBoard(server, url, 'Workshop on open data');
          const olga = await person(browser, 'Olga', size, scheme);
          const troll = await person(browser, 'Troll', size, scheme);
          await openBoard(olga.page, url, board, board.tokens.organizer);
          await openBoard(troll.page, url, board, board.tokens.participant);
          const remove = olga.page.getByRole('button', { name: 'Remove Troll from this board' });
          await remove.waitFor({ timeout: 15_000 });
          await remove.hover();
          await shoot(olga.page, 'remove-button', size, scheme);
          await remove.click();
          await olga.page.getByRole('dialog', { name: 'Remove Troll from this board?' }).waitFor();
          await shoot(olga.page, 'remove-confirm', size, scheme);
          await olga.page.getByRole('button', { name: 'Remove from this board' }).click();
          await troll.page.getByRole('heading', { name: 'You were removed from this board' }).waitFor();
          await olga.page.getByTestId('people-message').waitFor();
          await shoot(olga.page, 'removed-organizer', size, scheme);
          await shoot(troll.page, 'removed-participant', size, scheme);
          await olga.context.close();
          await troll.context.close();
        }

        // 5. Renaming.
        if (!only || only === 'rename') {
          const board = await createBoard(server, url, 'Workshop on open data');
          const { context, page } = await person(browser, 'Ada', size, scheme);
          await openBoard(page, url, board, board.tokens.participant);
          await page.getByRole('button', { name: 'Change your name' }).click();
          await page.getByLabel('Display name').fill('Ada Lovelace');
          await shoot(page, 'rename', size, scheme);
          await context.close();
        }
      }
    }

    // 6. Waiting for an identity (429), once per size and scheme, on its own server.
    if (!only || only === 'wait') {
      for (const size of Object.keys(SIZES) as Size[]) {
        for (const scheme of ['light', 'dark'] as Scheme[]) {
          const busy = await startServer(
            testConfig({ clientDir, peoplePerAddress: 1, peopleWindowMs: 60_000 }),
          );
          const busyUrl = `http://127.0.0.1:${busy.port}`;
          const board = await createBoard(busy, busyUrl, 'Workshop on open data');
          await fetch(`${busyUrl}/api/boards/${board.id}/people`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${board.tokens.participant}`,
            },
            body: JSON.stringify({ name: 'First' }),
          });
          const { context, page } = await person(browser, 'Bea', size, scheme);
          await page.goto(`${busyUrl}/b/${board.id}#${board.tokens.participant}`);
          await page.getByText(/Many people joined/).waitFor();
          await shoot(page, 'identity-wait', size, scheme);
          await context.close();
          await busy.close();
        }
      }
    }
  } finally {
    await server.close();
    await browser.close();
  }
}

await main();
