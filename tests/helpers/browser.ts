import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { CHROMIUM_FLAGS } from '../../bench/chromium';
import { CHROMIUM_HINT, CHROMIUM_PATH, hasChromium, requireOptional } from './env';

/** True when browser tests can run; throws in CI when Chromium is missing. */
export const browserAvailable = (): boolean => requireOptional('Chromium', hasChromium(), CHROMIUM_HINT);

const open: { browser: Browser; dir: string }[] = [];

afterEach(async () => {
  const all = open.splice(0);
  await Promise.all(
    all.map(async ({ browser, dir }) => {
      await browser.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }),
  );
});

/**
 * Debian's Chromium (never a downloaded build), headless, with the flags this
 * machine needs: no sandbox as root, no background networking, fresh profile.
 */
export async function launchBrowser(): Promise<Browser> {
  const dir = mkdtempSync(path.join(tmpdir(), 'plenary-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    // Playwright refuses --user-data-dir with launch() and already gives each
    // browser a fresh temporary profile; `dir` only holds downloads and traces.
    downloadsPath: dir,
  });
  open.push({ browser, dir });
  return browser;
}

/**
 * A fresh browser context (its own localStorage: a different person) with a
 * display name already chosen, so tests skip the name prompt unless they test it.
 */
export async function newPerson(
  browser: Browser,
  name: string | null,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  if (name !== null) {
    await context.addInitScript((n) => {
      window.localStorage.setItem('plenary.name', n);
    }, name);
  }
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[browser ${name}] ${e.message}`));
  return { context, page };
}

/**
 * An organizer at 1440×900 on the canvas with the Facilitate panel open, as an
 * organizer keeps it during a workshop (the panel remembers being open or closed).
 */
export async function organizerWithFacilitate(browser: Browser, url: string): Promise<Page> {
  const { page } = await newPerson(browser, 'Olga', { width: 1440, height: 900 });
  await page.goto(url);
  await page.locator('[data-canvas]').waitFor();
  await page.locator('.facilitation summary').waitFor();
  if ((await page.locator('.facilitation[open]').count()) === 0)
    await page.locator('.facilitation summary').click();
  return page;
}
