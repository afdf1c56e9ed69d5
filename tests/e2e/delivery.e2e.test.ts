import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * DL2 against the built client in Chromium: a participant's first load on a
 * phone fetches only what a participant uses, within the script budget; an
 * organizer's tools and dialogs load when shown and work.
 */
const clientDir = path.resolve(import.meta.dirname, '../../dist/client');

/** Chunks only organizers, other pages or opened dialogs need (Vite names chunks after their module). */
const NOT_ON_FIRST_LOAD =
  /\/(SharePanel|QrCode|ImportDialog|MetaEditor|FacilitationBar|DuplicateDialog|ShortcutsDialog|ContinueDialog|ContinueHere|PresentPage|Landing|JoinPage|AgendaPanel|TasksPanel|QaPanel|Canvas)-[^/]*\.js$/;

/** Every script the page fetches, with the bytes that crossed the wire (compressed). */
function recordScripts(page: Page): { url: string; bytes: number; encoding: string }[] {
  const scripts: { url: string; bytes: number; encoding: string }[] = [];
  page.on('response', (res) => {
    if (!new URL(res.url()).pathname.endsWith('.js')) return;
    const h = res.headers();
    scripts.push({
      url: new URL(res.url()).pathname,
      bytes: Number(h['content-length'] ?? Number.NaN),
      encoding: h['content-encoding'] ?? '',
    });
  });
  return scripts;
}

describe.skipIf(!browserAvailable())('DL2: code split by route and role', () => {
  it('DL2: a participant on a phone loads no organizer or dialog code, in at most 100 KB of brotli script', async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Split by role');
    await server.docs.change(board.id, 'board', 'e2e setup', (doc) => {
      addNote(
        doc,
        { text: 'First idea', x: 0, y: 0, authorId: 'a', authorName: 'A', itemId: null },
        serverOrigin('e2e'),
      );
    });
    const browser = await launchBrowser();
    const { page } = await newPerson(browser, 'Pat', { width: 390, height: 844 });
    const scripts = recordScripts(page);
    await page.goto(`${server.url}/b/${board.id}#${board.tokens.participant}`);
    await page.getByText('First idea').waitFor();
    await page.waitForLoadState('networkidle');

    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((s) => NOT_ON_FIRST_LOAD.test(s.url)).map((s) => s.url)).toEqual([]);
    // Brotli, but for chunks too small to gain from it (under 1 KiB, sent as they are).
    for (const s of scripts) expect(s.encoding === 'br' || s.bytes < 1024, s.url).toBe(true);
    expect(scripts.filter((s) => s.encoding === 'br').length).toBeGreaterThan(0);
    const total = scripts.reduce((n, s) => n + s.bytes, 0);
    expect(total).toBeLessThanOrEqual(100 * 1024);

    // The participant's other areas load when opened, and work.
    await page.getByRole('tab', { name: 'Tasks' }).click();
    await page.getByRole('heading', { name: /Next steps/ }).waitFor();
    expect(scripts.some((s) => /\/TasksPanel-/.test(s.url))).toBe(true);
  });

  it("DL2: an organizer's tools load for the organizer, and the share panel with its QR code when opened", async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Organizer tools');
    const browser = await launchBrowser();
    const { page } = await newPerson(browser, 'Olga', { width: 1440, height: 900 });
    const scripts = recordScripts(page);
    await page.goto(`${server.url}/b/${board.id}#${board.tokens.organizer}`);
    await page.getByTestId('share').waitFor();
    await eventually(() => expect(scripts.some((s) => /\/FacilitationBar-/.test(s.url))).toBe(true));
    expect(scripts.some((s) => /\/SharePanel-/.test(s.url))).toBe(false);

    await page.getByTestId('share').click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('svg[role="img"]').first().waitFor();
    await eventually(async () =>
      expect(await dialog.locator('input').first().inputValue()).toContain(board.tokens.participant),
    );
    expect(scripts.some((s) => /\/SharePanel-/.test(s.url))).toBe(true);
    expect(scripts.some((s) => /\/QrCode-/.test(s.url))).toBe(true);
  });
});
