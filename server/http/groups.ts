import { Router, type Request } from 'express';
import { isSafeKey, readNotes } from '../../shared/schema';
import { suggestGroups, SUGGEST_LIMITS, type SuggestedGroup } from '../groups/suggest';
import { boardOf, HttpError, type RouteContext } from './context';

/**
 * Groups of notes (issue 11): the server only suggests; making groups is an
 * ordinary board change (shared/ops/groups.ts, checked by the rule gate).
 */

/** `{ itemId? }`: only the notes of one agenda item; absent or null for the whole board. */
function suggestBody(req: Request): { itemId: string | null } {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'bad-request', 'send a JSON object { "itemId"?: string | null }');
  const { itemId } = body as Record<string, unknown>;
  if (itemId === undefined || itemId === null) return { itemId: null };
  if (typeof itemId !== 'string' || !isSafeKey(itemId))
    throw new HttpError(400, 'bad-request', '"itemId" must be an agenda item id or null');
  return { itemId };
}

export function groupRoutes(ctx: RouteContext): Router {
  const router = Router();
  /** GR4: a suggestion, computed from the notes' texts; nothing is changed. */
  router.post('/api/boards/:id/groups/suggest', ctx.requireBoard('organizer'), async (req, res) => {
    const board = boardOf(res);
    const { itemId } = suggestBody(req);
    const notes = await ctx.docs.read(board.id, 'board', (d) => readNotes(d));
    const picked = notes
      .filter((n) => itemId === null || n.itemId === itemId)
      .slice(-SUGGEST_LIMITS.maxNotes)
      .map((n) => ({ id: n.id, text: n.text }));
    const groups: SuggestedGroup[] = suggestGroups(picked);
    res.set('cache-control', 'private, no-store');
    res.json({ groups });
  });
  return router;
}
