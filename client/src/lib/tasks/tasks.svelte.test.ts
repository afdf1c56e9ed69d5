import { afterEach, describe, expect, it, vi } from 'vitest';
import { addItem, setMeta } from '$shared/ops/agenda';
import { addNote, castVote } from '$shared/ops/board';
import { recordJoin } from '$shared/ops/roster';
import { createTask } from '$shared/ops/tasks';
import { readLive, readTasks, serverOrigin } from '$shared/schema';
import { fakeSession } from '../../../../tests/helpers/fake-session';
import type { BoardSessionApi } from '../sync/types';
import { BOARD_LIMITS } from '$shared/policy';
import { TasksState, tasksStateFor } from './tasks.svelte';

const setup = serverOrigin('test');

function seedRoster(session: BoardSessionApi): void {
  recordJoin(session.docs.board, { id: 'u-grace', name: 'Grace', role: 'participant', at: 1 }, setup);
  recordJoin(session.docs.board, { id: 'u-kim1', name: 'Kim', role: 'participant', at: 1 }, setup);
  recordJoin(session.docs.board, { id: 'u-kim2', name: 'Kim', role: 'participant', at: 1 }, setup);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('TasksState', () => {
  it('an owner typed in any case gets the roster id of that person, so it shows under their "mine"', () => {
    const session = fakeSession('participant', { user: { id: 'participant-1', name: 'Ada' } });
    seedRoster(session);
    const tasks = new TasksState(session);
    const id = tasks.create({ title: 'Send the slides', owner: ' grace ' })!;
    expect(readTasks(session.docs.tasks).find((t) => t.id === id)).toMatchObject({
      owner: 'grace',
      ownerId: 'u-grace',
    });
    const grace = new TasksState({
      ...fakeSession('participant', { user: { id: 'u-grace', name: 'G.' } }),
      docs: session.docs,
    });
    expect(grace.mine.map((t) => t.id)).toEqual([id]);
  });

  it('a name two roster people share, or a name nobody has, is stored as a name only', () => {
    const session = fakeSession('participant', { user: { id: 'participant-1', name: 'Ada' } });
    seedRoster(session);
    const tasks = new TasksState(session);
    tasks.create({ title: 'A', owner: 'Kim' });
    tasks.create({ title: 'B', owner: 'Someone new' });
    // Both are created within the same millisecond: compare without order.
    expect(
      readTasks(session.docs.tasks)
        .map((t) => [t.owner, t.ownerId])
        .sort(),
    ).toEqual([
      ['Kim', ''],
      ['Someone new', ''],
    ]);
  });

  it('views split the same tasks into headed sections: by owner with counts, by status, by talk', () => {
    const session = fakeSession('organizer', { user: { id: 'organizer-1', name: 'Ada' } });
    const talk = addItem(session.docs.agenda, { start: '10:00', minutes: 20, title: 'MedPerf' }, setup);
    createTask(session.docs.tasks, { title: 'One', owner: 'Ada', itemId: talk, createdAt: 1 }, setup);
    createTask(session.docs.tasks, { title: 'Two', owner: 'ada', status: 'done', createdAt: 2 }, setup);
    createTask(session.docs.tasks, { title: 'Three', createdAt: 3 }, setup);
    const tasks = new TasksState(session);

    const headings = () => tasks.sections.map((s) => [s.heading, s.tasks.map((t) => t.title)]);
    tasks.view = 'owner';
    expect(headings()).toEqual([
      ['Ada (2)', ['One', 'Two']],
      ['Unassigned (1)', ['Three']],
    ]);
    tasks.view = 'status';
    expect(headings()).toEqual([
      ['Open (2)', ['One', 'Three']],
      ['Doing (0)', []],
      ['Done (1)', ['Two']],
    ]);
    tasks.view = 'talk';
    expect(headings()).toEqual([
      ['MedPerf (1)', ['One']],
      ['Not linked to a talk (2)', ['Two', 'Three']],
    ]);
    tasks.view = 'mine';
    expect(headings()).toEqual([[null, ['One', 'Two']]]);
  });

  it('"today" is the event-zone date on the shared clock, which decides what is overdue', () => {
    // 03:00 UTC on the 21st is still the 20th in New York.
    const session = fakeSession('participant', { nowMs: Date.UTC(2023, 0, 21, 3) });
    setMeta(session.docs.agenda, { timeZone: 'America/New_York', date: '2023-01-20' }, setup);
    createTask(session.docs.tasks, { title: 'Yesterday', due: '2023-01-19' }, setup);
    createTask(session.docs.tasks, { title: 'Today', due: '2023-01-20' }, setup);
    const tasks = new TasksState(session);
    expect(tasks.today).toBe('2023-01-20');
    expect(tasks.tasks.filter((t) => tasks.overdue(t, tasks.today)).map((t) => t.title)).toEqual([
      'Yesterday',
    ]);
  });

  it('a viewer cannot change tasks: the attempt explains why and writes nothing', () => {
    const session = fakeSession('viewer');
    const tasks = new TasksState(session);
    expect(tasks.canEdit).toBe(false);
    expect(tasks.create({ title: 'Nope' })).toBeNull();
    expect(tasks.error).toMatch(/can read tasks but not change them/);
    expect(readTasks(session.docs.tasks)).toEqual([]);
  });

  it('invalid input shows the operation’s message instead of throwing', () => {
    const session = fakeSession('participant', { user: { id: 'participant-1', name: 'Ada' } });
    const tasks = new TasksState(session);
    expect(tasks.create({ title: 'x', due: '2023-02-31' })).toBeNull();
    expect(tasks.error).toMatch(/due date/);
    const id = tasks.create({ title: 'ok' })!;
    expect(tasks.error).toBeNull();
    tasks.setDue(id, '');
    expect(readTasks(session.docs.tasks)[0]!.due).toBeNull();
  });

  it('discussion mode: the organizer starts at the most-voted note, steps, and stops', () => {
    const session = fakeSession('organizer', { user: { id: 'organizer-1', name: 'Ada' } });
    const b = session.docs.board;
    const voting = { votingOpen: true, votesPerPerson: 5 };
    const note = (text: string, votes: number, at: number): string => {
      const id = addNote(
        b,
        { text, x: 0, y: 0, authorId: 'a', authorName: 'A', itemId: null, createdAt: at },
        setup,
      );
      for (let i = 0; i < votes; i++) castVote(b, id, `v${i}`, voting, setup);
      return id;
    };
    const low = note('low', 1, 1);
    const high = note('high', 3, 2);
    note('none', 0, 3);
    const tasks = new TasksState(session);
    const focused = () => readLive(session.docs.agenda).discussionNoteId;

    tasks.startDiscussion();
    expect(focused()).toBe(high);
    expect(tasks.topicNumber).toBe(1);
    expect(tasks.topics).toHaveLength(2);
    tasks.stepDiscussion(1);
    expect(focused()).toBe(low);
    expect(tasks.focusedNote?.text).toBe('low');
    tasks.stepDiscussion(1); // already at the last topic: stays
    expect(focused()).toBe(low);
    tasks.stepDiscussion(-1);
    expect(focused()).toBe(high);
    tasks.stopDiscussion();
    expect(focused()).toBeNull();
    expect(tasks.topicNumber).toBe(0);
  });

  it('participants follow the discussion but cannot move it', () => {
    const session = fakeSession('participant', { user: { id: 'participant-1', name: 'Ada' } });
    addNote(
      session.docs.board,
      { text: 'n', x: 0, y: 0, authorId: 'a', authorName: 'A', itemId: null },
      setup,
    );
    const tasks = new TasksState(session);
    tasks.startDiscussion();
    expect(readLive(session.docs.agenda).discussionNoteId).toBeNull();
  });

  it('downloads send the token in the Authorization header, never in the URL', async () => {
    const fetchMock = vi.fn(async () => new Response('nope', { status: 401 }));
    vi.stubGlobal('fetch', fetchMock);
    const tasks = new TasksState(fakeSession('viewer'));
    await tasks.download('csv');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/boards/b0ard/tasks.csv');
    expect(url).not.toContain('secret-token');
    expect(new Headers(init.headers).get('authorization')).toBe('Bearer secret-token');
    expect(tasks.error).toBe('Download failed (401).');
  });

  it('says the board is full at the task limit, writing nothing (shared/policy)', () => {
    const session = fakeSession('participant', { user: { id: 'participant-1', name: 'Ada' } });
    session.docs.tasks.transact(() => {
      for (let i = 0; i < BOARD_LIMITS.tasks; i++)
        createTask(session.docs.tasks, { title: `T${i}`, createdAt: i }, setup);
    }, setup);
    const tasks = new TasksState(session);
    expect(tasks.create({ title: 'One more' })).toBeNull();
    expect(tasks.error).toBe(`This board is full: it holds at most ${BOARD_LIMITS.tasks} tasks.`);
    expect(readTasks(session.docs.tasks)).toHaveLength(BOARD_LIMITS.tasks);
  });

  it('a new state object per generation of the session (after a reset)', () => {
    const session = { ...fakeSession('participant'), generation: 0 };
    const first = tasksStateFor(session);
    expect(tasksStateFor(session)).toBe(first);
    session.generation = 1;
    expect(tasksStateFor(session)).not.toBe(first);
  });
});
