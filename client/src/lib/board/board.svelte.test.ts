import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { replaceItems, setMeta } from '$shared/ops/agenda';
import { addNote, deleteNote, noteText } from '$shared/ops/board';
import { setGroupVotes } from '$shared/ops/groups';
import { openVoting, setAnonymousNotes, setBoardLocked, setHideVotes } from '$shared/ops/live';
import { boardGroups, isBoardLocked, localOrigin, readGroups, readNotes } from '$shared/schema';
import { fakeSession } from '../../../../tests/helpers/fake-session';
import { ALL_TALKS, BoardState, NO_TALK } from './board.svelte';

const setup = localOrigin('setup');

function seedAgenda(doc: Y.Doc): string[] {
  setMeta(doc, { title: 'Workshop', timeZone: 'UTC', date: '2023-01-20' }, setup);
  return replaceItems(
    doc,
    [
      { start: '10:00', minutes: 30, title: 'Opening', kind: 'talk' },
      { start: '10:30', minutes: 30, title: 'Open data', kind: 'talk' },
    ],
    setup,
  );
}

describe('BoardState', () => {
  it('tags a new note with the agenda item live on the shared clock and the author', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-20T10:40:00Z') });
    const [, openData] = seedAgenda(s.docs.agenda);
    const board = new BoardState(s);
    const id = board.add(100, 200, 'An idea');
    const [n] = readNotes(s.docs.board);
    expect(n).toMatchObject({ id, itemId: openData, authorName: 'participant', text: 'An idea' });
    expect(n?.createdAt).toBe(Date.parse('2023-01-20T10:40:00Z'));
    expect(board.itemTitle(n!.itemId)).toBe('Open data');
  });

  it('tags no item outside the day', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-21T10:40:00Z') });
    seedAgenda(s.docs.agenda);
    new BoardState(s).add(0, 0, 'late idea');
    expect(readNotes(s.docs.board)[0]?.itemId).toBeNull();
  });

  it('refuses writes with a reason for viewers and on a locked board, writing nothing', () => {
    const viewer = fakeSession('viewer', { nowMs: 0 });
    const vb = new BoardState(viewer);
    expect(vb.add(0, 0, 'x')).toBeUndefined();
    expect(vb.message).toContain('read-only');
    expect(readNotes(viewer.docs.board)).toEqual([]);

    const p = fakeSession('participant', { nowMs: 0 });
    setBoardLocked(p.docs.agenda, true, setup);
    const pb = new BoardState(p);
    expect(pb.readOnlyReason).toContain('locked');
    expect(pb.add(0, 0, 'x')).toBeUndefined();
    expect(readNotes(p.docs.board)).toEqual([]);
  });

  it('undo reverts only this person’s changes, and a drag is one step', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    const board = new BoardState(s);
    const mine = board.add(0, 0, 'mine')!;
    addNote(
      s.docs.board,
      { text: 'theirs', x: 5, y: 5, authorId: 'bob', authorName: 'Bob', itemId: null },
      localOrigin('bob'),
    );

    board.beginGesture(mine);
    for (let i = 1; i <= 10; i++) board.move(mine, i * 10, i * 5);
    board.endGesture();
    expect(readNotes(s.docs.board).find((n) => n.id === mine)).toMatchObject({ x: 100, y: 50 });

    board.undo();
    expect(readNotes(s.docs.board).find((n) => n.id === mine)).toMatchObject({ x: 0, y: 0 });
    board.undo();
    expect(readNotes(s.docs.board).map((n) => n.text)).toEqual(['theirs']);
    expect(board.canUndo).toBe(false);
    expect(board.canRedo).toBe(true);
  });

  it('votes are not undone by undo and stop at the limit with a message', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    openVoting(s.docs.agenda, 1, setup);
    const board = new BoardState(s);
    const id = addNote(
      s.docs.board,
      { text: 'idea', x: 0, y: 0, authorId: 'bob', authorName: 'Bob', itemId: null },
      localOrigin('bob'),
    );
    board.vote(id);
    board.vote(id);
    expect(board.message).toContain('votes are used');
    expect(board.canUndo).toBe(false);
    board.undo();
    expect(readNotes(s.docs.board)[0]?.votes).toEqual({ 'participant-1': 1 });
  });

  it('hides counts and names from participants, not from organizers', () => {
    const p = fakeSession('participant', { nowMs: 0 });
    const o = fakeSession('organizer', { nowMs: 0 });
    for (const s of [p, o]) {
      openVoting(s.docs.agenda, 3, setup);
      setHideVotes(s.docs.agenda, true, setup);
      setAnonymousNotes(s.docs.agenda, true, setup);
    }
    const pb = new BoardState(p);
    const ob = new BoardState(o);
    expect(pb.showCounts).toBe(false);
    expect(ob.showCounts).toBe(true);
    const id = pb.add(0, 0, 'x')!;
    expect(pb.authorLabel(pb.notes.get(id)!)).toBe('anonymous');
  });

  it('facilitation is refused for participants', () => {
    const p = fakeSession('participant', { nowMs: 0 });
    const board = new BoardState(p);
    board.setLocked(true);
    expect(isBoardLocked(p.docs.agenda)).toBe(false);
    expect(board.message).toContain('organizers');
  });

  it('writes author fields through the policy: the pseudonym and no name while notes are anonymous', () => {
    const s = fakeSession('participant', { user: { id: 'u-ada', name: 'Ada' }, pseudonym: 'p-ada' });
    const board = new BoardState(s);
    const open = board.add(0, 0, 'signed')!;
    setAnonymousNotes(s.docs.agenda, true, setup);
    const anon = board.add(0, 0, 'unsigned')!;
    const notes = readNotes(s.docs.board);
    expect(notes.find((n) => n.id === open)).toMatchObject({ authorId: 'u-ada', authorName: 'Ada' });
    expect(notes.find((n) => n.id === anon)).toMatchObject({ authorId: 'p-ada', authorName: '' });
    // The author may still delete it, known by the pseudonym; another participant may not.
    expect(board.canDelete(board.notes.get(anon)!)).toBe(true);
    const other = new BoardState(fakeSession('participant', { user: { id: 'u-bea', name: 'Bea' } }));
    expect(other.canDelete(board.notes.get(anon)!)).toBe(false);
  });

  it('NB1: an anonymous note is written under a Yjs client id of its own, and editing it is not announced', () => {
    const s = fakeSession('participant', { user: { id: 'u-ada', name: 'Ada' }, pseudonym: 'p-ada' });
    const board = new BoardState(s);
    const doc = s.docs.board;
    const own = doc.clientID;
    const named = board.add(0, 0, 'signed')!;
    setAnonymousNotes(s.docs.agenda, true, setup);
    const anon = board.add(10, 10, 'unsigned')!;
    board.move(anon, 40, 40);
    board.setColor(anon, 'sky');
    board.startEditing(anon);
    expect(doc.clientID).toBe(own);
    const writers = (id: string): Set<number> => {
      const clients = new Set<number>();
      const note = doc.getMap('notes').get(id) as Y.Map<unknown>;
      for (const item of (doc.getMap('notes') as unknown as { _map: Map<string, Y.Item> })._map.values())
        if (item.content instanceof Y.ContentType && item.content.type === note) clients.add(item.id.client);
      for (const item of (note as unknown as { _map: Map<string, Y.Item> })._map.values())
        clients.add(item.id.client);
      return clients;
    };
    expect(writers(named)).toEqual(new Set([own]));
    const anonWriters = writers(anon);
    expect(anonWriters.size).toBe(1);
    expect(anonWriters.has(own)).toBe(false);
    expect(board.writerFor(anon)).toBe([...anonWriters][0]);
    expect(board.writerFor(named)).toBeUndefined();
    // Presence does not say who edits the anonymous note; a named one it does.
    expect(s.awareness.board.getLocalState()?.editing ?? null).toBeNull();
    board.startEditing(named);
    expect(s.awareness.board.getLocalState()?.editing).toBe(named);
    // Unticking "anonymous notes" does not reveal the author.
    setAnonymousNotes(s.docs.agenda, false, setup);
    expect(board.authorLabel(board.notes.get(anon)!)).toBe('anonymous');
  });

  it('NB4: a new note written while the board shows another talk switches the filter so it is seen', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-20T10:40:00Z') });
    const [opening, openData] = seedAgenda(s.docs.agenda);
    const board = new BoardState(s);
    board.filter = opening!;
    const id = board.add(0, 0)!;
    expect(board.notes.get(id)?.itemId).toBe(openData);
    expect(board.filter).toBe(ALL_TALKS);
    expect(board.visibleNotes.map((n) => n.id)).toContain(id);
    expect(board.notice).toMatch(/all talks/);
    expect(board.message).toBe('');
    // A filter that already shows it stays.
    board.filter = openData!;
    board.add(0, 0);
    expect(board.filter).toBe(openData);
  });

  it('NB4: a note deleted by someone else while it is edited: said so, the editor closes, typed "n" creates nothing until a click or Escape', () => {
    const s = fakeSession('participant', { user: { id: 'u-ada', name: 'Ada' } });
    const board = new BoardState(s);
    const id = board.add(0, 0, 'mine')!;
    board.startEditing(id);
    // The organizer deletes it (a remote transaction).
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(s.docs.board));
    deleteNote(remote, id, { role: 'organizer', userId: 'org', pseudonym: '' }, localOrigin('org'));
    Y.applyUpdate(s.docs.board, Y.encodeStateAsUpdate(remote), 'remote');
    expect(board.editing).toBeNull();
    expect(board.message).toBe('The note you were editing was deleted by someone else.');
    expect(board.orphaned).toBe(true);
    expect(board.add(0, 0)).toBeUndefined();
    expect(readNotes(s.docs.board)).toEqual([]);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'n' }));
    expect(board.orphaned).toBe(true);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(board.orphaned).toBe(false);
    expect(board.add(0, 0)).toBeDefined();
    board.destroy();
  });

  it('NB6: a note left empty when its editor closes is removed; one with text, or only losing focus to its own controls, stays', () => {
    const s = fakeSession('participant', { user: { id: 'u-ada', name: 'Ada' } });
    const board = new BoardState(s);
    const empty = board.add(0, 0)!;
    board.startEditing(empty);
    expect(board.stopEditing()).toBe(true);
    expect(board.notes.get(empty)).toBeUndefined();

    const blank = board.add(0, 0)!;
    board.startEditing(blank);
    expect(board.stopEditing({ keepEmpty: true })).toBe(false);
    expect(board.notes.get(blank)).toBeDefined();

    const written = board.add(0, 0)!;
    board.startEditing(written);
    s.docs.board.transact(() => noteText(s.docs.board, written)!.insert(0, 'idea'), board.origin);
    expect(board.stopEditing()).toBe(false);
    expect(board.notes.get(written)?.text).toBe('idea');

    // Someone else's empty note is not this person's to remove.
    addNote(s.docs.board, { text: ' ', x: 0, y: 0, authorId: 'bob', authorName: 'Bob', itemId: null }, setup);
    const theirs = readNotes(s.docs.board).find((n) => n.authorId === 'bob')!;
    board.startEditing(theirs.id);
    expect(board.stopEditing()).toBe(false);
    expect(board.notes.get(theirs.id)).toBeDefined();
  });

  it("NB7: asks before arranging everyone's notes, and one undo puts them back", () => {
    const s = fakeSession('organizer', { nowMs: Date.parse('2023-01-20T10:40:00Z') });
    seedAgenda(s.docs.agenda);
    const board = new BoardState(s);
    const a = board.add(500, 500, 'a')!;
    board.add(900, 100, 'b');
    expect(board.arrangeQuestion).toBe(
      "Arrange all 2 notes by talk? This moves notes on everyone's board; Undo puts them back.",
    );
    board.arrange();
    expect(board.notes.get(a)).not.toMatchObject({ x: 500, y: 500 });
    board.undo();
    expect(board.notes.get(a)).toMatchObject({ x: 500, y: 500 });
  });

  it('NB5: a filter that matches nothing says so', () => {
    const s = fakeSession('participant', { nowMs: Date.parse('2023-01-20T10:40:00Z') });
    const [opening] = seedAgenda(s.docs.agenda);
    const board = new BoardState(s);
    expect(board.emptyMessage).toBe('No notes yet.');
    board.add(0, 0, 'on open data');
    expect(board.emptyMessage).toBe('');
    board.filter = opening!;
    expect(board.emptyMessage).toBe('No notes for this talk (Opening).');
    board.filter = NO_TALK;
    expect(board.emptyMessage).toBe('No notes outside a talk.');
  });

  it('says why a vote is not possible: voting closed, votes used, no personal identity', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    const board = new BoardState(s);
    const id = board.add(0, 0, 'idea')!;
    board.vote(id);
    expect(board.message).toBe('Voting is not open.');
    expect(readNotes(s.docs.board)[0]?.votes).toEqual({});
    openVoting(s.docs.agenda, 2, setup);
    board.vote(id);
    board.vote(id);
    expect(board.voteBlocked).toBe('All 2 votes are used.');
    board.vote(id);
    expect(board.message).toBe('All 2 votes are used.');
    expect(readNotes(s.docs.board)[0]?.votes).toEqual({ 'participant-1': 2 });

    const guest = fakeSession('participant', { issued: false });
    openVoting(guest.docs.agenda, 2, setup);
    const gb = new BoardState(guest);
    const gid = gb.add(0, 0, 'x')!;
    gb.vote(gid);
    expect(gb.message).toMatch(/personal identity/);
    expect(readNotes(guest.docs.board)[0]?.votes).toEqual({});
  });

  it('takes no vote back once voting is closed', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    openVoting(s.docs.agenda, 2, setup);
    const board = new BoardState(s);
    const id = board.add(0, 0, 'idea')!;
    board.vote(id);
    setBoardLocked(s.docs.agenda, false, setup);
    s.docs.agenda.transact(() => s.docs.agenda.getMap('live').set('votingOpen', false), setup);
    board.unvote(id);
    expect(board.message).toBe('Voting is not open.');
    expect(readNotes(s.docs.board)[0]?.votes).toEqual({ 'participant-1': 1 });
  });

  it('says the board is locked, from the policy', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    setBoardLocked(s.docs.agenda, true, setup);
    const board = new BoardState(s);
    board.add(0, 0, 'x');
    expect(board.message).toBe('The organizer has locked the board: it is read-only for now.');
  });
});

describe('BoardState groups (issue 11)', () => {
  it('GU1: a note dropped onto a lone note makes a group of both, in the drag’s undo step', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    const board = new BoardState(s);
    const a = board.add(0, 0, 'alpha')!;
    const b = board.add(600, 0, 'beta')!;
    board.beginGesture(b);
    board.move(b, 20, 30);
    board.drop(b, 20, 30);
    board.endGesture();
    const [g] = readGroups(s.docs.board);
    expect(g).toBeDefined();
    expect(readNotes(s.docs.board).map((n) => n.groupId)).toEqual([g!.id, g!.id]);
    // Dragged back out of the frame, with another note left in it: out of the group.
    board.beginGesture(b);
    board.move(b, 900, 900);
    board.drop(b, 900, 900);
    board.endGesture();
    expect(board.notes.get(b)?.groupId ?? null).toBeNull();
    board.undo();
    expect(board.notes.get(b)).toMatchObject({ x: 20, y: 30, groupId: g!.id });
    board.undo();
    expect(readGroups(s.docs.board)).toEqual([]);
    expect(board.notes.get(b)).toMatchObject({ x: 600, y: 0 });
    expect(board.notes.get(a)?.groupId ?? null).toBeNull();
  });

  it('GU2: selected notes become one group; a participant may not ungroup a voted group', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    const board = new BoardState(s);
    const ids = [board.add(0, 0, 'one')!, board.add(300, 0, 'two')!];
    board.toggleSelected(ids[0]!);
    expect(board.groupSelected()).toBeUndefined();
    expect(board.message).toContain('two notes or more');
    board.toggleSelected(ids[1]!);
    const id = board.groupSelected()!;
    expect(board.selected.size).toBe(0);
    expect(
      board.members
        .get(id)
        ?.map((n) => n.id)
        .sort(),
    ).toEqual([...ids].sort());
    const g = board.group(id)!;
    expect(board.ungroupDenial(g)).toBe('');
    s.docs.board.transact(() => {
      const votes = boardGroups(s.docs.board).get(id)!.get('votes') as Y.Map<number>;
      votes.set('someone', 1);
    }, setup);
    expect(board.ungroupDenial(board.group(id)!)).toContain('organizer');
    board.ungroup(id);
    expect(readGroups(s.docs.board)).toHaveLength(1);
  });

  it('GU3: an applied suggestion is one undo step', () => {
    const s = fakeSession('organizer', { nowMs: 0 });
    const board = new BoardState(s);
    const ids = [0, 1, 2, 3].map((i) => board.add(i * 300, 0, `n${i}`)!);
    board.suggestion.groups = [
      { key: 0, title: 'First', noteIds: [ids[0]!, ids[1]!], accepted: true },
      { key: 1, title: 'Second', noteIds: [ids[2]!, ids[3]!, 'gone-note'], accepted: true },
    ];
    board.suggestion.rename(0, 'Renamed');
    expect(readGroups(s.docs.board)).toEqual([]);
    expect(board.applySuggestion()).toHaveLength(2);
    // NB14: news is a notice, not an error.
    expect(board.notice).toBe('2 groups made: Undo (Ctrl+Z) takes them back.');
    expect(board.message).toBe('');
    expect(board.suggestion.active).toBe(false);
    expect(readGroups(s.docs.board).map((g) => g.title)).toEqual(['Renamed', 'Second']);
    board.undo();
    expect(readGroups(s.docs.board)).toEqual([]);
    expect(readNotes(s.docs.board).every((n) => !n.groupId)).toBe(true);
  });

  it('GU2: while votes go to groups, a vote goes to a group from the one budget, and not to a note', () => {
    const s = fakeSession('participant', { nowMs: 0 });
    const board = new BoardState(s);
    const ids = [board.add(0, 0, 'one')!, board.add(300, 0, 'two')!, board.add(900, 0, 'three')!];
    ids.slice(0, 2).forEach((id) => board.toggleSelected(id));
    const g = board.groupSelected()!;
    openVoting(s.docs.agenda, 2, setup);
    setGroupVotes(s.docs.agenda, true, setup);
    expect(board.voteBlocked).toContain('groups');
    board.vote(ids[2]!);
    expect(readNotes(s.docs.board).every((n) => Object.keys(n.votes).length === 0)).toBe(true);
    board.voteGroup(g);
    board.voteGroup(g);
    expect(board.group(g)?.votes[s.user.id]).toBe(2);
    expect(board.votesLeft).toBe(0);
    board.voteGroup(g);
    expect(board.message).toContain('votes');
    expect(board.group(g)?.votes[s.user.id]).toBe(2);
    // Taking votes back is allowed while voting is open.
    board.unvoteGroup(g);
    expect(board.group(g)?.votes[s.user.id]).toBe(1);
  });
});
