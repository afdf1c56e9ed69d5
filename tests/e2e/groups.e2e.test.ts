import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/board';
import { createGroup } from '../../shared/ops/groups';
import { readGroups, readLive, readNotes, serverOrigin } from '../../shared/schema';
import { seriousViolations } from '../helpers/axe';
import { browserAvailable, launchBrowser, newPerson } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

/**
 * Grouping notes in Debian's Chromium against the built client (issue 11,
 * docs/SPEC.md GU1–GU4): a note dropped onto another makes a group that two
 * people see and name together; a suggestion is edited on the canvas,
 * applied in one step and taken back with Ctrl+Z.
 */

const clientDir = path.resolve(import.meta.dirname, '../../dist/client');
const slow = { timeout: 25_000, interval: 100 };
const TEST_TIMEOUT = 150_000;
const origin = serverOrigin('e2e');
const wide = { width: 1400, height: 900 };

const note = (page: Page, id: string) => page.locator(`[data-note-id="${id}"]`);

/** Drags note `from` by the mouse until its top-left corner is near note `to`'s. */
async function dragOnto(page: Page, from: string, to: string): Promise<void> {
  const a = await note(page, from).boundingBox();
  const b = await note(page, to).boundingBox();
  if (!a || !b) throw new Error('notes not on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + 8);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2 + 10, b.y + 18, { steps: 12 });
  await page.mouse.up();
}

describe.skipIf(!browserAvailable())('grouping notes in a real browser', () => {
  it(
    'GU1: a note dropped onto another makes a group that two people see and name; Ungroup undoes it',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Grouping workshop');
      const [first, second] = ['note-a', 'note-b'];
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        const base = { authorName: 'Pia', authorId: 'p1', itemId: null, y: 80 };
        addNote(d, { ...base, id: first, text: 'Federated learning keeps data at home', x: 80 }, origin);
        addNote(d, { ...base, id: second, text: 'Secure aggregation of model updates', x: 480 }, origin);
      });
      const browser = await launchBrowser();
      try {
        const olga = await newPerson(browser, 'Olga', wide);
        const ana = await newPerson(browser, 'Ana', wide);
        await Promise.all([olga.page.goto(board.urls.organizer), ana.page.goto(board.urls.participant)]);
        for (const p of [olga.page, ana.page]) await note(p, second).waitFor(slow);

        // Ana (a participant) drops the second note onto the first: one group of both.
        await dragOnto(ana.page, second, first);
        await eventually(async () => {
          const [groups, notes] = await server.docs.read(
            board.id,
            'board',
            (d) => [readGroups(d), readNotes(d)] as const,
          );
          expect(groups).toHaveLength(1);
          expect(notes.map((n) => n.groupId)).toEqual([groups[0]!.id, groups[0]!.id]);
        }, slow);

        // Both see the frame; the organizer names it and Ana sees the title as it is typed.
        for (const p of [olga.page, ana.page]) await p.locator('[data-group-id]').waitFor(slow);
        await olga.page.getByRole('button', { name: 'Rename group Untitled group' }).click();
        await olga.page.getByTestId('group-title-editor').fill('Privacy');
        await olga.page.keyboard.press('Enter');
        await eventually(
          async () => expect(await ana.page.getByTestId('group-title').textContent()).toBe('Privacy'),
          slow,
        );
        await eventually(async () => {
          const groups = await server.docs.read(board.id, 'board', (d) => readGroups(d));
          expect(groups[0]?.title).toBe('Privacy');
        }, slow);

        // The list view shows the notes under their group's title.
        await ana.page.getByRole('button', { name: 'List', exact: true }).click();
        const heading = ana.page.locator('[data-testid="list-group"]', { hasText: 'Privacy' });
        await heading.waitFor(slow);
        expect(await heading.textContent()).toContain('(2)');
        await ana.page.getByRole('button', { name: 'Canvas', exact: true }).click();

        // Ungroup: the group goes, the notes stay where they are.
        const before = await server.docs.read(board.id, 'board', (d) => readNotes(d).map((n) => [n.x, n.y]));
        await ana.page.getByRole('button', { name: 'Ungroup Privacy' }).click();
        await eventually(async () => {
          const [groups, notes] = await server.docs.read(
            board.id,
            'board',
            (d) => [readGroups(d), readNotes(d)] as const,
          );
          expect(groups).toEqual([]);
          expect(notes.every((n) => !n.groupId)).toBe(true);
          expect(notes.map((n) => [n.x, n.y])).toEqual(before);
        }, slow);
        await eventually(
          async () => expect(await olga.page.locator('[data-group-id]').count()).toBe(0),
          slow,
        );
      } finally {
        await browser.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'GU2: shift-click selects notes and Group makes one group; dragging its title moves its notes with it',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Selection workshop');
      const ids = ['note-1', 'note-2'];
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        ids.forEach((id, i) =>
          addNote(
            d,
            {
              id,
              text: `Note ${i + 1}`,
              x: 100 + 320 * i,
              y: 120,
              authorId: 'p1',
              authorName: 'Pia',
              itemId: null,
            },
            origin,
          ),
        );
      });
      const browser = await launchBrowser();
      try {
        const ana = await newPerson(browser, 'Ana', wide);
        await ana.page.goto(board.urls.participant);
        await note(ana.page, ids[1]!).waitFor(slow);
        await note(ana.page, ids[0]!).click({ modifiers: ['Shift'], position: { x: 100, y: 40 } });
        // The keyboard way: S on a focused note.
        await note(ana.page, ids[1]!).focus();
        await ana.page.keyboard.press('s');
        await ana.page.getByText('2 notes selected').waitFor(slow);
        await ana.page.locator('[data-testid="group-selected"]').click();
        await eventually(async () => {
          const notes = await server.docs.read(board.id, 'board', (d) => readNotes(d));
          expect(new Set(notes.map((n) => n.groupId)).size).toBe(1);
          expect(notes[0]!.groupId).toBeTruthy();
        }, slow);

        const bar = ana.page.locator('[data-group-id] .grip');
        await bar.waitFor(slow);
        const box = (await bar.boundingBox())!;
        const zoom = await ana.page.evaluate(() => {
          const w = document.querySelector<HTMLElement>('.world');
          const m = /scale\(([\d.]+)\)/.exec(w?.style.transform ?? '');
          return m ? Number(m[1]) : 1;
        });
        await ana.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await ana.page.mouse.down();
        await ana.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 100, { steps: 8 });
        await ana.page.mouse.up();
        await eventually(async () => {
          const notes = await server.docs.read(board.id, 'board', (d) => readNotes(d));
          for (const n of notes) expect(n.y).toBeCloseTo(120 + 100 / zoom, 0);
          expect(notes.map((n) => n.x)).toEqual([100, 420]);
        }, slow);
      } finally {
        await browser.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'GU3: the organizer edits a suggestion on the canvas, applies it in one step, and Ctrl+Z takes it back',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Suggestion workshop');
      const texts = [
        'Federated learning of hospital models',
        'Federated models trained in each hospital',
        'Hospital federated learning with private data',
        'Coffee break with pastries and coffee',
        'Better coffee and pastries at the break',
        'More coffee during the break please',
      ];
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        texts.forEach((text, i) =>
          addNote(
            d,
            {
              id: `note-${i + 1}`,
              text,
              x: (i % 3) * 260,
              y: Math.floor(i / 3) * 200 + 40 * (i % 2),
              authorId: 'p1',
              authorName: 'Pia',
              itemId: null,
              createdAt: 1_000 + i,
            },
            origin,
          ),
        );
      });
      const positions = await server.docs.read(board.id, 'board', (d) => readNotes(d).map((n) => [n.x, n.y]));
      const browser = await launchBrowser();
      try {
        const olga = await newPerson(browser, 'Olga', wide);
        await olga.page.goto(board.urls.organizer);
        await olga.page.locator('[data-note-id]').nth(5).waitFor(slow);
        await olga.page.getByRole('button', { name: 'More board tools' }).click();
        await olga.page.locator('[data-testid="suggest-groups"]').click();
        const suggested = olga.page.locator('[data-suggested-group]');
        await eventually(async () => expect(await suggested.count()).toBe(2), slow);

        expect(await seriousViolations(olga.page)).toEqual([]);
        // Rename one suggested group; nothing is written before Apply.
        await suggested.first().getByLabel('Title of the suggested group').fill('Federated hospitals');
        expect(await server.docs.read(board.id, 'board', (d) => readGroups(d))).toEqual([]);
        await olga.page.locator('[data-testid="apply-suggestion"]').click();
        await eventually(async () => {
          const [groups, notes] = await server.docs.read(
            board.id,
            'board',
            (d) => [readGroups(d), readNotes(d)] as const,
          );
          expect(groups.map((g) => g.title)).toContain('Federated hospitals');
          expect(groups).toHaveLength(2);
          expect(notes.every((n) => n.groupId)).toBe(true);
        }, slow);
        await eventually(async () => expect(await suggested.count()).toBe(0), slow);
        expect(await seriousViolations(olga.page)).toEqual([]);

        // One Ctrl+Z takes the whole suggestion back: no groups, every note where it was.
        await olga.page.locator('[data-canvas]').focus();
        await olga.page.keyboard.press('Control+z');
        await eventually(async () => {
          const [groups, notes] = await server.docs.read(
            board.id,
            'board',
            (d) => [readGroups(d), readNotes(d)] as const,
          );
          expect(groups).toEqual([]);
          expect(notes.every((n) => !n.groupId)).toBe(true);
          expect(notes.map((n) => [n.x, n.y])).toEqual(positions);
        }, slow);
      } finally {
        await browser.close();
      }
    },
    TEST_TIMEOUT,
  );

  it(
    'GU2: the organizer sends votes to groups; a participant votes on a group, not on its notes',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Group votes workshop');
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        ['note-1', 'note-2'].forEach((id, i) =>
          addNote(
            d,
            {
              id,
              text: `Idea ${i + 1}`,
              x: 100 + 320 * i,
              y: 160,
              authorId: 'p1',
              authorName: 'Pia',
              itemId: null,
            },
            origin,
          ),
        );
        createGroup(d, { id: 'grp', title: 'Ideas', x: 100, y: 160 }, ['note-1', 'note-2'], origin);
      });
      const browser = await launchBrowser();
      try {
        const olga = await newPerson(browser, 'Olga', wide);
        const ana = await newPerson(browser, 'Ana', wide);
        await Promise.all([olga.page.goto(board.urls.organizer), ana.page.goto(board.urls.participant)]);
        for (const p of [olga.page, ana.page]) await p.locator('[data-group-id]').waitFor(slow);

        const groupVotes = olga.page.locator('[data-testid="group-votes"]');
        if (!(await groupVotes.isVisible())) await olga.page.keyboard.press('f');
        await groupVotes.check();
        await olga.page.locator('[data-testid="open-voting"]').click();
        await eventually(async () => {
          const live = await server.docs.read(board.id, 'agenda', (d) => readLive(d));
          expect(live).toMatchObject({ groupVotes: true, votingOpen: true });
        }, slow);

        // Ana sees +1 on the group and none on its notes.
        const vote = ana.page.locator('[data-testid="group-vote"]');
        await vote.waitFor(slow);
        expect(await ana.page.locator('[data-note-id] [data-testid="vote"]').count()).toBe(0);
        await vote.click();
        await eventually(async () => {
          const [g] = await server.docs.read(board.id, 'board', (d) => readGroups(d));
          expect(Object.values(g!.votes)).toEqual([1]);
        }, slow);
        await eventually(
          async () =>
            expect(
              await olga.page.locator('[data-testid="group-vote-count"][aria-label="1 vote"]').count(),
            ).toBe(1),
          slow,
        );
      } finally {
        await browser.close();
      }
    },
    TEST_TIMEOUT,
  );
  it(
    'GU4: renaming a group is deliberate: stray keystrokes change nothing, Escape cancels, Enter commits',
    async () => {
      const server = await startTestServer({ clientDir });
      const board = await server.createBoard('Rename workshop');
      await server.docs.change(board.id, 'board', 'e2e', (d) => {
        ['note-1', 'note-2'].forEach((id, i) =>
          addNote(
            d,
            {
              id,
              text: `Idea ${i + 1}`,
              x: 100 + 320 * i,
              y: 160,
              authorId: 'p1',
              authorName: 'Pia',
              itemId: null,
            },
            origin,
          ),
        );
        createGroup(d, { title: 'Plan', x: 100, y: 160 }, ['note-1', 'note-2'], origin);
      });
      const title = async (): Promise<string | undefined> =>
        (await server.docs.read(board.id, 'board', (d) => readGroups(d)))[0]?.title;
      const browser = await launchBrowser();
      try {
        const ana = await newPerson(browser, 'Ana', wide);
        await ana.page.goto(board.urls.participant);
        const shown = ana.page.getByTestId('group-title');
        await eventually(async () => expect(await shown.textContent()).toBe('Plan'), slow);

        // Clicking the title and typing, or typing on the focused title bar, writes nothing.
        await shown.click();
        await ana.page.keyboard.type('✅ oops');
        await ana.page.getByRole('toolbar', { name: /^Group Plan/ }).focus();
        await ana.page.keyboard.type('xyz');
        expect(await ana.page.getByTestId('group-title-editor').count()).toBe(0);
        expect(await shown.textContent()).toBe('Plan');
        expect(await title()).toBe('Plan');

        // Rename, type, Escape: the title stays.
        await ana.page.getByRole('button', { name: 'Rename group Plan' }).click();
        const editor = ana.page.getByTestId('group-title-editor');
        await expect.poll(() => editor.evaluate((e) => e === document.activeElement)).toBe(true);
        await ana.page.keyboard.type('Discarded');
        await ana.page.keyboard.press('Escape');
        await editor.waitFor({ state: 'detached', ...slow });
        expect(await shown.textContent()).toBe('Plan');

        // Rename, type, Enter: the new title reaches the server in one step.
        await ana.page.getByRole('button', { name: 'Rename group Plan' }).click();
        await editor.fill('Roadmap');
        await ana.page.keyboard.press('Enter');
        await eventually(async () => expect(await title()).toBe('Roadmap'), slow);
        await eventually(async () => expect(await shown.textContent()).toBe('Roadmap'), slow);
      } finally {
        await browser.close();
      }
    },
    TEST_TIMEOUT,
  );
});
