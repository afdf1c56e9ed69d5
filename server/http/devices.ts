import { Router, type RequestHandler } from 'express';
import {
  CONTINUE_PARAM,
  HANDOFF_CODE_LENGTH,
  normalizeCode,
  type Handoff,
} from '../../shared/protocol/sharing';
import { boardUrl } from '../boards/links';
import { PERSON_REMOVED } from '../identity/cluster-sessions';
import type { Devices } from '../identity/devices';
import type { Identities } from '../identity/identities';
import { bearerOf, boardOf, bodyOf, HttpError, originOf, type RouteContext } from './context';
import { HANDOFF_GONE } from './join';
import { PERSON_HEADERS } from './questions';
import { limitRequests } from './rate-limit';

/** What the device routes need besides the common context. */
export interface DeviceDeps {
  identities: Identities;
  devices: Devices;
  /** Failed code attempts per client address, shared with `POST /api/join`. */
  codeAttempts: RequestHandler;
}

/** Codes one person may ask for per window (HO1): enough for a few devices and a retry. */
export const HANDOFFS_PER_PERSON = 10;
const HANDOFF_WINDOW_MS = 10 * 60_000;

/**
 * Continuing as the same person on another device (HO1–HO3). The person
 * proves who they are with their identity headers (as for questions); the
 * other device claims the code with any link of the board.
 */
export function deviceRoutes(ctx: RouteContext & DeviceDeps): Router {
  const r = Router();
  const { identities, devices } = ctx;

  const perPerson = limitRequests({
    limit: HANDOFFS_PER_PERSON,
    windowMs: HANDOFF_WINDOW_MS,
    code: 'too-many-codes',
    message: (s) => `too many codes asked for; try again in ${s} s`,
    key: (req, res) => `${boardOf(res).id}:${String(req.params.userId)}`,
    skipFailedRequests: true,
    log: ctx.log,
    shared: ctx.limits,
  });

  // The person themself, proven before anything is counted: the limit keeps keys of real people only.
  const provePerson: RequestHandler = async (req, res, next) => {
    const userId = req.params.userId as string;
    if (req.get(PERSON_HEADERS.userId) !== userId)
      throw new HttpError(
        403,
        'forbidden',
        `only the person themself continues on another device (${PERSON_HEADERS.userId})`,
      );
    const checked = await identities.check(boardOf(res).id, userId, req.get(PERSON_HEADERS.key));
    if (!checked.ok) {
      if (checked.reason === 'removed') throw new HttpError(410, 'removed', PERSON_REMOVED);
      throw new HttpError(401, 'unauthorized', 'missing or wrong identity for this board');
    }
    next();
  };

  r.post(
    '/api/boards/:id/people/:userId/handoff',
    ctx.requireBoard(),
    provePerson,
    perPerson,
    async (req, res) => {
      const board = boardOf(res);
      const userId = req.params.userId as string;
      // The link the code travels with is the one the person uses on this device.
      const token = bearerOf(req);
      const { code, expiresAt } = await devices.handoff(board.id, userId, token);
      ctx.log.info({ board: board.id, userId }, 'code to continue on another device issued');
      const url = `${boardUrl(originOf(req, ctx.config.publicUrl), board.id, token)}&${CONTINUE_PARAM}=${code}`;
      const answer: Handoff = { code, url, expiresAt };
      res.status(201).set('cache-control', 'no-store').json(answer);
    },
  );

  r.post('/api/boards/:id/people/claim', ctx.codeAttempts, ctx.requireBoard(), async (req, res) => {
    const code = normalizeCode(bodyOf(req).code);
    if (code === null || code.length !== HANDOFF_CODE_LENGTH)
      throw new HttpError(404, 'unknown-code', 'no such code on this board');
    const board = boardOf(res);
    const claimed = await devices.claim(board.id, code);
    if (!claimed.ok) {
      const { reason } = claimed;
      if (reason === 'unknown') throw new HttpError(404, 'unknown-code', 'no such code on this board');
      if (reason === 'too-many-devices')
        throw new HttpError(409, reason, 'this person already continues on too many devices');
      throw new HttpError(410, reason, reason === 'removed' ? PERSON_REMOVED : HANDOFF_GONE[reason]);
    }
    ctx.log.info({ board: board.id, userId: claimed.userId }, 'person continued on another device');
    res
      .set('cache-control', 'no-store')
      .json({ userId: claimed.userId, key: claimed.key, name: claimed.name });
  });

  return r;
}
