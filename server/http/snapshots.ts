import { Router, type Request, type Response } from 'express';
import { cleanText, isSafeKey } from '../../shared/schema';
import { slugify, toBoardSvg, toExportJson } from '../export';
import { LABEL_LENGTH, type BoardHistory } from '../history/history';
import type { SnapshotMeta } from '../persistence/store';
import { boardOf, HttpError, type RouteContext } from './context';

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
export function snapshotRoutes(ctx: RouteContext & SnapshotDeps): Router {
  const router = Router();
  const { history } = ctx;

  router.get('/api/boards/:id/snapshots', ctx.requireBoard(), async (_req, res) => {
    const board = boardOf(res);
    const list = await history.list(board.id);
    noStore(res);
    res.json({ snapshots: list.map(publicMeta) });
  });

  router.post('/api/boards/:id/snapshots', ctx.requireBoard('organizer'), async (req, res) => {
    const board = boardOf(res);
    const label = labelOf(req);
    const { snapshot, created } = await history.take(board.id, { kind: 'manual', label });
    noStore(res);
    // An unchanged board is not stored again: the newest snapshot answers (200).
    res.status(created ? 201 : 200).json(publicMeta(snapshot));
  });

  router.get('/api/boards/:id/snapshots/:sid/export.json', ctx.requireBoard(), async (req, res) => {
    const board = boardOf(res);
    const content = await history.content(board.id, snapshotId(req), (p) =>
      ctx.log.warn({ board: board.id, ...p }, 'skipped a malformed entry in a snapshot'),
    );
    if (!content) throw new HttpError(404, 'not-found', 'no such snapshot');
    noStore(res);
    res.set('content-disposition', `attachment; filename="${slugify(board.title)}-snapshot-export.json"`);
    res.set('content-type', 'application/json; charset=utf-8');
    res.status(200).send(`${JSON.stringify(toExportJson(content), null, 2)}\n`);
  });

  /** The board as it was, as a picture (the history timeline's read-only view, XP2). */
  router.get('/api/boards/:id/snapshots/:sid/board.svg', ctx.requireBoard(), async (req, res) => {
    const board = boardOf(res);
    const content = await history.content(board.id, snapshotId(req));
    if (!content) throw new HttpError(404, 'not-found', 'no such snapshot');
    noStore(res);
    res.set('content-disposition', `attachment; filename="${slugify(board.title)}-snapshot-board.svg"`);
    res.set('content-type', 'image/svg+xml; charset=utf-8');
    res.set('x-content-type-options', 'nosniff');
    res.status(200).send(toBoardSvg(content));
  });

  router.post('/api/boards/:id/snapshots/:sid/restore', ctx.requireBoard('organizer'), async (req, res) => {
    const board = boardOf(res);
    const restored = await history.restore(board.id, snapshotId(req));
    if (!restored) throw new HttpError(404, 'not-found', 'no such snapshot');
    ctx.log.info({ board: board.id, snapshot: restored.id }, 'board restored from a snapshot');
    noStore(res);
    res.json({ restored: publicMeta(restored) });
  });

  return router;
}
