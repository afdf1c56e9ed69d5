import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/board';
import { FRAME_PAD, FRAME_TITLE } from '../../shared/ops/geometry';
import { applyGroupPlan, createGroup, moveGroup } from '../../shared/ops/groups';
import { localOrigin, readGroups, readNotes } from '../../shared/schema';

const me = localOrigin('u1');

function board(): Y.Doc {
  const doc = new Y.Doc();
  for (const [i, id] of ['a', 'b', 'c', 'd'].entries())
    addNote(doc, { id, text: id, x: i * 300, y: 500, authorId: 'u1', authorName: 'U', itemId: null }, me);
  return doc;
}

describe('group operations', () => {
  it('GR1: a suggestion applied as one change is one undo step; the notes are laid out under their group', () => {
    const doc = board();
    const undo = new Y.UndoManager(doc.getMap('notes'), { trackedOrigins: new Set([me]) });
    undo.addToScope(doc.getMap('groups'));
    const before = readNotes(doc);
    const [g1, g2] = applyGroupPlan(
      doc,
      [
        { title: 'First', noteIds: ['a', 'c'] },
        { title: 'Second', noteIds: ['b', 'd'] },
      ],
      me,
    );
    expect(readGroups(doc).map((g) => g.title)).toEqual(['First', 'Second']);
    const notes = new Map(readNotes(doc).map((n) => [n.id, n]));
    // Under the title, inside the frame, where the notes were (the board has room there).
    expect(notes.get('a')).toMatchObject({ groupId: g1, x: FRAME_PAD, y: 500 + FRAME_TITLE + FRAME_PAD });
    expect(notes.get('c')).toMatchObject({
      groupId: g1,
      x: FRAME_PAD + 220,
      y: 500 + FRAME_TITLE + FRAME_PAD,
    });
    expect(notes.get('d')).toMatchObject({ groupId: g2 });
    undo.undo();
    expect(readGroups(doc)).toEqual([]);
    expect(readNotes(doc)).toEqual(before);
  });

  it('a refused operation writes nothing (checks come before the first write)', () => {
    const doc = board();
    const sv = Y.encodeStateVector(doc);
    expect(() => createGroup(doc, { title: 'x', x: 0, y: 0 }, ['a', 'missing'], me)).toThrow(/no note/);
    expect(() =>
      applyGroupPlan(
        doc,
        [
          { title: 'x', noteIds: ['a'] },
          { title: 'y', noteIds: ['nope'] },
        ],
        me,
      ),
    ).toThrow();
    expect(Y.encodeStateVector(doc)).toEqual(sv);
  });

  it('moving a group moves its notes by the same distance', () => {
    const doc = board();
    const g = createGroup(doc, { title: 'G', x: 0, y: 500 }, ['a', 'b'], me);
    moveGroup(doc, g, 50, 400, me);
    const notes = new Map(readNotes(doc).map((n) => [n.id, n]));
    expect(notes.get('a')).toMatchObject({ x: 50, y: 400 });
    expect(notes.get('b')).toMatchObject({ x: 350, y: 400 });
    expect(notes.get('c')).toMatchObject({ x: 600, y: 500 });
  });
});
