import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { readNotes, serverOrigin } from '../../shared/schema';
import { seriousViolations } from '../helpers/axe';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * The board's history and its picture in Debian's Chromium against the built
 * client (issue 11, docs/SPEC.md HU1–HU2): a past snapshot is shown read-only
 * with a way back to now, the organizer restores it after confirming, and
 * "Download PNG" saves a real PNG drawn in the page under the strict CSP.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const slow = { timeout: 25_000, interval: 100 };
const TEST_TIMEOUT = 150_000;
const origin = serverOrigin('e2e');
const wide = { width: 1400, height: 900 };
const base = { authorId: 'p1', authorName: 'Pia', itemId: null, y: 80 };

describe.skipIf(!browserAvailable())('history and pictures in a real browser', () => {
  it(
    'HU1: a past snapshot is viewed read-only, Back to now returns, and the organizer restores it after confirming',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('History workshop');
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        addNote(d, { ...base, id: 'old-note', text: 'Written during talk two', x: 80 }, origin);
      });
      const res = await fetch(`${server.url}/api/boards/${board.id}/snapshots`, {
        method: 'POST',
        headers: { authorization: `Bearer ${board.tokens.organizer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ label: 'After talk 2 — Fed-BioMed' }),
      });
      expect(res.status).toBe(201);
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        addNote(d, { ...base, id: 'new-note', text: 'Written after the snapshot', x: 420 }, origin);
      });

      const browser = await launchBrowser();
      try {
        const ana = await newPerson(browser, 'Ana', wide);
        const olga = await newPerson(browser, 'Olga', wide);
        await Promise.all([ana.page.goto(board.urls.participant), olga.page.goto(board.urls.organizer)]);
        for (const p of [ana.page, olga.page]) await p.locator('[data-note-id="new-note"]').waitFor(slow);

        // A participant opens the timeline and picks the snapshot.
        await ana.page.getByRole('button', { name: 'More board tools' }).click();
        await ana.page.locator('[data-testid="open-history"]').click();
        const entry = ana.page.locator('[data-testid="snapshot"]', { hasText: 'After talk 2 — Fed-BioMed' });
        await entry.waitFor(slow);
        expect(await ana.page.locator('[data-testid="save-snapshot"]').count()).toBe(0);
        expect(await seriousViolations(ana.page)).toEqual([]);
        await entry.click();
        const banner = ana.page.locator('[data-testid="history-banner"]');
        await banner.waitFor(slow);
        expect(await banner.textContent()).toContain('Viewing the board after talk 2 — Fed-BioMed');
        // The picture is the board as it was: the old note, not the new one; nothing to edit in it.
        const picture = await ana.page
          .locator('[data-testid="history-image"]')
          .evaluate(async (img: HTMLImageElement) => {
            await img.decode();
            return { width: img.naturalWidth, svg: decodeURIComponent(img.src) };
          });
        expect(picture.width).toBeGreaterThan(0);
        expect(picture.svg).toContain('data-id="old-note"');
        expect(picture.svg).not.toContain('data-id="new-note"');
        const view = ana.page.locator('[data-testid="history-view"]');
        expect(await view.locator('textarea, input, [data-note-id]').count()).toBe(0);
        expect(await ana.page.locator('[data-testid="restore-snapshot"]').count()).toBe(0);
        expect(await seriousViolations(ana.page)).toEqual([]);

        await ana.page.locator('[data-testid="history-back"]').click();
        await eventually(async () => expect(await view.count()).toBe(0), slow);
        await ana.page.locator('[data-note-id="new-note"]').waitFor(slow);

        // The organizer restores that version after confirming; everyone gets it.
        await olga.page.getByRole('button', { name: 'More board tools' }).click();
        await olga.page.locator('[data-testid="open-history"]').click();
        await olga.page.locator('[data-testid="snapshot"]', { hasText: 'After talk 2' }).click();
        await olga.page.locator('[data-testid="restore-snapshot"]').click();
        await olga.page.locator('[data-testid="confirm"]').click();
        await eventually(async () => {
          const notes = await server.docs.read(board.id, 'board', (d) => readNotes(d));
          expect(notes.map((n) => n.text)).toEqual(['Written during talk two']);
        }, slow);
        await eventually(
          async () => expect(await ana.page.locator('[data-note-id="new-note"]').count()).toBe(0),
          slow,
        );

        // "Save a snapshot now" adds one to the timeline.
        await olga.page.locator('[data-testid="history-panel"]').waitFor(slow);
        await olga.page.getByLabel('Label of the snapshot').fill('Before the break');
        await olga.page.locator('[data-testid="save-snapshot"]').click();
        await olga.page.locator('[data-testid="snapshot"]', { hasText: 'Before the break' }).waitFor(slow);
      } finally {
        await browser.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'HU2: Download PNG saves a PNG of the board drawn in the page, with no CSP violation',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Picture workshop');
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        addNote(d, { ...base, id: 'n1', text: 'A note for the picture', x: 80 }, origin);
      });
      const browser = await launchBrowser();
      try {
        const ana = await newPerson(browser, 'Ana', wide);
        const violations: string[] = [];
        ana.page.on('console', (m) => {
          if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
        });
        await ana.page.goto(board.urls.participant);
        await ana.page.locator('[data-note-id="n1"]').waitFor(slow);
        await ana.page.getByRole('button', { name: 'More board tools' }).click();
        const [download] = await Promise.all([
          ana.page.waitForEvent('download', { timeout: 30_000 }),
          ana.page.locator('[data-testid="download-png"]').click(),
        ]);
        expect(download.suggestedFilename()).toBe('picture-workshop-board.png');
        const file = await download.path();
        const bytes = readFileSync(file);
        expect(bytes.length).toBeGreaterThan(1000);
        expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        // IHDR: width and height are big-endian at bytes 16–23, never zero.
        expect(bytes.readUInt32BE(16)).toBeGreaterThan(0);
        expect(bytes.readUInt32BE(20)).toBeGreaterThan(0);
        expect(violations).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    TEST_TIMEOUT,
  );
});
