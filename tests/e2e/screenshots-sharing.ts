/**
 * Screenshots of issue 19 (sharing from any device), light and dark, at
 * phone, tablet, laptop and projector sizes, into docs/screenshots/
 * (`sharing-<view>-<w>x<h>-<scheme>.png`):
 *
 * - share: a second organizer device's share panel, "Show how to join" on;
 * - present: the projector opened with the viewer link, showing how to join;
 * - join: the `/join` page;
 * - menu, continue: your menu and the dialog to continue on another device;
 * - duplicate: the copy dialog; retro: a board started from the retrospective template;
 * - older: the share panel of a board made before links were kept.
 *
 *   npx tsx tests/e2e/screenshots.ts sharing     (after `vite build`)
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app';
import { mintBoard } from '../../server/boards/tokens';
import { addNote } from '../../shared/ops/board';
import { serverOrigin } from '../../shared/schema';

const SIZES = [
  { width: 390, height: 844 },
  { width: 820, height: 1180 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];

interface Created {
  id: string;
  tokens: { organizer: string; participant: string; viewer: string };
  urls: { organizer: string; participant: string; viewer: string };
}

async function post(url: string, token: string | null, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

export async function sharingShots(
  browser: Browser,
  server: RunningServer,
  url: string,
  outDir: string,
): Promise<void> {
  const origin = serverOrigin('screenshots');
  const board = (await (
    await post(`${url}/api/boards`, null, {
      title: 'Open data workshop',
      template: 'workshop',
      timeZone: 'Europe/Berlin',
    })
  ).json()) as Created;
  await server.docs.change(board.id, 'board', 'screenshots', (doc) => {
    ['Publish the raw data', 'One licence for all datasets', 'Ask the funders'].forEach((text, i) =>
      addNote(
        doc,
        { text, x: 20 + i * 230, y: 20, authorId: 'seed', authorName: 'Kenji', itemId: null },
        origin,
      ),
    );
  });
  await post(`${url}/api/boards/${board.id}/join`, board.tokens.organizer, { shown: true }, 'PUT');
  const retro = (await (
    await post(`${url}/api/boards`, null, { title: 'Sprint 12 retrospective', template: 'retrospective' })
  ).json()) as Created;
  const { record, tokens } = mintBoard('Workshop 2025');
  await server.store.createBoard(record);

  for (const size of SIZES) {
    for (const scheme of ['light', 'dark'] as const) {
      const tag = `${size.width}x${size.height}-${scheme}`;
      const context = await browser.newContext({ viewport: size, colorScheme: scheme, deviceScaleFactor: 1 });
      await context.addInitScript(() => window.localStorage.setItem('plenary.name', 'Olga'));
      const page = await context.newPage();
      const shot = async (view: string): Promise<void> => {
        await page.waitForTimeout(400);
        const file = path.join(outDir, `sharing-${view}-${tag}.png`);
        await page.screenshot({ path: file });
        process.stdout.write(`${path.relative(path.resolve(outDir, '../..'), file)}\n`);
      };
      const ready = (p: Page) => p.getByRole('list', { name: 'People here' }).waitFor({ timeout: 30_000 });

      await page.goto(board.urls.organizer);
      await ready(page);
      await page.getByTestId('share').click();
      await page.getByTestId('join-code').waitFor({ timeout: 20_000 });
      await shot('share');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'Your options' }).click();
      await shot('menu');
      await page.getByRole('button', { name: 'Continue on another device' }).click();
      await page.getByTestId('continue-code').waitFor({ timeout: 20_000 });
      await shot('continue');
      await page.keyboard.press('Escape');

      await page.getByRole('button', { name: 'More board tools' }).click();
      await page.getByTestId('duplicate-board').click();
      await page.getByTestId('duplicate-dialog').waitFor();
      await shot('duplicate');
      await page.keyboard.press('Escape');

      await page.goto(`${url}/b/${board.id}/present#${board.tokens.viewer}`);
      await page.getByTestId('present-join-code').waitFor({ timeout: 20_000 });
      await shot('present');

      await page.goto(`${url}/join`);
      await page.getByLabel('Code').fill('k7p4 qx2');
      await shot('join');

      await page.goto(retro.urls.organizer);
      await ready(page);
      // The canvas shows the three columns; a phone's list shows notes (none yet).
      await page
        .getByTestId(size.width < 700 ? 'note-list' : 'group-title')
        .first()
        .waitFor({ timeout: 20_000 });
      await shot('retro');

      await page.goto(`${url}/b/${record.id}#${tokens.organizer}`);
      await ready(page);
      await page.getByTestId('share').click();
      await page.getByTestId('link-unknown').waitFor({ timeout: 20_000 });
      await shot('older');
      await context.close();
    }
  }
}
