import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { toTasksIcs } from '../../server/export/ics';
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
