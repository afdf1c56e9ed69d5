import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Router } from 'express';
import * as Y from 'yjs';
import { encodeDocStates } from '../../shared/protocol/doc-states';
import { SHARED_DOC_KINDS } from '../../shared/schema';
import { boardOf, type RouteContext } from './context';

/**
 * DL3: the board's documents over plain HTTP for any role's token, so that
 * the page fills them while the person types a name, before its live
 * connection (which needs the name) starts. The same content the live sync
 * gives that token at once; the connection that follows sends only what is
 * newer. Never cached: it is the board's content.
 */
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * A board's state is mostly note text and Yjs ids, about a third of it once
 * compressed: on conference Wi-Fi that is most of a first visit's bytes. A
 * fast setting (brotli 5), off the event loop (zlib's thread pool).
 */
async function compressed(body: Uint8Array, encoding: string | false): Promise<Buffer | null> {
  if (encoding === 'br')
    return brotli(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
  if (encoding === 'gzip') return gzip(body, { level: 6 });
  return null;
}

export function docStateRoutes(ctx: RouteContext): Router {
  const router = Router();
  router.get('/api/boards/:id/docs', ctx.requireBoard(), async (req, res) => {
    const board = boardOf(res);
    const states = {} as Record<(typeof SHARED_DOC_KINDS)[number], Uint8Array>;
    for (const kind of SHARED_DOC_KINDS)
      states[kind] = await ctx.docs.read(board.id, kind, (d) => Y.encodeStateAsUpdate(d));
    const body = encodeDocStates(states);
    const encoding = body.length >= 1024 ? req.acceptsEncodings('br', 'gzip', 'identity') : false;
    const packed = await compressed(body, encoding);
    res.set('cache-control', 'no-store');
    res.vary('Accept-Encoding');
    if (packed && encoding) res.set('content-encoding', encoding);
    res.type('application/octet-stream').send(packed ?? Buffer.from(body));
  });
  return router;
}
