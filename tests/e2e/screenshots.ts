/**
 * Screenshots into docs/screenshots/, light and dark:
 *
 * - the tour (default): a temporary data directory with the demo board, a few
 *   people, notes, votes, tasks and a running timer; the board, the agenda,
 *   the tasks, the share panel and the presenter view at 390×844, 820×1180,
 *   1024×768, 1440×900 and 1920×1080 (`tour-<view>-<w>x<h>-<scheme>.png`);
 * - sharing from any device (issue 19, tests/e2e/screenshots-sharing.ts: `sharing`);
 * - the identity and rules messages at phone and laptop sizes
 *   (`npx tsx tests/e2e/screenshots.ts messages`, or one of refused, votes,
 *   locked, remove, rename, wait).
 *
 *   npm run screenshots      (builds the client first)
 *
 * Not a test: a look at what people see. Open the PNGs after changing the UI.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/app';
import { testConfig } from '../../server/config';
import { createDemoBoardIfEmpty } from '../../server/boards/demo';
import { DateTime } from 'luxon';
import { addItem, setCurrentItem, setMeta, shiftDelay, updateItem } from '../../shared/ops/agenda';
import { addNote, castVote, NOTE_COLORS } from '../../shared/ops/board';
import { openVoting, setTimerLabel, startTimer } from '../../shared/ops/live';
import { createTask } from '../../shared/ops/tasks';
import { readItems, readLive, readMeta } from '../../shared/schema';
import { BOARD_LIMITS } from '../../shared/policy';
import { serverOrigin } from '../../shared/schema';
import { CHROMIUM_PATH } from '../helpers/env';
import { sharingShots } from './screenshots-sharing';

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

const TOUR_SIZES = [
  { width: 390, height: 844 },
  { width: 820, height: 1180 },
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

const IDEAS: [string, string][] = [
  ['Publish the raw data with every paper', 'Kenji'],
  ['One licence for all datasets', 'Ana'],
  ['Ask the funders to pay for curation', 'Bea'],
  ['🦊 A mascot for the data office', 'Fox'],
  ['نشر البيانات بلغات متعددة', 'Layla'],
  ['Training for PhD students in the first month', 'Kenji'],
  ['A shared glossary of metadata terms', 'Ana'],
  ['Badges for reproducible papers', 'Marco'],
  ['Monthly open data café', 'Bea'],
  ['Check licences before the upload, not after', 'Olga'],
];

/**
 * The tour's board: the demo board (a temporary data directory, as `npm start`
 * would create it), its second talk started ten minutes ago and running 5 min
 * late, ten notes with votes, four tasks and a timer with a label.
 */
async function tourBoard(
  server: RunningServer,
  url: string,
): Promise<{ id: string; tokens: Board['tokens'] }> {
  const demo = await createDemoBoardIfEmpty(server, url);
  if (!demo) throw new Error('the temporary database was not empty');
  const parse = (u: string): { id: string; token: string } => {
    const m = /\/b\/([^#]+)#(.+)$/.exec(u);
    if (!m?.[1] || !m[2]) throw new Error(`unexpected link ${u}`);
    return { id: m[1], token: m[2] };
  };
  const id = parse(demo.urls.organizer).id;
  const tokens = {
    organizer: parse(demo.urls.organizer).token,
    participant: parse(demo.urls.participant).token,
    viewer: parse(demo.urls.viewer).token,
  };
  let talk: string | null = null;
  await server.docs.change(id, 'agenda', 'tour', (doc) => {
    // The demo's times moved so that its second talk began 12 minutes ago (event zone),
    // then 5 minutes of slippage: "now", "next" and "running 5 min late" as in a real session.
    const items = readItems(doc);
    const talks = items.filter((i) => i.kind === 'talk');
    const anchor = talks[1] ?? talks[0] ?? items[0];
    if (anchor) {
      talk = anchor.id;
      const zone = readMeta(doc).timeZone;
      const nowLocal = DateTime.now().setZone(zone);
      const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
      const delta = nowLocal.hour * 60 + nowLocal.minute - 12 - minutes(anchor.start);
      const fmt = (m: number): string =>
        `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      for (const item of items) {
        const m = minutes(item.start) + delta;
        if (m >= 0 && m < 24 * 60) updateItem(doc, item.id, { start: fmt(m) }, origin);
      }
      setMeta(doc, { date: nowLocal.toISODate() ?? '' }, origin);
    }
    shiftDelay(doc, 5, origin);
    openVoting(doc, 3, origin);
    setTimerLabel(doc, 'Silent brainstorming', origin);
    startTimer(doc, Date.now() + 4 * 60_000 + 32_000, origin);
  });
  const noteIds: string[] = [];
  await server.docs.change(id, 'board', 'tour', (doc) => {
    IDEAS.forEach(([text, author], i) =>
      noteIds.push(
        addNote(
          doc,
          {
            text,
            x: 40 + (i % 4) * 230,
            y: 40 + Math.floor(i / 4) * 180,
            color: NOTE_COLORS[i % NOTE_COLORS.length]?.id,
            authorId: `seed-${author.toLowerCase()}`,
            authorName: author,
            itemId: talk,
            createdAt: Date.now() - (20 - i) * 60_000,
          },
          origin,
        ),
      ),
    );
  });
  const live = await server.docs.read(id, 'agenda', readLive);
  await server.docs.change(id, 'board', 'tour', (doc) => {
    const votes: [number, string][] = [
      [0, 'v1'],
      [0, 'v2'],
      [0, 'v3'],
      [0, 'v4'],
      [1, 'v1'],
      [1, 'v2'],
      [1, 'v5'],
      [2, 'v3'],
      [2, 'v4'],
      [5, 'v5'],
      [7, 'v6'],
      [7, 'v2'],
      [3, 'v6'],
    ];
    for (const [i, voter] of votes) {
      const note = noteIds[i];
      if (note) castVote(doc, note, voter, live, origin);
    }
  });
  await server.docs.change(id, 'tasks', 'tour', (doc) => {
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    createTask(
      doc,
      { title: 'Draft the data licence', owner: 'Ana', due, noteId: noteIds[1] ?? null, itemId: talk },
      origin,
    );
    createTask(
      doc,
      { title: 'Ask the funders about curation money', owner: 'Bea', due, itemId: talk },
      origin,
    );
    createTask(
      doc,
      { title: 'Book the room for the open data café', owner: 'Marco', status: 'doing' },
      origin,
    );
    createTask(doc, { title: 'Collect metadata terms', owner: 'Kenji', status: 'done' }, origin);
  });
  // Questions for the talk, asked and upvoted by people with identities (the Q&A panel, the presenter view).
  const people: Record<string, string>[] = [];
  for (const name of ['Ravi', 'Lea', 'Tom']) {
    const res = await fetch(`${url}/api/boards/${id}/people`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.participant}` },
      body: JSON.stringify({ name }),
    });
    const { userId, key } = (await res.json()) as { userId: string; key: string };
    people.push({
      'x-plenary-user': userId,
      'x-plenary-key': key,
      authorization: `Bearer ${tokens.participant}`,
    });
  }
  const QUESTIONS: [string, number][] = [
    ['Which ports publish their raw tide data under an open licence today?', 3],
    ['How do you handle gaps when a gauge is down during a storm?', 2],
    ['Could the same pipeline serve river gauges?', 1],
  ];
  for (const [i, [text, upvotes]] of QUESTIONS.entries()) {
    const res = await fetch(`${url}/api/boards/${id}/questions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...people[i]! },
      body: JSON.stringify({ text }),
    });
    const q = (await res.json()) as { id: string };
    for (const voter of people.slice(0, upvotes))
      await fetch(`${url}/api/boards/${id}/questions/${q.id}/upvote`, { method: 'PUT', headers: voter });
  }
  return { id, tokens };
}

async function tour(browser: Browser): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plenary-screenshots-'));
  const server = await startServer(
    testConfig({
      clientDir: path.join(root, 'dist/client'),
      dataDir,
      dbFile: path.join(dataDir, 'plenary.db'),
      peoplePerAddress: 10_000,
      peoplePerLink: 10_000,
    }),
  );
  const url = `http://127.0.0.1:${server.port}`;
  try {
    const board = await tourBoard(server, url);
    const link = (role: keyof Board['tokens'], present = false): string =>
      `${url}/b/${board.id}${present ? '/present' : ''}#${board.tokens[role]}`;
    // Two people besides the organizer, so that presence shows.
    const others: BrowserContext[] = [];
    for (const name of ['Bea', '🦊 Fox']) {
      const { context, page } = await person(browser, name, 'laptop', 'light');
      await page.goto(link('participant'));
      await page.locator('[data-note-id]').first().waitFor({ timeout: 20_000 });
      others.push(context);
    }
    for (const size of TOUR_SIZES) {
      for (const scheme of ['light', 'dark'] as Scheme[]) {
        const tag = `${size.width}x${size.height}-${scheme}`;
        const shot = async (page: Page, view: string): Promise<void> => {
          await settle(page);
          const file = path.join(outDir, `tour-${view}-${tag}.png`);
          await page.screenshot({ path: file });
          process.stdout.write(`${path.relative(root, file)}\n`);
        };
        const context = await browser.newContext({
          viewport: size,
          colorScheme: scheme,
          deviceScaleFactor: 1,
        });
        await context.addInitScript(
          ([boardId, tokens]) => {
            window.localStorage.setItem('plenary.name', 'Olga');
            // "Your boards": this browser created the board, so it knows every link.
            window.localStorage.setItem(
              'plenary.boards',
              JSON.stringify([{ id: boardId, title: 'Demo', tokens, seen: Date.now() }]),
            );
          },
          [board.id, board.tokens] as const,
        );
        const page = await context.newPage();
        const phone = size.width < 700;
        const panels = async (agenda: boolean, tasks: boolean): Promise<void> => {
          await page.evaluate(
            ([a, t]) => {
              window.localStorage.setItem('plenary.pref.panel.agenda', JSON.stringify(a));
              window.localStorage.setItem('plenary.pref.panel.tasks', JSON.stringify(t));
            },
            [agenda, tasks] as const,
          );
        };
        await page.goto(`${url}/`);
        // The start page: "Your boards" lists the board this browser created.
        await page.getByTestId('your-boards').waitFor();
        await shot(page, 'landing');
        await panels(false, false);
        await page.evaluate(() => window.localStorage.setItem('plenary.pref.facilitate.open', 'false'));

        // The board.
        await page.goto(link('organizer'));
        await page
          .locator(phone ? '[data-testid="note-list"]' : '[data-note-id]')
          .first()
          .waitFor({ timeout: 20_000 });
        await shot(page, 'board');

        // The agenda, then the tasks.
        if (phone) {
          await page.getByRole('tab', { name: 'Agenda' }).click();
          await shot(page, 'agenda');
          await page.getByRole('tab', { name: 'Tasks' }).click();
          await shot(page, 'tasks');
          await page.getByRole('tab', { name: 'Board' }).click();
        } else {
          await page.getByRole('button', { name: 'Agenda', exact: true }).click();
          await page.getByTestId('agenda-panel').waitFor();
          await shot(page, 'agenda');
          await page.getByRole('button', { name: 'Hide the agenda' }).click();
          await page.getByRole('button', { name: 'Tasks', exact: true }).click();
          await shot(page, 'tasks');
          await page.getByRole('button', { name: 'Hide the tasks' }).click();
        }

        // The organizer's facilitation menu (canvas).
        if (!phone) {
          await page.getByText('Facilitate', { exact: true }).click();
          await shot(page, 'facilitate');
          await page.getByText('Facilitate', { exact: true }).click();
        }

        // The share panel.
        await page.getByTestId('share').click();
        await page.getByTestId('share-panel').waitFor();
        await shot(page, 'share');
        await page.keyboard.press('Escape');

        // The presenter view (organizer link: with the participant QR code).
        await page.goto(link('organizer', true));
        await page.getByTestId('presenter').waitFor({ timeout: 20_000 });
        await shot(page, 'present');
        await context.close();
      }
    }
    // The presenter view on a small projector (1280×720), too.
    for (const scheme of ['light', 'dark'] as Scheme[]) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 720 },
        colorScheme: scheme,
        deviceScaleFactor: 1,
      });
      await context.addInitScript(
        ([boardId, tokens]) =>
          window.localStorage.setItem(
            'plenary.boards',
            JSON.stringify([{ id: boardId, title: 'Demo', tokens, seen: Date.now() }]),
          ),
        [board.id, board.tokens] as const,
      );
      const page = await context.newPage();
      await page.goto(link('organizer', true));
      await page.getByTestId('presenter').waitFor({ timeout: 20_000 });
      await settle(page);
      const file = path.join(outDir, `tour-present-1280x720-${scheme}.png`);
      await page.screenshot({ path: file });
      process.stdout.write(`${path.relative(root, file)}\n`);
      await context.close();
    }
    for (const c of others) await c.close();
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
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
  const arg = process.argv[2] ?? 'tour';
  const only = arg === 'messages' ? undefined : arg;
  try {
    if (arg === 'tour') {
      await tour(browser);
      await sharingShots(browser, server, url, outDir);
      return;
    }
    if (arg === 'sharing') {
      await sharingShots(browser, server, url, outDir);
      return;
    }
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
          // A phone's header shows yourself; the others are behind "+N".
          if (size === 'phone') await olga.page.getByText('+1', { exact: true }).click({ timeout: 15_000 });
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
          await page.getByRole('button', { name: 'Your options' }).click();
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
