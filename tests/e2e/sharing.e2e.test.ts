import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { openVoting } from '../../shared/ops/live';
import { readNotes, serverOrigin } from '../../shared/schema';
import { mintBoard } from '../../server/boards/tokens';
import { seriousViolations } from '../helpers/axe';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * Sharing from any device in Chromium (issue 19): a second organizer's share
 * panel and a replaced link, the projector opened with the viewer link
 * showing how to join, the code typed at /join, a phone handing off to a
 * laptop, and boards made before links were kept.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const origin = serverOrigin('e2e');
const ROLES = ['organizer', 'participant', 'viewer'] as const;

async function open(
  browser: Browser,
  url: string,
  name: string | null,
  viewport?: { width: number; height: number },
) {
  const person = await newPerson(browser, name, viewport);
  await person.page.goto(url);
  return person;
}

const boardReady = (page: Page) =>
  page.getByRole('toolbar', { name: 'Board tools' }).waitFor({ timeout: 30_000 });

/** The role a token opens the board with (the server's word). */
async function roleOf(server: TestServer, boardId: string, url: string): Promise<string> {
  const token = url.slice(url.indexOf('#') + 1);
  const res = await fetch(`${server.url}/api/boards/${boardId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return res.ok ? ((await res.json()) as { role: string }).role : `HTTP ${res.status}`;
}

/** Switches "Show how to join" on over HTTP (as the organizer's share panel does). */
async function callJoin(server: TestServer, board: CreatedBoard): Promise<void> {
  const res = await fetch(`${server.url}/api/boards/${board.id}/join`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${board.tokens.organizer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ shown: true }),
  });
  if (!res.ok) throw new Error(`join: ${res.status}`);
}

async function openShare(page: Page) {
  await page.getByTestId('share').click();
  const panel = page.getByTestId('share-panel');
  await panel.waitFor();
  return panel;
}

describe.skipIf(!browserAvailable())('sharing from any device (issue 19)', () => {
  it(
    'UX10, LK1, LK3: a second organizer device shows the three working links with QR codes, and its open panel follows a link replaced on another device',
    { timeout: 150_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Any device');
      const browser = await launchBrowser();
      // Opened from the organizer link alone: this browser never saw the board created.
      const { page: laptop } = await open(browser, board.urls.organizer, 'Olga');
      await boardReady(laptop);
      const panel = await openShare(laptop);
      for (const role of ROLES) {
        const label = role[0]!.toUpperCase() + role.slice(1);
        await panel.getByRole('tab', { name: label }).click();
        await panel.getByRole('img', { name: `QR code of the ${role} link` }).waitFor({ timeout: 15_000 });
        const url = await panel.getByRole('textbox', { name: `${label} link` }).inputValue();
        expect(url).toBe(board.urls[role]);
        expect(await roleOf(server, board.id, url)).toBe(role);
      }
      await panel.getByRole('tab', { name: 'Participant' }).click();

      // The other organizer device replaces the participant link; the open panel here updates itself.
      const { page: phone } = await open(browser, board.urls.organizer, 'Olga', { width: 390, height: 844 });
      await boardReady(phone);
      const other = await openShare(phone);
      await other.getByRole('tab', { name: 'Participant' }).click();
      await other.getByTestId('rotate-link').click();
      await other.getByRole('button', { name: 'Replace the participant link' }).click();
      await other.getByText('The participant link was replaced.').waitFor();
      const field = panel.getByRole('textbox', { name: 'Participant link' });
      await eventually(async () => expect(await field.inputValue()).not.toBe(board.urls.participant), {
        timeout: 15_000,
      });
      const fresh = await field.inputValue();
      expect(await other.getByRole('textbox', { name: 'Participant link' }).inputValue()).toBe(fresh);
      expect(await roleOf(server, board.id, fresh)).toBe('participant');
      expect(await roleOf(server, board.id, board.urls.participant)).toBe('HTTP 401');
      await panel.getByText('The participant link was replaced on another device').waitFor();
      await browser.close();
    },
  );

  it(
    'LK4: a board made before links were kept says so, and once its link is replaced every organizer device shows it',
    { timeout: 150_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const { record, tokens } = mintBoard('Older board');
      await server.store.createBoard(record);
      const url = (role: (typeof ROLES)[number]) => `${server.url}/b/${record.id}#${tokens[role]}`;
      const browser = await launchBrowser();
      const { page } = await open(browser, url('organizer'), 'Olga');
      await boardReady(page);
      const panel = await openShare(page);
      // Its own link: known (this request proved it).
      await panel.getByRole('tab', { name: 'Organizer' }).click();
      expect(await panel.getByRole('textbox', { name: 'Organizer link' }).inputValue()).toBe(
        url('organizer'),
      );
      await panel.getByRole('tab', { name: 'Viewer' }).click();
      const honest = panel.getByTestId('link-unknown');
      await honest.waitFor({ timeout: 15_000 });
      expect(await honest.innerText()).toContain('made before Plenary kept its links');
      expect(await honest.innerText()).toContain('every organizer device shows it');
      await panel.getByRole('button', { name: 'Make a new viewer link' }).click();
      await panel.getByRole('button', { name: 'Replace the viewer link' }).click();
      const fresh = await panel.getByRole('textbox', { name: 'Viewer link' }).inputValue();
      expect(await roleOf(server, record.id, fresh)).toBe('viewer');

      const { page: second } = await open(browser, url('organizer'), 'Omar');
      await boardReady(second);
      const again = await openShare(second);
      await again.getByRole('tab', { name: 'Viewer' }).click();
      await eventually(async () =>
        expect(await again.getByRole('textbox', { name: 'Viewer link' }).inputValue()).toBe(fresh),
      );
      await browser.close();
    },
  );

  it(
    'JN1, JN2: after "Show how to join", the presenter view opened with the viewer link in a fresh browser shows the QR code and the join code; the code typed at /join opens the board as a participant',
    { timeout: 150_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Projector');
      const browser = await launchBrowser();
      const { page: olga } = await open(browser, board.urls.organizer, 'Olga');
      await boardReady(olga);
      const panel = await openShare(olga);
      await panel.getByRole('tab', { name: 'Participant' }).click();
      await panel.getByRole('switch', { name: 'Show how to join on the projector' }).check();
      const shownCode = (await panel.getByTestId('join-code').innerText()).replace('Join code', '').trim();
      expect(shownCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);

      const { page: projector } = await open(
        browser,
        `${server.url}/b/${board.id}/present#${board.tokens.viewer}`,
        null,
        { width: 1920, height: 1080 },
      );
      await projector.getByTestId('presenter').waitFor({ timeout: 30_000 });
      await projector
        .getByRole('img', { name: 'QR code of the participant link' })
        .waitFor({ timeout: 15_000 });
      expect(await projector.getByTestId('present-join-code').innerText()).toBe(shownCode);
      expect(await projector.getByTestId('present-join').innerText()).toContain(
        `${new URL(server.url).host}/join`,
      );
      // Nothing scrolls on the projector.
      expect(await projector.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(1080);

      // Someone in the room types the code on their phone.
      const { page: ana } = await open(browser, `${server.url}/join`, 'Ana', { width: 390, height: 844 });
      await ana.getByLabel('Code').fill(shownCode.toLowerCase().replace('-', ' '));
      await ana.getByRole('button', { name: 'Join' }).click();
      await boardReady(ana);
      expect(new URL(ana.url()).pathname).toBe(`/b/${board.id}`);
      expect(await roleOf(server, board.id, ana.url())).toBe('participant');
      await ana.getByTestId('new-note').waitFor();
      // A wrong code says so.
      await ana.goto(`${server.url}/join`);
      await ana.getByLabel('Code').fill('0000-0000');
      await ana.getByRole('button', { name: 'Join' }).click();
      await ana.getByRole('alert').getByText('No board has this code').waitFor();

      // Switched off: the projector stops showing how to join, live.
      await panel.getByRole('switch', { name: 'Show how to join on the projector' }).uncheck();
      await projector.getByTestId('present-join').waitFor({ state: 'detached', timeout: 15_000 });
      await browser.close();
    },
  );

  it(
    'HO1, HO2, HO3, UX11: a phone hands off to a laptop, which then votes within the same budget and sees its notes as its own; a tablet continues with the code typed at /join',
    { timeout: 150_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Phone to laptop');
      await server.docs.change(board.id, 'agenda', 'vote', (d) => openVoting(d, 2, origin));
      await server.docs.change(board.id, 'board', 'other', (d) =>
        addNote(
          d,
          { text: 'Someone else’s idea', x: 300, y: 0, authorId: 'kenji', authorName: 'Kenji', itemId: null },
          origin,
        ),
      );
      const browser = await launchBrowser();
      const { page: phone } = await open(browser, board.urls.participant, 'Ada', { width: 390, height: 844 });
      await boardReady(phone);
      // A phone shows the list of notes, with a field for a new one.
      await phone.getByLabel('New note', { exact: true }).fill('From my phone');
      await phone.getByRole('button', { name: 'Add note' }).click();
      await eventually(async () =>
        expect(await server.docs.read(board.id, 'board', (d) => readNotes(d).map((n) => n.text))).toContain(
          'From my phone',
        ),
      );
      const note = (page: Page, text: string) => page.locator('[data-note-id]', { hasText: text });
      await note(phone, 'Someone else’s idea')
        .getByRole('button', { name: /^Vote for this note/ })
        .click();
      await eventually(async () =>
        expect(await phone.getByTestId('votes-left').innerText()).toContain('1 of 2 votes left'),
      );

      // "Continue on another device" in the phone's own menu: a QR code and the link.
      await phone.getByRole('button', { name: 'Your options' }).click();
      await phone.getByRole('button', { name: 'Continue on another device' }).click();
      const dialog = phone.getByTestId('continue-dialog');
      await dialog
        .getByRole('img', { name: 'QR code of the link to continue as you' })
        .waitFor({ timeout: 15_000 });
      const link = await dialog.getByRole('textbox', { name: 'Link for your other device' }).inputValue();
      expect(link).toContain(`/b/${board.id}#${board.tokens.participant}&continue=`);
      expect(await dialog.getByTestId('continue-code').innerText()).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);

      // The laptop never saw this board and has no name yet: it continues as Ada.
      const { page: laptop } = await open(browser, link, null);
      await boardReady(laptop);
      expect(new URL(laptop.url()).hash).toBe(`#${board.tokens.participant}`);
      await eventually(async () =>
        expect(
          (await laptop.getByRole('list', { name: 'People here' }).getByRole('listitem').allInnerTexts()).map(
            (t) => t.replace(/\s+/g, ' ').trim(),
          ),
        ).toContain('A Ada (you)'),
      );
      // The same budget: one vote left, spent here; then none on either device.
      await eventually(async () =>
        expect(await laptop.getByTestId('votes-left').innerText()).toContain('1 of 2 votes left'),
      );
      await note(laptop, 'From my phone').getByTestId('vote').click();
      await eventually(async () =>
        expect(await laptop.getByTestId('votes-left').innerText()).toContain('0 of 2 votes left'),
      );
      await eventually(async () =>
        expect(await phone.getByTestId('votes-left').innerText()).toContain('0 of 2 votes left'),
      );
      // Its notes are its own: the phone's note can be deleted here, someone else's cannot.
      await note(laptop, 'From my phone').hover();
      await note(laptop, 'From my phone').getByRole('button', { name: 'Delete note' }).waitFor();
      await note(laptop, 'Someone else’s idea').hover();
      await note(laptop, 'Someone else’s idea')
        .getByRole('button', { name: 'Make task from this note' })
        .waitFor();
      expect(
        await note(laptop, 'Someone else’s idea').getByRole('button', { name: 'Delete note' }).count(),
      ).toBe(0);
      // Reloading the laptop keeps it Ada (the code was used once and left the address bar).
      await laptop.reload();
      await boardReady(laptop);
      await eventually(async () =>
        expect(await laptop.getByTestId('votes-left').innerText()).toContain('0 of 2 votes left'),
      );

      // HO3: a tablet, typing the code of a new one at /join (no camera, no link to paste).
      await phone.keyboard.press('Escape');
      await phone.getByRole('button', { name: 'Your options' }).click();
      await phone.getByRole('button', { name: 'Continue on another device' }).click();
      const typed = await phone.getByTestId('continue-code').innerText();
      const { page: tablet } = await open(browser, `${server.url}/join`, null, { width: 820, height: 1180 });
      await tablet.getByLabel('Code').fill(typed.toLowerCase());
      await tablet.getByRole('button', { name: 'Join' }).click();
      await boardReady(tablet);
      await eventually(async () =>
        expect(await tablet.getByTestId('votes-left').innerText()).toContain('0 of 2 votes left'),
      );
      expect(
        await server.store.getPerson(
          board.id,
          (
            await tablet.evaluate(
              (id) => JSON.parse(localStorage.getItem(`plenary.person.${id}`) ?? '{}') as { userId: string },
              board.id,
            )
          ).userId,
        ),
      ).toMatchObject({ name: 'Ada' });
      await browser.close();
    },
  );

  it(
    'DU1, DU2, UX12: an organizer duplicates the board from the board menu; each template starts a board from the start page',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board: CreatedBoard = await server.createBoard('Workshop 2026');
      await server.docs.change(board.id, 'board', 'seed', (d) =>
        addNote(
          d,
          { text: 'Keep this idea', x: 0, y: 0, authorId: 'kenji', authorName: 'Kenji', itemId: null },
          origin,
        ),
      );
      const browser = await launchBrowser();
      const { page } = await open(browser, board.urls.organizer, 'Olga');
      await boardReady(page);
      await page.getByRole('button', { name: 'More board tools' }).click();
      await page.getByTestId('duplicate-board').click();
      const dialog = page.getByTestId('duplicate-dialog');
      await dialog.getByLabel('Title of the copy').fill('Workshop 2027');
      await dialog.getByRole('checkbox', { name: /Tasks/ }).uncheck();
      await dialog.getByRole('button', { name: 'Duplicate' }).click();
      await dialog.getByRole('heading', { name: '“Workshop 2027” is ready' }).waitFor({ timeout: 15_000 });
      const copyUrl = await dialog.getByRole('textbox', { name: 'Organizer link' }).inputValue();
      expect(copyUrl).not.toContain(board.id);
      await dialog.getByRole('link', { name: 'Open as organizer' }).click();
      await boardReady(page);
      await page.getByRole('heading', { level: 1, name: 'Workshop 2027' }).waitFor();
      await page.locator('[data-note-id]', { hasText: 'Keep this idea' }).first().waitFor();

      const expectations: Record<string, (p: Page) => Promise<void>> = {
        'Workshop day': async (p) => {
          await p.getByRole('region', { name: 'Agenda' }).getByText('Lunch').first().waitFor();
        },
        Retrospective: async (p) => {
          const titles = (): Promise<string[]> =>
            p
              .getByTestId('group-title')
              .evaluateAll((els) =>
                els.map((e) => (e instanceof HTMLInputElement ? e.value : (e.textContent ?? ''))),
              );
          await eventually(
            async () => expect((await titles()).sort()).toEqual(['To improve', 'To try next', 'Went well']),
            {
              timeout: 15_000,
            },
          );
          // Three votes each, as the organizer's voting controls say.
          await eventually(async () => expect(await p.getByLabel('Votes each').inputValue()).toBe('3'));
          await eventually(async () => expect(await p.getByLabel('Label').inputValue()).toBe('Write notes'));
        },
        Brainstorm: async (p) => {
          await eventually(async () =>
            expect(await p.getByLabel('Label').inputValue()).toBe('Silent brainstorming'),
          );
          await eventually(async () =>
            expect(await p.getByRole('checkbox', { name: 'Hide counts while voting' }).isChecked()).toBe(
              true,
            ),
          );
          await p.getByRole('region', { name: 'Agenda' }).getByText('Dot voting').first().waitFor();
        },
      };
      for (const [name, check] of Object.entries(expectations)) {
        await page.goto(server.url);
        await page.getByLabel('Board title').fill(`${name} board`);
        await page.getByRole('radio', { name: new RegExp(`^${name}`) }).check();
        await page.getByRole('button', { name: 'Create board' }).click();
        await page.getByRole('link', { name: 'Open as organizer' }).click();
        await page.getByTestId('share-panel').waitFor({ timeout: 30_000 });
        await page.keyboard.press('Escape');
        await boardReady(page);
        await check(page);
      }
      await browser.close();
    },
  );

  it(
    'UX10, UX11, UX12: /join, the share panel showing how to join, the projector with its code, your menu, the continue and duplicate dialogs have no serious accessibility violations, light and dark',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Accessible sharing');
      await callJoin(server, board);
      const browser = await launchBrowser();
      const found: string[] = [];
      for (const scheme of ['light', 'dark'] as const) {
        for (const size of [
          { width: 390, height: 844 },
          { width: 1440, height: 900 },
        ]) {
          const context = await browser.newContext({ viewport: size, colorScheme: scheme });
          await context.addInitScript(() => window.localStorage.setItem('plenary.name', 'Grace'));
          const page = await context.newPage();
          const check = async (what: string): Promise<void> => {
            for (const v of await seriousViolations(page))
              found.push(`${what} ${size.width}px ${scheme}: ${v}`);
          };
          await page.goto(`${server.url}/join`);
          await page.getByLabel('Code').fill('nope');
          await page.getByRole('button', { name: 'Join' }).click();
          await page.getByRole('alert').waitFor();
          await check('join page');
          await page.goto(board.urls.organizer);
          await boardReady(page);
          const panel = await openShare(page);
          await panel.getByTestId('join-code').waitFor();
          await check('share panel, joining shown');
          await page.keyboard.press('Escape');
          await page.getByRole('button', { name: 'Your options' }).click();
          await check('your menu');
          await page.getByRole('button', { name: 'Continue on another device' }).click();
          await page.getByTestId('continue-code').waitFor();
          await check('continue dialog');
          await page.keyboard.press('Escape');
          await page.getByRole('button', { name: 'More board tools' }).click();
          await page.getByTestId('duplicate-board').click();
          await page.getByTestId('duplicate-dialog').waitFor();
          await check('duplicate dialog');
          await page.goto(`${server.url}/b/${board.id}/present#${board.tokens.viewer}`);
          await page.getByTestId('present-join-code').waitFor({ timeout: 20_000 });
          await check('presenter with the join code');
          await context.close();
        }
      }
      expect(found).toEqual([]);
      await browser.close();
    },
  );
});
