import { Router, type Response } from 'express';
import { slugify, toExportJson, toMinutesMarkdown, toTasksCsv, toTasksIcs } from '../export';
import type { BoardSnapshot } from '../boards/snapshot';
import { boardOf, type RouteContext } from './context';

/**
 * Downloads of a board's outcome, for any role's token (`requireBoard()`):
 * the JSON export of the contract, the minutes, tasks as CSV and as a
 * calendar. Exports hold the board's content, so they are never cached by
 * shared caches, and each comes as an attachment named after the board.
 */

interface ExportFormat {
  path: string;
  contentType: string;
  suffix: string;
  render: (snapshot: BoardSnapshot) => string;
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
];

function send(res: Response, format: ExportFormat, snapshot: BoardSnapshot): void {
  const body = format.render(snapshot);
  // The slug is [a-z0-9-] only, so the quoted name needs no further encoding.
  res.set('content-disposition', `attachment; filename="${slugify(snapshot.board.title)}-${format.suffix}"`);
  res.set('content-type', format.contentType);
  res.set('cache-control', 'private, no-store');
  res.set('x-content-type-options', 'nosniff');
  res.status(200).send(body);
}

export function exportRoutes(ctx: RouteContext): Router {
  const router = Router();
  for (const format of FORMATS) {
    router.get(`/api/boards/:id/${format.path}`, ctx.requireBoard(), async (_req, res) => {
      const board = boardOf(res);
      const snapshot = await ctx.snapshot(board.id);
      send(res, format, snapshot);
    });
  }
  return router;
}
