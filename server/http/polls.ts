import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isSafeKey } from '../../shared/schema';
import type { Identities } from '../identity/identities';
import { parseAnswer, parseNewPoll, pollQuestion } from '../polls/model';
import { PollError, type PollService } from '../polls/service';
import { bodyOf, boardOf, HttpError, type RouteContext } from './context';
import { PERSON_HEADERS } from './questions';
import { limitRequests } from './rate-limit';

/** What the poll routes need besides the route context. */
export interface PollDeps {
  polls: PollService;
  identities: Identities;
}

/** Answers (or changed answers) one person may send per minute: a tap on every option is fine, a script is not. */
export const ANSWERS_PER_MINUTE = 60;

function pollId(req: Request): string {
  const id = req.params.pid;
  if (typeof id !== 'string' || !isSafeKey(id)) throw new HttpError(404, 'not-found', 'no such poll');
  return id;
}

/** Async handler whose PollErrors become HTTP errors. */
const handle =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch((e: unknown) =>
      next(e instanceof PollError ? new HttpError(e.status, e.code, e.message) : e),
    );
  };

/**
 * Live polls (issue 22, PO1–PO4): organizers create and run them, people with
 * an issued identity answer, everyone reads them (and the board document
 * carries them live). Answers are never sent back to anyone: only counts.
 * See docs/protocol.md "Polls".
 */
export function pollRoutes(ctx: RouteContext & PollDeps): Router {
  const r = Router();
  const { polls, identities } = ctx;

  r.get(
    '/api/boards/:id/polls',
    ctx.requireBoard(),
    handle(async (_req, res) => {
      const board = boardOf(res);
      res.set('cache-control', 'private, no-store');
      res.json({ polls: await polls.list(board.id, board.role === 'organizer') });
    }),
  );

  r.post(
    '/api/boards/:id/polls',
    ctx.requireBoard('organizer'),
    handle(async (req, res) => {
      res.status(201).json(await polls.create(boardOf(res).id, parseNewPoll(bodyOf(req))));
    }),
  );

  for (const status of ['open', 'closed'] as const)
    r.post(
      `/api/boards/:id/polls/:pid/${status === 'open' ? 'open' : 'close'}`,
      ctx.requireBoard('organizer'),
      handle(async (req, res) => {
        res.json(await polls.setStatus(boardOf(res).id, pollId(req), status));
      }),
    );

  r.patch(
    '/api/boards/:id/polls/:pid',
    ctx.requireBoard('organizer'),
    handle(async (req, res) => {
      const body = bodyOf(req);
      const change: { question?: string; resultsVisible?: boolean } = {};
      if (body.question !== undefined) change.question = pollQuestion(body.question);
      if (body.resultsVisible !== undefined) {
        if (typeof body.resultsVisible !== 'boolean')
          throw new HttpError(400, 'bad-request', '"resultsVisible" must be true or false');
        change.resultsVisible = body.resultsVisible;
      }
      if (Object.keys(change).length === 0)
        throw new HttpError(
          400,
          'bad-request',
          'expected JSON { "question"?: string, "resultsVisible"?: boolean }',
        );
      res.json(await polls.update(boardOf(res).id, pollId(req), change));
    }),
  );

  r.delete(
    '/api/boards/:id/polls/:pid',
    ctx.requireBoard('organizer'),
    handle(async (req, res) => {
      await polls.remove(boardOf(res).id, pollId(req));
      res.status(204).end();
    }),
  );

  const answerLimit = limitRequests({
    limit: ANSWERS_PER_MINUTE,
    windowMs: 60_000,
    code: 'rate-limited',
    message: (s) => `you answered ${ANSWERS_PER_MINUTE} times in a minute; try again in ${s} s`,
    log: ctx.log,
    shared: ctx.limits,
    key: (req) => `polls\n${req.params.id ?? ''}\n${req.get(PERSON_HEADERS.userId) ?? ''}`,
    skipFailedRequests: true,
  });

  // PO2: viewers are refused by their link; a per-connection guest has no issued identity to show (403),
  // a wrong identity is 401 as on the Q&A routes.
  r.put(
    '/api/boards/:id/polls/:pid/answer',
    ctx.requireBoard('organizer', 'participant'),
    answerLimit,
    handle(async (req, res) => {
      const board = boardOf(res);
      const userId = req.get(PERSON_HEADERS.userId);
      const key = req.get(PERSON_HEADERS.key);
      if (userId === undefined && key === undefined)
        throw new HttpError(
          403,
          'forbidden',
          `answering a poll needs an issued identity (${PERSON_HEADERS.userId}, ${PERSON_HEADERS.key})`,
        );
      const checked = await identities.check(board.id, userId, key);
      if (!checked.ok) throw new HttpError(401, 'unauthorized', 'missing or wrong identity for this board');
      const body = bodyOf(req);
      res.json(await polls.answer(board.id, pollId(req), checked.person.userId, (p) => parseAnswer(p, body)));
    }),
  );

  return r;
}
