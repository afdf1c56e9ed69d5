import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addNote, castVote } from '../../shared/ops/board';
import { readLive, readRoster, readTasks, serverOrigin, type Task } from '../../shared/schema';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/**
 * Issue 5 end to end in Debian's Chromium against the built client: a note
 * becomes a task that lands under its owner's "mine", and discussion mode
 * moves the note in focus on every participant's screen.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
// Generous waits: three Chromium pages share two busy cores with the rest of the suite.
const slow = { timeout: 25_000, interval: 100 };
const TEST_TIMEOUT = 120_000;
const origin = serverOrigin('e2e');

async function seedNotes(
  server: TestServer,
  board: CreatedBoard,
  notes: { text: string; votes: number }[],
): Promise<string[]> {
  const ids: string[] = [];
  await server.docs.change(board.id, 'board', 'e2e seed', (doc) => {
    notes.forEach((n, i) => {
      const id = addNote(
        doc,
        {
          text: n.text,
          x: 40 + i * 240,
          y: 80,
          authorId: 'seed',
          authorName: 'Seed',
          itemId: null,
          createdAt: 1000 + i,
        },
        origin,
      );
      for (let v = 0; v < n.votes; v++)
        castVote(doc, id, `voter-${v}`, { votingOpen: true, votesPerPerson: 5 }, origin);
      ids.push(id);
    });
  });
  return ids;
}

const tasksOf = (server: TestServer, board: CreatedBoard): Promise<Task[]> =>
  server.docs.read(board.id, 'tasks', (d) => readTasks(d));

/** Titles shown in the tasks panel (titles are collaborative text fields). */
const shownTitles = (page: Page): Promise<string[]> =>
  page
    .locator('[data-testid="tasks-panel"] [data-testid="task"] textarea')
    .evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value));

describe.skipIf(!browserAvailable())('tasks and discussion in a real browser', () => {
  it(
    'a participant makes a task from a note and assigns it to another participant, who sees it under "mine"',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Next steps');
      await seedNotes(server, board, [{ text: 'Draft a consent template', votes: 0 }]);
      const browser = await launchBrowser();
      const ada = await newPerson(browser, 'Ada');
      const grace = await newPerson(browser, 'Grace');
      await Promise.all([ada.page.goto(board.urls.participant), grace.page.goto(board.urls.participant)]);

      // Grace has joined, so she is in the roster that owners are picked from.
      const graceEntry = await eventually(async () => {
        const roster = await server.docs.read(board.id, 'board', (d) => readRoster(d));
        const g = roster.find((r) => r.name === 'Grace');
        expect(g).toBeDefined();
        return g!;
      }, slow);

      // A note's secondary actions appear while it is hovered or focused.
      const note = ada.page.locator('[data-note-id]').first();
      await note.waitFor({ timeout: 25_000 });
      await note.hover();
      const makeTask = ada.page.getByRole('button', { name: 'Make task from this note' }).first();
      await makeTask.waitFor({ timeout: 25_000 });
      await makeTask.click();

      // The new task starts as the note's text and links back to the note.
      const task = await eventually(async () => {
        const [t] = await tasksOf(server, board);
        expect(t?.title).toBe('Draft a consent template');
        expect(t?.noteId).not.toBeNull();
        return t!;
      }, slow);
      await eventually(async () => expect(await shownTitles(ada.page)).toEqual([task.title]), slow);
      // The note now shows that it has a task.
      await eventually(async () => {
        await note.hover();
        expect(
          await ada.page.getByRole('button', { name: /Make another task from this note/ }).count(),
        ).toBeGreaterThan(0);
      }, slow);

      // Before the assignment Grace's "mine" is empty.
      await grace.page.getByRole('button', { name: /^Mine/ }).click();
      await eventually(async () => expect(await shownTitles(grace.page)).toEqual([]), slow);

      const row = ada.page.locator(`[data-task-id="${task.id}"]`);
      const owner = row.getByLabel('Owner');
      await owner.fill('Grace');
      await owner.press('Enter');

      await eventually(async () => {
        const [t] = await tasksOf(server, board);
        expect(t).toMatchObject({ owner: 'Grace', ownerId: graceEntry.id });
      }, slow);
      await eventually(async () => expect(await shownTitles(grace.page)).toEqual([task.title]), slow);
      expect(await grace.page.getByRole('button', { name: /^Mine/ }).innerText()).toContain('(1)');

      // The title is shared text: Grace adds to it and Ada's field follows.
      const graceTitle = grace.page.locator(`[data-task-id="${task.id}"]`).getByLabel('Task title');
      await graceTitle.click();
      await graceTitle.press('End');
      await graceTitle.pressSequentially(' by Friday');
      await eventually(
        async () => expect(await shownTitles(ada.page)).toEqual(['Draft a consent template by Friday']),
        slow,
      );
      await eventually(async () => {
        const [t] = await tasksOf(server, board);
        expect(t?.title).toBe('Draft a consent template by Friday');
      }, slow);

      // Ada's own "mine" stays empty: the task is Grace's.
      await ada.page.getByRole('button', { name: /^Mine/ }).click();
      await eventually(async () => expect(await shownTitles(ada.page)).toEqual([]), slow);
    },
    TEST_TIMEOUT,
  );

  it(
    'the organizer runs discussion mode and both participants see the focused note change',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Discussion');
      const [first, second] = await seedNotes(server, board, [
        { text: 'Second most votes', votes: 2 },
        { text: 'Most votes', votes: 3 },
        { text: 'Fewest votes', votes: 1 },
        { text: 'No votes', votes: 0 },
      ]).then((ids) => [ids[1]!, ids[0]!]);
      const browser = await launchBrowser();
      const olga = await newPerson(browser, 'Olga');
      const ada = await newPerson(browser, 'Ada');
      const grace = await newPerson(browser, 'Grace');
      await Promise.all([
        olga.page.goto(board.urls.organizer),
        ada.page.goto(board.urls.participant),
        grace.page.goto(board.urls.participant),
      ]);

      const focus = async (page: Page): Promise<{ progress: string; note: string }> => {
        const panel = page.getByTestId('discussion');
        return {
          progress: (await panel.getByTestId('discussion-progress').innerText()).trim(),
          note: (await panel.getByTestId('discussion-note').locator('p').first().innerText()).trim(),
        };
      };

      const start = olga.page.getByRole('button', { name: 'Start discussion' });
      await start.waitFor({ timeout: 25_000 });
      // Participants get no discussion controls.
      expect(await ada.page.getByRole('button', { name: 'Start discussion' }).count()).toBe(0);
      await start.click();

      for (const p of [ada, grace, olga])
        await eventually(
          async () => expect(await focus(p.page)).toEqual({ progress: 'Topic 1 of 3', note: 'Most votes' }),
          slow,
        );
      expect(await server.docs.read(board.id, 'agenda', (d) => readLive(d).discussionNoteId)).toBe(first);

      await olga.page.getByRole('button', { name: 'Next →' }).click();
      for (const p of [ada, grace])
        await eventually(
          async () =>
            expect(await focus(p.page)).toEqual({
              progress: 'Topic 2 of 3',
              note: 'Second most votes',
            }),
          slow,
        );
      expect(await server.docs.read(board.id, 'agenda', (d) => readLive(d).discussionNoteId)).toBe(second);

      // "Make task" is at hand for the note in focus.
      await ada.page
        .getByTestId('discussion')
        .getByRole('button', { name: 'Make task from this note' })
        .click();
      await eventually(async () => {
        const tasks = await tasksOf(server, board);
        expect(tasks.map((t) => [t.title, t.noteId])).toEqual([['Second most votes', second]]);
      }, slow);

      await olga.page.getByRole('button', { name: 'Stop discussion' }).click();
      for (const p of [ada, grace])
        await eventually(async () => expect(await p.page.getByTestId('discussion').count()).toBe(0), slow);
    },
    TEST_TIMEOUT,
  );
});
