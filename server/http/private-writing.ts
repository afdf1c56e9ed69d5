import { Router, type Request } from 'express';
import { isPrivateWriting } from '../../shared/schema';
import { reveal, startPrivateWriting } from '../boards/private-writing';
import { boardOf, HttpError, type RouteContext } from './context';

/** `{ "action": "start" | "reveal" }` */
function actionOf(req: Request): 'start' | 'reveal' {
  const body: unknown = req.body ?? {};
  const action =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>).action
      : undefined;
  if (action !== 'start' && action !== 'reveal')
    throw new HttpError(400, 'bad-request', 'send a JSON object { "action": "start" | "reveal" }');
  return action;
}

/**
 * The private writing phase (PW1, PW2): organizers start it and end it with
 * Reveal. Both are idempotent; the answer is the phase afterwards and how
 * many notes Reveal moved onto the board.
 */
export function privateWritingRoutes(ctx: RouteContext): Router {
  const router = Router();
  router.post('/api/boards/:id/private-writing', ctx.requireBoard('organizer'), async (req, res) => {
    const board = boardOf(res);
    const action = actionOf(req);
    let moved = 0;
    if (action === 'start') await startPrivateWriting(ctx.docs, board.id);
    else moved = await reveal(ctx.docs, board.id, ctx.log);
    const privateWriting = await ctx.docs.read(board.id, 'board', isPrivateWriting);
    res.set('cache-control', 'no-store');
    res.json({ privateWriting, moved });
  });
  return router;
}
