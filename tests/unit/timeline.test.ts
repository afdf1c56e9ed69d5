import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addItem,
  backOnSchedule,
  removeItem,
  setMeta,
  shiftDelay,
  startItemNow,
} from '../../shared/ops/agenda';
import { readAgenda, serverOrigin, type Agenda } from '../../shared/schema';
import { wallTimeToMs } from '../../shared/time/schedule';
import { dayTimeline } from '../../shared/time/timeline';
import { toMinutesMarkdown } from '../../server/export/markdown';
import { agendaToIcs } from '../../server/http/agenda';

/**
 * When each agenda item really ran (docs/SPEC.md AG7): the agenda operations
 * record it, and the minutes, the agenda and the calendar read it, so that
 * starting items early or late one after the other gives an ordered timeline
 * with real times instead of overlapping planned ones.
 */

const origin = serverOrigin('test');
const ZONE = 'Europe/Berlin';
const DATE = '2026-05-12';
const at = (hhmm: string): number => wallTimeToMs(DATE, hhmm, ZONE);

/** The afternoon of the issue: a talk on, then "Open data…", the coffee break and the closing. */
function afternoon(): {
  doc: Y.Doc;
  ids: { stewardship: string; openData: string; coffee: string; closing: string };
} {
  const doc = new Y.Doc();
  setMeta(doc, { title: 'Open science day', timeZone: ZONE, date: DATE }, origin);
  const ids = {
    stewardship: addItem(doc, { start: '15:25', minutes: 20, title: 'Data stewardship' }, origin),
    openData: addItem(doc, { start: '15:45', minutes: 20, title: 'Open data in practice' }, origin),
    coffee: addItem(doc, { start: '16:05', minutes: 20, title: 'Coffee break', kind: 'break' }, origin),
    closing: addItem(doc, { start: '16:25', minutes: 30, title: 'Closing' }, origin),
  };
  return { doc, ids };
}

const minutesOf = (agenda: Agenda): string =>
  toMinutesMarkdown({ board: { id: 'b1', title: 'Board' }, agenda, notes: [], tasks: [], roster: [] });

/** The agenda table's rows of the minutes: `| time | item | speaker |`. */
const agendaRows = (md: string): string[][] =>
  md
    .split('\n')
    .filter((l) => l.startsWith('|') && !l.includes('---'))
    .slice(1)
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );

/** Every timed entry starts when or after the previous one ended. */
function expectOrdered(agenda: Agenda): void {
  const timed = dayTimeline(agenda).filter((e) => !e.skipped);
  for (let i = 1; i < timed.length; i++) {
    expect(timed[i]!.startMs).toBeGreaterThanOrEqual(timed[i - 1]!.endMs);
    expect(timed[i]!.endMs).toBeGreaterThanOrEqual(timed[i]!.startMs);
  }
}

describe('AG7: the day as it really ran', () => {
  it('AG7: starting two items early gives ordered, non-overlapping minutes with the real times', () => {
    const { doc, ids } = afternoon();
    // 15:32: "Open data…" (planned 15:45) starts while "Data stewardship" is on by the clock.
    startItemNow(doc, ids.openData, at('15:32'), origin);
    // 15:35: the coffee break (planned 16:05) starts.
    startItemNow(doc, ids.coffee, at('15:35'), origin);
    const agenda = readAgenda(doc);
    expect(agenda.timeline).toEqual({
      [ids.stewardship]: { start: at('15:25'), end: at('15:32') },
      [ids.openData]: { start: at('15:32'), end: at('15:35') },
      [ids.coffee]: { start: at('15:35'), end: null },
    });
    expectOrdered(agenda);
    expect(agendaRows(minutesOf(agenda))).toEqual([
      ['15:25–15:32', 'Data stewardship', ''],
      ['15:32–15:35 (planned 15:45)', 'Open data in practice', ''],
      ['15:35–15:55 (planned 16:05)', 'Coffee break', ''],
      ['15:55–16:25 (planned 16:25)', 'Closing', ''],
    ]);
  });

  it('AG7: an item passed over is "not held", after the items that ran; the calendar has the real times', () => {
    const { doc, ids } = afternoon();
    // 15:40: straight from the stewardship talk to the coffee break.
    startItemNow(doc, ids.coffee, at('15:40'), origin);
    const agenda = readAgenda(doc);
    const entries = dayTimeline(agenda);
    expect(entries.map((e) => [e.item.title, e.skipped])).toEqual([
      ['Data stewardship', false],
      ['Coffee break', false],
      ['Closing', false],
      ['Open data in practice', true],
    ]);
    expectOrdered(agenda);
    expect(agendaRows(minutesOf(agenda))).toEqual([
      ['15:25–15:40', 'Data stewardship', ''],
      ['15:40–16:00 (planned 16:05)', 'Coffee break', ''],
      ['16:00–16:30 (planned 16:25)', 'Closing', ''],
      ['not held (planned 15:45)', 'Open data in practice', ''],
    ]);
    const ics = agendaToIcs('b1', 'Board', agenda, new Date(at('17:00')));
    const event = (title: string): string => ics.split('BEGIN:VEVENT').find((e) => e.includes(title)) ?? '';
    // 15:25–15:40 Berlin summer time is 13:25–13:40 UTC.
    expect(event('Data stewardship')).toMatch(/DTSTART:20260512T132500Z[\s\S]*DTEND:20260512T134000Z/);
    expect(event('Coffee break')).toMatch(/DTSTART:20260512T134000Z/);
  });

  it('AG7: "+5 min" on the live item keeps its real start and moves its end; back on schedule ends it', () => {
    const { doc, ids } = afternoon();
    startItemNow(doc, ids.openData, at('15:40'), origin);
    shiftDelay(doc, 5, origin, at('15:50'));
    let agenda = readAgenda(doc);
    const live = dayTimeline(agenda).find((e) => e.item.id === ids.openData)!;
    expect([live.startMs, live.endMs]).toEqual([at('15:40'), at('16:05')]);
    // 16:10 (overran): back to the plan; the coffee break is on by the clock.
    backOnSchedule(doc, origin, at('16:10'));
    agenda = readAgenda(doc);
    expect(agenda.timeline?.[ids.openData]).toEqual({ start: at('15:40'), end: at('16:10') });
    expect(agenda.timeline?.[ids.coffee]).toEqual({ start: at('16:10'), end: null });
    expectOrdered(agenda);
  });

  it('AG7: a removed item takes its run with it; without a time nothing is recorded', () => {
    const { doc, ids } = afternoon();
    startItemNow(doc, ids.openData, at('15:32'), origin);
    removeItem(doc, ids.stewardship, origin);
    expect(Object.keys(readAgenda(doc).timeline ?? {})).toEqual([ids.openData]);
    shiftDelay(doc, 5, origin);
    expect(Object.keys(readAgenda(doc).timeline ?? {})).toEqual([ids.openData]);
  });
});
