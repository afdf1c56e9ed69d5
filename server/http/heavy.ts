import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { DocKind } from '../../shared/schema';
import type { DocAccess } from '../sync/doc-access';
import type { DocStore } from '../persistence/store';
import { docVersion } from '../work/doc-version';
import { storedUpdates } from '../work/stored';
import type { HeavyWork } from '../work/pool';
import { matches, type ResultCache } from '../work/results';
import type { Slots } from '../work/slots';
import type { DocStates } from '../work/tasks';
import { boardOf, bearerOf, type RouteContext } from './context';
import { limitRequests } from './rate-limit';

/**
 * What the heavy routes share (issue 17, HV1–HV4): the worker pool, the
 * per-kind slots, the cache of results for unchanged boards and the request
 * limits of heavy routes.
 */
export interface HeavyDeps {
  work: HeavyWork;
  /** The store the rooms write to: heavy work reads the documents' stored updates (HV1). */
  docStore: Pick<DocStore, 'load'>;
  slots: Slots;
  results: ResultCache;
  /** Per address, then per link: after `requireBoard()` on every heavy route. */
  heavyLimits: RequestHandler[];
}

const KINDS: DocKind[] = ['agenda', 'board', 'tasks'];

/** The versions of a board's three documents (cheap: no encoding). */
export async function versionsOf(docs: DocAccess, boardId: string): Promise<string[]> {
  return Promise.all(KINDS.map((k) => docs.read(boardId, k, (d) => docVersion(d))));
}

/** A board's three documents as their stored updates for a worker, with the versions they hold. */
export async function statesOf(
  docs: DocAccess,
  store: Pick<DocStore, 'load'>,
  boardId: string,
): Promise<{ states: DocStates; versions: string[] }> {
  const { updates, versions } = await storedUpdates(docs, store, boardId, KINDS);
  return { states: { agenda: updates[0]!, board: updates[1]!, tasks: updates[2]! }, versions };
}

/** Answers 304 when the client's copy is current, else the cached body; false when neither. */
export function answerFromCache(
  req: Request,
  res: Response,
  results: ResultCache,
  etag: string,
  headers: Record<string, string>,
): boolean {
  if (matches(req.get('if-none-match'), etag)) {
    res.set(headers).set('etag', etag).status(304).end();
    return true;
  }
  const hit = results.get(etag);
  if (!hit) return false;
  res
    .set(headers)
    .set('etag', etag)
    .status(200)
    .send(Buffer.from(hit.body.buffer, hit.body.byteOffset, hit.body.byteLength));
  return true;
}

/**
 * Request limits of heavy routes (HV4): per client address and per link (the
 * board and role the token opened). 429 with Retry-After over them.
 */
export function heavyLimits(ctx: Pick<RouteContext, 'config' | 'log' | 'limits'>): RequestHandler[] {
  const { heavyPerAddress, heavyPerLink, requestWindowMs: windowMs } = ctx.config;
  // Counted in Redis for every instance when there is one (i17b's SharedLimits).
  const common = { windowMs, code: 'too-many-requests', log: ctx.log, shared: ctx.limits };
  return [
    limitRequests({
      ...common,
      limit: heavyPerAddress,
      message: (s) => `too many downloads from your address; try again in ${s} s`,
    }),
    limitRequests({
      ...common,
      limit: heavyPerLink,
      key: (_req, res) => {
        const board = boardOf(res);
        return `${board.id}/${board.role}`;
      },
      message: (s) => `too many downloads through this link; try again in ${s} s`,
    }),
  ];
}

/**
 * Limits of every route that reads a board (`/api/boards/:id/…`, HV4), before
 * any other work: per client address, and per link (a hash of the bearer
 * token: the token itself is never kept). 429 with Retry-After over them.
 */
export function boardRequestLimits(ctx: Pick<RouteContext, 'config' | 'log' | 'limits'>): RequestHandler[] {
  const { boardRequestsPerAddress, boardRequestsPerLink, requestWindowMs: windowMs } = ctx.config;
  const common = { windowMs, code: 'too-many-requests', log: ctx.log, shared: ctx.limits };
  return [
    limitRequests({
      ...common,
      limit: boardRequestsPerAddress,
      message: (s) => `too many requests from your address; try again in ${s} s`,
    }),
    limitRequests({
      ...common,
      limit: boardRequestsPerLink,
      key: (req) =>
        `link:${createHash('sha256')
          .update(`${String(req.params.id)}\n${bearerOf(req)}`)
          .digest('base64url')
          .slice(0, 22)}`,
      message: (s) => `too many requests through this link; try again in ${s} s`,
    }),
  ];
}
