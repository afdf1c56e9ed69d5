import { stringify } from 'csv-stringify/sync';
import { totalVotes, type Group } from '../../shared/schema';
import type { BoardSnapshot } from '../boards/snapshot';

export const TASKS_CSV_COLUMNS = ['title', 'owner', 'due', 'status', 'talk', 'note'] as const;

/**
 * Spreadsheet programs run a cell that starts with one of these as a formula
 * (CSV injection), also after leading whitespace or control characters (which
 * some trim) and in their full-width forms (＝＋－＠, which some fold to ASCII);
 * a leading tab or CR is neutralised too. A leading apostrophe makes them show
 * the cell as text instead.
 */
const FORMULA_START = /^(?:[\s\p{Cc}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r])/u;
const asText = (v: string): string => (FORMULA_START.test(v) ? `'${v}` : v);

/**
 * One row per task: RFC 4180 quoting by csv-stringify (commas, quotes and
 * line breaks survive), CRLF line ends, and a UTF-8 byte order mark so that
 * spreadsheet programs detect UTF-8 instead of guessing a legacy code page.
 */
export function toTasksCsv(snapshot: BoardSnapshot): string {
  const talks = new Map(snapshot.agenda.items.map((i) => [i.id, i.title]));
  const notes = new Map(snapshot.notes.map((n) => [n.id, n.text]));
  const rows = snapshot.tasks.map((t) => ({
    title: asText(t.title),
    owner: asText(t.owner),
    due: t.due ?? '',
    status: t.status,
    talk: asText(t.itemId ? (talks.get(t.itemId) ?? '') : ''),
    note: asText(t.noteId ? (notes.get(t.noteId) ?? '') : ''),
  }));
  return stringify(rows, {
    header: true,
    columns: [...TASKS_CSV_COLUMNS],
    bom: true,
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
  });
}

export const NOTES_CSV_COLUMNS = ['text', 'author', 'talk', 'group', 'votes', 'color', 'createdAt'] as const;

/**
 * One row per note, with the same quoting, line ends, byte order mark and
 * formula neutralisation as the tasks. The author is the name the note shows:
 * empty for a pseudonymous note and for every note while the organizer asks
 * for anonymous notes. `createdAt` is ISO 8601 in UTC; `votes` the total.
 */
export function toNotesCsv(content: BoardSnapshot & { groups?: readonly Group[] }): string {
  const talks = new Map(content.agenda.items.map((i) => [i.id, i.title]));
  const groups = new Map((content.groups ?? []).map((g) => [g.id, g.title]));
  const showAuthor = !content.agenda.live.anonymousNotes;
  const rows = content.notes.map((n) => {
    const group = n.groupId ? groups.get(n.groupId) : undefined;
    const created = new Date(n.createdAt);
    return {
      text: asText(n.text),
      author: asText(showAuthor ? n.authorName : ''),
      talk: asText(n.itemId ? (talks.get(n.itemId) ?? '') : ''),
      group: asText(group ?? n.group),
      votes: String(totalVotes(n)),
      color: asText(n.color),
      createdAt: Number.isNaN(created.getTime()) ? '' : created.toISOString(),
    };
  });
  return stringify(rows, {
    header: true,
    columns: [...NOTES_CSV_COLUMNS],
    bom: true,
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
  });
}
