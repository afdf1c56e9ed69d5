import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openVoting } from '../../shared/ops/live';
import { readNotes, readRoster, serverOrigin } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * Issued identities in Chromium (issue 13): each browser context is one
 * person, who keeps their identity across reloads, can rename themself, and
 * can be removed by the organizer.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const origin = serverOrigin('e2e');

const peopleHere = async (page: Page): Promise<string[]> =>
  (await page.getByRole('list', { name: 'People here' }).getByRole('listitem').allInnerTexts()).map((t) =>
    t.replace(/\s+/g, ' ').trim(),
  );

/** The identity this page's browser keeps for the board. */
const storedPerson = (page: Page, boardId: string): Promise<{ userId: string; key: string } | null> =>
  page.evaluate((id) => {
    const raw = localStorage.getItem(`plenary.person.${id}`);
    return raw ? (JSON.parse(raw) as { userId: string; key: string }) : null;
  }, boardId);

async function open(
  server: TestServer,
  board: CreatedBoard,
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  name: string,
  token: string,
) {
  const person = await newPerson(browser, name);
  await person.page.goto(`${server.url}/b/${board.id}#${token}`);
  await person.page.getByRole('list', { name: 'People here' }).waitFor();
  await eventually(async () => expect(await peopleHere(person.page)).toContain(`${name[0]} ${name} (you)`), {
    timeout: 15_000,
  });
  return person;
}

const noteWith = (page: Page, text: string) => page.locator('[data-note-id]', { hasText: text });

// Two or three browsers per test: allow for a loaded 2-core machine.
describe.skipIf(!browserAvailable())('identities in Chromium', () => {
  it(
    'two people keep their identities across a reload, and their votes stay theirs',
    { timeout: 90_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Identities');
      await server.docs.change(board.id, 'agenda', 'open voting', (d) => openVoting(d, 2, origin));
      const browser = await launchBrowser();
      const ada = await open(server, board, browser, 'Ada', board.tokens.participant);
      const bea = await open(server, board, browser, 'Bea', board.tokens.participant);
      const adaId = await storedPerson(ada.page, board.id);
      const beaId = await storedPerson(bea.page, board.id);
      expect(adaId?.userId).toBeTruthy();
      expect(beaId?.userId).toBeTruthy();
      expect(adaId?.userId).not.toBe(beaId?.userId);

      // Ada writes a note and votes for it once.
      await ada.page.getByTestId('new-note').click();
      await ada.page.keyboard.type('Keep me');
      await ada.page.keyboard.press('Escape');
      await noteWith(ada.page, 'Keep me').getByTestId('vote').click();
      await eventually(async () =>
        expect(await ada.page.getByTestId('votes-left').textContent()).toContain('1 of 2 votes left'),
      );

      await Promise.all([ada.page.reload(), bea.page.reload()]);
      for (const p of [ada.page, bea.page]) await p.getByRole('list', { name: 'People here' }).waitFor();
      expect(await storedPerson(ada.page, board.id)).toEqual(adaId);
      expect(await storedPerson(bea.page, board.id)).toEqual(beaId);
      // Still the author and the voter: the vote counts against the same person.
      await eventually(async () =>
        expect(await ada.page.getByTestId('votes-left').textContent()).toContain('1 of 2 votes left'),
      );
      // Still the author: Ada may delete the note, Bea may not (the tools show on hover).
      await noteWith(ada.page, 'Keep me').hover();
      await noteWith(ada.page, 'Keep me').getByRole('button', { name: 'Make task from this note' }).waitFor();
      expect(await noteWith(ada.page, 'Keep me').getByRole('button', { name: 'Delete note' }).count()).toBe(
        1,
      );
      await noteWith(bea.page, 'Keep me').hover();
      await noteWith(bea.page, 'Keep me').getByRole('button', { name: 'Make task from this note' }).waitFor();
      expect(await noteWith(bea.page, 'Keep me').getByRole('button', { name: 'Delete note' }).count()).toBe(
        0,
      );
      // The server knows each person once, under the same ids.
      const roster = await server.docs.read(board.id, 'board', (d) => readRoster(d));
      expect(roster.map((r) => r.id).sort()).toEqual([adaId!.userId, beaId!.userId].sort());
      const [note] = await server.docs.read(board.id, 'board', (d) => readNotes(d));
      expect(note).toMatchObject({ authorId: adaId!.userId, votes: { [adaId!.userId]: 1 } });
      await eventually(async () =>
        expect((await peopleHere(bea.page)).sort()).toEqual(['A Ada', 'B Bea (you)']),
      );
    },
  );

  it('renaming shows the new name to the others', { timeout: 90_000 }, async () => {
    const server = await startTestServer({ clientDir });
    const board = await server.createBoard('Names');
    const browser = await launchBrowser();
    const ada = await open(server, board, browser, 'Ada', board.tokens.participant);
    const bea = await open(server, board, browser, 'Bea', board.tokens.participant);

    await ada.page.getByRole('button', { name: 'Your options' }).click();
    await ada.page.getByRole('button', { name: 'Change your name' }).click();
    const dialog = ada.page.getByRole('dialog', { name: 'Change your name' });
    await dialog.getByLabel('Display name').fill('Ada Lovelace');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await dialog.waitFor({ state: 'detached' });
    await eventually(async () => expect(await peopleHere(bea.page)).toContain('A Ada Lovelace'), {
      timeout: 15_000,
    });
    await eventually(async () =>
      expect(await ada.page.getByTestId('people-message').textContent()).toContain('Ada Lovelace'),
    );
    const roster = await server.docs.read(board.id, 'board', (d) => readRoster(d));
    expect(roster.map((r) => r.name).sort()).toEqual(['Ada Lovelace', 'Bea']);
    // Kept for the next visit.
    await ada.page.reload();
    await eventually(async () => expect(await peopleHere(ada.page)).toContain('A Ada Lovelace (you)'), {
      timeout: 15_000,
    });
  });

  it(
    'an organizer removes a participant, who is told so and cannot come back with that browser',
    { timeout: 90_000 },
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Moderated');
      const browser = await launchBrowser();
      const olga = await open(server, board, browser, 'Olga', board.tokens.organizer);
      const troll = await open(server, board, browser, 'Troll', board.tokens.participant);
      await eventually(async () => expect(await peopleHere(olga.page)).toContain('T Troll'), {
        timeout: 15_000,
      });

      // Participants get no such button.
      expect(await troll.page.getByRole('button', { name: /^Remove .* from this board$/ }).count()).toBe(0);

      await olga.page.getByRole('button', { name: 'Remove Troll from this board' }).click();
      const confirm = olga.page.getByRole('dialog', { name: 'Remove Troll from this board?' });
      await confirm.waitFor();
      // Cancelling removes nobody.
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'detached' });
      expect(
        await troll.page.getByRole('heading', { name: 'You were removed from this board' }).count(),
      ).toBe(0);

      await olga.page.getByRole('button', { name: 'Remove Troll from this board' }).click();
      await confirm.getByRole('button', { name: 'Remove from this board' }).click();
      await troll.page
        .getByRole('heading', { name: 'You were removed from this board' })
        .waitFor({ timeout: 15_000 });
      await eventually(async () =>
        expect(await olga.page.getByTestId('people-message').innerText()).toBe(
          'Troll was removed from this board.',
        ),
      );
      await eventually(async () => expect(await peopleHere(olga.page)).toEqual(['O Olga (you)']), {
        timeout: 15_000,
      });

      // A reload does not bring them back.
      await troll.page.reload();
      await troll.page
        .getByRole('heading', { name: 'You were removed from this board' })
        .waitFor({ timeout: 15_000 });
    },
  );

  it('says so and waits when too many people joined from one network', { timeout: 60_000 }, async () => {
    const server = await startTestServer({ clientDir, peoplePerAddress: 1, peopleWindowMs: 10_000 });
    const board = await server.createBoard('Busy network');
    const browser = await launchBrowser();
    const [ada, bea] = [await newPerson(browser, 'Ada'), await newPerson(browser, 'Bea')];
    await ada.page.goto(board.urls.participant);
    await eventually(async () => expect(await storedPerson(ada.page, board.id)).not.toBeNull());
    // The second identity from this address within the window has to wait.
    await bea.page.goto(board.urls.participant);
    await bea.page
      .getByText(/Many people joined from this network just now\. Trying again in \d+ seconds?/)
      .waitFor();
    expect(await storedPerson(bea.page, board.id)).toBeNull();
    // Once the window has passed, Bea gets in without doing anything.
    await eventually(async () => expect(await peopleHere(bea.page)).toContain('B Bea (you)'), {
      timeout: 30_000,
    });
    expect(await storedPerson(bea.page, board.id)).not.toBeNull();
  });
});
