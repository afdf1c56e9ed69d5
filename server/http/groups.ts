import { Router, type Request } from 'express';
import { isSafeKey } from '../../shared/schema';
import { docVersion } from '../work/doc-version';
import { etagOf } from '../work/results';
import { boardOf, HttpError, type RouteContext } from './context';
import { storedUpdates } from '../work/stored';
import type { HeavyDeps } from './heavy';

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

export function groupRoutes(ctx: RouteContext & HeavyDeps): Router {
  const router = Router();
  /**
   * GR4: a suggestion, computed from the notes' texts; nothing is changed. In
   * the heavy-work pool (HV1), `SUGGEST_SLOTS` at a time (HV2); the same notes
   * get the cached answer (HV3).
   */
  router.post(
    '/api/boards/:id/groups/suggest',
    ctx.requireBoard('organizer'),
    ...ctx.heavyLimits,
    async (req, res) => {
      const board = boardOf(res);
      const { itemId } = suggestBody(req);
      res.set('cache-control', 'private, no-store');
      res.set('content-type', 'application/json; charset=utf-8');
      const key = (version: string): string => etagOf(['suggest', board.id, itemId, version]);
      const hit = ctx.results.get(key(await ctx.docs.read(board.id, 'board', (d) => docVersion(d))));
      if (hit) return void res.send(Buffer.from(hit.body));
      const made = await ctx.slots.run('suggest', res, async () => {
        const { updates, versions } = await storedUpdates(ctx.docs, ctx.docStore, board.id, ['board']);
        const result = await ctx.work.run({ kind: 'suggest', board: updates[0]!, itemId });
        if (!('groups' in result)) throw new Error('the suggest worker answered something else');
        return { body: Buffer.from(JSON.stringify({ groups: result.groups })), key: key(versions[0]!) };
      });
      ctx.results.set(made.key, { body: made.body });
      res.send(made.body);
    },
  );
  return router;
}
