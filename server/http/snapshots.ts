import { Router, type Request, type Response } from 'express';
import { cleanText, isSafeKey } from '../../shared/schema';
import type { ExportName } from '../export/render';
import { LABEL_LENGTH, type BoardHistory } from '../history/history';
import type { SnapshotMeta } from '../persistence/store';
import { etagOf } from '../work/results';
import { boardOf, HttpError, type RouteContext } from './context';
import { downloadHeaders, sendBytes } from './exports';
import { answerFromCache, type HeavyDeps } from './heavy';

/** What the snapshot routes need besides the route context. */
export interface SnapshotDeps {
  history: BoardHistory;
}

/** The public form of a snapshot (HS2). */
const publicMeta = (s: SnapshotMeta) => ({
  id: s.id,
  label: s.label,
  createdAt: s.createdAt,
  itemId: s.itemId,
  kind: s.kind,
});

function snapshotId(req: Request): string {
  const sid = req.params.sid;
  if (typeof sid !== 'string' || !isSafeKey(sid)) throw new HttpError(404, 'not-found', 'no such snapshot');
  return sid;
}

function labelOf(req: Request): string {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'bad-request', 'send a JSON object { "label": string }');
  const { label } = body as Record<string, unknown>;
  if (label === undefined) return 'Snapshot';
  if (typeof label !== 'string') throw new HttpError(400, 'bad-request', '"label" must be a string');
  const clean = cleanText(label, LABEL_LENGTH + 1);
  if (clean.length > LABEL_LENGTH)
    throw new HttpError(400, 'bad-request', `"label" is limited to ${LABEL_LENGTH} characters`);
  return clean || 'Snapshot';
}

const noStore = (res: Response): void => {
  res.set('cache-control', 'private, no-store');
};

/**
 * History per talk (issue 11, HS1–HS4): list (any role), take (organizer),
 * the `export.json` of a snapshot (any role) and restore (organizer).
 */
export function snapshotRoutes(ctx: RouteContext & SnapshotDeps & HeavyDeps): Router {
  const router = Router();
  const { history } = ctx;

  router.get('/api/boards/:id/snapshots', ctx.requireBoard(), async (_req, res) => {
    const board = boardOf(res);
    const list = await history.list(board.id);
    noStore(res);
    res.json({ snapshots: list.map(publicMeta) });
  });

  router.post(
    '/api/boards/:id/snapshots',
    ctx.requireBoard('organizer'),
    ...ctx.heavyLimits,
    async (req, res) => {
      const board = boardOf(res);
      const label = labelOf(req);
      const { snapshot, created } = await ctx.slots.run('history', res, () =>
        history.take(board.id, { kind: 'manual', label }),
      );
      noStore(res);
      // An unchanged board is not stored again: the newest snapshot answers (200).
      res.status(created ? 201 : 200).json(publicMeta(snapshot));
    },
  );

  /**
   * A snapshot as it was: its `export.json` (HS2) or its picture (the history
   * timeline's read-only view, XP2). Made in the heavy-work pool from the
   * stored states (HV1), in the exports' slots (HV2); a snapshot never
   * changes, so its download is cached under an ETag of its id and the
   * board's title (HV3).
   */
  const download =
    (name: ExportName, suffix: string, contentType: string) =>
    async (req: Request, res: Response): Promise<void> => {
      const board = boardOf(res);
      const sid = snapshotId(req);
      const headers = downloadHeaders(board.title, suffix, contentType);
      // A snapshot never changes; which of its questions it shows does (QA8).
      const publicNow = await history.publicQuestionIds(board.id);
      const etag = etagOf(['snapshot', name, board.id, sid, board.title, publicNow]);
      if (answerFromCache(req, res, ctx.results, etag, headers)) return;
      const result = await ctx.slots.run('exports', res, async () => {
        const stored = await history.stored(board.id, sid);
        if (!stored) throw new HttpError(404, 'not-found', 'no such snapshot');
        return ctx.work.run({
          kind: 'export',
          name,
          states: stored.states,
          board: { id: board.id, title: stored.title },
          questions: { publicNow: stored.publicNow },
          itemId: null,
        });
      });
      if (!('bytes' in result)) throw new Error('the export worker answered something else');
      for (const p of result.problems)
        ctx.log.warn({ board: board.id, ...p }, 'skipped a malformed entry in a snapshot');
      ctx.results.set(etag, { body: result.bytes });
      sendBytes(res.set(headers).set('etag', etag), result.bytes);
    };

  router.get(
    '/api/boards/:id/snapshots/:sid/export.json',
    ctx.requireBoard(),
    ...ctx.heavyLimits,
    download('export.json', 'snapshot-export.json', 'application/json; charset=utf-8'),
  );
  router.get(
    '/api/boards/:id/snapshots/:sid/board.svg',
    ctx.requireBoard(),
    ...ctx.heavyLimits,
    download('board.svg', 'snapshot-board.svg', 'image/svg+xml; charset=utf-8'),
  );

  router.post(
    '/api/boards/:id/snapshots/:sid/restore',
    ctx.requireBoard('organizer'),
    ...ctx.heavyLimits,
    async (req, res) => {
      const board = boardOf(res);
      const restored = await ctx.slots.run('history', res, () => history.restore(board.id, snapshotId(req)));
      if (!restored) throw new HttpError(404, 'not-found', 'no such snapshot');
      ctx.log.info({ board: board.id, snapshot: restored.id }, 'board restored from a snapshot');
      noStore(res);
      res.json({ restored: publicMeta(restored) });
    },
  );

  return router;
}
