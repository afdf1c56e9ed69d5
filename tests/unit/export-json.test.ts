import { describe, expect, it } from 'vitest';
import { setAnonymousNotes } from '../../shared/ops/live';
import { serverOrigin } from '../../shared/schema';
import { toExportJson } from '../../server/export/json';
import { buildWorkshop, snapshotOf, WORKSHOP } from '../fixtures/boards/workshop';

describe('export.json (contract, issue 2 item 6)', () => {
  const { docs, ids } = buildWorkshop();
  const json = JSON.parse(JSON.stringify(toExportJson(snapshotOf(docs)))) as Record<string, unknown>;

  it('has exactly agenda {meta, items, live}, notes, groups, tasks and questions at the top level', () => {
    expect(Object.keys(json).sort()).toEqual(['agenda', 'groups', 'notes', 'questions', 'tasks']);
    expect(Object.keys(json.agenda as object).sort()).toEqual(['items', 'live', 'meta']);
  });

  it('agenda meta, items sorted by start, and live state with the delay', () => {
    const agenda = json.agenda as {
      meta: Record<string, unknown>;
      items: { id: string; start: string }[];
      live: Record<string, unknown>;
    };
    expect(agenda.meta).toMatchObject({
      title: WORKSHOP.title,
      timeZone: WORKSHOP.timeZone,
      date: WORKSHOP.date,
    });
    expect(agenda.items.map((i) => i.start)).toEqual(['10:00', '10:15', '11:00', '11:30']);
    expect(agenda.items.map((i) => i.id)).toEqual([
      ids.items.opening,
      ids.items.talkA,
      ids.items.talkB,
      ids.items.discussion,
    ]);
    expect(agenda.live).toMatchObject({ currentItemId: ids.items.talkB, delayMinutes: 10 });
  });

  it('notes carry exactly the contract fields, text as a string and votes per voter', () => {
    const notes = json.notes as Record<string, unknown>[];
    expect(notes).toHaveLength(3);
    for (const n of notes)
      expect(Object.keys(n).sort()).toEqual(
        ['authorName', 'color', 'createdAt', 'groupId', 'id', 'itemId', 'text', 'votes', 'x', 'y'].sort(),
      );
    const top = notes.find((n) => n.id === ids.notes.top)!;
    expect(top).toMatchObject({
      text: 'Write a data-sharing agreement\ntemplate *for all sites*',
      authorName: 'Kenji Watanabe',
      itemId: ids.items.talkA,
      votes: { 'user-0': 1, 'user-1': 1, 'user-2': 1 },
    });
    expect(notes.find((n) => n.id === ids.notes.loose)!.itemId).toBeNull();
  });

  it('tasks carry exactly id, title, owner, due, status, noteId, itemId with titles as strings', () => {
    const tasks = json.tasks as Record<string, unknown>[];
    expect(tasks).toHaveLength(5);
    for (const t of tasks)
      expect(Object.keys(t).sort()).toEqual(
        ['due', 'id', 'itemId', 'noteId', 'owner', 'status', 'title'].sort(),
      );
    expect(tasks.find((t) => t.id === ids.tasks.tricky)).toEqual({
      id: ids.tasks.tricky,
      title: WORKSHOP.trickyTitle,
      owner: 'Ana Souza',
      due: '2023-02-15',
      status: 'open',
      noteId: null,
      itemId: ids.items.talkB,
    });
    expect(tasks.find((t) => t.id === ids.tasks.fromNote)).toMatchObject({
      noteId: ids.notes.top,
      itemId: ids.items.talkA,
      owner: 'Kenji Watanabe',
    });
    expect(tasks.find((t) => t.id === ids.tasks.undated)!.due).toBeNull();
  });

  it('anonymous notes leave the board without author names', () => {
    const { docs: anon } = buildWorkshop();
    setAnonymousNotes(anon.agenda, true, serverOrigin('t'));
    const out = toExportJson(snapshotOf(anon));
    expect(out.notes.every((n) => n.authorName === '')).toBe(true);
  });
});
