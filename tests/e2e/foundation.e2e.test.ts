import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * The foundation end to end, in Debian's Chromium against the built client:
 * create a board on the landing page, open its participant link as two
 * people, and see both in the presence list.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');

const peopleHere = async (page: Page): Promise<string[]> =>
  (await page.getByRole('list', { name: 'People here' }).getByRole('listitem').allInnerTexts()).map((t) =>
    t.replace(/\s+/g, ' ').trim(),
  );

const includesName = (items: string[], name: string): boolean => items.some((t) => t.includes(name));

describe.skipIf(!browserAvailable())('foundation in a real browser', () => {
  it('creates a board on the landing page, and two participants see each other in the presence list', async () => {
    const server = await startTestServer({ clientDir });
    const browser = await launchBrowser();

    const organizer = await newPerson(browser, 'Olga');
    await organizer.page.goto(server.url);
    await organizer.page.getByLabel('Board title').fill('Workshop on open data');
    await organizer.page.getByRole('button', { name: 'Create board' }).click();
    const participantLink = organizer.page.getByRole('textbox', { name: 'Participant link' });
    await participantLink.waitFor();
    const url = await participantLink.inputValue();
    expect(url).toMatch(new RegExp(`^${server.url}/b/[A-Za-z0-9_-]+#[A-Za-z0-9_-]+$`));
    for (const role of ['Organizer', 'Viewer']) {
      expect(await organizer.page.getByRole('textbox', { name: `${role} link` }).inputValue()).toMatch(
        /\/b\/[^#]+#.+/,
      );
    }
    expect(await organizer.page.getByRole('link', { name: 'Open as organizer' }).getAttribute('href')).toBe(
      await organizer.page.getByRole('textbox', { name: 'Organizer link' }).inputValue(),
    );

    const ada = await newPerson(browser, 'Ada');
    const grace = await newPerson(browser, 'Grace');
    await Promise.all([ada.page.goto(url), grace.page.goto(url)]);

    for (const { page } of [ada, grace]) {
      await eventually(
        async () => {
          const people = await peopleHere(page);
          expect(includesName(people, 'Ada')).toBe(true);
          expect(includesName(people, 'Grace')).toBe(true);
        },
        { timeout: 15_000, interval: 100 },
      );
      await eventually(
        async () => expect(await page.getByRole('status').filter({ hasText: 'Live' }).count()).toBe(1),
        {
          timeout: 10_000,
        },
      );
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Workshop on open data');
      expect(await page.getByText('Participant', { exact: true }).count()).toBe(1);
    }
    // The token stays in the fragment: the address bar is left as it was.
    expect(ada.page.url()).toBe(url);

    // When Grace leaves, Ada sees her go without waiting for a timeout.
    await grace.context.close();
    await eventually(async () => expect(includesName(await peopleHere(ada.page), 'Grace')).toBe(false), {
      timeout: 15_000,
      interval: 100,
    });
  });

  it('asks for a display name on the first visit and remembers it', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Name prompt');
    const browser = await launchBrowser();
    const newcomer = await newPerson(browser, null);
    await newcomer.page.goto(board.urls.participant);

    const dialog = newcomer.page.getByRole('dialog', { name: 'What’s your name?' });
    await dialog.waitFor();
    // An empty name is refused with a message, not silently accepted.
    await dialog.getByRole('button', { name: 'Join the board' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('Display name').fill('  Linus  ');
    await dialog.getByRole('button', { name: 'Join the board' }).click();

    await eventually(async () => expect(await peopleHere(newcomer.page)).toEqual(['L Linus (you)']), {
      timeout: 15_000,
      interval: 100,
    });
    expect(await newcomer.page.evaluate(() => localStorage.getItem('plenary.name'))).toBe('Linus');

    await newcomer.page.reload();
    await newcomer.page.getByRole('list', { name: 'People here' }).waitFor();
    expect(await newcomer.page.getByRole('dialog').count()).toBe(0);
  });

  it('says plainly that a link with a wrong token is not valid', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Wrong token');
    const browser = await launchBrowser();
    const eve = await newPerson(browser, 'Eve');
    await eve.page.goto(`${server.url}/b/${board.id}#not-the-right-token-at-all`);
    await eve.page.getByRole('heading', { name: 'This link is not valid' }).waitFor({ timeout: 15_000 });
  });

  it('asks for the admin token when the server requires one to create boards', async () => {
    const server = await startTestServer({ clientDir, adminToken: 'admin-secret-for-tests' });
    const browser = await launchBrowser();
    const { page } = await newPerson(browser, 'Olga');
    await page.goto(server.url);
    await page.getByLabel('Board title').fill('Guarded');
    await page.getByRole('button', { name: 'Create board' }).click();
    const tokenField = page.getByLabel('Admin token');
    await tokenField.waitFor();
    await tokenField.fill('not-it');
    await page.getByRole('button', { name: 'Create board' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await tokenField.fill('admin-secret-for-tests');
    await page.getByRole('button', { name: 'Create board' }).click();
    await page.getByRole('textbox', { name: 'Participant link' }).waitFor();
  });

  it('shows one area at a time as keyboard-operable tabs on a phone, the board first', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Phone');
    const browser = await launchBrowser();
    const { page } = await newPerson(browser, 'Ada', { width: 390, height: 800 });
    await page.goto(board.urls.participant);
    const tabs = page.getByRole('tablist', { name: 'Board areas' });
    await tabs.waitFor({ timeout: 15_000 });
    const selected = async (): Promise<string> => page.getByRole('tab', { selected: true }).innerText();
    expect(await selected()).toBe('Board');
    expect(await page.locator('#area-board').isVisible()).toBe(true);
    expect(await page.locator('#area-agenda').isVisible()).toBe(false);

    await page.getByRole('tab', { name: 'Board' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe('Tasks');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Tasks');
    expect(await page.locator('#area-tasks').isVisible()).toBe(true);
    expect(await page.locator('#area-board').isVisible()).toBe(false);
    await page.keyboard.press('Home');
    expect(await selected()).toBe('Agenda');
  });
});
