import { Router, type Request, type Response } from 'express';
import { isSafeKey } from '../../shared/schema';
import { slugify } from '../export';
import { EXPORT_NAMES, type ExportName } from '../export/render';
import type { QuestionService } from '../questions/service';
import { etagOf } from '../work/results';
import { boardOf, HttpError, type RouteContext } from './context';
import { answerFromCache, statesOf, versionsOf, type HeavyDeps } from './heavy';

/**
 * Downloads of a board's outcome, for any role's token (`requireBoard()`):
 * the JSON export of the contract, the minutes, tasks as CSV and as a
 * calendar, notes as CSV and the board as an SVG picture. Exports hold the
 * board's content, so they are never cached by shared caches, and each comes
 * as an attachment named after the board.
 *
 * Their cost grows with the board, so they are made in the heavy-work pool
 * from the documents' bytes (HV1), at most `EXPORT_SLOTS` at a time (HV2,
 * 503), and an unchanged board's download comes from the result cache under
 * its ETag (HV3; `If-None-Match` gets 304).
 */

const FORMATS: Record<ExportName, { contentType: string; suffix: string }> = {
  'export.json': { contentType: 'application/json; charset=utf-8', suffix: 'export.json' },
  'export.md': { contentType: 'text/markdown; charset=utf-8', suffix: 'minutes.md' },
  // `header=present` is RFC 4180's parameter for a header row.
  'tasks.csv': { contentType: 'text/csv; charset=utf-8; header=present', suffix: 'tasks.csv' },
  'tasks.ics': { contentType: 'text/calendar; charset=utf-8', suffix: 'tasks.ics' },
  'notes.csv': { contentType: 'text/csv; charset=utf-8; header=present', suffix: 'notes.csv' },
  'board.svg': { contentType: 'image/svg+xml; charset=utf-8', suffix: 'board.svg' },
};

/** `?itemId=` of board.svg: absent, or an agenda item id (whether the board holds it, the worker checks). */
function svgItem(req: Request): string | null {
  const raw = req.query.itemId;
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || !isSafeKey(raw))
    throw new HttpError(400, 'bad-request', 'itemId must be an agenda item id');
  return raw;
}

/** The headers of a download named after the board (its slug is [a-z0-9-] only: no further quoting). */
export function downloadHeaders(title: string, suffix: string, contentType: string): Record<string, string> {
  return {
    'content-disposition': `attachment; filename="${slugify(title)}-${suffix}"`,
    'content-type': contentType,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  };
}

/** Sends bytes made by a worker as they are (no re-encoding on the event loop). */
export const sendBytes = (res: Response, bytes: Uint8Array): void =>
  void res.status(200).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

export function exportRoutes(ctx: RouteContext & HeavyDeps & { questions?: QuestionService }): Router {
  const router = Router();
  for (const name of EXPORT_NAMES) {
    const format = FORMATS[name];
    router.get(
      `/api/boards/:id/${name}`,
      ctx.requireBoard(),
      ...ctx.heavyLimits,
      async (req, res: Response) => {
        const board = boardOf(res);
        const itemId = name === 'board.svg' ? svgItem(req) : null;
        // Waiting and hidden questions only in an organizer's download (QA5).
        const questions = ctx.questions
          ? await ctx.questions.forExport(board.id, board.role === 'organizer')
          : undefined;
        const headers = downloadHeaders(board.title, format.suffix, format.contentType);
        const etag = (versions: string[]): string =>
          etagOf(['export', name, itemId, board.id, board.title, versions, questions ?? null]);
        if (answerFromCache(req, res, ctx.results, etag(await versionsOf(ctx.docs, board.id)), headers))
          return;
        const made = await ctx.slots.run('exports', res, async () => {
          const { states, versions } = await statesOf(ctx.docs, ctx.docStore, board.id);
          const result = await ctx.work.run({
            kind: 'export',
            name,
            states,
            board: { id: board.id, title: board.title },
            questions,
            itemId,
          });
          return { result, etag: etag(versions) };
        });
        const { result } = made;
        if (!result.ok)
          throw new HttpError(404, 'not-found', 'missing' in result ? result.missing : 'not found');
        if (!('bytes' in result)) throw new Error('the export worker answered something else');
        for (const p of result.problems) ctx.log.warn({ board: board.id, ...p }, 'skipped a malformed entry');
        ctx.results.set(made.etag, { body: result.bytes });
        sendBytes(res.set(headers).set('etag', made.etag), result.bytes);
      },
    );
  }
  return router;
}
