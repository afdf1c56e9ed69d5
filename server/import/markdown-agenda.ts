import type { PhrasingContent, Table, TableRow } from 'mdast';
import { isSafeUrl, LIMITS, minutesToHHMM, type AgendaMeta, type ItemKind } from '../../shared/schema';
import { linksIn, plainText, readPersonCell, readTalkCell, titleText } from './cells';
import { datesInText } from './dates';
import { namedLinks } from './links';
import { repairMojibake } from './mojibake';
import { pageLinks, pageTitle, parseMarkdown, textBlocks, type TextBlock } from './page';
import { parseTimeCell, type ClockTime } from './times';
import { findTimeZone } from './time-zone';

/**
 * Import of an existing workshop page (issue 3, docs/import.md "Agenda
 * import"): the page is parsed as CommonMark + GFM, the first table with a
 * time column and a title column becomes the agenda, and the text around it
 * gives the title, date, time zone and links.
 */

export interface ImportedItem {
  /** `HH:MM`, 24-hour, in the event's zone. */
  start: string;
  minutes: number;
  title: string;
  speaker: string;
  affiliation: string;
  url: string;
  kind: ItemKind;
}

export interface AgendaImport {
  meta: AgendaMeta;
  items: ImportedItem[];
  /** Everything the importer guessed, corrected or skipped, naming the row. */
  warnings: string[];
  /** Which meta fields the page gave (the others hold defaults: '' or UTC). */
  found: { title: boolean; timeZone: boolean; date: boolean };
}

export type AgendaImportErrorCode = 'no-agenda-table' | 'too-large' | 'not-text' | 'too-complex';

export class AgendaImportError extends Error {
  constructor(
    readonly code: AgendaImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgendaImportError';
  }
}

export const NO_TABLE_MESSAGE =
  'No agenda table found. Expected a Markdown table with a time column (such as "10:00", "9:00 AM" or "0900 - 0930") and a title or topic column, for example:\n\n| Time | Topic |\n|---|---|\n| 10:00 | Welcome |';

/**
 * Longest page the importer reads. The CommonMark parser reads roughly
 * 50–100 KB/s and worse than linearly on pathological input, so the HTTP
 * route runs it in a worker thread with a time limit (parse-in-worker.ts):
 * the sync loop never waits for it. Real workshop pages are a few kilobytes
 * (the seed page has about 4,500 characters).
 */
export const MAX_PAGE_CHARS = 500_000;

/** Minutes given to a last item that has neither an end time nor a closing row. */
export const DEFAULT_LAST_MINUTES = 30;

const TIME_HEADER = /\b(?:time|times|when|hours?|start|from|slot|uhr|zeit|heure|horaire|hora)\b/iu;
const TITLE_HEADER =
  /\b(?:topic|title|session|talk|agenda|what|subject|activity|program(?:me)?|item|event|theme|thema)\b/iu;
const WEAK_TITLE_HEADER = /\b(?:description|content|details)\b/iu;
const SPEAKER_HEADER =
  /\b(?:speakers?|presenters?|who|by|hosts?|moderators?|chairs?|leads?|facilitators?|names?|presented)\b/iu;

/** A row that only marks when the day ends: it ends the previous item instead of becoming one. */
const CLOSING =
  /^(?:adjourn(?:ed|ment)?|(?:the )?end|end of (?:the )?(?:day|workshop|meeting|event|session)|close|closed|finish|fin)\s*[.!]*$/iu;

const BREAK =
  /^(?:\W*)(?:(?:coffee|tea|lunch|short|long|comfort)\s+)?(?:break|lunch|coffee|caf[eé]|pause|recess|tea|dinner|breakfast)(?![\p{L}])/iu;
const DISCUSSION =
  /\b(?:discussions?|panel|q\s*&\s*a|questions|open floor|round ?table|breakout|brainstorm(?:ing)?|fishbowl)\b/iu;

export function kindOf(title: string, speaker: string): ItemKind {
  if (BREAK.test(title)) return 'break';
  if (DISCUSSION.test(title)) return 'discussion';
  if (speaker !== '') return 'talk';
  return 'other';
}

const cellNodes = (row: TableRow, c: number): PhrasingContent[] => row.children[c]?.children ?? [];
const cellText = (row: TableRow, c: number): string => plainText(cellNodes(row, c));

interface Columns {
  time: number;
  title: number;
  speaker: number | null;
  /** Other non-empty columns: comments, links. */
  others: number[];
  /** GFM tables always have a header row; when it holds a time it is a data row. */
  headerIsRow: boolean;
}

function analyseColumns(table: Table): Columns | null {
  const [header, ...body] = table.children;
  if (!header) return null;
  const width = Math.max(...table.children.map((r) => r.children.length));
  const heads = Array.from({ length: width }, (_, c) => cellText(header, c));
  const stats = heads.map((_, c) => {
    const texts = body.map((r) => cellText(r, c)).filter((t) => t !== '');
    return {
      filled: texts.length,
      times: texts.filter((t) => parseTimeCell(t) !== null).length,
      chars: texts.reduce((n, t) => n + t.length, 0),
    };
  });
  const isTimeCol = (c: number): boolean => {
    const s = stats[c];
    return s !== undefined && s.times > 0 && s.times * 2 >= s.filled;
  };
  const timeCols = heads.map((_, c) => c).filter(isTimeCol);
  const time =
    timeCols.find((c) => TIME_HEADER.test(heads[c] ?? '')) ??
    [...timeCols].sort((a, b) => (stats[b]?.times ?? 0) - (stats[a]?.times ?? 0) || a - b)[0];
  if (time === undefined) return null;
  const free = heads.map((_, c) => c).filter((c) => c !== time && (stats[c]?.filled ?? 0) > 0);
  const speaker =
    free.find((c) => SPEAKER_HEADER.test(heads[c] ?? '') && !TITLE_HEADER.test(heads[c] ?? '')) ?? null;
  const candidates = free.filter((c) => c !== speaker);
  const title =
    candidates.find((c) => TITLE_HEADER.test(heads[c] ?? '')) ??
    candidates.find((c) => WEAK_TITLE_HEADER.test(heads[c] ?? '')) ??
    [...candidates].sort((a, b) => (stats[b]?.chars ?? 0) - (stats[a]?.chars ?? 0) || a - b)[0];
  if (title === undefined) return null;
  return {
    time,
    title,
    speaker,
    others: candidates.filter((c) => c !== title),
    headerIsRow: parseTimeCell(heads[time] ?? '') !== null,
  };
}

/** One table row that has a time, before times are put in order. */
interface Entry {
  label: string;
  start: ClockTime;
  end: ClockTime | null;
  closing: boolean;
  title: string;
  speaker: string;
  affiliation: string;
  url: string;
}

/** "X (Affiliation): X" or "X: X", a copy-paste slip seen on real pages, becomes "X". */
function dropRepeatedTitle(title: string, affiliation: string): string {
  const i = title.indexOf(': ');
  if (i < 0) return title;
  let head = title.slice(0, i).trim();
  const tail = title.slice(i + 2).trim();
  if (affiliation && head.endsWith(`(${affiliation})`)) head = head.slice(0, -affiliation.length - 2).trim();
  return head === tail ? tail : title;
}

function fallbackTitle(speaker: string, url: string): string {
  if (speaker) return `Talk by ${speaker}`;
  try {
    return new URL(url).hostname.replace(/^www\./u, '');
  } catch {
    return '';
  }
}

function readRow(row: TableRow, n: number, cols: Columns, warnings: string[]): Entry | null {
  const timeText = cellText(row, cols.time);
  const titleNodes = cellNodes(row, cols.title);
  const rowText = row.children
    .map((c) => plainText(c.children))
    .join(' ')
    .trim();
  const when = parseTimeCell(timeText);
  const label = `row ${n} (${timeText || 'no time'}${rowText ? `, "${titleText(titleNodes).slice(0, 40)}"` : ''})`;
  if (!when) {
    if (rowText !== '') warnings.push(`${label}: no time in the time column; row skipped`);
    return null;
  }
  const person = cols.speaker === null ? null : readPersonCell(cellNodes(row, cols.speaker));
  // With a named speaker in its own column, bold text in the title cell is
  // emphasis ("**Tide gauges**: what ports publish"), not a speaker.
  const talk = person?.speaker ? null : readTalkCell(titleNodes);
  let title = talk ? talk.title : titleText(titleNodes);
  const speaker = talk?.speaker ?? person?.speaker ?? '';
  const affiliation = talk?.affiliation ?? person?.affiliation ?? '';
  let url = (talk ? talk.url : linksIn(titleNodes)[0]?.url) || (person?.url ?? '');
  for (const c of cols.others) url ||= linksIn(cellNodes(row, c))[0]?.url ?? '';
  if (url !== '' && !isSafeUrl(url)) {
    const shown = String(url).slice(0, 60);
    warnings.push(`${label}: link "${shown}" is not an http(s) link; dropped`);
    url = '';
  }
  const deduped = dropRepeatedTitle(title, affiliation);
  if (deduped !== title) {
    warnings.push(`${label}: the title repeated itself; kept "${deduped}"`);
    title = deduped;
  }
  title ||= fallbackTitle(speaker, url);
  if (title === '') {
    warnings.push(`${label}: no title; row skipped`);
    return null;
  }
  const closing = speaker === '' && CLOSING.test(title);
  const clip = (s: string): string => s.slice(0, LIMITS.titleLength);
  return {
    label,
    start: when.start,
    end: when.end,
    closing,
    title: clip(title),
    speaker: clip(speaker),
    affiliation: clip(affiliation),
    url,
  };
}

/**
 * Puts start times in order. A time that is earlier than the previous row's,
 * or later than the next row's, is moved by twelve hours when that makes it
 * fit: a stray "PM" on 11:35 between 11:15 and 11:55, or "1:00" after
 * "12:00" on a page that writes the afternoon in 12-hour form.
 */
function orderTimes(entries: Entry[], warnings: string[]): number[] {
  const starts: number[] = [];
  entries.forEach((e, i) => {
    const t = e.start.minutes;
    const prev = starts[i - 1];
    const next = entries[i + 1]?.start.minutes;
    const fits = (x: number): boolean =>
      x >= 0 &&
      x < 1440 &&
      (prev === undefined || x >= prev) &&
      (next === undefined || x <= next || next < (prev ?? 0));
    let chosen = t;
    if (prev !== undefined && t < prev && fits(t + 720)) chosen = t + 720;
    else if (next !== undefined && t > next && (prev === undefined || next >= prev) && fits(t - 720))
      chosen = t - 720;
    if (chosen !== t) {
      warnings.push(
        `${e.label}: time out of order; read as ${minutesToHHMM(chosen)} instead of ${minutesToHHMM(t)}`,
      );
    } else if (prev !== undefined && t < prev) {
      warnings.push(`${e.label}: time is earlier than the row before it; kept as ${minutesToHHMM(t)}`);
    }
    starts.push(chosen);
  });
  return starts;
}

function endOf(e: Entry, start: number, warnings: string[]): number | null {
  if (!e.end) return null;
  let end = e.end.minutes;
  // "12:30 - 1:00" without AM/PM: the end is in the afternoon.
  if (end <= start && e.end.meridiem === null && end + 720 > start && end + 720 < 1440) end += 720;
  if (end <= start) {
    warnings.push(`${e.label}: the range ends before it starts; the end is ignored`);
    return null;
  }
  return end;
}

function buildItems(entries: Entry[], warnings: string[]): ImportedItem[] {
  const starts = orderTimes(entries, warnings);
  const items: ImportedItem[] = [];
  entries.forEach((e, i) => {
    if (e.closing) return;
    const start = starts[i] as number;
    let end = endOf(e, start, warnings);
    if (end === null) {
      end = starts.slice(i + 1).find((s) => s > start) ?? null;
      if (end === null) {
        warnings.push(`${e.label}: no end time and no later row; assumed ${DEFAULT_LAST_MINUTES} minutes`);
        end = Math.min(start + DEFAULT_LAST_MINUTES, 1439);
      }
    }
    items.push({
      start: minutesToHHMM(start),
      minutes: Math.min(end - start, LIMITS.maxMinutes),
      title: e.title,
      speaker: e.speaker,
      affiliation: e.affiliation,
      url: e.url,
      kind: kindOf(e.title, e.speaker),
    });
  });
  return items;
}

function agendaTable(tables: Table[]): { table: Table; cols: Columns } | null {
  for (const table of tables) {
    const cols = analyseColumns(table);
    if (cols) return { table, cols };
  }
  return null;
}

function metaFrom(
  blocks: TextBlock[],
  table: Table,
  timeHeader: string,
  title: string,
  links: AgendaMeta['links'],
  warnings: string[],
  zoneFound: { value: boolean },
): AgendaMeta {
  const outside = blocks.filter((b) => b.table !== table);
  const tableAt = blocks.findIndex((b) => b.table === table);
  const before = blocks.slice(0, tableAt < 0 ? blocks.length : tableAt).filter((b) => b.table !== table);
  const after = outside.filter((b) => !before.includes(b));
  const zone = findTimeZone([
    timeHeader,
    ...[...before].reverse().map((b) => b.text),
    ...after.map((b) => b.text),
  ]);
  let timeZone = 'UTC';
  if (zone) {
    zoneFound.value = true;
    timeZone = zone.zone;
    if (zone.warning) warnings.push(zone.warning);
  } else {
    warnings.push("no time zone found in the page; times are read as UTC: set the event's time zone");
  }
  const dates = outside.flatMap((b) => datesInText(b.text));
  const first = dates[0];
  let date = '';
  if (first) {
    date = first.date;
    if (first.warning) warnings.push(first.warning);
    const others = [...new Set(dates.map((d) => d.date))].filter((d) => d !== date);
    if (others.length > 0)
      warnings.push(
        `the page mentions several dates (${[date, ...others].join(', ')}); used the first, ${date}`,
      );
  } else {
    warnings.push("no date found in the page: set the event's date");
  }
  if (title === '')
    warnings.push("no title found (no heading and no front matter title): set the event's title");
  return { title: title.slice(0, LIMITS.titleLength), timeZone, date, links };
}

/**
 * Parses a workshop page. Throws `AgendaImportError` when the page has no
 * table with a time column and a title column; everything else that had to
 * be guessed or skipped is reported in `warnings`.
 */
export function parseAgendaPage(markdown: string): AgendaImport {
  if (typeof markdown !== 'string') throw new AgendaImportError('not-text', 'markdown must be a string');
  if (markdown.length > MAX_PAGE_CHARS)
    throw new AgendaImportError(
      'too-large',
      `the page has ${markdown.length} characters; an agenda page may have at most ${MAX_PAGE_CHARS}`,
    );
  const warnings: string[] = [];
  const repaired = repairMojibake(markdown);
  if (repaired !== markdown)
    warnings.push('repaired mis-encoded characters (UTF-8 that had been read as Windows-1252/Latin-1)');
  const tree = parseMarkdown(repaired);
  const tables: Table[] = [];
  for (const n of tree.children) if (n.type === 'table') tables.push(n);
  // Tables nested in lists or block quotes count too, after top-level ones.
  textBlocks(tree).forEach((b) => {
    if (b.table && !tables.includes(b.table)) tables.push(b.table);
  });
  const found = agendaTable(tables);
  if (!found) throw new AgendaImportError('no-agenda-table', NO_TABLE_MESSAGE);
  const { table, cols } = found;

  const [header, ...body] = table.children;
  const rows = cols.headerIsRow && header ? [header, ...body] : body;
  const entries = rows
    .map((row, i) => readRow(row, i + 1, cols, warnings))
    .filter((e): e is Entry => e !== null);
  let items = buildItems(entries, warnings);
  if (items.length > LIMITS.maxItems) {
    warnings.push(`the table has ${items.length} items; kept the first ${LIMITS.maxItems}`);
    items = items.slice(0, LIMITS.maxItems);
  }
  if (items.length === 0) throw new AgendaImportError('no-agenda-table', NO_TABLE_MESSAGE);

  const links = namedLinks(
    // Inside the agenda table a link belongs to its item: only its host can make it a page link.
    pageLinks(tree).map((l) => (l.table === table ? { url: l.url, text: '', context: '' } : l)),
  );
  const timeHeader = header ? cellText(header, cols.time) : '';
  const zoneFound = { value: false };
  const meta = metaFrom(textBlocks(tree), table, timeHeader, pageTitle(tree), links, warnings, zoneFound);
  return {
    meta,
    items,
    warnings,
    found: { title: meta.title !== '', timeZone: zoneFound.value, date: meta.date !== '' },
  };
}
