import { Router, type RequestHandler } from 'express';
import { readRoster, serverOrigin } from '../../shared/schema';
import { recordJoin } from '../../shared/ops/roster';
import { CLOSE } from '../../shared/protocol';
import type { Identities } from '../identity/identities';
import { checkName } from '../identity/names';
import { PERSON_REMOVED as REMOVED_REASON, type SessionControl } from '../identity/cluster-sessions';
import { boardOf, bodyOf, HttpError, type RouteContext } from './context';
import { limitRequests } from './rate-limit';

/** What the people routes need besides the common context. */
export interface PeopleDeps {
  identities: Identities;
  sessions: SessionControl;
}

function nameOf(body: Record<string, unknown>): string {
  const checked = checkName(body.name);
  if (!checked.ok) throw new HttpError(400, 'bad-name', checked.message);
  return checked.name;
}

/**
 * Bounds on issuing identities (per client address and per link), so that one
 * person cannot mint hundreds of voters. Requests that fail (bad name, wrong
 * token, or over the other limit) do not count.
 */
function issuanceLimits(ctx: RouteContext): RequestHandler[] {
  const { peopleWindowMs: windowMs, peoplePerAddress, peoplePerLink } = ctx.config;
  const common = {
    windowMs,
    code: 'too-many-people',
    skipFailedRequests: true,
    log: ctx.log,
    shared: ctx.limits,
  };
  return [
    limitRequests({
      ...common,
      limit: peoplePerAddress,
      message: (s) => `too many new identities from this address; try again in ${s} s`,
    }),
    limitRequests({
      ...common,
      limit: peoplePerLink,
      key: (_req, res) => {
        const b = boardOf(res);
        return `${b.id}:${b.role}`;
      },
      message: (s) => `too many new identities for this link; try again in ${s} s`,
    }),
  ];
}

/**
 * People of a board (issue 13): issuing identities, renaming, removing.
 * See docs/protocol.md "Identities".
 */
export function peopleRoutes(ctx: RouteContext & PeopleDeps): Router {
  const r = Router();
  const { identities, sessions } = ctx;

  r.post('/api/boards/:id/people', ctx.requireBoard(), ...issuanceLimits(ctx), async (req, res) => {
    const name = nameOf(bodyOf(req));
    const board = boardOf(res);
    const person = await identities.issue(board.id, name);
    ctx.log.info({ board: board.id, userId: person.userId }, 'person issued');
    res.status(201).json(person);
  });

  r.patch('/api/boards/:id/people/:userId', ctx.requireBoard(), async (req, res) => {
    const body = bodyOf(req);
    if (typeof body.key !== 'string')
      throw new HttpError(400, 'bad-request', 'expected JSON { "key": string, "name": string }');
    const name = nameOf(body);
    const board = boardOf(res);
    const userId = req.params.userId as string;
    const checked = await identities.check(board.id, userId, body.key);
    if (!checked.ok) {
      if (checked.reason === 'removed') throw new HttpError(410, 'removed', REMOVED_REASON);
      throw new HttpError(401, 'unauthorized', 'unknown person or wrong key');
    }
    await identities.rename(board.id, userId, name);
    await ctx.docs.change(board.id, 'board', 'roster', (doc) => {
      const entry = readRoster(doc).find((e) => e.id === userId);
      recordJoin(
        doc,
        { id: userId, name, role: entry?.role ?? board.role, at: entry?.lastSeen ?? Date.now() },
        serverOrigin('roster'),
      );
    });
    res.json({ userId, name });
  });

  r.delete('/api/boards/:id/people/:userId', ctx.requireBoard('organizer'), async (req, res) => {
    const board = boardOf(res);
    const userId = req.params.userId as string;
    const person = await identities.getPerson(board.id, userId);
    if (!person) throw new HttpError(404, 'not-found', 'no such person on this board');
    // Remembered first, so a join that checked the key a moment ago is closed too.
    sessions.markRemoved(board.id, userId);
    await identities.revoke(board.id, userId);
    const closed = sessions.closeAll(board.id, userId, CLOSE.removed, REMOVED_REASON);
    ctx.log.info({ board: board.id, userId, closed }, 'person removed from the board');
    res.status(204).end();
  });

  return r;
}
