import path from 'node:path';
import type { Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addItem, setMeta, shiftDelay } from '../../shared/ops/agenda';
import { addNote, castVote } from '../../shared/ops/board';
import {
  openVoting,
  setDiscussionNote,
  setHideVotes,
  setTimerLabel,
  startTimer,
} from '../../shared/ops/live';
import { readLive, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * The presenter view (`/b/<id>/present#<token>`, SPEC UX4): what a projector
 * shows, live, without editing controls, readable at 1920×1080 and 1280×720.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const origin = serverOrigin('e2e');

/**
 * A board whose first talk began 10 minutes ago (in a zone where it is about
 * noon, so no test run crosses midnight), running 5 min late, with voting
 * open, three voted notes and a labelled timer.
 */
async function liveBoard(): Promise<{ server: TestServer; board: CreatedBoard; notes: string[] }> {
  const server = await startTestServer({ clientDir });
  const board = await server.createBoard('Presenter workshop');
  const utcHour = DateTime.utc().hour;
  const offset = Math.max(-12, Math.min(14, 12 - utcHour));
  const zone = offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
  const local = DateTime.now().setZone(zone);
  const hhmm = (d: DateTime): string => d.toFormat('HH:mm');
  await server.docs.change(board.id, 'agenda', 'setup', (doc) => {
    setMeta(doc, { title: 'Presenter workshop', timeZone: zone, date: local.toISODate() ?? '' }, origin);
    addItem(
      doc,
      {
        start: hhmm(local.minus({ minutes: 10 })),
        minutes: 30,
        title: 'Open data in practice',
        speaker: 'Ana Souza',
        kind: 'talk',
      },
      origin,
    );
    addItem(
      doc,
      {
        start: hhmm(local.plus({ minutes: 20 })),
        minutes: 30,
        title: 'Licences for everyone',
        speaker: 'Marco Lorenzi',
        kind: 'talk',
      },
      origin,
    );
    shiftDelay(doc, 5, origin);
    openVoting(doc, 3, origin);
    setTimerLabel(doc, 'Silent brainstorming', origin);
    startTimer(doc, Date.now() + 3 * 60_000, origin);
  });
  const notes: string[] = [];
  await server.docs.change(board.id, 'board', 'setup', (doc) => {
    ['Fewest votes', 'Most votes', 'Some votes'].forEach((text, i) =>
      notes.push(
        addNote(
          doc,
          { text, x: i * 230, y: 0, authorId: 'seed', authorName: 'Kenji', itemId: null, createdAt: i + 1 },
          origin,
        ),
      ),
    );
  });
  const live = await server.docs.read(board.id, 'agenda', readLive);
  await server.docs.change(board.id, 'board', 'votes', (doc) => {
    const votes: [number, string][] = [
      [0, 'a'],
      [1, 'a'],
      [1, 'b'],
      [1, 'c'],
      [2, 'b'],
      [2, 'c'],
    ];
    for (const [i, voter] of votes) castVote(doc, notes[i] ?? '', voter, live, origin);
  });
  return { server, board, notes };
}

async function openPresenter(
  server: TestServer,
  board: CreatedBoard,
  role: keyof CreatedBoard['tokens'],
  viewport: { width: number; height: number },
  knownParticipantLink = false,
): Promise<Page> {
  const browser = await launchBrowser();
  const { context, page } = await newPerson(browser, 'Projector', viewport);
  if (knownParticipantLink) {
    // The organizer created the board in this browser: "Your boards" holds every link.
    await context.addInitScript(
      ([id, tokens]) =>
        window.localStorage.setItem(
          'plenary.boards',
          JSON.stringify([{ id, title: 'Presenter workshop', tokens, seen: 1 }]),
        ),
      [board.id, board.tokens] as const,
    );
  }
  await page.goto(`${server.url}/b/${board.id}/present#${board.tokens[role]}`);
  await page.getByTestId('presenter').waitFor({ timeout: 20_000 });
  return page;
}

const fontPx = (page: Page, testId: string): Promise<number> =>
  page.getByTestId(testId).evaluate((el) => parseFloat(getComputedStyle(el).fontSize));

describe.skipIf(!browserAvailable())('presenter view', () => {
  it(
    'UX4: with the organizer link at 1920×1080: now and next, running late, the timer, the top-voted notes, the participant QR code, no editing controls, and live updates',
    { timeout: 120_000 },
    async () => {
      const { server, board, notes } = await liveBoard();
      const page = await openPresenter(server, board, 'organizer', { width: 1920, height: 1080 }, true);

      await eventually(async () =>
        expect(await page.getByTestId('present-now').innerText()).toContain('Open data in practice'),
      );
      expect(await page.getByTestId('present-now').innerText()).toContain('Ana Souza');
      expect(await page.getByTestId('present-late').innerText()).toBe('running 5 min late');
      expect(await page.getByTestId('present-next').innerText()).toContain('Licences for everyone');
      const timer = page.getByTestId('timer');
      expect(await timer.innerText()).toContain('Silent brainstorming');
      expect(await timer.getByRole('timer').innerText()).toMatch(/^0[23]:\d\d$/);
      // Most votes first.
      expect(await page.getByTestId('present-top').getByRole('listitem').allInnerTexts()).toEqual([
        'Most votes\n★ 3',
        'Some votes\n★ 2',
        'Fewest votes\n★ 1',
      ]);
      await page.getByRole('img', { name: 'QR code of the participant link' }).waitFor();

      // Readable from the back of the room, and nothing scrolls.
      expect(await fontPx(page, 'present-now')).toBeGreaterThanOrEqual(60);
      expect(
        await timer.getByRole('timer').evaluate((el) => parseFloat(getComputedStyle(el).fontSize)),
      ).toBeGreaterThanOrEqual(150);
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(1080);

      // Nothing to edit: no fields, no note or agenda controls.
      expect(await page.locator('input, textarea, select, [contenteditable="true"]').count()).toBe(0);
      expect((await page.getByRole('button').allInnerTexts()).length).toBeLessThanOrEqual(2);
      expect(await page.getByRole('button', { name: /vote|delete|edit|start/i }).count()).toBe(0);

      // Live: hiding counts hides the ranking; discussion shows the note in focus.
      await server.docs.change(board.id, 'agenda', 'hide', (d) => setHideVotes(d, true, origin));
      await page.getByTestId('present-top').waitFor({ state: 'detached' });
      await server.docs.change(board.id, 'agenda', 'discuss', (d) =>
        setDiscussionNote(d, notes[2] ?? null, origin),
      );
      await eventually(async () =>
        expect(await page.getByTestId('present-focus').innerText()).toBe('Some votes'),
      );
    },
  );

  it(
    'UX4: with a participant link at 1280×720 it shows the same schedule, readable, and no join code',
    { timeout: 120_000 },
    async () => {
      const { server, board } = await liveBoard();
      const page = await openPresenter(server, board, 'participant', { width: 1280, height: 720 });
      await eventually(async () =>
        expect(await page.getByTestId('present-now').innerText()).toContain('Open data in practice'),
      );
      await page.getByTestId('timer').waitFor();
      expect(await page.getByTestId('present-join').count()).toBe(0);
      expect(await fontPx(page, 'present-now')).toBeGreaterThanOrEqual(40);
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(720);
      expect(
        await page
          .getByTestId('timer')
          .getByRole('timer')
          .evaluate((el) => parseFloat(getComputedStyle(el).fontSize)),
      ).toBeGreaterThanOrEqual(100);
    },
  );
});
