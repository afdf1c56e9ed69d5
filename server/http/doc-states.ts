import { Router } from 'express';
import * as Y from 'yjs';
import { encodeDocStates } from '../../shared/protocol/doc-states';
import { DOC_KINDS, type DocKind } from '../../shared/schema';
import { boardOf, type RouteContext } from './context';

/**
 * DL3: the board's documents over plain HTTP for any role's token, so that
 * the page fills them while the person types a name, before its live
 * connection (which needs the name) starts. The same content the live sync
 * gives that token at once; the connection that follows sends only what is
 * newer. Never cached: it is the board's content.
 */
export function docStateRoutes(ctx: RouteContext): Router {
  const router = Router();
  router.get('/api/boards/:id/docs', ctx.requireBoard(), async (_req, res) => {
    const board = boardOf(res);
    const states = {} as Record<DocKind, Uint8Array>;
    for (const kind of DOC_KINDS)
      states[kind] = await ctx.docs.read(board.id, kind, (d) => Y.encodeStateAsUpdate(d));
    res.set('cache-control', 'no-store');
    res.type('application/octet-stream').send(Buffer.from(encodeDocStates(states)));
  });
  return router;
}
