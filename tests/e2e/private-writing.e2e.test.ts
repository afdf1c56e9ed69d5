import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { readNotes, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson, organizerWithFacilitate } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';
const srv = serverOrigin('e2e');
/** Where the banner screenshots go (looked at by whoever changes the banner). */
const SHOTS = process.env.PW_SHOTS_DIR ?? '';

async function write(page: Page, text: string): Promise<void> {
  await page.getByLabel('New note', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('[data-testid="note-list"] li', { hasText: text }).waitFor();
}

const listed = (page: Page, text: string) => page.locator('[data-testid="note-list"] li', { hasText: text });

describe.skipIf(!browserAvailable())('private writing (issue 20)', () => {
  it(
    'PW1/PW2: the organizer starts private writing, two participants each see only their own notes and the count, Reveal shows all to everyone',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Private writing');
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => {
        const talk = addItem(d, { start: '09:00', minutes: 30, title: 'Open data', kind: 'talk' }, srv);
        setCurrentItem(d, talk, srv);
      });
      const browser = await launchBrowser();
      const olga = await organizerWithFacilitate(browser, board.urls.organizer);
      await olga.getByTestId('start-private').click();
      await olga.getByTestId('reveal').waitFor();

      const phones: Page[] = [];
      for (const name of ['Ana', 'Ben']) {
        const { page } = await newPerson(browser, name, { width: 390, height: 844 });
        await page.goto(board.urls.participant);
        await page.locator('[data-testid="note-list"]').waitFor();
        await page.getByTestId('private-writing').waitFor();
        phones.push(page);
      }
      const [ana, ben] = phones as [Page, Page];
      await write(ana, 'Ana private idea');
      await write(ben, 'Ben private idea');
      await write(ben, 'Ben second idea');
      // Everyone sees the count; nobody sees another's text; the board holds none of it.
      for (const p of [ana, ben])
        await eventually(async () =>
          expect(await p.getByTestId('private-writing').textContent()).toMatch(/·\s+3\s+written/),
        );
      await eventually(async () =>
        expect(await olga.getByTestId('reveal').textContent()).toMatch(/Reveal\s+3\s+notes/),
      );
      expect(await listed(ana, 'Ben').count()).toBe(0);
      expect(await listed(ben, 'Ana').count()).toBe(0);
      expect(await olga.locator('[data-note-id]').count()).toBe(0);
      expect(await server.docs.read(board.id, 'board', (d) => readNotes(d).length)).toBe(0);
      if (SHOTS) {
        await ana.screenshot({ path: `${SHOTS}/private-writing-phone.png` });
        const { page: laptop } = await newPerson(browser, 'Lea', { width: 1440, height: 900 });
        await laptop.goto(board.urls.participant);
        await laptop.getByTestId('private-writing').waitFor();
        await laptop.screenshot({ path: `${SHOTS}/private-writing-laptop.png` });
      }

      await olga.getByTestId('reveal').click();
      await olga.getByTestId('start-private').waitFor();
      for (const p of [ana, ben]) {
        await p.getByTestId('private-writing').waitFor({ state: 'detached' });
        for (const t of ['Ana private idea', 'Ben private idea', 'Ben second idea'])
          await eventually(async () => expect(await listed(p, t).count()).toBe(1));
      }
      await eventually(async () => expect(await olga.locator('[data-note-id]').count()).toBe(3));
      const notes = await server.docs.read(board.id, 'board', (d) => readNotes(d));
      expect(notes.map((n) => n.authorName).sort()).toEqual(['Ana', 'Ben', 'Ben']);
      await browser.close();
    },
  );
});
