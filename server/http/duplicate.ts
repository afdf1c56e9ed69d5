import { Router } from 'express';
import { DUPLICATE_PARTS, isDuplicatePart, type DuplicatePart } from '../../shared/protocol/sharing';
import { readContent } from '../boards/content';
import { boardOf, bodyOf, HttpError, type RouteContext } from './context';
import { ADMIN_HEADER, byAdmin, createdAnswer, createWith, titleOf, type BoardDeps } from './boards';

/**
 * `POST /api/boards/:id/duplicate` (DU1): a new board with the parts of this
 * one that `include` names; no people, votes, questions, history or live
 * state. It creates a board, so it counts against `BOARDS_PER_ADDRESS` and,
 * with `ADMIN_TOKEN` set, needs it (in `X-Plenary-Admin`).
 */
export function duplicateRoutes(ctx: RouteContext & BoardDeps): Router {
  const r = Router();
  const { adminToken } = ctx.config;

  r.post('/api/boards/:id/duplicate', ctx.requireBoard('organizer'), ctx.boardCreation, async (req, res) => {
    if (adminToken && !byAdmin(req, adminToken))
      throw new HttpError(
        401,
        'admin-token-required',
        `copying a board requires the admin token (${ADMIN_HEADER})`,
      );
    const body = bodyOf(req);
    const title = titleOf(body);
    const include = body.include ?? DUPLICATE_PARTS;
    if (!Array.isArray(include) || include.length > DUPLICATE_PARTS.length || !include.every(isDuplicatePart))
      throw new HttpError(400, 'bad-request', `include must list some of ${DUPLICATE_PARTS.join(', ')}`);
    const source = boardOf(res);
    const content = await readContent(ctx.docs, source.id, new Set<DuplicatePart>(include));
    // The copy's agenda is titled like the copy.
    if (content.meta) content.meta.title = title;
    const created = await createWith(ctx, title, content, 'duplicate');
    ctx.log.info({ board: created.record.id, from: source.id }, 'board duplicated');
    res.status(201).json(createdAnswer(req, ctx.config.publicUrl, created));
  });

  return r;
}
