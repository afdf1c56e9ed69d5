import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import { API } from '../../shared/api/contracts';
import { isTemplateId, TEMPLATES } from '../../shared/protocol/sharing';
import { cleanText, isTimeZone, LIMITS, type Role } from '../../shared/schema';
import { writeContent, type BoardContent } from '../boards/content';
import { boardUrls, type BoardLinks } from '../boards/links';
import { templateContent } from '../boards/templates';
import type { NewBoard } from '../boards/tokens';
import type { BoardStore } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';
import { bearerOf, boardOf, bodyOf, HttpError, originOf, type RouteContext } from './context';
import { parseRequest } from './contract';
import type { BoardEviction } from './links';
import { limitRequests } from './rate-limit';

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether the request carries `given` (default: its `Authorization: Bearer`)
 * equal to ADMIN_TOKEN, compared in constant time (over SHA-256 digests, so
 * lengths do not leak either).
 */
export function isAdmin(req: Request, adminToken: string | null, given = bearerOf(req)): boolean {
  if (!adminToken) return false;
  return timingSafeEqual(sha256(given), sha256(adminToken));
}

/** Where an organizer proves the admin token while their board's token is in `Authorization`. */
export const ADMIN_HEADER = 'x-plenary-admin';

/** Whether the request proves ADMIN_TOKEN, as the bearer or (copying a board) in `X-Plenary-Admin`. */
export const byAdmin = (req: Request, adminToken: string | null): boolean =>
  isAdmin(req, adminToken) || isAdmin(req, adminToken, req.get(ADMIN_HEADER) ?? '');

/**
 * Board creation per client address (BOARDS_PER_ADDRESS per BOARDS_WINDOW_MS),
 * one count for new boards and copies: every request counts, refused ones too
 * (they may be guesses of the admin token); an admin's request is never limited.
 */
export function creationLimit(ctx: Pick<RouteContext, 'config' | 'log' | 'limits'>): RequestHandler {
  const { boardsPerAddress, boardsWindowMs, adminToken } = ctx.config;
  return limitRequests({
    limit: boardsPerAddress,
    windowMs: boardsWindowMs,
    code: 'too-many-boards',
    message: (s) => `too many new boards from this address; try again in ${s} s`,
    log: ctx.log,
    shared: ctx.limits,
    skip: (req) => byAdmin(req, adminToken),
  });
}

/** A new board's title from a request body, validated (400 otherwise). */
export function titleOf(body: Record<string, unknown>): string {
  if (typeof body.title !== 'string')
    throw new HttpError(400, 'bad-request', 'expected JSON { "title": string }');
  const title = cleanText(body.title, LIMITS.titleLength);
  if (title === '') throw new HttpError(400, 'bad-request', 'title must not be empty');
  return title;
}

/** The 201 answer of a new board (`POST /api/boards`, `POST /api/boards/:id/duplicate`). */
export const createdAnswer = (req: Request, publicUrl: string | null, { record, tokens }: NewBoard) => ({
  id: record.id,
  title: record.title,
  tokens,
  urls: boardUrls(originOf(req, publicUrl), record.id, tokens) as Record<Role, string>,
});

/** What the board routes need besides the common context. */
export interface BoardDeps {
  links: BoardLinks;
  boards: BoardStore;
  docs: DocAccess & BoardEviction;
  /** `creationLimit`, one for every route that creates a board. */
  boardCreation: RequestHandler;
}

/**
 * A new board with `content` written into it (a template, a copy). When writing fails the board
 * goes again: its links were never handed out, and nothing half made stays.
 */
export async function createWith(
  ctx: Pick<RouteContext, 'log'> & BoardDeps,
  title: string,
  content: BoardContent | null,
  reason: string,
): Promise<NewBoard> {
  const created = await ctx.links.create(title);
  if (!content) return created;
  try {
    await writeContent(ctx.docs, created.record.id, content, reason);
    return created;
  } catch (e) {
    await ctx.docs.evict(created.record.id);
    await ctx.boards.deleteBoard(created.record.id);
    ctx.log.error({ err: e, board: created.record.id }, `a new board (${reason}) could not be filled`);
    throw e;
  }
}

export function boardRoutes(ctx: RouteContext & BoardDeps): Router {
  const r = Router();
  const { adminToken } = ctx.config;

  r.post('/api/boards', ctx.boardCreation, async (req, res) => {
    if (adminToken && !isAdmin(req, adminToken)) {
      throw new HttpError(401, 'admin-token-required', 'creating a board requires the admin token');
    }
    const body = parseRequest(API.createBoard, bodyOf(req));
    const title = titleOf(body);
    const template = body.template ?? null;
    if (template !== null && !isTemplateId(template))
      throw new HttpError(
        400,
        'bad-request',
        `template must be one of ${TEMPLATES.map((t) => t.id).join(', ')}`,
      );
    // The creator's zone (a template's agenda is in it), UTC when none or not a known zone.
    const zone = isTimeZone(body.timeZone) ? body.timeZone : 'UTC';
    const content = template === null ? null : templateContent(template, title, zone);
    const created = await createWith(ctx, title, content, 'template');
    ctx.log.info({ board: created.record.id, template }, 'board created');
    res.status(201).json(createdAnswer(req, ctx.config.publicUrl, created));
  });

  r.get('/api/boards/:id', ctx.requireBoard(), (_req, res) => {
    const b = boardOf(res);
    res.json({ id: b.id, title: b.title, role: b.role });
  });

  return r;
}
