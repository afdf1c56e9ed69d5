import ical, { escape, ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import type { BoardSnapshot } from '../boards/snapshot';

/** Line breaks of every kind (CR, LF, NEL, Unicode separators) and other whitespace controls. */
const BREAKS = /\r\n|[\r\n\t\v\f\x85\u2028\u2029]/g;
/** Control characters (C0, DEL, C1) that are left after line breaks are handled. */
const CONTROL = /\p{Cc}/gu;

/**
 * Text for a one-line iCalendar value (a title, a name, a UID): every line
 * break becomes a space and other control characters are dropped, so nothing
 * a user typed can end the property and start another one (or an event).
 */
export function icsLine(text: string): string {
  return text.replace(BREAKS, ' ').replace(CONTROL, '').trim();
}

/** Text for a multi-line value (a description): line breaks become LF, which ical-generator escapes as `\n`. */
export function icsLines(text: string): string {
  return text.replace(BREAKS, (b) => (b === '\t' ? ' ' : '\n')).replace(/[^\P{Cc}\n]/gu, '');
}

/**
 * The calendar name (NAME and X-WR-CALNAME), which ical-generator writes
 * unescaped: cleaned to one line, then escaped with ical-generator's own TEXT
 * escaping (backslash, comma, semicolon).
 */
export function icsCalendarName(title: string): string {
  return escape(icsLine(title), false);
}

const STATUS_TEXT = { open: 'open', doing: 'in progress', done: 'done' } as const;

/**
 * One all-day VEVENT per task with a due date, on that date (ical-generator
 * has no VTODO; an all-day event is what every calendar program imports).
 * UIDs derive from task ids so re-importing updates entries instead of
 * duplicating them.
 */
export function toTasksIcs(snapshot: BoardSnapshot, now: Date = new Date()): string {
  // One line: it is the calendar name and part of every description.
  const eventTitle = icsLine(snapshot.agenda.meta.title || snapshot.board.title);
  const cal = ical({
    name: icsCalendarName(`${eventTitle}: tasks`),
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
      `Owner: ${icsLine(t.owner) || 'unassigned'}`,
      `Status: ${STATUS_TEXT[t.status]}`,
      `Event: ${eventTitle}`,
    ];
    const talk = t.itemId ? talks.get(t.itemId) : undefined;
    if (talk) lines.push(`Talk: ${talk}`);
    const note = t.noteId ? notes.get(t.noteId) : undefined;
    if (note) lines.push(`From note: ${note}`);
    cal.createEvent({
      // ical-generator writes UIDs as they are: a peer-written id is cleaned too.
      id: icsLine(`${t.id}@${snapshot.board.id}.plenary`),
      start: day,
      end: day.plus({ days: 1 }),
      allDay: true,
      stamp: now,
      // A title may hold line breaks (kept, escaped as `\n`); other controls are dropped.
      summary: icsLines(t.title),
      description: icsLines(lines.join('\n')),
    });
  }
  return cal.toString();
}
