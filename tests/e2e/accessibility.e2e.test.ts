import { describe, expect, it } from 'vitest';
import { seriousViolations as violations } from '../helpers/axe';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';

describe.skipIf(!browserAvailable())('accessibility (axe-core, WCAG 2 A/AA)', () => {
  it(
    'the landing page and the board page, on a desktop and on a phone, have no serious violations',
    { timeout: 120_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Accessible workshop');
      const browser = await launchBrowser();

      const { page: landing } = await newPerson(browser, null);
      await landing.goto(server.url);
      await landing.getByRole('button', { name: /create board/i }).waitFor();
      expect(await violations(landing)).toEqual([]);

      const { page: organizer } = await newPerson(browser, 'Ada');
      await organizer.goto(board.urls.organizer);
      await organizer
        .getByRole('button', { name: /new note/i })
        .first()
        .click();
      await organizer.keyboard.type('An idea');
      await organizer.keyboard.press('Escape');
      await organizer.getByText('An idea').first().waitFor();
      expect(await violations(organizer)).toEqual([]);

      const { page: phone } = await newPerson(browser, 'Grace', { width: 390, height: 800 });
      await phone.goto(board.urls.participant);
      await phone.getByText('An idea').first().waitFor();
      expect(await violations(phone)).toEqual([]);
    },
  );

  it(
    'UX7: the start page, board, share panel and presenter view have no serious violations in light and dark, at phone, tablet and desktop widths',
    { timeout: 300_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Accessible workshop');
      const browser = await launchBrowser();
      // Voting and a timer: the chips, the overlay and the presenter's lists all show.
      const { page: seed } = await newPerson(browser, 'Olga');
      await seed.goto(board.urls.organizer);
      await seed.getByTestId('new-note').click();
      await seed.keyboard.type('An idea');
      await seed.keyboard.press('Escape');
      await seed.locator('#votes-per-person').fill('3');
      await seed.getByTestId('open-voting').click();
      await seed.getByLabel('Label').fill('Silent brainstorming');
      await seed.getByTestId('start-timer').click();
      await seed.getByTestId('timer').waitFor();

      const sizes = [
        { width: 390, height: 844 },
        { width: 820, height: 1180 },
        { width: 1440, height: 900 },
      ];
      const found: string[] = [];
      for (const scheme of ['light', 'dark'] as const) {
        for (const size of sizes) {
          const context = await browser.newContext({ viewport: size, colorScheme: scheme });
          await context.addInitScript(() => window.localStorage.setItem('plenary.name', 'Grace'));
          const page = await context.newPage();
          const where = (what: string): string => `${what} ${size.width}px ${scheme}`;
          await page.goto(server.url);
          await page.getByRole('button', { name: /create board/i }).waitFor();
          found.push(...(await violations(page)).map((v) => `${where('landing')}: ${v}`));
          await page.goto(board.urls.organizer);
          await page.getByTestId('timer').waitFor({ timeout: 20_000 });
          found.push(...(await violations(page)).map((v) => `${where('board')}: ${v}`));
          await page.getByTestId('share').click();
          await page.getByTestId('share-panel').waitFor();
          found.push(...(await violations(page)).map((v) => `${where('share')}: ${v}`));
          await page.goto(board.urls.organizer.replace('#', '/present#'));
          await page.getByTestId('presenter').waitFor({ timeout: 20_000 });
          found.push(...(await violations(page)).map((v) => `${where('presenter')}: ${v}`));
          await context.close();
        }
      }
      expect(found).toEqual([]);
    },
  );

  it('the check itself finds a serious violation (a button without a name)', async () => {
    const browser = await launchBrowser();
    const { page } = await newPerson(browser, null);
    await page.setContent(
      '<!doctype html><html lang="en"><title>t</title><main><button></button></main></html>',
    );
    expect((await violations(page)).join('\n')).toContain('button-name');
  });
});
