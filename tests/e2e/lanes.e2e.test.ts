import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addItem, setCurrentItem } from '../../shared/ops/agenda';
import { readNotes, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson, organizerWithFacilitate } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const clientDir = 'dist/client';
const srv = serverOrigin('e2e');

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const intersect = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function writeOnPhone(page: Page, texts: string[]): Promise<void> {
  for (const text of texts) {
    await page.getByLabel('New note', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('[data-testid="note-list"] li', { hasText: text }).waitFor();
  }
}

describe.skipIf(!browserAvailable())('incoming notes find their place (issue 20)', () => {
  it(
    'NB10: notes written on two phones land in their talk’s lane on the organizer’s canvas: none overlaps another or the Facilitate panel',
    { timeout: 180_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Phones');
      await server.docs.change(board.id, 'agenda', 'e2e', (d) => {
        const talk = addItem(d, { start: '09:00', minutes: 30, title: 'Open data', kind: 'talk' }, srv);
        addItem(d, { start: '09:30', minutes: 30, title: 'Coffee break', kind: 'break' }, srv);
        setCurrentItem(d, talk, srv);
      });
      const browser = await launchBrowser();
      // The Facilitate panel open, as an organizer keeps it during a workshop.
      const olga = await organizerWithFacilitate(browser, board.urls.organizer);
      await olga.locator('.facilitation[open] .controls').waitFor();
      const phones: Page[] = [];
      for (const name of ['Ana', 'Ben']) {
        const { page } = await newPerson(browser, name, { width: 390, height: 844 });
        await page.goto(board.urls.participant);
        await page.locator('[data-testid="note-list"]').waitFor();
        await page.getByText('Open data').first().waitFor({ state: 'attached' });
        phones.push(page);
      }
      // Two batches from each phone, the second after the first arrived (as a workshop does).
      const texts = (who: string, batch: number) =>
        Array.from(
          { length: 3 },
          (_, i) => `${who} idea ${batch}.${i + 1} ${'مرحبا שלום 🙂'.slice(0, i * 4)}`,
        );
      for (const batch of [1, 2])
        await Promise.all(phones.map((p, i) => writeOnPhone(p, texts(i === 0 ? 'Ana' : 'Ben', batch))));
      await eventually(
        async () => expect(await server.docs.read(board.id, 'board', (d) => readNotes(d).length)).toBe(12),
        { timeout: 30_000 },
      );
      const notes = olga.locator('[data-note-id]');
      await eventually(async () => expect(await notes.count()).toBe(12), { timeout: 30_000 });
      const boxes: Box[] = [];
      for (const n of await notes.all()) {
        const b = await n.boundingBox();
        if (!b) throw new Error('a note is not laid out');
        boxes.push(b);
      }
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) expect(intersect(boxes[i]!, boxes[j]!)).toBe(false);
      const panel = await olga.locator('.facilitation[open] .controls').boundingBox();
      expect(panel).not.toBeNull();
      for (const b of boxes) expect(intersect(b, panel!)).toBe(false);
    },
  );
});
