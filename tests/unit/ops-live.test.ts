import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  clearSpotlight,
  clearTimer,
  closeVoting,
  LiveOpError,
  openVoting,
  setAnonymousNotes,
  setBoardLocked,
  setDiscussionNote,
  setHideVotes,
  setSpotlight,
  startTimer,
} from '../../shared/ops/live';
import { DEFAULT_LIVE, isBoardLocked, localOrigin, readLive } from '../../shared/schema';

const org = localOrigin('org');

describe('facilitation state', () => {
  it('starts from the documented defaults', () => {
    expect(readLive(new Y.Doc())).toEqual(DEFAULT_LIVE);
  });

  it('locks and unlocks the board', () => {
    const doc = new Y.Doc();
    setBoardLocked(doc, true, org);
    expect(isBoardLocked(doc)).toBe(true);
    expect(readLive(doc).boardLocked).toBe(true);
    setBoardLocked(doc, false, org);
    expect(isBoardLocked(doc)).toBe(false);
  });

  it('opens voting with a number of votes per person and closes it', () => {
    const doc = new Y.Doc();
    openVoting(doc, 3, org);
    expect(readLive(doc)).toMatchObject({
      votingOpen: true,
      votesPerPerson: 3,
    });
    closeVoting(doc, org);
    expect(readLive(doc)).toMatchObject({
      votingOpen: false,
      votesPerPerson: 3,
    });
  });

  it('refuses a votes-per-person value that is not a whole number from 1 to 99', () => {
    const doc = new Y.Doc();
    for (const bad of [0, -1, 2.5, 100, Number.NaN]) {
      expect(() => openVoting(doc, bad, org)).toThrow(LiveOpError);
    }
    expect(readLive(doc).votingOpen).toBe(false);
  });

  it('hides votes and makes notes anonymous', () => {
    const doc = new Y.Doc();
    setHideVotes(doc, true, org);
    setAnonymousNotes(doc, true, org);
    expect(readLive(doc)).toMatchObject({
      hideVotes: true,
      anonymousNotes: true,
    });
  });

  it('starts a timer on the server clock and clears it', () => {
    const doc = new Y.Doc();
    startTimer(doc, 1_700_000_300_000.4, org);
    expect(readLive(doc).timerEndsAt).toBe(1_700_000_300_000);
    clearTimer(doc, org);
    expect(readLive(doc).timerEndsAt).toBeNull();
    expect(() => startTimer(doc, Number.POSITIVE_INFINITY, org)).toThrow(LiveOpError);
  });

  it('sets a spotlight viewport that every reader sees whole, clamping the zoom', () => {
    const doc = new Y.Doc();
    setSpotlight(doc, { x: 100, y: -40, zoom: 50, at: 123 }, org);
    expect(readLive(doc).spotlight).toEqual({
      x: 100,
      y: -40,
      zoom: 4,
      at: 123,
    });
    expect(() => setSpotlight(doc, { x: Number.NaN, y: 0, zoom: 1, at: 1 }, org)).toThrow(LiveOpError);
    clearSpotlight(doc, org);
    expect(readLive(doc).spotlight).toBeNull();
  });

  it('sets and clears the discussion note, refusing unsafe ids', () => {
    const doc = new Y.Doc();
    setDiscussionNote(doc, 'n1', org);
    expect(readLive(doc).discussionNoteId).toBe('n1');
    expect(() => setDiscussionNote(doc, '__proto__', org)).toThrow(LiveOpError);
    setDiscussionNote(doc, null, org);
    expect(readLive(doc).discussionNoteId).toBeNull();
  });

  it('writes nothing when a value is unchanged', () => {
    const doc = new Y.Doc();
    setBoardLocked(doc, true, org);
    let updates = 0;
    doc.on('update', () => updates++);
    setBoardLocked(doc, true, org);
    expect(updates).toBe(0);
  });

  it('tags every change with the given origin', () => {
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    setHideVotes(doc, true, org);
    expect(origins).toEqual([org]);
  });
});
