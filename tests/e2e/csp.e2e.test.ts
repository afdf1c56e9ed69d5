import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * The Content-Security-Policy (issue 9) against the built client in Chromium:
 * the landing page and a live board (notes with style directives, cursors,
 * Socket.io over WebSocket) render without a single CSP violation.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');

describe.skipIf(!browserAvailable())('Content-Security-Policy in a real browser', () => {
  it('renders the landing page and a live board with no CSP violation', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Strict headers');
    const browser = await launchBrowser();
    const { page } = await newPerson(browser, 'Ada');
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/content security policy/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });

    const landing = await page.goto(server.url);
    expect(landing?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('Board title').waitFor();

    await page.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
    await page.locator('[data-canvas]').waitFor();
    await eventually(
      async () => expect(await page.getByRole('status').filter({ hasText: 'Live' }).count()).toBe(1),
      { timeout: 10_000 },
    );
    await page.keyboard.press('n');
    await page.keyboard.type('Styled by the CSSOM');
    await page.keyboard.press('Escape');
    const note = page.locator('[data-note-id]', { hasText: 'Styled by the CSSOM' });
    await note.waitFor();
    // The note's position and colour come from style directives: they must apply.
    expect(await note.evaluate((el) => (el as HTMLElement).style.left)).toMatch(/^-?[\d.]+px$/);
    expect(await note.evaluate((el) => getComputedStyle(el).position)).not.toBe('static');
    expect(violations).toEqual([]);

    // And the policy bites: an injected inline script does not run, and is reported.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.body.append(s);
      return (window as unknown as { inlineRan?: boolean }).inlineRan ?? false;
    });
    expect(ran).toBe(false);
    await eventually(() => expect(violations.some((v) => v.includes('script-src'))).toBe(true));
  });
});
