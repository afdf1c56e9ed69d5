import { Router, type Request, type Response } from 'express';
import ical, { ICalCalendarMethod } from 'ical-generator';
import * as Y from 'yjs';
import {
  mergeItems,
  planItemMerge,
  replaceItems,
  setMeta,
  type ItemMergePlan,
} from '../../shared/ops/agenda';
import {
  readItems,
  readMeta,
  readNotes,
  readTasks,
  serverOrigin,
  type Agenda,
  type AgendaItem,
  type AgendaMeta,
} from '../../shared/schema';
import { wallTimeToMs } from '../../shared/time/schedule';
import { dayTimeline } from '../../shared/time/timeline';
import { icsCalendarName, icsLine, icsLines } from '../export/ics';
import { AgendaImportError, type AgendaImport } from '../import/markdown-agenda';
import { parseAgendaPageIsolated, type IsolationLimits } from '../import/parse-in-worker';
import { boardOf, HttpError, type RouteContext } from './context';

/**
 * Agenda routes (issue 3): import of a workshop page and the agenda as an
 * iCalendar file. See docs/import.md "Agenda import".
 */

interface ImportBody {
  markdown: string;
  dryRun: boolean;
  /** Take the page's date over the one the agenda has (AG6); default false. */
  useImportedDate: boolean;
}

function importBody(req: Request): ImportBody {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'bad-request',
      'send a JSON object { "markdown": string, "dryRun": boolean, "useImportedDate": boolean } with content-type application/json',
    );
  const { markdown, dryRun, useImportedDate } = body as Record<string, unknown>;
  if (typeof markdown !== 'string' || markdown.trim() === '')
    throw new HttpError(400, 'bad-request', '"markdown" must be a non-empty string holding the page');
  if (dryRun !== undefined && typeof dryRun !== 'boolean')
    throw new HttpError(400, 'bad-request', '"dryRun" must be true or false');
  if (useImportedDate !== undefined && typeof useImportedDate !== 'boolean')
    throw new HttpError(400, 'bad-request', '"useImportedDate" must be true or false');
  return { markdown, dryRun: dryRun ?? false, useImportedDate: useImportedDate ?? false };
}

async function parseOrFail(markdown: string, limits: IsolationLimits): Promise<AgendaImport> {
  try {
    return await parseAgendaPageIsolated(markdown, limits);
  } catch (e) {
    if (!(e instanceof AgendaImportError)) throw e;
    if (e.code === 'too-large') throw new HttpError(413, 'too-large', e.message);
    if (e.code === 'no-agenda-table') throw new HttpError(422, 'no-agenda-table', e.message);
    if (e.code === 'too-complex') throw new HttpError(422, 'too-complex', e.message);
    throw new HttpError(400, 'bad-request', e.message);
  }
}

/**
 * What the agenda's meta becomes: the page's findings override the current
 * values, but what the page did not say (no date, no zone, no title) keeps
 * what the organizer had set rather than being blanked. The date the agenda
 * already has is kept unless the organizer asks for the page's (AG6).
 */
function mergedMeta(current: AgendaMeta, imported: AgendaImport, useImportedDate: boolean): AgendaMeta {
  const takeDate = imported.found.date && (useImportedDate || current.date === '');
  return {
    title: imported.found.title ? imported.meta.title : current.title,
    timeZone: imported.found.timeZone ? imported.meta.timeZone : current.timeZone,
    date: takeDate ? imported.meta.date : current.date,
    links: { ...current.links, ...imported.meta.links },
  };
}

/** What an import does to the live board, shown in the preview before anything changes (AG6). */
export interface ImportChanges {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Titles of the items that go away. */
  removedTitles: string[];
  /** Notes tagged with a removed item: they lose their talk tag. */
  notesUntagged: number;
  /** Tasks linked to a removed item: they lose their talk. */
  tasksUnlinked: number;
  /** The date the agenda has and the page's ('' when it has none or found none). */
  currentDate: string;
  pageDate: string;
}

async function changesOf(
  ctx: RouteContext,
  boardId: string,
  current: readonly AgendaItem[],
  plan: ItemMergePlan,
  currentDate: string,
  imported: AgendaImport,
): Promise<ImportChanges> {
  const gone = new Set(plan.removed);
  const notesUntagged = gone.size
    ? await ctx.docs.read(boardId, 'board', (doc) =>
        readNotes(doc).reduce((n, note) => n + (note.itemId && gone.has(note.itemId) ? 1 : 0), 0),
      )
    : 0;
  const tasksUnlinked = gone.size
    ? await ctx.docs.read(boardId, 'tasks', (doc) =>
        readTasks(doc).reduce((n, task) => n + (task.itemId && gone.has(task.itemId) ? 1 : 0), 0),
      )
    : 0;
  return {
    added: plan.added,
    changed: plan.changed.length,
    removed: plan.removed.length,
    unchanged: plan.unchanged,
    removedTitles: current.filter((c) => gone.has(c.id)).map((c) => c.title),
    notesUntagged,
    tasksUnlinked,
    currentDate,
    pageDate: imported.found.date ? imported.meta.date : '',
  };
}

const MINUTE_MS = 60_000;

/**
 * The agenda as iCalendar: one VEVENT per item, in UTC, at the planned (not
 * shifted) times, except an item that ran: at the times it really ran (AG7).
 */
export function agendaToIcs(
  boardId: string,
  boardTitle: string,
  agenda: Agenda,
  now: Date = new Date(),
): string {
  const { meta } = agenda;
  // One line: it is the calendar name and part of every description.
  const title = icsLine(meta.title || boardTitle);
  const cal = ical({
    // NAME and X-WR-CALNAME are written unescaped by ical-generator: cleaned and escaped here.
    name: icsCalendarName(title),
    prodId: { company: 'Plenary', product: 'agenda', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  let ran: Map<string, { startMs: number; endMs: number }>;
  try {
    ran = new Map(dayTimeline(agenda).flatMap((e) => (e.recorded ? [[e.item.id, e] as const] : [])));
  } catch {
    ran = new Map();
  }
  for (const item of agenda.items) {
    // The same planned time the board shows (AG1), so the calendar and the page agree.
    let startMs: number;
    try {
      startMs = wallTimeToMs(meta.date, item.start, meta.timeZone);
    } catch {
      continue;
    }
    const run = ran.get(item.id);
    let endMs = startMs + item.minutes * MINUTE_MS;
    if (run) ({ startMs, endMs } = run);
    const summary =
      item.speaker && !item.title.includes(item.speaker) ? `${item.title} — ${item.speaker}` : item.title;
    const lines: string[] = [];
    if (item.speaker)
      lines.push(`Speaker: ${item.speaker}${item.affiliation ? ` (${item.affiliation})` : ''}`);
    else if (item.affiliation) lines.push(`Affiliation: ${item.affiliation}`);
    if (item.url) lines.push(`Link: ${item.url}`);
    if (meta.links.meeting) lines.push(`Join: ${meta.links.meeting}`);
    lines.push(`Event: ${title}`);
    cal.createEvent({
      // Stable UIDs: re-importing the file updates the entries instead of duplicating them.
      id: icsLine(`${item.id}@${boardId}.plenary`),
      start: new Date(startMs),
      end: new Date(endMs),
      stamp: now,
      summary: icsLine(summary),
      description: icsLines(lines.join('\n')),
      url: icsLine(item.url || meta.links.meeting || '') || null,
      location: meta.links.meeting ? icsLine(meta.links.meeting) : null,
    });
  }
  return cal.toString();
}

/** ASCII, dash-separated, bounded: safe inside a Content-Disposition header. */
function fileSlug(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-+|-+$/gu, '')
    .slice(0, 60);
  return slug || 'agenda';
}

/**
 * At most `max` imports read at a time (each holds a worker thread and up to
 * its heap limit); one more gets 503 with Retry-After. Per app, not per module.
 */
function importSlots(max: number, retryAfterS: number) {
  let running = 0;
  return async <T>(res: Response, work: () => Promise<T>): Promise<T> => {
    if (running >= max) {
      res.set('retry-after', String(retryAfterS));
      throw new HttpError(
        503,
        'busy',
        `${max} agenda imports are being read right now; try again in ${retryAfterS} s`,
      );
    }
    running++;
    try {
      return await work();
    } finally {
      running--;
    }
  };
}

export function agendaRoutes(ctx: RouteContext): Router {
  const router = Router();
  const { importTimeoutMs, importMemoryMb, maxConcurrentImports } = ctx.config;
  // A slot is free again at the latest when the running imports time out.
  const withSlot = importSlots(maxConcurrentImports, Math.max(1, Math.ceil(importTimeoutMs / 1000)));

  router.post('/api/boards/:id/agenda/import', ctx.requireBoard('organizer'), async (req, res) => {
    const body = importBody(req);
    // express.json already refuses bodies over LIMITS.maxHttpBodyBytes with 413;
    // the importer refuses pages longer than MAX_PAGE_CHARS with 413 too.
    const imported = await withSlot(res, () =>
      parseOrFail(body.markdown, { timeoutMs: importTimeoutMs, maxMemoryMb: importMemoryMb }),
    );
    const boardId = boardOf(res).id;
    const before = await ctx.docs.read(boardId, 'agenda', (doc) => ({
      meta: readMeta(doc),
      items: readItems(doc),
    }));
    let meta = mergedMeta(before.meta, imported, body.useImportedDate);
    let current = before.items;
    let currentDate = before.meta.date;
    const origin = serverOrigin('import');
    // Rehearse on a scratch document: Yjs cannot roll back, so the operations'
    // validation must pass before the board's document sees the first write.
    try {
      const scratch = new Y.Doc();
      setMeta(scratch, meta, origin);
      replaceItems(scratch, imported.items, origin);
      scratch.destroy();
    } catch (e) {
      if (e instanceof RangeError) throw new HttpError(422, 'invalid-agenda', e.message);
      throw e;
    }
    let plan = planItemMerge(current, imported.items);
    if (!body.dryRun) {
      await ctx.docs.change(boardId, 'agenda', 'import', (doc) => {
        // Read again inside the change: the organizer may have edited meanwhile.
        const had = readMeta(doc);
        currentDate = had.date;
        current = readItems(doc);
        meta = mergedMeta(had, imported, body.useImportedDate);
        // Both operations join this one transaction.
        setMeta(doc, meta, origin);
        plan = mergeItems(doc, imported.items, origin);
      });
    }
    const changes = await changesOf(ctx, boardId, current, plan, currentDate, imported);
    res.json({ meta, items: imported.items, warnings: imported.warnings, changes });
  });

  router.get('/api/boards/:id/agenda.ics', ctx.requireBoard(), async (_req, res) => {
    const board = boardOf(res);
    const { agenda } = await ctx.snapshot(board.id);
    if (!agenda.meta.date)
      throw new HttpError(
        409,
        'no-date',
        'the agenda has no date: an organizer sets the event date first, then the calendar can be exported',
      );
    const text = agendaToIcs(board.id, board.title, agenda);
    res.set({
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `attachment; filename="${fileSlug(agenda.meta.title || board.title)}-agenda.ics"`,
      'cache-control': 'no-store',
    });
    res.send(text);
  });

  return router;
}
