import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { requireOptional } from '../helpers/env';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const SEED = path.resolve(repoRoot, '../shared/seed/workshop-2023.md');
const clientDir = path.resolve(repoRoot, 'dist/client');
const hasSeed = (): boolean =>
  requireOptional('the seed workshop page', existsSync(SEED), `place it at ${SEED}`);

/**
 * The organizer imports the real workshop page through the dialog; a
 * participant in another browser context (in Paris) sees the agenda in both
 * zones and follows the live item as the organizer moves it.
 */
// Two browsers and a dozen round trips: allow for a loaded 2-core CI machine.
describe.skipIf(!browserAvailable() || !hasSeed())('agenda in the browser', () => {
  it('a participant sees the current item follow the organizer\'s "start this item now"', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('NAIMS workshop');
    const browser = await launchBrowser();

    const org = await newPerson(browser, 'Olga Organizer');
    await org.page.goto(`${server.url}/b/${board.id}#${board.tokens.organizer}`);
    const orgPanel = org.page.getByTestId('agenda-panel');

    // A pasted page without an agenda table: the server's 422 message, nothing applied.
    await orgPanel.getByRole('button', { name: 'Import page' }).click();
    const importText = org.page.getByTestId('agenda-import-text');
    await importText.fill('# Our workshop\n\nNo schedule yet.');
    await org.page.getByRole('button', { name: 'Preview' }).click();
    await expect.poll(() => org.page.getByRole('alert').first().textContent()).toMatch(/table/i);

    // Upload the seed page: preview (12 items), then apply.
    await org.page.getByLabel('or a file').setInputFiles(SEED);
    await expect.poll(() => importText.inputValue()).toBe(readFileSync(SEED, 'utf8'));
    await org.page.getByRole('button', { name: 'Preview' }).click();
    const preview = org.page.getByTestId('agenda-import-preview');
    await preview.waitFor();
    expect(await preview.locator('tbody tr').count()).toBe(12);
    await org.page.getByRole('button', { name: /Replace agenda with 12 items/ }).click();
    await eventually(async () => expect(await orgPanel.getByTestId('agenda-item').count()).toBe(12), {
      timeout: 10_000,
    });
    await expect
      .poll(() => orgPanel.getByRole('heading', { level: 2 }).textContent())
      .toMatch(/Federated Learning|Workshop/);

    // The participant, in Paris, sees the imported agenda in both zones.
    // A short window, so that following has to scroll.
    const ctx = await browser.newContext({
      timezoneId: 'Europe/Paris',
      viewport: { width: 1280, height: 600 },
    });
    await ctx.addInitScript(() => window.localStorage.setItem('plenary.name', 'Pia Participant'));
    const part = await ctx.newPage();
    await part.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
    const partPanel = part.getByTestId('agenda-panel');
    await eventually(async () => expect(await partPanel.getByTestId('agenda-item').count()).toBe(12), {
      timeout: 10_000,
    });
    const firstTalk = partPanel.getByTestId('agenda-item').nth(2);
    await expect.poll(() => firstTalk.textContent()).toMatch(/10:30\s+EST[\s\S]*16:30\s+CET/);
    expect(await partPanel.getByRole('button', { name: 'Start this item now' }).count()).toBe(0);

    const startNow = async (index: number): Promise<void> => {
      await orgPanel
        .getByTestId('agenda-item')
        .nth(index)
        .getByRole('button', { name: 'Start this item now' })
        .click();
    };
    // Starting an item of a day years ago is refused with a hint.
    await startNow(2);
    await expect.poll(() => orgPanel.getByRole('alert').textContent()).toMatch(/set the event date/);

    // Run the day today (it is no longer 2023), then start the third item now.
    const today = DateTime.now().setZone('America/New_York').toISODate() as string;
    await orgPanel.getByText('Event settings', { exact: true }).click();
    await orgPanel.getByLabel('Date', { exact: true }).fill(today);
    await orgPanel.getByRole('button', { name: 'Save event settings' }).click();

    const currentOnParticipant = (): Promise<string | null> =>
      partPanel.locator('[data-testid="agenda-item"][aria-current="true"]').textContent();

    await startNow(2);
    await expect.poll(currentOnParticipant, { timeout: 10_000 }).toContain('Alexandros Karargyris');
    await expect.poll(() => partPanel.getByTestId('agenda-current').textContent()).toMatch(/^Now:/);

    await startNow(4);
    await expect.poll(currentOnParticipant, { timeout: 10_000 }).toContain('Spyros Bakas');
    // Exactly one live item at a time.
    expect(await partPanel.locator('[aria-current="true"]').count()).toBe(1);

    // Following scrolls the live item into view, even at the end of the day.
    const liveRow = partPanel.locator('[data-testid="agenda-item"][aria-current="true"]');
    const liveRowVisible = (): Promise<boolean> =>
      liveRow.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      });
    await startNow(11);
    await expect.poll(currentOnParticipant, { timeout: 10_000 }).toContain('Discussion');
    await expect.poll(liveRowVisible).toBe(true);

    // Switched off, the view stays put; "Jump to now" brings the live item back.
    await partPanel.getByLabel('Follow the live item').uncheck();
    await startNow(0);
    await expect.poll(currentOnParticipant, { timeout: 10_000 }).toContain('Brief intro');
    expect(await liveRowVisible()).toBe(false);
    await partPanel.getByRole('button', { name: 'Jump to now' }).click();
    await expect.poll(liveRowVisible).toBe(true);
    expect(await partPanel.getByLabel('Follow the live item').isChecked()).toBe(true);
  }, 90_000);
});

describe.skipIf(!browserAvailable())('agenda editing in the browser', () => {
  it('the organizer edits the agenda in place and shifts it; a participant sees the delay with the planned time, then back on schedule', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Editing');
    const browser = await launchBrowser();
    const org = await newPerson(browser, 'Olga Organizer');
    await org.page.goto(`${server.url}/b/${board.id}#${board.tokens.organizer}`);
    const orgPanel = org.page.getByTestId('agenda-panel');

    // Event settings: today in New York, so the day is running.
    const nowNy = DateTime.now().setZone('America/New_York');
    await orgPanel.getByText('Event settings', { exact: true }).click();
    await orgPanel.getByLabel('Event title').fill('Editing day');
    await orgPanel.getByLabel('Date', { exact: true }).fill(nowNy.toISODate() as string);
    await orgPanel.getByLabel('Time zone').selectOption('America/New_York');
    await orgPanel.getByLabel('Meeting link').fill('https://meet.example.org/room');
    await orgPanel.getByRole('button', { name: 'Save event settings' }).click();

    // Two items through the form; the second one starts in two hours (not live).
    const add = async (start: string, title: string, speaker: string): Promise<void> => {
      await orgPanel.getByRole('button', { name: 'Add item' }).click();
      const form = orgPanel.getByTestId('agenda-item-form');
      await form.getByLabel('Start').fill(start);
      await form.getByLabel('Minutes').fill('30');
      await form.getByLabel('Title').fill(title);
      await form.getByLabel('Speaker').fill(speaker);
      await form.getByRole('button', { name: 'Add to agenda' }).click();
      await orgPanel.getByRole('button', { name: 'Cancel' }).click();
    };
    const later = nowNy.plus({ hours: 2 });
    // Avoid a day boundary in New York: both items must fall on today.
    const first = later.day === nowNy.day ? nowNy.toFormat('HH:mm') : '00:00';
    const second = later.day === nowNy.day ? later.toFormat('HH:mm') : '23:00';
    await add(second, 'Closing panel', 'Casey Chair');
    await add(first, 'Opening talk', 'Ada Speaker');
    const items = orgPanel.getByTestId('agenda-item');
    await expect.poll(() => items.count()).toBe(2);
    // Listed by time, whatever the order of entry.
    await expect.poll(() => items.nth(0).textContent()).toContain('Opening talk');

    // Edit in place.
    await items.nth(1).getByRole('button', { name: 'Edit' }).click();
    await items.nth(1).getByLabel('Title').fill('Closing discussion');
    await items.nth(1).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => items.nth(1).textContent()).toContain('Closing discussion');

    const part = await newPerson(browser, 'Pia Participant');
    await part.page.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
    const partPanel = part.page.getByTestId('agenda-panel');
    await expect.poll(() => partPanel.getByTestId('agenda-item').count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => partPanel.getByRole('heading', { level: 2 }).textContent()).toBe('Editing day');
    expect(await partPanel.getByRole('link', { name: 'Join the meeting' }).getAttribute('href')).toBe(
      'https://meet.example.org/room',
    );
    expect(await partPanel.getByRole('button', { name: 'Edit' }).count()).toBe(0);

    // +5 twice, -5 once: everyone sees "running 5 min late" and the planned time.
    for (const label of ['+5 min', '+5 min', '-5 min'])
      await orgPanel.getByRole('button', { name: label }).click();
    await expect
      .poll(() => partPanel.getByTestId('agenda-delay').textContent(), { timeout: 10_000 })
      .toBe('running 5 min late');
    await expect
      .poll(() => partPanel.getByTestId('agenda-item').nth(1).textContent())
      .toContain(`planned ${second}`);

    await orgPanel.getByRole('button', { name: 'Back on schedule' }).click();
    await expect.poll(() => partPanel.getByTestId('agenda-delay').count(), { timeout: 10_000 }).toBe(0);

    // Remove an item, confirmed in the app's own dialog (never the browser's confirm()).
    await items.nth(1).getByRole('button', { name: 'Remove' }).click();
    const confirm = org.page.getByRole('dialog', { name: 'Remove “Closing discussion” from the agenda?' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => partPanel.getByTestId('agenda-item').count(), { timeout: 10_000 }).toBe(1);

    // The calendar download is a blob fetched with the token header.
    const [download] = await Promise.all([
      part.page.waitForEvent('download'),
      partPanel.getByRole('button', { name: 'Agenda calendar' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Editing-day.ics');
    expect(download.url()).toMatch(/^blob:/);
  }, 90_000);
});
