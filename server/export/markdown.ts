import type {
  Heading,
  List,
  ListItem,
  Paragraph,
  PhrasingContent,
  Root,
  RootContent,
  Table,
  TableRow,
} from 'mdast';
import { gfmToMarkdown } from 'mdast-util-gfm';
import { toMarkdown } from 'mdast-util-to-markdown';
import { DateTime } from 'luxon';
import { byOwner } from '../../shared/ops/tasks';
import { totalVotes, type Group, type Note, type Task } from '../../shared/schema';
import { dayTimeline, type TimelineEntry } from '../../shared/time/timeline';
import type { BoardSnapshot } from '../boards/snapshot';
import type { QuestionView } from '../questions/service';

/**
 * The minutes: event title and date, the agenda with the times it actually
 * ran, notes by talk sorted by votes, tasks by owner. Built as a Markdown
 * syntax tree and serialized by mdast-util-to-markdown, so any user text
 * (a note saying "# 1. *not* a heading") is escaped by the serializer rather
 * than by hand.
 */

const text = (value: string): PhrasingContent => ({ type: 'text', value });
const strong = (value: string): PhrasingContent => ({ type: 'strong', children: [text(value)] });
const emphasis = (value: string): PhrasingContent => ({
  type: 'emphasis',
  children: [text(value)],
});
const heading = (depth: 1 | 2 | 3, value: string): Heading => ({
  type: 'heading',
  depth,
  children: [text(value)],
});
const paragraph = (...children: PhrasingContent[]): Paragraph => ({ type: 'paragraph', children });

/** Multi-line user text keeps its line breaks as hard breaks inside one paragraph. */
const multiline = (value: string): PhrasingContent[] =>
  value.split(/\r\n|\r|\n/).flatMap((line, i) => (i === 0 ? [text(line)] : [{ type: 'break' }, text(line)]));

/** Table cells are one line. */
const oneLine = (value: string): string => value.replace(/\s*[\r\n]+\s*/g, ' ');

const list = (items: ListItem[]): List => ({
  type: 'list',
  ordered: false,
  spread: false,
  children: items,
});

const listItem = (children: PhrasingContent[], checked: boolean | null = null): ListItem => ({
  type: 'listItem',
  spread: false,
  checked,
  children: [paragraph(...children)],
});

function formatDate(date: string): string {
  const d = DateTime.fromISO(date, { zone: 'utc' });
  return d.isValid ? d.setLocale('en').toFormat('cccc d LLLL yyyy') : date;
}

const hhmm = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toFormat('HH:mm');

/** The agenda as the day ran (AG7): real times in order, the planned time where it differs, skipped items last. */
function agendaTable(entries: TimelineEntry[], zone: string): Table {
  const cell = (value: string) => ({
    type: 'tableCell' as const,
    children: [text(oneLine(value))],
  });
  const row = (cells: string[]): TableRow => ({ type: 'tableRow', children: cells.map(cell) });
  const rows = entries.map(({ item: it, startMs, endMs, skipped }) => {
    let time = skipped ? 'not held' : `${hhmm(startMs, zone)}–${hhmm(endMs, zone)}`;
    if (skipped || hhmm(startMs, zone) !== hhmm(it.plannedStartMs, zone))
      time += ` (planned ${hhmm(it.plannedStartMs, zone)})`;
    const who = [it.speaker, it.affiliation ? `(${it.affiliation})` : ''].filter(Boolean).join(' ');
    return row([time, it.title, who]);
  });
  return {
    type: 'table',
    align: ['left', 'left', 'left'],
    children: [row(['Time', 'Item', 'Speaker']), ...rows],
  };
}

function noteItem(n: Note, showAuthor: boolean): ListItem {
  const votes = totalVotes(n);
  const parts: PhrasingContent[] = [strong(`${votes} vote${votes === 1 ? '' : 's'}`), text(': ')];
  parts.push(...multiline(n.text));
  if (showAuthor && n.authorName) parts.push(text(' — '), emphasis(n.authorName));
  return listItem(parts);
}

function taskItem(t: Task, talks: Map<string, string>): ListItem {
  const details = [t.due ? `due ${t.due}` : 'no due date', t.status];
  const talk = t.itemId ? talks.get(t.itemId) : undefined;
  if (talk) details.push(`talk: ${oneLine(talk)}`);
  return listItem([...multiline(t.title), text(' — '), emphasis(details.join(', '))], t.status === 'done');
}

export function toMinutesMarkdown(
  snapshot: BoardSnapshot & { groups?: readonly Group[]; questions?: readonly QuestionView[] },
): string {
  const { agenda, tasks } = snapshot;
  const zone = agenda.meta.timeZone;
  const title = agenda.meta.title || snapshot.board.title;
  const talks = new Map(agenda.items.map((i) => [i.id, i.title]));
  const out: RootContent[] = [heading(1, title)];

  out.push(
    paragraph(
      text(agenda.meta.date ? formatDate(agenda.meta.date) : 'Date not set'),
      text(` · times in ${zone}`),
    ),
  );

  out.push(heading(2, 'Agenda'));
  if (agenda.items.length === 0) out.push(paragraph(emphasis('No agenda items.')));
  else {
    const entries = dayTimeline(agenda);
    out.push(agendaTable(entries, zone));
    if (entries.some((e) => e.skipped || e.startMs !== e.item.plannedStartMs))
      out.push(
        paragraph(emphasis('Times are as the day actually ran; an item that moved shows its planned start.')),
      );
  }

  out.push(heading(2, 'Notes'));
  // An empty note (left behind by someone who never typed) says nothing: never "0 votes: —".
  const written = snapshot.notes.filter((n) => n.text.trim() !== '');
  if (written.length === 0) out.push(paragraph(emphasis('No notes.')));
  const byVotes = (a: Note, b: Note): number =>
    totalVotes(b) - totalVotes(a) || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
  const showAuthor = !agenda.live.anonymousNotes;
  // Groups first (issue 11), most voted first (the group's votes, then its notes'); their notes
  // are listed under them and not again under their talks.
  const groups = (snapshot.groups ?? [])
    .map((g) => {
      const members = written.filter((n) => n.groupId === g.id).sort(byVotes);
      return { g, members, votes: totalVotes(g) + members.reduce((s, n) => s + totalVotes(n), 0) };
    })
    .filter((x) => x.members.length > 0)
    .sort((a, b) => b.votes - a.votes || a.g.title.localeCompare(b.g.title) || a.g.id.localeCompare(b.g.id));
  for (const { g, members } of groups) {
    const votes = totalVotes(g);
    const title = `Group: ${oneLine(g.title) || 'Untitled group'}${votes > 0 ? ` (${votes} vote${votes === 1 ? '' : 's'})` : ''}`;
    out.push(heading(3, title), list(members.map((n) => noteItem(n, showAuthor))));
  }
  const grouped = new Set(groups.flatMap((x) => x.members.map((n) => n.id)));
  const notes = written.filter((n) => !grouped.has(n.id));
  const known = new Set(agenda.items.map((i) => i.id));
  for (const item of agenda.items) {
    const group = notes.filter((n) => n.itemId === item.id).sort(byVotes);
    if (group.length === 0) continue;
    out.push(
      heading(3, oneLine(item.title) || 'Untitled item'),
      list(group.map((n) => noteItem(n, showAuthor))),
    );
  }
  const loose = notes.filter((n) => n.itemId === null || !known.has(n.itemId)).sort(byVotes);
  if (loose.length > 0)
    out.push(heading(3, 'Not linked to a talk'), list(loose.map((n) => noteItem(n, showAuthor))));

  // Q&A (issue 11, QA5): each talk's public questions, most upvoted first, and whether answered.
  const asked = (snapshot.questions ?? []).filter((q) => q.status === 'visible' || q.status === 'answered');
  if (asked.length > 0) {
    out.push(heading(2, 'Questions'));
    const byUpvotes = (a: QuestionView, b: QuestionView): number =>
      b.upvotes - a.upvotes || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
    const questionItem = (q: QuestionView): ListItem => {
      const parts: PhrasingContent[] = [
        strong(`${q.upvotes} upvote${q.upvotes === 1 ? '' : 's'}`),
        text(': '),
      ];
      parts.push(...multiline(q.text));
      const who = showAuthor && q.authorName ? ` — ${q.authorName}` : '';
      parts.push(text(who), text(' '), emphasis(q.status === 'answered' ? '(answered)' : '(not answered)'));
      return listItem(parts, q.status === 'answered');
    };
    for (const item of agenda.items) {
      const mine = asked.filter((q) => q.itemId === item.id).sort(byUpvotes);
      if (mine.length > 0)
        out.push(heading(3, oneLine(item.title) || 'Untitled item'), list(mine.map(questionItem)));
    }
    const elsewhere = asked.filter((q) => q.itemId === null || !known.has(q.itemId)).sort(byUpvotes);
    if (elsewhere.length > 0) out.push(heading(3, 'Not linked to a talk'), list(elsewhere.map(questionItem)));
  }

  out.push(heading(2, 'Tasks'));
  if (tasks.length === 0) out.push(paragraph(emphasis('No tasks.')));
  for (const g of byOwner(tasks)) {
    const sorted = [...g.tasks].sort(
      (a, b) => (a.due ?? '9999').localeCompare(b.due ?? '9999') || a.createdAt - b.createdAt,
    );
    out.push(
      heading(3, `${g.owner ? oneLine(g.owner) : 'Unassigned'} (${g.count})`),
      list(sorted.map((t) => taskItem(t, talks))),
    );
  }

  const root: Root = { type: 'root', children: out };
  return toMarkdown(root, { extensions: [gfmToMarkdown()], bullet: '-', rule: '-' });
}
