import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { extendTimer, LiveOpError, setTimerLabel, startTimer } from '../../shared/ops/live';
import { agendaLive, localOrigin, readLive, TIMER_LABEL_LENGTH } from '../../shared/schema';
import { SioClient } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { startTestServer } from '../helpers/server';

const org = localOrigin('org');

describe('UX5: the shared timer', () => {
  it('UX5: an organizer sets the timer label and +1 min; a participant cannot set the label (refused, never stored)', async () => {
    const server = await startTestServer();
    const board = await server.createBoard('Timer');
    const organizer = new SioClient(server.url, {
      board: board.id,
      token: board.tokens.organizer,
      name: 'Olga',
    });
    const pat = new SioClient(server.url, { board: board.id, token: board.tokens.participant, name: 'Pat' });
    await eventually(() => expect(organizer.synced.size).toBe(3));
    await eventually(() => expect(pat.synced.size).toBe(3));

    const ends = Date.now() + 5 * 60_000;
    setTimerLabel(organizer.docs.agenda, '  Silent brainstorming ', org);
    startTimer(organizer.docs.agenda, ends, org);
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'agenda', (d) => readLive(d).timerLabel)).toBe(
        'Silent brainstorming',
      ),
    );
    // Everyone else reads it.
    await eventually(() => expect(readLive(pat.docs.agenda).timerLabel).toBe('Silent brainstorming'));

    extendTimer(organizer.docs.agenda, 1, Date.now(), org);
    await eventually(async () =>
      expect(await server.docs.read(board.id, 'agenda', (d) => readLive(d).timerEndsAt)).toBe(ends + 60_000),
    );

    // A participant's label is refused as a whole: not stored, not relayed.
    setTimerLabel(pat.docs.agenda, 'Coffee!', localOrigin('pat'));
    await eventually(() =>
      expect(pat.denials).toContainEqual(expect.objectContaining({ doc: 'agenda', code: 'read-only' })),
    );
    expect(await server.docs.read(board.id, 'agenda', (d) => readLive(d).timerLabel)).toBe(
      'Silent brainstorming',
    );
    expect(readLive(organizer.docs.agenda).timerLabel).toBe('Silent brainstorming');
  });

  it('UX5: the label is bounded, +1 min restarts an ended timer from now, and a wrong label type is refused by the gate shape', () => {
    const doc = new Y.Doc();
    setTimerLabel(doc, 'x'.repeat(500), org);
    expect(readLive(doc).timerLabel).toHaveLength(TIMER_LABEL_LENGTH);
    startTimer(doc, 1_000, org);
    extendTimer(doc, 1, 10_000, org);
    expect(readLive(doc).timerEndsAt).toBe(70_000);
    extendTimer(doc, 2, 20_000, org);
    expect(readLive(doc).timerEndsAt).toBe(190_000);
    expect(() => extendTimer(doc, 0, 20_000, org)).toThrow(LiveOpError);
    // A peer that stores a number as the label is read as no label.
    agendaLive(doc).set('timerLabel', 42);
    expect(readLive(doc).timerLabel).toBe('');
  });
});
