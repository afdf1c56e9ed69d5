import { describe, expect, it } from 'vitest';
import { setCurrentItem, setMeta, shiftDelay } from '../../shared/ops/agenda';
import { addNote } from '../../shared/ops/board';
import { createTask } from '../../shared/ops/tasks';
import { localOrigin, readAgenda, readNotes, readTasks } from '../../shared/schema';
import { mintPerson, SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer, type CreatedBoard, type TestServer } from '../helpers/server';

/** Both pages are on 2023-01-20 in Eastern Time. */
const page = (rows: string[]): string =>
  [
    '# Winter workshop',
    '',
    'Held on January 20th 2023. **Times are Eastern Time Zone (UTC-05:00)**.',
    '',
    '| Time | Topic |',
    '|---|---|',
    ...rows,
    '| 11:00 | Adjourn |',
    '',
  ].join('\n');

const FIRST = page([
  '| 10:00 | **Marco Lorenzi** (INRIA): Federated learning |',
  '| 10:20 | Coffee Break |',
  '| 10:30 | **Olga Ivanova** (ETH): Privacy |',
]);

/** Marco moves to 09:55 (same title), the break stays, Olga's talk gives way to a panel. */
const SECOND = page([
  '| 09:55 | **Marco Lorenzi** (INRIA): Federated learning |',
  '| 10:20 | Coffee Break |',
  '| 10:30 | **Ana Costa** (UCL): Panel |',
]);

interface ImportAnswer {
  meta: { date: string };
  items: { title: string }[];
  changes: {
    added: number;
    changed: number;
    removed: number;
    unchanged: number;
    removedTitles: string[];
    notesUntagged: number;
    tasksUnlinked: number;
    currentDate: string;
    pageDate: string;
  };
}

async function importPage(
  server: TestServer,
  board: CreatedBoard,
  markdown: string,
  opts: { dryRun?: boolean; useImportedDate?: boolean } = {},
): Promise<ImportAnswer> {
  const res = await fetch(`${server.url}/api/boards/${board.id}/agenda/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
    body: JSON.stringify({ markdown, dryRun: opts.dryRun ?? false, useImportedDate: opts.useImportedDate }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ImportAnswer;
}

describe('AG6: re-importing the agenda keeps live data', () => {
  it('AG6: matching items keep their ids, notes and tasks keep their talk, pin, delay and date stay; the preview says what changes', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Re-import');
    await importPage(server, board, FIRST);

    const organizer = new SioClient(server.url, { board: board.id, token: board.tokens.organizer });
    const person = await mintPerson(server.url, board.id, board.tokens.participant, 'Pia');
    const participant = new SioClient(
      server.url,
      { board: board.id, token: board.tokens.participant, name: 'Pia' },
      { identity: person },
    );
    await eventually(() => {
      expect(organizer.synced.size).toBe(3);
      expect(participant.synced.size).toBe(3);
      expect(readAgenda(participant.docs.agenda).items).toHaveLength(3);
    });
    const [marco, coffee, olga] = readAgenda(organizer.docs.agenda).items.map((i) => i.id) as [
      string,
      string,
      string,
    ];
    const orgOrigin = localOrigin(organizer.session!.userId);
    // The organizer runs the day: a date of their own, Marco pinned, 10 minutes late.
    setMeta(organizer.docs.agenda, { date: '2023-01-27' }, orgOrigin);
    setCurrentItem(organizer.docs.agenda, marco, orgOrigin);
    shiftDelay(organizer.docs.agenda, 10, orgOrigin);
    // Three notes on Marco's talk, two on Olga's, one task on Olga's.
    const me = localOrigin(person.userId);
    const tag = [marco, marco, marco, olga, olga];
    tag.forEach((itemId, i) =>
      addNote(
        participant.docs.board,
        { text: `note ${i}`, x: i * 10, y: 0, authorId: person.userId, authorName: 'Pia', itemId },
        me,
      ),
    );
    createTask(participant.docs.tasks, { title: 'Follow up', itemId: olga, createdBy: person.userId }, me);
    // Stored (acknowledged) before the import reads the board.
    await eventually(() => expect(organizer.acks.filter((x) => x.ok)).toHaveLength(3));
    await eventually(() => expect(participant.acks.filter((a) => a.ok)).toHaveLength(6));

    // The preview changes nothing and says what would.
    const preview = await importPage(server, board, SECOND, { dryRun: true });
    expect(preview.changes).toEqual({
      added: 1,
      changed: 1,
      removed: 1,
      unchanged: 1,
      removedTitles: ['Privacy'],
      notesUntagged: 2,
      tasksUnlinked: 1,
      currentDate: '2023-01-27',
      pageDate: '2023-01-20',
    });
    expect(preview.meta.date).toBe('2023-01-27');
    expect(readAgenda(organizer.docs.agenda).items.map((i) => i.id)).toEqual([marco, coffee, olga]);

    const done = await importPage(server, board, SECOND);
    expect(done.changes).toMatchObject({ added: 1, changed: 1, removed: 1, unchanged: 1, notesUntagged: 2 });
    await eventually(() => {
      const a = readAgenda(participant.docs.agenda);
      expect(a.items.map((i) => i.title)).toEqual(['Federated learning', 'Coffee Break', 'Panel']);
      expect(a.items[0]).toMatchObject({ id: marco, start: '09:55' });
      expect(a.items[1]?.id).toBe(coffee);
      expect([marco, coffee, olga]).not.toContain(a.items[2]?.id);
      expect(a.live.currentItemId).toBe(marco);
      expect(a.live.delayMinutes).toBe(10);
      expect(a.meta.date).toBe('2023-01-27');
    });
    // Marco's notes still carry his talk; Olga's keep an id no item has (shown as "No talk").
    const notes = readNotes(participant.docs.board);
    expect(notes.filter((n) => n.itemId === marco)).toHaveLength(3);
    expect(readTasks(participant.docs.tasks)[0]?.itemId).toBe(olga);

    // Importing the same page again changes nothing.
    const again = await importPage(server, board, SECOND, { dryRun: true });
    expect(again.changes).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 3, notesUntagged: 0 });

    // Only when the organizer asks does the page's date win.
    const dated = await importPage(server, board, SECOND, { useImportedDate: true });
    expect(dated.meta.date).toBe('2023-01-20');
    await eventually(() => expect(readAgenda(participant.docs.agenda).meta.date).toBe('2023-01-20'));
    expect(readAgenda(participant.docs.agenda).items[0]?.id).toBe(marco);
  });

  it('AG6: useImportedDate must be a boolean', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Re-import');
    const res = await fetch(`${server.url}/api/boards/${board.id}/agenda/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${board.tokens.organizer}` },
      body: JSON.stringify({ markdown: FIRST, useImportedDate: 'yes' }),
    });
    expect(res.status).toBe(400);
  });
});
