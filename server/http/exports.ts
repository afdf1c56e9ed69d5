import { Router, type Request, type Response } from 'express';
import { isSafeKey } from '../../shared/schema';
import {
  slugify,
  toBoardSvg,
  toExportJson,
  toMinutesMarkdown,
  toNotesCsv,
  toTasksCsv,
  toTasksIcs,
  withGroups,
  type ExportContent,
} from '../export';
import type { QuestionService } from '../questions/service';
import { boardOf, HttpError, type RouteContext } from './context';

/**
 * Downloads of a board's outcome, for any role's token (`requireBoard()`):
 * the JSON export of the contract, the minutes, tasks as CSV and as a
 * calendar, notes as CSV and the board as an SVG picture. Exports hold the board's content, so they are never cached by
 * shared caches, and each comes as an attachment named after the board.
 */

interface ExportFormat {
  path: string;
  contentType: string;
  suffix: string;
  render: (content: ExportContent, req: Request) => string;
}

/** `?itemId=` of board.svg: absent, or the id of one of the board's agenda items. */
function svgItem(content: ExportContent, req: Request): string | null {
  const raw = req.query.itemId;
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || !isSafeKey(raw))
    throw new HttpError(400, 'bad-request', 'itemId must be an agenda item id');
  if (!content.agenda.items.some((i) => i.id === raw))
    throw new HttpError(404, 'not-found', 'no such agenda item on this board');
  return raw;
}

const FORMATS: ExportFormat[] = [
  {
    path: 'export.json',
    contentType: 'application/json; charset=utf-8',
    suffix: 'export.json',
    render: (s) => `${JSON.stringify(toExportJson(s), null, 2)}\n`,
  },
  {
    path: 'export.md',
    contentType: 'text/markdown; charset=utf-8',
    suffix: 'minutes.md',
    render: toMinutesMarkdown,
  },
  {
    path: 'tasks.csv',
    // `header=present` is RFC 4180's parameter for a header row.
    contentType: 'text/csv; charset=utf-8; header=present',
    suffix: 'tasks.csv',
    render: toTasksCsv,
  },
  {
    path: 'tasks.ics',
    contentType: 'text/calendar; charset=utf-8',
    suffix: 'tasks.ics',
    render: (s) => toTasksIcs(s),
  },
  {
    path: 'notes.csv',
    contentType: 'text/csv; charset=utf-8; header=present',
    suffix: 'notes.csv',
    render: toNotesCsv,
  },
  {
    path: 'board.svg',
    contentType: 'image/svg+xml; charset=utf-8',
    suffix: 'board.svg',
    render: (s, req) => toBoardSvg(s, { itemId: svgItem(s, req) }),
  },
];

function send(req: Request, res: Response, format: ExportFormat, snapshot: ExportContent): void {
  const body = format.render(snapshot, req);
  // The slug is [a-z0-9-] only, so the quoted name needs no further encoding.
  res.set('content-disposition', `attachment; filename="${slugify(snapshot.board.title)}-${format.suffix}"`);
  res.set('content-type', format.contentType);
  res.set('cache-control', 'private, no-store');
  res.set('x-content-type-options', 'nosniff');
  res.status(200).send(body);
}

export function exportRoutes(ctx: RouteContext & { questions?: QuestionService }): Router {
  const router = Router();
  for (const format of FORMATS) {
    router.get(`/api/boards/:id/${format.path}`, ctx.requireBoard(), async (req, res) => {
      const board = boardOf(res);
      const content = await withGroups(await ctx.snapshot(board.id), ctx.docs, ctx.log);
      // Waiting and hidden questions only in an organizer's download (QA5).
      if (ctx.questions)
        content.questions = await ctx.questions.forExport(board.id, board.role === 'organizer');
      send(req, res, format, content);
    });
  }
  return router;
}
