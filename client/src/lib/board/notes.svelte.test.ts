import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, deleteNote, moveNote } from '$shared/ops/board';
import { boardNotes, localOrigin } from '$shared/schema';
import { NotesView } from './notes.svelte';

const ada = localOrigin('ada');
const base = { x: 0, y: 0, authorId: 'ada', authorName: 'Ada', itemId: null } as const;

describe('NotesView', () => {
  it('re-reads only the notes a change touched, keeping the others identical', () => {
    const doc = new Y.Doc();
    const a = addNote(doc, { ...base, text: 'a', createdAt: 1 }, ada);
    const b = addNote(doc, { ...base, text: 'b', createdAt: 2 }, ada);
    const view = new NotesView(doc);
    let seen: string[][] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(view.list.map((n) => `${n.text}@${n.x}`));
      });
    });
    flushSync();
    const before = view.list;
    moveNote(doc, b, 50, 0, ada);
    flushSync();
    const after = view.list;
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(seen.at(-1)).toEqual(['a@0', 'b@50']);

    doc.transact(() => {
      const t = boardNotes(doc).get(a)?.get('text');
      if (t instanceof Y.Text) t.insert(1, '!');
    }, ada);
    flushSync();
    expect(seen.at(-1)).toEqual(['a!@0', 'b@50']);

    deleteNote(doc, a, { userId: 'ada', pseudonym: 'anon-ada', role: 'participant' }, ada);
    addNote(doc, { ...base, text: 'c', createdAt: 3 }, ada);
    flushSync();
    expect(seen.at(-1)).toEqual(['b@50', 'c@0']);
    stop();
    seen = [];
  });

  it('skips and counts malformed notes from a peer instead of rendering them', () => {
    const doc = new Y.Doc();
    addNote(doc, { ...base, text: 'ok' }, ada);
    boardNotes(doc).set('bad', new Y.Map());
    const view = new NotesView(doc);
    expect(view.list.map((n) => n.text)).toEqual(['ok']);
    expect(view.skipped).toBeGreaterThan(0);
  });
});
