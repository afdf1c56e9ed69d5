import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * The canvas-first layout of issue 10 in a real browser: sizes from a small
 * phone to a 2560 px screen, panels remembered per person, the share panel,
 * "Your boards", the board title, the timer, following, keyboard and
 * international text. SPEC "Board UI" (UX1–UX8).
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const origin = serverOrigin('e2e');
const TALK = 'Open data in practice';

async function boardWithNotes(notes = 3): Promise<{ server: TestServer; board: CreatedBoard }> {
  const server = await startTestServer({ clientDir });
  const board = await server.createBoard('Layout workshop');
  let talk = '';
  await server.docs.change(board.id, 'agenda', 'setup', (doc) => {
    addItem(doc, { start: '09:00', minutes: 15, title: 'Welcome', kind: 'other' }, origin);
    talk = addItem(doc, { start: '09:15', minutes: 30, title: TALK, kind: 'talk' }, origin);
    setCurrentItem(doc, talk, origin);
  });
  await server.docs.change(board.id, 'board', 'setup', (doc) => {
    for (let i = 0; i < notes; i++)
      addNote(
        doc,
        {
          text: `Idea ${i + 1}`,
          x: 40 + (i % 3) * 230,
          y: 40 + Math.floor(i / 3) * 180,
          authorId: 'seed',
          authorName: 'Kenji',
          itemId: talk,
          createdAt: i + 1,
        },
        origin,
      );
  });
  return { server, board };
}

async function openAs(
  browser: Browser,
  server: TestServer,
  board: CreatedBoard,
  name: string,
  role: keyof CreatedBoard['tokens'],
  viewport = { width: 1280, height: 800 },
): Promise<Page> {
  const { page } = await newPerson(browser, name, viewport);
  await page.goto(`${server.url}/b/${board.id}#${board.tokens[role]}`);
  await page.getByRole('toolbar', { name: 'Board tools' }).waitFor({ timeout: 20_000 });
  return page;
}

const box = async (page: Page, selector: string) => {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return b;
};

describe.skipIf(!browserAvailable())('board layout (issue 10)', () => {
  it(
    'UX1: the canvas takes most of the screen from 360 to 2560 px, a phone keeps its chrome within a quarter of the height, and the toolbar never overflows',
    { timeout: 180_000 },
    async () => {
      const { server, board } = await boardWithNotes();
      const browser = await launchBrowser();
      const sizes = [
        { width: 360, height: 740 },
        { width: 390, height: 844 },
        { width: 820, height: 1180 },
        { width: 1024, height: 768 },
        { width: 1440, height: 900 },
        { width: 2560, height: 1440 },
      ];
      for (const size of sizes) {
        const page = await openAs(browser, server, board, 'Olga', 'organizer', size);
        const toolbar = page.getByRole('toolbar', { name: 'Board tools' });
        const fits = await toolbar.evaluate((el) => ({
          scroll: el.scrollWidth,
          client: el.clientWidth,
          right: el.getBoundingClientRect().right,
          bottom: el.getBoundingClientRect().bottom,
        }));
        expect(fits.scroll, `toolbar overflows at ${size.width}`).toBeLessThanOrEqual(fits.client + 1);
        expect(fits.right, `toolbar leaves the screen at ${size.width}`).toBeLessThanOrEqual(size.width);
        if (size.width < 700) {
          // Header, tabs and toolbar: at most a quarter of the height.
          expect(fits.bottom, `chrome height at ${size.width}`).toBeLessThanOrEqual(size.height / 4);
        } else {
          await page.locator('[data-canvas]').waitFor();
          const canvas = await box(page, '[data-canvas]');
          const share = (canvas.width * canvas.height) / (size.width * size.height);
          expect(share, `canvas share at ${size.width}`).toBeGreaterThan(0.5);
          // Nothing but the canvas scrolls: the page fits the window.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
            size.width,
          );
        }
        await page.context().close();
      }
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );

  it(
    'UX2: agenda and tasks panels open and close, and each person’s choice is remembered',
    { timeout: 120_000 },
    async () => {
      const { server, board } = await boardWithNotes();
      const browser = await launchBrowser();
      const page = await openAs(browser, server, board, 'Ada', 'participant', { width: 1024, height: 768 });
      const agenda = page.locator('#area-agenda');
      const tasks = page.locator('#area-tasks');
      // Below 1280 px the panels start closed: the canvas comes first.
      expect(await agenda.isVisible()).toBe(false);
      expect(await tasks.isVisible()).toBe(false);
      await page.getByRole('button', { name: 'Agenda', exact: true }).click();
      await agenda.waitFor();
      expect(
        await page.getByRole('button', { name: 'Agenda', exact: true }).getAttribute('aria-expanded'),
      ).toBe('true');
      await page.reload();
      await page.getByRole('toolbar', { name: 'Board tools' }).waitFor();
      await agenda.waitFor();
      expect(await tasks.isVisible()).toBe(false);
      await page.getByRole('button', { name: 'Hide the agenda' }).click();
      await agenda.waitFor({ state: 'hidden' });
      await page.reload();
      await page.getByRole('toolbar', { name: 'Board tools' }).waitFor();
      expect(await agenda.isVisible()).toBe(false);

      // Another person (another browser profile) starts from the defaults.
      const bea = await openAs(browser, server, board, 'Bea', 'participant', { width: 1440, height: 900 });
      await bea.locator('#area-agenda').waitFor();
      await bea.locator('#area-tasks').waitFor();
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );

  it('UX1: colour swatches choose the colour of new notes', { timeout: 90_000 }, async () => {
    const { server, board } = await boardWithNotes(0);
    const browser = await launchBrowser();
    const page = await openAs(browser, server, board, 'Ada', 'participant');
    await page.getByRole('button', { name: /^Colour for new notes/ }).click();
    const group = page.getByRole('radiogroup', { name: 'Colour for new notes' });
    await group.getByRole('radio', { name: 'Sky blue' }).click();
    expect(await page.getByRole('button', { name: /^Colour for new notes/ }).getAttribute('aria-label')).toBe(
      'Colour for new notes: Sky blue',
    );
    await page.getByTestId('new-note').click();
    await page.keyboard.type('A blue idea');
    await page.keyboard.press('Escape');
    await eventually(async () =>
      expect(
        await server.docs.read(board.id, 'board', (d) =>
          [...d.getMap('notes').values()].map((m) => (m as { get(k: string): unknown }).get('color')),
        ),
      ).toEqual(['sky']),
    );
    // Pages gone before the server stops: its shutdown never waits on them.
    await browser.close();
  });

  it(
    'UX3: the share panel offers the links a role may hand out, each with a QR code, and replacing a link shuts out the old one',
    { timeout: 120_000 },
    async () => {
      const { server, board } = await boardWithNotes(1);
      const browser = await launchBrowser();
      const olga = await openAs(browser, server, board, 'Olga', 'organizer');
      await olga.getByTestId('share').click();
      const panel = olga.getByTestId('share-panel');
      await panel.waitFor();
      expect(await panel.getByRole('tab').allInnerTexts()).toEqual(['Organizer', 'Participant', 'Viewer']);
      await panel.getByRole('tab', { name: 'Organizer' }).click();
      await panel.getByRole('img', { name: 'QR code of the organizer link' }).waitFor();
      expect(await panel.getByRole('textbox', { name: 'Organizer link' }).inputValue()).toBe(
        board.urls.organizer,
      );

      // This browser never saw the participant link: the server shows it (LK1); the organizer replaces it.
      await panel.getByRole('tab', { name: 'Participant' }).click();
      const field = panel.getByRole('textbox', { name: 'Participant link' });
      // Asked of the server when the tab opens: wait for its answer, not for a busy machine's luck.
      await eventually(async () => expect(await field.inputValue()).toBe(board.urls.participant));
      await panel.getByRole('button', { name: 'Replace this link' }).click();
      await panel.getByRole('button', { name: 'Replace the participant link' }).click();
      await eventually(async () => expect(await field.inputValue()).not.toBe(board.urls.participant));
      const fresh = await field.inputValue();
      await panel.getByRole('img', { name: 'QR code of the participant link' }).waitFor();
      const freshToken = fresh.slice(fresh.indexOf('#') + 1);
      const get = (token: string) =>
        fetch(`${server.url}/api/boards/${board.id}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get(board.tokens.participant)).status).toBe(401);
      expect((await get(freshToken)).status).toBe(200);
      await olga.keyboard.press('Escape');
      await panel.waitFor({ state: 'hidden' });

      // A participant hands out participant and viewer links, never the organizer's.
      const { page: ada } = await newPerson(browser, 'Ada');
      await ada.goto(fresh);
      await ada.getByRole('toolbar', { name: 'Board tools' }).waitFor({ timeout: 20_000 });
      await ada.getByTestId('share').click();
      const adaPanel = ada.getByTestId('share-panel');
      // The panel's code loads when it is first opened (DL2): wait for it before counting its tabs.
      await adaPanel.waitFor();
      await eventually(async () =>
        expect(await adaPanel.getByRole('tab').allInnerTexts()).toEqual(['Participant', 'Viewer']),
      );
      await eventually(async () =>
        expect(await adaPanel.getByRole('textbox', { name: 'Participant link' }).inputValue()).toBe(fresh),
      );
      await adaPanel.getByRole('tab', { name: 'Viewer' }).click();
      await adaPanel.getByText('Ask the organizer for the viewer link.').waitFor();
      expect(await adaPanel.getByRole('button', { name: /Replace|Make a new/ }).count()).toBe(0);

      // A viewer: one link, no tabs.
      const vic = await openAs(browser, server, board, 'Vic', 'viewer');
      await vic.getByTestId('share').click();
      const vicPanel = vic.getByTestId('share-panel');
      await vicPanel.getByRole('textbox', { name: 'Viewer link' }).waitFor();
      expect(await vicPanel.getByRole('tab').count()).toBe(0);
      await eventually(async () =>
        expect(await vicPanel.getByRole('textbox', { name: 'Viewer link' }).inputValue()).toBe(
          board.urls.viewer,
        ),
      );
      await vicPanel.getByRole('img', { name: 'QR code of the viewer link' }).waitFor();
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );

  it(
    'UX3: the start page keeps “Your boards”, the organizer link from there opens the share panel, and an organizer renames the board',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const browser = await launchBrowser();
      const { page } = await newPerson(browser, 'Olga');
      await page.goto(server.url);
      await page.getByLabel('Board title').fill('Spring retreat');
      await page.getByRole('button', { name: 'Create board' }).click();
      await page.getByRole('link', { name: 'Open as organizer' }).click();
      const panel = page.getByTestId('share-panel');
      await panel.waitFor({ timeout: 20_000 });
      // Created in this browser: every link is known, none needs replacing to be shown.
      for (const role of ['Organizer', 'Participant', 'Viewer']) {
        await panel.getByRole('tab', { name: role }).click();
        expect(await panel.getByRole('textbox', { name: `${role} link` }).inputValue()).toMatch(
          /\/b\/[^#]+#.+/,
        );
      }
      await panel.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: 'Rename this board' }).click();
      await page.getByLabel('Board title').fill('Spring retreat 2027');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { level: 1, name: 'Spring retreat 2027' }).waitFor();
      const id = new URL(page.url()).pathname.split('/')[2] ?? '';
      const token = new URL(page.url()).hash.slice(1);
      const res = await fetch(`${server.url}/api/boards/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await res.json()) as { title: string }).title).toBe('Spring retreat 2027');

      await page.goto(server.url);
      const yours = page.getByTestId('your-boards');
      await yours.getByRole('link', { name: 'Spring retreat 2027' }).click();
      await page.getByTestId('share-panel').waitFor({ timeout: 20_000 });
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );

  it(
    'UX5: the organizer starts a labelled timer everyone sees large, +1 min adds a minute, and each person can mute its sound',
    { timeout: 120_000 },
    async () => {
      const { server, board } = await boardWithNotes(1);
      const browser = await launchBrowser();
      const olga = await openAs(browser, server, board, 'Olga', 'organizer');
      const ada = await openAs(browser, server, board, 'Ada', 'participant');
      await olga.getByLabel('Label').fill('Silent brainstorming');
      await olga.getByLabel('Minutes').fill('2');
      await olga.getByTestId('start-timer').click();
      const timer = ada.getByTestId('timer');
      await timer.waitFor();
      await eventually(async () => expect(await timer.innerText()).toContain('Silent brainstorming'));
      const left = async (): Promise<number> => {
        const m = /(\d\d):(\d\d)/.exec(await timer.innerText());
        return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
      };
      expect(await left()).toBeGreaterThan(60);
      expect(await left()).toBeLessThanOrEqual(120);
      await olga.getByRole('button', { name: '+1 min' }).click();
      await eventually(async () => expect(await left()).toBeGreaterThan(120));

      const mute = ada.getByRole('button', { name: 'Mute the timer sound' });
      await mute.click();
      expect(await mute.getAttribute('aria-pressed')).toBe('true');
      await ada.reload();
      await ada.getByTestId('timer').waitFor();
      expect(
        await ada.getByRole('button', { name: 'Mute the timer sound' }).getAttribute('aria-pressed'),
      ).toBe('true');
      // Olga's sound is her own choice.
      expect(
        await olga.getByRole('button', { name: 'Mute the timer sound' }).getAttribute('aria-pressed'),
      ).toBe('false');
      await olga.getByRole('button', { name: 'Stop timer' }).click();
      await ada.getByTestId('timer').waitFor({ state: 'detached' });
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );

  it(
    'UX6: a follower sees whose view they follow and can stop; the lock message goes away after unlocking (bug 4)',
    { timeout: 120_000 },
    async () => {
      const { server, board } = await boardWithNotes(2);
      const browser = await launchBrowser();
      const olga = await openAs(browser, server, board, 'Olga', 'organizer');
      const ada = await openAs(browser, server, board, 'Ada', 'participant');
      await olga.getByRole('button', { name: 'Bring everyone to my view' }).click();
      const banner = ada.getByTestId('following');
      await banner.waitFor();
      expect(await banner.innerText()).toMatch(/Following Olga’s view\s*Stop/);
      await banner.getByRole('button', { name: 'Stop' }).click();
      await ada.getByRole('button', { name: "Follow the organizer's view" }).waitFor();
      expect(await banner.count()).toBe(0);

      // Bug 4: Ada tries to write on a locked board, then Olga unlocks it.
      await olga.locator('[data-testid="lock-board"]').check();
      await ada.getByTestId('board-readonly').waitFor();
      await ada.locator('[data-canvas]').focus();
      await ada.keyboard.press('n');
      const message = ada.locator('.board-area .message[role="status"]');
      await eventually(async () => expect(await message.textContent()).toMatch(/locked/));
      await olga.locator('[data-testid="lock-board"]').uncheck();
      await ada.getByTestId('board-readonly').waitFor({ state: 'detached' });
      await eventually(async () => expect(await message.textContent()).toBe(''));
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );

  it(
    'UX6: a phone user in the list view is told that discussion started (bug 7)',
    { timeout: 120_000 },
    async () => {
      const { server, board } = await boardWithNotes(2);
      const browser = await launchBrowser();
      const olga = await openAs(browser, server, board, 'Olga', 'organizer');
      const ada = await openAs(browser, server, board, 'Ada', 'participant', { width: 390, height: 844 });
      await ada.locator('[data-testid="note-list"]').waitFor();
      // From the organizer's Facilitate menu (open by default on a wide screen).
      await olga.getByRole('button', { name: 'Discuss the top-voted notes' }).click();
      const banner = ada.getByTestId('discussion-banner');
      await banner.waitFor();
      expect(await banner.innerText()).toMatch(/Discussion: everyone is looking at “Idea \d”/);
      // On the agenda tab too.
      await ada.getByRole('tab', { name: 'Agenda' }).click();
      await ada.getByTestId('discussion-started').waitFor();
      await ada.getByRole('button', { name: 'Show the discussion' }).click();
      expect(await ada.getByRole('tab', { selected: true }).innerText()).toBe('Tasks');
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );

  it(
    'UX7, UX8: dark mode is remembered, skip links reach each area, ? lists the shortcuts, and avatars show whole graphemes',
    { timeout: 120_000 },
    async () => {
      const { server, board } = await boardWithNotes(1);
      const browser = await launchBrowser();
      const page = await openAs(browser, server, board, '🦊 Fox', 'participant', {
        width: 1024,
        height: 768,
      });
      const bg = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const light = await bg();
      await page.getByRole('button', { name: 'Switch to dark mode' }).click();
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      const dark = await bg();
      expect(dark).not.toBe(light);
      await page.reload();
      await page.getByRole('toolbar', { name: 'Board tools' }).waitFor();
      expect(await bg()).toBe(dark);

      // After a load, the first Tab stop is a skip link; the agenda one opens the (closed) panel and focuses it.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the board');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the agenda');
      await page.keyboard.press('Enter');
      await page.locator('#area-agenda').waitFor();
      await eventually(async () =>
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('area-agenda'),
      );

      await page.locator('[data-canvas]').focus();
      await page.keyboard.press('?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      expect(await dialog.innerText()).toContain('New note');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });

      await page.getByRole('button', { name: 'Switch to light mode' }).click();
      expect(await bg()).toBe(light);

      const avatar = page.locator('[data-person-id] .avatar').first();
      expect(await avatar.textContent()).toBe('🦊');
      // Pages gone before the server stops: its shutdown never waits on them.
      await browser.close();
    },
  );
});
