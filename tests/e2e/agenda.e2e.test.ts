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
describe.skipIf(!browserAvailable() || !hasSeed())('agenda in the browser', () => {
  it('a participant sees the current item follow the organizer\'s "start this item now"', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('NAIMS workshop');
    const browser = await launchBrowser();

    const org = await newPerson(browser, 'Olga Organizer');
    await org.page.goto(`${server.url}/b/${board.id}#${board.tokens.organizer}`);
    const orgPanel = org.page.getByTestId('agenda-panel');

    // Import: paste, preview (12 items), apply.
    await orgPanel.getByRole('button', { name: 'Import page' }).click();
    await org.page.getByTestId('agenda-import-text').fill(readFileSync(SEED, 'utf8'));
    await org.page.getByRole('button', { name: 'Preview' }).click();
    const preview = org.page.getByTestId('agenda-import-preview');
    await preview.waitFor();
    expect(await preview.locator('tbody tr').count()).toBe(12);
    await org.page.getByRole('button', { name: /Replace agenda with 12 items/ }).click();
    await eventually(
      async () => expect(await orgPanel.getByTestId('agenda-item').count()).toBe(12),
      {
        timeout: 10_000,
      },
    );
    await expect
      .poll(() => orgPanel.getByRole('heading', { level: 2 }).textContent())
      .toMatch(/Federated Learning|Workshop/);

    // The participant, in Paris, sees the imported agenda in both zones.
    const ctx = await browser.newContext({ timezoneId: 'Europe/Paris' });
    await ctx.addInitScript(() => window.localStorage.setItem('plenary.name', 'Pia Participant'));
    const part = await ctx.newPage();
    await part.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
    const partPanel = part.getByTestId('agenda-panel');
    await eventually(
      async () => expect(await partPanel.getByTestId('agenda-item').count()).toBe(12),
      {
        timeout: 10_000,
      },
    );
    const firstTalk = partPanel.getByTestId('agenda-item').nth(2);
    await expect.poll(() => firstTalk.textContent()).toMatch(/10:30\s+EST[\s\S]*16:30\s+CET/);
    expect(await partPanel.getByRole('button', { name: 'Start this item now' }).count()).toBe(0);

    // Run the day today (it is no longer 2023), then start the third item now.
    const today = DateTime.now().setZone('America/New_York').toISODate() as string;
    await orgPanel.getByText('Event settings', { exact: true }).click();
    await orgPanel.getByLabel('Date', { exact: true }).fill(today);
    await orgPanel.getByRole('button', { name: 'Save event settings' }).click();

    const startNow = async (index: number): Promise<void> => {
      await orgPanel
        .getByTestId('agenda-item')
        .nth(index)
        .getByRole('button', { name: 'Start this item now' })
        .click();
    };
    const currentOnParticipant = (): Promise<string | null> =>
      partPanel.locator('[data-testid="agenda-item"][aria-current="true"]').textContent();

    await startNow(2);
    await expect.poll(currentOnParticipant, { timeout: 10_000 }).toContain('Alexandros Karargyris');
    await expect.poll(() => partPanel.getByTestId('agenda-current').textContent()).toMatch(/^Now:/);

    await startNow(4);
    await expect.poll(currentOnParticipant, { timeout: 10_000 }).toContain('Spyros Bakas');
    // Exactly one live item at a time.
    expect(await partPanel.locator('[aria-current="true"]').count()).toBe(1);
  });
});
