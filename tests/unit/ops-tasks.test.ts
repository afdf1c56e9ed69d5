import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { recordJoin, MAX_ROSTER } from '../../shared/ops/roster';
import {
  assignTask,
  byOwner,
  byStatus,
  byTalk,
  createTask,
  createTaskFromNote,
  deleteTask,
  discussionTopics,
  isOverdue,
  isoDateAt,
  mine,
  setDue,
  setStatus,
  setTaskTitle,
  taskTitle,
  tasksForNote,
  TaskInputError,
} from '../../shared/ops/tasks';
import {
  localOrigin,
  readRoster,
  readTasks,
  serverOrigin,
  taskMap,
  type AgendaItem,
  type Note,
  type Task,
} from '../../shared/schema';

const alice = localOrigin('alice');
const bob = localOrigin('bob');

/** Exchange full state both ways, as two peers would after reconnecting. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

const only = (doc: Y.Doc): Task => {
  const tasks = readTasks(doc);
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
};

describe('task operations', () => {
  it('createTask stores every field and reads back through the validated reader', () => {
    const doc = new Y.Doc();
    const id = createTask(
      doc,
      {
        title: '  Draft the data-sharing agreement ',
        owner: 'Dzung Pham',
        ownerId: 'u-dzung',
        due: '2023-02-15',
        status: 'doing',
        noteId: 'n1',
        itemId: 'i1',
        createdAt: 1000,
      },
      alice,
    );
    expect(only(doc)).toEqual({
      id,
      title: 'Draft the data-sharing agreement',
      owner: 'Dzung Pham',
      ownerId: 'u-dzung',
      due: '2023-02-15',
      status: 'doing',
      noteId: 'n1',
      itemId: 'i1',
      createdAt: 1000,
    });
  });

  it('createTask defaults to open, unassigned, no due date and no links', () => {
    const doc = new Y.Doc();
    createTask(doc, { title: 'Write minutes' }, alice);
    expect(only(doc)).toMatchObject({
      owner: '',
      ownerId: '',
      due: null,
      status: 'open',
      noteId: null,
      itemId: null,
    });
  });

  it('each create is exactly one transaction carrying the given origin', () => {
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    createTask(doc, { title: 'One' }, alice);
    expect(origins).toEqual([alice]);
  });

  it('rejects invalid input with a clear error and writes nothing', () => {
    const doc = new Y.Doc();
    expect(() => createTask(doc, { title: '   ' }, alice)).toThrow(/needs a title/);
    expect(() => createTask(doc, { title: 'x', due: '2023-02-30' }, alice)).toThrow(/due date/);
    expect(() => createTask(doc, { title: 'x', due: '15/02/2023' }, alice)).toThrow(TaskInputError);
    expect(() => createTask(doc, { title: 'x', status: 'finished' as unknown as 'done' }, alice)).toThrow(
      /status must be one of open, doing, done/,
    );
    expect(() => createTask(doc, { title: 'x', noteId: '__proto__' }, alice)).toThrow(/note id/);
    expect(() => createTask(doc, { title: 42 as unknown as string }, alice)).toThrow(/title/);
    expect(taskMap(doc).size).toBe(0);
  });

  it('bounds title and owner lengths and keeps owner names on one line', () => {
    const doc = new Y.Doc();
    createTask(doc, { title: 'a'.repeat(5000), owner: 'Ann\nMarie' + 'e'.repeat(100) }, alice);
    const t = only(doc);
    expect(t.title).toHaveLength(500);
    expect(t.owner.startsWith('Ann Marie')).toBe(true);
    expect(t.owner.length).toBeLessThanOrEqual(60);
  });

  it('createTaskFromNote takes the note text as title and links back to note and talk', () => {
    const doc = new Y.Doc();
    const id = createTaskFromNote(
      doc,
      {
        id: 'note-7',
        text: 'Share the FeTS\nsplit with CODA',
        itemId: 'talk-3',
      },
      bob,
    );
    expect(only(doc)).toMatchObject({
      id,
      title: 'Share the FeTS\nsplit with CODA',
      noteId: 'note-7',
      itemId: 'talk-3',
      status: 'open',
    });
    expect(tasksForNote(readTasks(doc), 'note-7').map((t) => t.id)).toEqual([id]);
    expect(tasksForNote(readTasks(doc), 'other')).toEqual([]);
  });

  it('createTaskFromNote gives an empty note a placeholder title instead of failing', () => {
    const doc = new Y.Doc();
    createTaskFromNote(doc, { id: 'n', text: '  ', itemId: null }, bob);
    expect(only(doc).title).toBe('Follow up on note');
  });

  it('assignTask, setDue, setStatus and deleteTask change one task and report unknown ids', () => {
    const doc = new Y.Doc();
    const id = createTask(doc, { title: 'Book the room' }, alice);
    const other = createTask(doc, { title: 'Other' }, alice);
    expect(assignTask(doc, id, { owner: 'Julien', ownerId: 'u-julien' }, alice)).toBe(true);
    expect(setDue(doc, id, '2023-03-01', alice)).toBe(true);
    expect(setStatus(doc, id, 'done', alice)).toBe(true);
    const t = readTasks(doc).find((x) => x.id === id)!;
    expect(t).toMatchObject({
      owner: 'Julien',
      ownerId: 'u-julien',
      due: '2023-03-01',
      status: 'done',
    });
    expect(readTasks(doc).find((x) => x.id === other)).toMatchObject({
      owner: '',
      status: 'open',
    });

    expect(setDue(doc, id, null, alice)).toBe(true);
    expect(readTasks(doc).find((x) => x.id === id)!.due).toBeNull();
    expect(() => setDue(doc, id, 'tomorrow', alice)).toThrow(/due date/);
    expect(() => setStatus(doc, id, 'later' as never, alice)).toThrow(/status/);

    expect(assignTask(doc, 'missing', { owner: 'x' }, alice)).toBe(false);
    expect(setStatus(doc, 'missing', 'open', alice)).toBe(false);
    expect(deleteTask(doc, id, alice)).toBe(true);
    expect(deleteTask(doc, id, alice)).toBe(false);
    expect(readTasks(doc).map((x) => x.id)).toEqual([other]);
  });

  it('taskTitle is the live Y.Text: edits through it are what everyone reads', () => {
    const doc = new Y.Doc();
    const id = createTask(doc, { title: 'Send slides' }, alice);
    const text = taskTitle(doc, id)!;
    expect(text).toBeInstanceOf(Y.Text);
    doc.transact(() => text.insert(text.length, ' to everyone'), alice);
    expect(only(doc).title).toBe('Send slides to everyone');
    expect(taskTitle(doc, 'missing')).toBeNull();
    expect(setTaskTitle(doc, id, 'Send recordings', alice)).toBe(true);
    expect(only(doc).title).toBe('Send recordings');
  });

  it('concurrent edits on two replicas converge: both title insertions and both field changes survive', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const id = createTask(a, { title: 'Plan pilot' }, alice);
    sync(a, b);

    // Offline at the same time: Alice types at the end, Bob at the start and
    // changes the status; Alice sets the due date, Bob assigns.
    taskTitle(a, id)!.insert('Plan pilot'.length, ' at three sites');
    setDue(a, id, '2023-04-01', alice);
    b.transact(() => taskTitle(b, id)!.insert(0, 'FL: '), bob);
    setStatus(b, id, 'doing', bob);
    assignTask(b, id, { owner: 'Spyros' }, bob);
    const created = createTask(b, { title: 'Bob’s own task' }, bob);

    sync(a, b);
    expect(readTasks(a)).toEqual(readTasks(b));
    const t = readTasks(a).find((x) => x.id === id)!;
    expect(t).toMatchObject({
      title: 'FL: Plan pilot at three sites',
      due: '2023-04-01',
      status: 'doing',
      owner: 'Spyros',
    });
    expect(readTasks(a).map((x) => x.id)).toContain(created);
  });

  it('a concurrent delete and edit converge to the task being gone on both replicas', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const id = createTask(a, { title: 'Temp' }, alice);
    sync(a, b);
    deleteTask(a, id, alice);
    setStatus(b, id, 'done', bob);
    sync(a, b);
    expect(readTasks(a)).toEqual([]);
    expect(readTasks(b)).toEqual([]);
  });
});

const task = (over: Partial<Task>): Task => ({
  id: Math.random().toString(36).slice(2),
  title: 't',
  owner: '',
  ownerId: '',
  due: null,
  status: 'open',
  noteId: null,
  itemId: null,
  createdAt: 0,
  ...over,
});

describe('task views', () => {
  const tasks = [
    task({
      id: 'a',
      owner: 'Alice',
      ownerId: 'u-a',
      itemId: 'talk2',
      status: 'doing',
    }),
    task({ id: 'b', owner: 'alice ', itemId: 'talk1', status: 'done' }),
    task({ id: 'c', owner: 'Bob', ownerId: 'u-b', itemId: 'gone' }),
    task({ id: 'd', owner: '' }),
    task({ id: 'e', owner: 'Someone else', ownerId: 'u-a' }),
  ];
  const items: AgendaItem[] = [
    {
      id: 'talk1',
      start: '10:00',
      minutes: 20,
      title: 'MedPerf',
      speaker: '',
      affiliation: '',
      url: '',
      kind: 'talk',
    },
    {
      id: 'talk2',
      start: '10:20',
      minutes: 20,
      title: 'Fed-BioMed',
      speaker: '',
      affiliation: '',
      url: '',
      kind: 'talk',
    },
  ];

  it('"mine" matches my participant id or my name case-insensitively, never unassigned tasks', () => {
    expect(mine(tasks, { id: 'u-a', name: 'ALICE' }).map((t) => t.id)).toEqual(['a', 'b', 'e']);
    expect(mine(tasks, { id: 'nobody', name: ' bob ' }).map((t) => t.id)).toEqual(['c']);
    expect(mine(tasks, { id: '', name: '' })).toEqual([]);
  });

  it('byOwner groups names case-insensitively with counts, unassigned last', () => {
    const groups = byOwner(tasks);
    expect(groups.map((g) => [g.owner, g.count, g.open])).toEqual([
      ['Alice', 2, 1],
      ['Bob', 1, 1],
      ['Someone else', 1, 1],
      ['', 1, 1],
    ]);
  });

  it('byStatus lists every status in workflow order', () => {
    expect(byStatus(tasks).map((g) => [g.status, g.tasks.map((t) => t.id)])).toEqual([
      ['open', ['c', 'd', 'e']],
      ['doing', ['a']],
      ['done', ['b']],
    ]);
  });

  it('byTalk follows agenda order and collects unlinked or orphaned tasks last', () => {
    expect(byTalk(tasks, items).map((g) => [g.itemId, g.title, g.tasks.map((t) => t.id)])).toEqual([
      ['talk1', 'MedPerf', ['b']],
      ['talk2', 'Fed-BioMed', ['a']],
      [null, '', ['c', 'd', 'e']],
    ]);
  });

  it('isOverdue: due before today and not done; due today is not overdue', () => {
    expect(isOverdue({ due: '2023-01-19', status: 'open' }, '2023-01-20')).toBe(true);
    expect(isOverdue({ due: '2023-01-19', status: 'doing' }, '2023-01-20')).toBe(true);
    expect(isOverdue({ due: '2023-01-19', status: 'done' }, '2023-01-20')).toBe(false);
    expect(isOverdue({ due: '2023-01-20', status: 'open' }, '2023-01-20')).toBe(false);
    expect(isOverdue({ due: null, status: 'open' }, '2023-01-20')).toBe(false);
  });

  it('isoDateAt gives the calendar date in the event zone, not in UTC', () => {
    // 2023-01-21 03:00 UTC is still the 20th in New York.
    const t = Date.UTC(2023, 0, 21, 3, 0);
    expect(isoDateAt(t, 'America/New_York')).toBe('2023-01-20');
    expect(isoDateAt(t, 'UTC')).toBe('2023-01-21');
  });
});

describe('roster', () => {
  const srv = serverOrigin('join');

  it('recordJoin adds people and keeps them after they leave, refreshing name, role and lastSeen', () => {
    const doc = new Y.Doc();
    expect(recordJoin(doc, { id: 'u1', name: 'Marco', role: 'participant', at: 100 }, srv)).toBe(true);
    expect(recordJoin(doc, { id: 'u2', name: 'Lisa', role: 'organizer', at: 110 }, srv)).toBe(true);
    expect(recordJoin(doc, { id: 'u1', name: 'Marco L.', role: 'participant', at: 200 }, srv)).toBe(true);
    expect(readRoster(doc)).toEqual([
      { id: 'u2', name: 'Lisa', role: 'organizer', lastSeen: 110 },
      { id: 'u1', name: 'Marco L.', role: 'participant', lastSeen: 200 },
    ]);
  });

  it('a join without a name keeps the known name; an older join never moves lastSeen back', () => {
    const doc = new Y.Doc();
    recordJoin(doc, { id: 'u1', name: 'Peter', role: 'participant', at: 500 }, srv);
    recordJoin(doc, { id: 'u1', name: '  ', role: 'participant', at: 100 }, srv);
    expect(readRoster(doc)).toEqual([{ id: 'u1', name: 'Peter', role: 'participant', lastSeen: 500 }]);
  });

  it('a repeated identical join writes nothing', () => {
    const doc = new Y.Doc();
    recordJoin(doc, { id: 'u1', name: 'Peter', role: 'participant', at: 500 }, srv);
    const before = Y.encodeStateVector(doc);
    recordJoin(doc, { id: 'u1', name: 'Peter', role: 'participant', at: 500 }, srv);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('rejects unsafe ids, unknown roles and a full roster', () => {
    const doc = new Y.Doc();
    expect(recordJoin(doc, { id: '__proto__', name: 'x', role: 'viewer', at: 1 }, srv)).toBe(false);
    expect(recordJoin(doc, { id: 'u', name: 'x', role: 'admin' as never, at: 1 }, srv)).toBe(false);
    expect(recordJoin(doc, { id: 'u', name: 'x', role: 'viewer', at: Number.NaN }, srv)).toBe(false);
    doc.transact(() => {
      for (let i = 0; i < MAX_ROSTER; i++)
        recordJoin(doc, { id: `p${i}`, name: `P${i}`, role: 'viewer', at: 1 }, srv);
    });
    expect(recordJoin(doc, { id: 'late', name: 'Late', role: 'viewer', at: 2 }, srv)).toBe(false);
    // Known people can still rejoin when the roster is full.
    expect(recordJoin(doc, { id: 'p1', name: 'P1', role: 'participant', at: 3 }, srv)).toBe(true);
    expect(readRoster(doc)).toHaveLength(MAX_ROSTER);
  });
});

describe('discussion order', () => {
  const note = (id: string, createdAt: number, votes: Record<string, number>): Note => ({
    id,
    text: id,
    x: 0,
    y: 0,
    color: '',
    authorId: '',
    authorName: '',
    itemId: null,
    createdAt,
    votes,
    z: 0,
    group: '',
  });

  it('steps through voted notes, most votes first, ties by age; unvoted notes are left out', () => {
    const notes = [
      note('a', 1, { u1: 1 }),
      note('b', 2, { u1: 2, u2: 1 }),
      note('c', 3, {}),
      note('d', 0, { u3: 1 }),
    ];
    expect(discussionTopics(notes).map((n) => n.id)).toEqual(['b', 'd', 'a']);
  });

  it('without any votes every note is a topic, oldest first', () => {
    const notes = [note('x', 5, {}), note('y', 1, {})];
    expect(discussionTopics(notes).map((n) => n.id)).toEqual(['y', 'x']);
  });
});
