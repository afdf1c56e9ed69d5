import { Router } from 'express';
import { API, type ResponseOf } from '../../shared/api/contracts';
import { isPrivateWriting } from '../../shared/schema';
import { reveal, startPrivateWriting } from '../boards/private-writing';
import { boardOf, type RouteContext } from './context';
import { parseRequest } from './contract';

/**
 * The private writing phase (PW1, PW2): organizers start it and end it with
 * Reveal. Both are idempotent; the answer is the phase afterwards and how
 * many notes Reveal moved onto the board.
 */
export function privateWritingRoutes(ctx: RouteContext): Router {
  const router = Router();
  router.post('/api/boards/:id/private-writing', ctx.requireBoard('organizer'), async (req, res) => {
    const board = boardOf(res);
    const { action } = parseRequest(API.privateWriting, req.body ?? {});
    let moved = 0;
    if (action === 'start') await startPrivateWriting(ctx.docs, board.id);
    else moved = await reveal(ctx.docs, board.id, ctx.log);
    const privateWriting = await ctx.docs.read(board.id, 'board', isPrivateWriting);
    res.set('cache-control', 'no-store');
    res.json({ privateWriting, moved } satisfies ResponseOf<typeof API.privateWriting>);
  });
  return router;
}
