import { ipKeyGenerator } from 'express-rate-limit';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isSafeKey } from '../../shared/schema';
import type { Identities } from '../identity/identities';
import { QuestionError, questionText, type QuestionService } from '../questions/service';
import { boardOf, HttpError, type RouteContext } from './context';
import { limitRequests } from './rate-limit';

/** What the Q&A routes need besides the route context. */
export interface QuestionDeps {
  questions: QuestionService;
  identities: Identities;
}

/** Questions one person may ask per minute. */
export const QUESTIONS_PER_MINUTE = 10;
/** QA6: the window of `QUESTIONS_PER_ADDRESS` (questions asked on one board from one client address). */
export const QUESTIONS_ADDRESS_WINDOW_MS = 10 * 60_000;

/** Headers that prove who a person is over HTTP: their issued id and key (as on joins). */
export const PERSON_HEADERS = { userId: 'x-plenary-user', key: 'x-plenary-key' } as const;

function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'bad-request', 'send a JSON object with content-type application/json');
  return body as Record<string, unknown>;
}

function questionId(req: Request): string {
  const id = req.params.qid;
  if (typeof id !== 'string' || !isSafeKey(id)) throw new HttpError(404, 'not-found', 'no such question');
  return id;
}

/** Async handler whose QuestionErrors become HTTP errors. */
const handle =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch((e: unknown) =>
      next(e instanceof QuestionError ? new HttpError(e.status, e.code, e.message) : e),
    );
  };

/**
 * Q&A per talk (issue 11, QA1–QA5). Public questions reach clients in the
 * board document; these routes ask, moderate and upvote, and hand waiting
 * questions only to organizers and their author. See docs/protocol.md "Q&A".
 */
export function questionRoutes(ctx: RouteContext & QuestionDeps): Router {
  const r = Router();
  const { questions, identities } = ctx;

  /** The person the request's headers prove, or null without them; 401 with a wrong key. */
  async function personOf(req: Request, res: Response): Promise<{ userId: string; name: string } | null> {
    const userId = req.get(PERSON_HEADERS.userId);
    const key = req.get(PERSON_HEADERS.key);
    if (userId === undefined && key === undefined) return null;
    const checked = await identities.check(boardOf(res).id, userId, key);
    if (!checked.ok) throw new HttpError(401, 'unauthorized', 'missing or wrong identity for this board');
    return { userId: checked.person.userId, name: checked.person.name };
  }
  async function requirePerson(req: Request, res: Response): Promise<{ userId: string; name: string }> {
    const person = await personOf(req, res);
    if (!person)
      throw new HttpError(
        401,
        'unauthorized',
        `this needs your identity (${PERSON_HEADERS.userId}, ${PERSON_HEADERS.key})`,
      );
    return person;
  }

  r.get(
    '/api/boards/:id/questions',
    ctx.requireBoard(),
    handle(async (req, res) => {
      const board = boardOf(res);
      const person = await personOf(req, res);
      const organizer = board.role === 'organizer';
      const [moderated, waiting, visible] = await Promise.all([
        questions.moderated(board.id),
        questions.inboxFor(board.id, { organizer, userId: person?.userId ?? null }),
        questions.publicFor(board.id, person?.userId),
      ]);
      res.set('cache-control', 'private, no-store');
      res.json({ moderated, questions: visible, waiting });
    }),
  );

  // Without moderation a person asks at most QUESTIONS_PER_MINUTE questions a minute (429 with
  // Retry-After beyond), so one participant cannot flood the board; while moderated, the limit of
  // waiting questions per person applies instead. Only questions that were asked count, so the
  // key (board and person) is a proven one.
  const askLimit = limitRequests({
    limit: QUESTIONS_PER_MINUTE,
    windowMs: 60_000,
    code: 'rate-limited',
    message: (s) => `you asked ${QUESTIONS_PER_MINUTE} questions in a minute; try again in ${s} s`,
    log: ctx.log,
    shared: ctx.limits,
    key: (req) => `${req.params.id ?? ''}\n${req.get(PERSON_HEADERS.userId) ?? ''}`,
    skipFailedRequests: true,
    skip: async (req) => questions.moderated(String(req.params.id)).catch(() => false),
  });

  // QA6: one address (a script minting identities) cannot fill a board's questions either; an
  // organizer is never counted. A venue's people behind one address share this bound.
  const addressLimit = limitRequests({
    limit: ctx.config.questionsPerAddress,
    windowMs: QUESTIONS_ADDRESS_WINDOW_MS,
    code: 'rate-limited',
    message: (s) => `too many questions from this address; try again in ${s} s`,
    log: ctx.log,
    shared: ctx.limits,
    key: (req) => `${req.params.id ?? ''}\n${ipKeyGenerator(req.ip ?? '')}`,
    skip: (_req, res) => boardOf(res).role === 'organizer',
    skipFailedRequests: true,
  });

  r.post(
    '/api/boards/:id/questions',
    ctx.requireBoard('organizer', 'participant'),
    addressLimit,
    askLimit,
    handle(async (req, res) => {
      const board = boardOf(res);
      const person = await requirePerson(req, res);
      const body = bodyOf(req);
      const text = questionText(body.text);
      if (body.anonymous !== undefined && typeof body.anonymous !== 'boolean')
        throw new HttpError(400, 'bad-request', '"anonymous" must be true or false');
      const view = await questions.ask(
        board.id,
        { ...person, organizer: board.role === 'organizer' },
        { text, anonymous: body.anonymous === true },
      );
      res.status(201).json(view);
    }),
  );

  r.delete(
    '/api/boards/:id/questions/:qid',
    ctx.requireBoard('organizer'),
    handle(async (req, res) => {
      await questions.remove(boardOf(res).id, questionId(req));
      res.status(204).end();
    }),
  );

  // QA7: hide, reject or delete every question of the person who asked :qid (whose id is never shown).
  r.post(
    '/api/boards/:id/questions/:qid/author',
    ctx.requireBoard('organizer'),
    handle(async (req, res) => {
      const { action } = bodyOf(req);
      if (action !== 'hide' && action !== 'reject' && action !== 'delete')
        throw new HttpError(400, 'bad-request', 'expected JSON { "action": "hide" | "reject" | "delete" }');
      res.json(await questions.byAuthorOf(boardOf(res).id, questionId(req), action));
    }),
  );

  r.put(
    '/api/boards/:id/questions/settings',
    ctx.requireBoard('organizer'),
    handle(async (req, res) => {
      const body = bodyOf(req);
      if (typeof body.moderated !== 'boolean')
        throw new HttpError(400, 'bad-request', 'expected JSON { "moderated": boolean }');
      await questions.setModerated(boardOf(res).id, body.moderated);
      res.json({ moderated: body.moderated });
    }),
  );

  for (const [action, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const)
    r.post(
      `/api/boards/:id/questions/:qid/${action}`,
      ctx.requireBoard('organizer'),
      handle(async (req, res) => {
        res.json(await questions.decide(boardOf(res).id, questionId(req), approve));
      }),
    );

  r.patch(
    '/api/boards/:id/questions/:qid',
    ctx.requireBoard('organizer'),
    handle(async (req, res) => {
      const body = bodyOf(req);
      const { status, pinned } = body;
      if (status !== undefined && status !== 'visible' && status !== 'answered' && status !== 'hidden')
        throw new HttpError(400, 'bad-request', '"status" must be visible, answered or hidden');
      if (pinned !== undefined && typeof pinned !== 'boolean')
        throw new HttpError(400, 'bad-request', '"pinned" must be true or false');
      res.json(await questions.mark(boardOf(res).id, questionId(req), { status, pinned }));
    }),
  );

  for (const [method, on] of [
    ['put', true],
    ['delete', false],
  ] as const)
    r[method](
      '/api/boards/:id/questions/:qid/upvote',
      ctx.requireBoard('organizer', 'participant'),
      handle(async (req, res) => {
        const person = await requirePerson(req, res);
        res.json(await questions.upvote(boardOf(res).id, questionId(req), person.userId, on));
      }),
    );

  return r;
}
