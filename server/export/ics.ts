import ical, { ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import type { BoardSnapshot } from '../http/context';

const STATUS_TEXT = { open: 'open', doing: 'in progress', done: 'done' } as const;

/**
 * One all-day VEVENT per task with a due date, on that date (ical-generator
 * has no VTODO; an all-day event is what every calendar program imports).
 * UIDs derive from task ids so re-importing updates entries instead of
 * duplicating them.
 */
export function toTasksIcs(snapshot: BoardSnapshot, now: Date = new Date()): string {
  const eventTitle = snapshot.agenda.meta.title || snapshot.board.title;
  const cal = ical({
    name: `${eventTitle}: tasks`,
    prodId: { company: 'Plenary', product: 'tasks', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  const talks = new Map(snapshot.agenda.items.map((i) => [i.id, i.title]));
  const notes = new Map(snapshot.notes.map((n) => [n.id, n.text]));
  for (const t of snapshot.tasks) {
    if (t.due === null) continue;
    // A date in UTC with no time: ical-generator writes it as a plain DATE value.
    const day = DateTime.fromISO(t.due, { zone: 'utc' });
    if (!day.isValid) continue;
    const lines = [
      `Owner: ${t.owner || 'unassigned'}`,
      `Status: ${STATUS_TEXT[t.status]}`,
      `Event: ${eventTitle}`,
    ];
    const talk = t.itemId ? talks.get(t.itemId) : undefined;
    if (talk) lines.push(`Talk: ${talk}`);
    const note = t.noteId ? notes.get(t.noteId) : undefined;
    if (note) lines.push(`From note: ${note}`);
    cal.createEvent({
      id: `${t.id}@${snapshot.board.id}.plenary`,
      start: day,
      end: day.plus({ days: 1 }),
      allDay: true,
      stamp: now,
      summary: t.title,
      description: lines.join('\n'),
    });
  }
  return cal.toString();
}
