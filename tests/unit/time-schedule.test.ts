import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIVE,
  type Agenda,
  type AgendaItem,
  type ItemKind,
  type LiveState,
} from '../../shared/schema';
import {
  currentItemAt,
  dayPhase,
  delayToStartNow,
  nextItemAt,
  planDate,
  scheduledItems,
  wallTimeToMs,
} from '../../shared/time/schedule';

const MIN = 60_000;
const utc = (iso: string): number => Date.parse(iso);

function item(id: string, start: string, minutes: number, kind: ItemKind = 'talk'): AgendaItem {
  return { id, start, minutes, title: `Item ${id}`, speaker: '', affiliation: '', url: '', kind };
}

/** A slice of the seed workshop: New York, 2023-01-20 (EST, UTC-5). */
function agenda(live: Partial<LiveState> = {}, date = '2023-01-20', timeZone = 'America/New_York'): Agenda {
  return {
    meta: { title: 'Workshop', timeZone, date, links: {} },
    items: [
      item('intro', '10:00', 15, 'other'),
      item('miro', '10:15', 15, 'other'),
      item('talk1', '10:30', 20),
      item('talk2', '10:50', 20),
      item('lunch', '12:00', 60, 'break'),
      item('disc', '14:30', 150, 'discussion'),
    ],
    live: { ...DEFAULT_LIVE, ...live },
  };
}

describe('AG1: planned times', () => {
  it('places HH:MM event-zone times on the event date in UTC (10:00 New York on 2023-01-20 is 15:00Z)', () => {
    const s = scheduledItems(agenda());
    expect(s[0]?.plannedStartMs).toBe(utc('2023-01-20T15:00:00Z'));
    expect(s[0]?.plannedEndMs).toBe(utc('2023-01-20T15:15:00Z'));
    expect(s[5]?.plannedEndMs).toBe(utc('2023-01-20T22:00:00Z'));
    expect(s.every((i) => i.startMs === i.plannedStartMs && !i.shifted)).toBe(true);
  });

  it('uses the zone offset in force on the date across the spring-forward change of 2023-03-12', () => {
    expect(wallTimeToMs('2023-03-11', '10:00', 'America/New_York')).toBe(utc('2023-03-11T15:00:00Z'));
    expect(wallTimeToMs('2023-03-12', '10:00', 'America/New_York')).toBe(utc('2023-03-12T14:00:00Z'));
  });

  it('moves a wall time skipped by spring-forward (02:30 on 2023-03-12) forward to 03:30 EDT', () => {
    expect(wallTimeToMs('2023-03-12', '02:30', 'America/New_York')).toBe(utc('2023-03-12T07:30:00Z'));
  });

  it('counts durations in real time, so an item across the 02:00 gap ends one wall hour later', () => {
    const a = agenda({}, '2023-03-12');
    a.items = [item('night', '01:30', 60)];
    const [s] = scheduledItems(a);
    expect(s?.plannedStartMs).toBe(utc('2023-03-12T06:30:00Z'));
    expect(s?.plannedEndMs).toBe(utc('2023-03-12T07:30:00Z')); // 03:30 EDT
  });

  it('lets an item run past midnight in the event zone', () => {
    const a = agenda();
    a.items = [item('late', '23:30', 60)];
    expect(scheduledItems(a)[0]?.plannedEndMs).toBe(utc('2023-01-21T05:30:00Z'));
  });

  it('lays out undated agendas on the event-zone date of now, or 1970-01-01 without a now (AG5)', () => {
    const a = agenda({}, '');
    expect(planDate(a, utc('2023-05-02T03:00:00Z'))).toBe('2023-05-01'); // still May 1st in New York
    expect(planDate(a)).toBe('1970-01-01');
  });
});

describe('AG2, AG3: slippage', () => {
  it('shifts every item by the delay when no item is pinned', () => {
    const s = scheduledItems(agenda({ delayMinutes: 10 }));
    expect(s.every((i) => i.startMs - i.plannedStartMs === 10 * MIN && i.shifted)).toBe(true);
  });

  it('shifts the pinned item and every later one, but not the items before it', () => {
    const s = scheduledItems(agenda({ currentItemId: 'talk1', delayMinutes: 10 }));
    expect(s.map((i) => (i.startMs - i.plannedStartMs) / MIN)).toEqual([0, 0, 10, 10, 10, 10]);
    expect(s.map((i) => i.shifted)).toEqual([false, false, true, true, true, true]);
    expect(s[2]?.endMs).toBe(utc('2023-01-20T16:00:00Z'));
  });

  it('computes the delay that makes an item start now, rounded to whole minutes', () => {
    const now = utc('2023-01-20T15:42:20Z'); // 10:42:20 EST, talk1 planned for 10:30
    expect(delayToStartNow(agenda(), 'talk1', now)).toBe(12);
    expect(delayToStartNow(agenda(), 'talk2', now)).toBe(-8);
    expect(() => delayToStartNow(agenda(), 'nope', now)).toThrow(RangeError);
  });

  it('after "start now", the started item begins at now and the next one keeps its gap', () => {
    const now = utc('2023-01-20T15:42:00Z');
    const a = agenda({
      currentItemId: 'talk1',
      delayMinutes: delayToStartNow(agenda(), 'talk1', now),
    });
    const s = scheduledItems(a);
    expect(s[2]?.startMs).toBe(now);
    expect(s[3]?.startMs).toBe(utc('2023-01-20T16:02:00Z'));
    expect(currentItemAt(a, now)?.id).toBe('talk1');
    expect(nextItemAt(a, now)?.id).toBe('talk2');
  });
});

describe('AG4, AG5: current and next item, day phase', () => {
  it('is "before" with the first item next until the first start', () => {
    const now = utc('2023-01-20T14:59:59Z');
    expect(dayPhase(agenda(), now)).toBe('before');
    expect(currentItemAt(agenda(), now)).toBeNull();
    expect(nextItemAt(agenda(), now)?.id).toBe('intro');
  });

  it('follows the clock during the day: the item whose interval contains now', () => {
    expect(currentItemAt(agenda(), utc('2023-01-20T15:00:00Z'))?.id).toBe('intro');
    expect(currentItemAt(agenda(), utc('2023-01-20T15:14:59Z'))?.id).toBe('intro');
    expect(currentItemAt(agenda(), utc('2023-01-20T15:15:00Z'))?.id).toBe('miro');
    expect(nextItemAt(agenda(), utc('2023-01-20T15:15:00Z'))?.id).toBe('talk1');
  });

  it('has no current item in a gap between items, and the next one is upcoming', () => {
    const now = utc('2023-01-20T16:30:00Z'); // 11:30, after talk2 ended 11:10
    expect(dayPhase(agenda(), now)).toBe('during');
    expect(currentItemAt(agenda(), now)).toBeNull();
    expect(nextItemAt(agenda(), now)?.id).toBe('lunch');
  });

  it('follows the shifted schedule: with a 10 min delay talk1 is still on at 10:55', () => {
    const a = agenda({ delayMinutes: 10 });
    expect(currentItemAt(a, utc('2023-01-20T15:55:00Z'))?.id).toBe('talk1');
    expect(currentItemAt(agenda(), utc('2023-01-20T15:55:00Z'))?.id).toBe('talk2');
  });

  it("keeps the organizer's pinned item current while it overruns", () => {
    const a = agenda({ currentItemId: 'talk1' });
    expect(currentItemAt(a, utc('2023-01-20T16:05:00Z'))?.id).toBe('talk1');
    expect(nextItemAt(a, utc('2023-01-20T16:05:00Z'))?.id).toBe('talk2');
  });

  it('ends the day at the last actual end, pinned or not; a delay moves the end', () => {
    const end = utc('2023-01-20T22:00:00Z');
    expect(dayPhase(agenda(), end - 1)).toBe('during');
    expect(dayPhase(agenda(), end)).toBe('after');
    expect(currentItemAt(agenda({ currentItemId: 'disc' }), end)).toBeNull();
    expect(nextItemAt(agenda(), end)).toBeNull();
    expect(dayPhase(agenda({ currentItemId: 'disc', delayMinutes: 5 }), end)).toBe('during');
  });

  it('an undated agenda has phase "undated" and only the pinned item is current (AG5)', () => {
    const now = utc('2023-01-20T15:05:00Z');
    expect(dayPhase(agenda({}, ''), now)).toBe('undated');
    expect(currentItemAt(agenda({}, ''), now)).toBeNull();
    expect(currentItemAt(agenda({ currentItemId: 'talk2' }, ''), now)?.id).toBe('talk2');
    expect(nextItemAt(agenda({ currentItemId: 'talk2' }, ''), now)?.id).toBe('lunch');
  });

  it('a dated agenda without items spans its calendar day in the event zone', () => {
    const a = { ...agenda(), items: [] };
    expect(dayPhase(a, utc('2023-01-20T04:59:00Z'))).toBe('before');
    expect(dayPhase(a, utc('2023-01-20T05:00:00Z'))).toBe('during');
    expect(dayPhase(a, utc('2023-01-21T05:00:00Z'))).toBe('after');
  });

  it('ignores a pin that names an item no longer on the agenda', () => {
    const a = agenda({ currentItemId: 'gone', delayMinutes: 10 });
    expect(currentItemAt(a, utc('2023-01-20T15:12:00Z'))?.id).toBe('intro');
  });
});
