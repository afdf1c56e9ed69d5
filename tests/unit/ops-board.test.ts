import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addNote,
  arrangeByTalk,
  bringToFront,
  castVote,
  countedVotes,
  createNoteUndoManager,
  deleteNote,
  moveNote,
  noteText,
  NOTE_COLORS,
  NoteOpError,
  retractVote,
  setGroup,
  setNoteColor,
  setNoteText,
  talkColumns,
  votesRemaining,
} from '../../shared/ops/board';
import {
  DEFAULT_LIVE,
  localOrigin,
  readNotes,
  totalVotes,
  type AgendaItem,
  type LiveState,
  type Note,
} from '../../shared/schema';

const ada = localOrigin('ada');
const bob = localOrigin('bob');
const open: LiveState = {
  ...DEFAULT_LIVE,
  votingOpen: true,
  votesPerPerson: 3,
};

const base = {
  x: 10,
  y: 20,
  authorId: 'ada',
  authorName: 'Ada',
  itemId: null,
} as const;

/** Two documents wired to each other, like two clients through a server. */
function syncedPair(): [Y.Doc, Y.Doc] {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'peer') Y.applyUpdate(b, u, 'peer');
  });
  b.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'peer') Y.applyUpdate(a, u, 'peer');
  });
  return [a, b];
}

const sync = (a: Y.Doc, b: Y.Doc): void => {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
};

const note = (doc: Y.Doc, id: string): Note => {
  const n = readNotes(doc).find((x) => x.id === id);
  if (!n) throw new Error(`no note ${id}`);
  return n;
};

const code = (fn: () => void): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof NoteOpError) return e.code;
    throw e;
  }
  return undefined;
};

describe('addNote', () => {
  it('creates a note that the validated reader returns with every field', () => {
    const doc = new Y.Doc();
    const id = addNote(
      doc,
      {
        ...base,
        text: 'Use FAIR data',
        color: 'sky',
        itemId: 'talk1',
        createdAt: 1000,
      },
      ada,
    );
    expect(note(doc, id)).toEqual({
      id,
      text: 'Use FAIR data',
      x: 10,
      y: 20,
      color: 'sky',
      authorId: 'ada',
      authorName: 'Ada',
      itemId: 'talk1',
      createdAt: 1000,
      votes: {},
      z: 1,
      group: '',
    });
  });

  it('puts each new note in front of the existing ones', () => {
    const doc = new Y.Doc();
    const a = addNote(doc, { ...base, text: 'a' }, ada);
    const b = addNote(doc, { ...base, text: 'b' }, ada);
    expect(note(doc, b).z).toBeGreaterThan(note(doc, a).z);
    bringToFront(doc, a, ada);
    expect(note(doc, a).z).toBeGreaterThan(note(doc, b).z);
  });

  it('refuses unknown colours, non-finite positions and unsafe ids', () => {
    const doc = new Y.Doc();
    expect(code(() => addNote(doc, { ...base, text: 'x', color: 'red' }, ada))).toBe('invalid');
    expect(code(() => addNote(doc, { ...base, text: 'x', x: Number.NaN }, ada))).toBe('invalid');
    expect(code(() => addNote(doc, { ...base, text: 'x', itemId: '__proto__' }, ada))).toBe('invalid');
    expect(readNotes(doc)).toEqual([]);
  });

  it('bounds text length, strips control characters and clamps to the world', () => {
    const doc = new Y.Doc();
    const id = addNote(doc, { ...base, text: `a\u0000b\nc${'x'.repeat(5000)}`, x: 1e12 }, ada);
    const n = note(doc, id);
    expect(n.text.startsWith('ab\nc')).toBe(true);
    expect(n.text.length).toBe(2000);
    expect(n.x).toBe(1_000_000);
  });

  it('offers a palette of named colours with distinct fills', () => {
    expect(new Set(NOTE_COLORS.map((c) => c.fill)).size).toBe(NOTE_COLORS.length);
    expect(NOTE_COLORS.every((c) => c.name.length > 0)).toBe(true);
  });
});

describe('editing notes', () => {
  it('concurrent text edits by two people converge and keep both edits', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const id = addNote(a, { ...base, text: 'open data' }, ada);
    sync(a, b);
    // Both edit offline, then exchange updates.
    a.transact(() => noteText(a, id)?.insert(0, 'Shared '), ada);
    setNoteText(b, id, 'open data now', bob);
    sync(a, b);
    expect(note(a, id).text).toBe('Shared open data now');
    expect(note(b, id).text).toBe(note(a, id).text);
  });

  it('setNoteText changes only the differing middle so a concurrent insert survives', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const id = addNote(a, { ...base, text: 'alpha beta gamma' }, ada);
    sync(a, b);
    setNoteText(a, id, 'alpha BETA gamma', ada);
    b.transact(() => noteText(b, id)?.insert(16, '!'), bob);
    sync(a, b);
    expect(note(a, id).text).toBe('alpha BETA gamma!');
  });

  it('moves, recolours and groups a note, and refuses a missing note', () => {
    const doc = new Y.Doc();
    const id = addNote(doc, { ...base, text: 'x' }, ada);
    moveNote(doc, id, -50.5, 300, ada);
    setNoteColor(doc, id, 'green', ada);
    setGroup(doc, id, '  Tools  ', ada);
    expect(note(doc, id)).toMatchObject({
      x: -50.5,
      y: 300,
      color: 'green',
      group: 'Tools',
    });
    expect(code(() => moveNote(doc, 'nope', 0, 0, ada))).toBe('not-found');
    expect(code(() => setNoteColor(doc, id, 'magenta', ada))).toBe('invalid');
  });
});

describe('deleteNote', () => {
  it('lets the author and organizers delete, and refuses other participants and viewers', () => {
    const doc = new Y.Doc();
    const a = addNote(doc, { ...base, text: 'mine' }, ada);
    const b = addNote(doc, { ...base, text: 'also mine' }, ada);
    expect(
      code(() => deleteNote(doc, a, { userId: 'bob', pseudonym: 'anon-bob', role: 'participant' }, bob)),
    ).toBe('forbidden');
    expect(
      code(() => deleteNote(doc, a, { userId: 'ada', pseudonym: 'anon-ada', role: 'viewer' }, ada)),
    ).toBe('forbidden');
    deleteNote(doc, a, { userId: 'ada', pseudonym: 'anon-ada', role: 'participant' }, ada);
    deleteNote(doc, b, { userId: 'org', pseudonym: 'anon-org', role: 'organizer' }, localOrigin('org'));
    expect(readNotes(doc)).toEqual([]);
  });
});

describe('voting', () => {
  it('allows several votes on one note up to votesPerPerson across all notes', () => {
    const doc = new Y.Doc();
    const n1 = addNote(doc, { ...base, text: '1' }, ada);
    const n2 = addNote(doc, { ...base, text: '2' }, ada);
    castVote(doc, n1, 'bob', open, bob);
    castVote(doc, n1, 'bob', open, bob);
    expect(votesRemaining(readNotes(doc), 'bob', open)).toBe(1);
    castVote(doc, n2, 'bob', open, bob);
    expect(votesRemaining(readNotes(doc), 'bob', open)).toBe(0);
    expect(code(() => castVote(doc, n2, 'bob', open, bob))).toBe('no-votes-left');
    expect(note(doc, n1).votes).toEqual({ bob: 2 });
    expect(note(doc, n2).votes).toEqual({ bob: 1 });
    // Another person's budget is separate.
    castVote(doc, n2, 'cy', open, bob);
    expect(totalVotes(note(doc, n2))).toBe(2);
  });

  it('takes a vote back, freeing it for another note', () => {
    const doc = new Y.Doc();
    const n1 = addNote(doc, { ...base, text: '1' }, ada);
    for (let i = 0; i < 3; i++) castVote(doc, n1, 'bob', open, bob);
    retractVote(doc, n1, 'bob', open, bob);
    expect(votesRemaining(readNotes(doc), 'bob', open)).toBe(1);
    retractVote(doc, n1, 'bob', open, bob);
    retractVote(doc, n1, 'bob', open, bob);
    expect(note(doc, n1).votes).toEqual({});
    expect(code(() => retractVote(doc, n1, 'bob', open, bob))).toBe('no-vote-to-retract');
  });

  it('refuses votes and retractions while voting is closed', () => {
    const doc = new Y.Doc();
    const n1 = addNote(doc, { ...base, text: '1' }, ada);
    expect(code(() => castVote(doc, n1, 'bob', DEFAULT_LIVE, bob))).toBe('voting-closed');
    castVote(doc, n1, 'bob', open, bob);
    expect(code(() => retractVote(doc, n1, 'bob', DEFAULT_LIVE, bob))).toBe('voting-closed');
    expect(note(doc, n1).votes).toEqual({ bob: 1 });
  });

  it('counts at most votesPerPerson per voter even after concurrent votes from two tabs', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const n1 = addNote(a, { ...base, text: '1', createdAt: 1 }, ada);
    const n2 = addNote(a, { ...base, text: '2', createdAt: 2 }, ada);
    castVote(a, n1, 'bob', open, bob);
    castVote(a, n1, 'bob', open, bob);
    sync(a, b);
    // Bob's two tabs each see one vote left and spend it on different notes.
    castVote(a, n1, 'bob', open, bob);
    castVote(b, n2, 'bob', open, bob);
    sync(a, b);
    const notes = readNotes(a);
    expect(votesRemaining(notes, 'bob', open)).toBe(0);
    const counted = countedVotes(notes, open);
    // Every client drops the same excess: the vote on the newest note.
    expect(counted.get(n1)).toBe(3);
    expect(counted.get(n2)).toBe(0);
    expect(countedVotes(readNotes(b), open)).toEqual(counted);
    expect(code(() => castVote(a, n2, 'bob', open, bob))).toBe('no-votes-left');
  });

  it('concurrent votes by one voter on the same note never exceed the limit', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    const n1 = addNote(a, { ...base, text: '1' }, ada);
    castVote(a, n1, 'bob', open, bob);
    castVote(a, n1, 'bob', open, bob);
    sync(a, b);
    castVote(a, n1, 'bob', open, bob);
    castVote(b, n1, 'bob', open, bob);
    sync(a, b);
    // Same key written concurrently: one write wins, so the count stays at 3.
    expect(note(a, n1).votes.bob).toBe(3);
    expect(note(b, n1).votes.bob).toBe(3);
  });

  it('lowering votesPerPerson caps every voter deterministically', () => {
    const doc = new Y.Doc();
    const n1 = addNote(doc, { ...base, text: '1', createdAt: 1 }, ada);
    const n2 = addNote(doc, { ...base, text: '2', createdAt: 2 }, ada);
    castVote(doc, n1, 'bob', open, bob);
    castVote(doc, n2, 'bob', open, bob);
    castVote(doc, n2, 'cy', open, bob);
    const counted = countedVotes(readNotes(doc), { votesPerPerson: 1 });
    expect(counted.get(n1)).toBe(1);
    expect(counted.get(n2)).toBe(1);
  });
});

describe('arrange by talk', () => {
  const item = (id: string, start: string, title: string): AgendaItem => ({
    id,
    start,
    minutes: 20,
    title,
    speaker: '',
    affiliation: '',
    url: '',
    kind: 'talk',
  });
  const items = [item('t1', '09:00', 'Opening'), item('t2', '09:30', 'Data')];

  it('lays notes out in one column per talk, in agenda order, untagged last', () => {
    const doc = new Y.Doc();
    const d1 = addNote(doc, { ...base, text: 'd1', itemId: 't2', createdAt: 1, x: 999 }, ada);
    const o1 = addNote(doc, { ...base, text: 'o1', itemId: 't1', createdAt: 2 }, ada);
    const d2 = addNote(doc, { ...base, text: 'd2', itemId: 't2', createdAt: 3 }, ada);
    const u1 = addNote(doc, { ...base, text: 'u1', itemId: null, createdAt: 4 }, ada);
    const cols = arrangeByTalk(doc, items, ada);
    expect(cols.map((c) => [c.itemId, c.title, c.noteIds])).toEqual([
      ['t1', 'Opening', [o1]],
      ['t2', 'Data', [d1, d2]],
      [null, 'No talk', [u1]],
    ]);
    const [n1, n2, n3, n4] = [o1, d1, d2, u1].map((id) => note(doc, id));
    expect(n1?.x).toBeLessThan(n2?.x ?? 0);
    expect(n2?.x).toBe(n3?.x);
    expect(n2?.y).toBeLessThan(n3?.y ?? 0);
    expect(n4?.x).toBeGreaterThan(n2?.x ?? 0);
  });

  it('puts notes of a removed agenda item in the untagged column', () => {
    const doc = new Y.Doc();
    const gone = addNote(doc, { ...base, text: 'x', itemId: 'deleted' }, ada);
    expect(talkColumns(readNotes(doc), items)).toEqual([
      { itemId: null, title: 'No talk', x: 0, noteIds: [gone] },
    ]);
  });
});

describe('per-user undo', () => {
  it("undo reverts only the local user's changes, never a peer's", () => {
    const [a, b] = syncedPair();
    const undoA = createNoteUndoManager(a, ada);
    const undoB = createNoteUndoManager(b, bob);
    const mine = addNote(a, { ...base, text: 'Ada note' }, ada);
    undoA.stopCapturing();
    const theirs = addNote(b, { ...base, authorId: 'bob', authorName: 'Bob', text: 'Bob' }, bob);
    moveNote(b, mine, 500, 500, bob);
    expect(readNotes(a)).toHaveLength(2);

    undoA.undo();
    // Ada's note is gone on both sides; Bob's note survives.
    expect(readNotes(a).map((n) => n.id)).toEqual([theirs]);
    expect(readNotes(b).map((n) => n.id)).toEqual([theirs]);
    expect(undoB.undoStack.length).toBeGreaterThan(0);
    undoA.redo();
    expect(
      readNotes(b)
        .map((n) => n.id)
        .sort(),
    ).toEqual([mine, theirs].sort());
  });

  it('a drag captured as one step undoes to the position before the drag', () => {
    const doc = new Y.Doc();
    const undo = createNoteUndoManager(doc, ada, 0);
    const id = addNote(doc, { ...base, text: 'x' }, ada);
    undo.stopCapturing();
    // What the canvas does while dragging: capture every move into one step.
    undo.captureTimeout = Number.POSITIVE_INFINITY;
    for (let i = 1; i <= 20; i++) moveNote(doc, id, 10 + i * 5, 20 + i, ada);
    undo.captureTimeout = 0;
    undo.stopCapturing();
    expect(note(doc, id)).toMatchObject({ x: 110, y: 40 });
    undo.undo();
    expect(note(doc, id)).toMatchObject({ x: 10, y: 20 });
  });

  it('votes cast with an untracked origin are not undone with note edits', () => {
    const doc = new Y.Doc();
    const undo = createNoteUndoManager(doc, ada);
    const id = addNote(doc, { ...base, text: 'x' }, ada);
    undo.stopCapturing();
    castVote(doc, id, 'ada', open, localOrigin('ada'));
    moveNote(doc, id, 1, 1, ada);
    undo.undo();
    expect(note(doc, id).votes).toEqual({ ada: 1 });
    expect(note(doc, id)).toMatchObject({ x: 10, y: 20 });
  });
});
