import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { toTasksIcs } from '../../server/export/ics';
import { agendaToIcs } from '../../server/http/agenda';
import { createTask } from '../../shared/ops/tasks';
import { serverOrigin } from '../../shared/schema';
import { buildWorkshop, newBoardDocs, snapshotOf, WORKSHOP } from '../fixtures/boards/workshop';

function entries(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  return [...cal.getAllSubcomponents('vevent'), ...cal.getAllSubcomponents('vtodo')].map((c) => {
    const start = c.getFirstPropertyValue('dtstart') ?? c.getFirstPropertyValue('due');
    return {
      uid: String(c.getFirstPropertyValue('uid')),
      summary: String(c.getFirstPropertyValue('summary')),
      description: String(c.getFirstPropertyValue('description')),
      start: start as ICAL.Time,
    };
  });
}

describe('tasks.ics', () => {
  const { docs, ids } = buildWorkshop();
  const snapshot = snapshotOf(docs);
  const ics = toTasksIcs(snapshot, new Date(Date.UTC(2023, 0, 20, 17)));
  const dated = snapshot.tasks.filter((t) => t.due !== null);

  it('an iCalendar parser finds one entry per task with a due date, and none for undated tasks', () => {
    const found = entries(ics);
    expect(dated.length).toBeGreaterThan(0);
    expect(found).toHaveLength(dated.length);
    expect(found.map((e) => e.summary).sort()).toEqual(dated.map((t) => t.title).sort());
    expect(found.map((e) => e.summary)).not.toContain('Plan the next workshop');
  });

  it('each entry is all-day on the due date', () => {
    const found = entries(ics);
    for (const t of dated) {
      const e = found.find((x) => x.summary === t.title)!;
      expect(e.start.isDate).toBe(true);
      expect(e.start.toString()).toBe(t.due);
    }
  });

  it('summary keeps the exact title; the description names owner, status and talk', () => {
    const e = entries(ics).find((x) => x.summary === WORKSHOP.trickyTitle)!;
    expect(e.description).toContain('Owner: Ana Souza');
    expect(e.description).toContain('Status: open');
    expect(e.description).toContain('Talk: Harmonising scanners');
    const fromNote = entries(ics).find((x) => x.uid.startsWith(ids.tasks.fromNote))!;
    expect(fromNote.description).toContain('Owner: Kenji Watanabe');
    expect(fromNote.description).toContain('From note: Write a data-sharing agreement');
    const unassigned = entries(ics).find((x) => x.summary === 'Collect slides')!;
    expect(unassigned.description).toContain('Owner: unassigned');
  });

  it('UIDs are stable per task so that a re-import updates entries', () => {
    const again = toTasksIcs(snapshot, new Date());
    expect(entries(again).map((e) => e.uid)).toEqual(entries(ics).map((e) => e.uid));
    expect(new Set(entries(ics).map((e) => e.uid)).size).toBe(dated.length);
  });

  it('a board without dated tasks is still a valid, empty calendar', () => {
    const empty = toTasksIcs(snapshotOf(newBoardDocs()));
    expect(empty).toMatch(/^BEGIN:VCALENDAR/);
    expect(entries(empty)).toEqual([]);
  });
});

describe('iCalendar injection (issue 9)', () => {
  /** A title that, written as is, would end the property and add an event of its own. */
  const attack = (nl: string): string =>
    [
      'Workshop',
      'BEGIN:VEVENT',
      'UID:injected@evil',
      'DTSTAMP:20230101T000000Z',
      'DTSTART:20300101T000000Z',
      'SUMMARY:Injected',
      'END:VEVENT',
      'X-TAIL:x',
    ].join(nl);
  const breaks = ['\r\n', '\n', '\r', '\u2028', '\x85', '\v', '\f'];

  const parsed = (ics: string) => new ICAL.Component(ICAL.parse(ics));
  const rawLines = (ics: string): string[] => ics.replace(/\r\n[ \t]/g, '').split('\r\n');

  it.each(breaks.map((nl) => [JSON.stringify(nl), nl] as const))(
    'a board title with %s cannot add an event or a property to tasks.ics (calendar name escaped by ical-generator)',
    (_name, nl) => {
      const title = `${attack(nl)}; a, b\\`;
      const ics = toTasksIcs(snapshotOf(newBoardDocs(), { id: 'b1', title }));
      const cal = parsed(ics);
      expect(cal.getAllSubcomponents('vevent')).toHaveLength(0);
      expect(rawLines(ics).filter((l) => l.startsWith('BEGIN:VEVENT'))).toEqual([]);
      expect(rawLines(ics).filter((l) => /^(UID|SUMMARY|DTSTART|X-TAIL)/.test(l))).toEqual([]);
      // One NAME and one X-WR-CALNAME, each the whole title on one line, TEXT-escaped
      // (ical.js leaves these properties' values as written).
      const name = String(cal.getFirstPropertyValue('name'));
      expect(cal.getAllProperties('name')).toHaveLength(1);
      expect(cal.getAllProperties('x-wr-calname')).toHaveLength(1);
      expect(name).toMatch(/^Workshop BEGIN:VEVENT UID:injected@evil .* X-TAIL:x\\; a\\, b\\\\: tasks$/);
      expect(String(cal.getFirstPropertyValue('x-wr-calname'))).toBe(name);
    },
  );

  it('an agenda title with CRLF cannot add an event to agenda.ics', () => {
    const { docs } = buildWorkshop();
    const { agenda } = snapshotOf(docs);
    const hostile = { ...agenda, meta: { ...agenda.meta, title: attack('\r\n') } };
    const ics = agendaToIcs('b1', 'Board', hostile);
    const cal = parsed(ics);
    const events = cal.getAllSubcomponents('vevent');
    expect(events).toHaveLength(agenda.items.length);
    expect(events.map((e) => String(e.getFirstPropertyValue('uid')))).not.toContain('injected@evil');
    expect(String(cal.getFirstPropertyValue('name'))).not.toMatch(/[\r\n]/);
    // The event title in each description is cleaned as well.
    for (const e of events)
      expect(String(e.getFirstPropertyValue('description'))).toContain('Event: Workshop BEGIN:VEVENT');
  });

  it('control characters in task titles, owners and ids never start a new property', () => {
    const docs = newBoardDocs();
    createTask(
      docs.tasks,
      {
        title: `Fix it${attack('\r\n')}\x00\x1b\x7f`,
        owner: 'Eve\rATTENDEE:mailto:eve@evil',
        due: '2023-02-01',
      },
      serverOrigin('t'),
    );
    const ics = toTasksIcs(snapshotOf(docs));
    const cal = parsed(ics);
    const events = cal.getAllSubcomponents('vevent');
    expect(events).toHaveLength(1);
    expect(events[0]!.getAllProperties('attendee')).toHaveLength(0);
    expect(String(events[0]!.getFirstPropertyValue('summary'))).not.toMatch(/[^\P{Cc}\n]/u);
    expect(rawLines(ics).filter((l) => /^(BEGIN:VEVENT|UID:)/.test(l))).toHaveLength(2);
    // Nothing but the CRLF line ends: no control character is left in the file.
    expect(/[^\P{Cc}\r\n]|\r(?!\n)|(?<!\r)\n/u.test(ics)).toBe(false);
  });
});
