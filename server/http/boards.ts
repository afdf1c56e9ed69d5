import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import { cleanText, LIMITS, ROLES, type Role } from '../../shared/schema';
import { mintBoard } from '../boards/tokens';
import type { BoardStore } from '../persistence/store';
import { boardOf, HttpError, type RouteContext } from './context';
import { limitRequests } from './rate-limit';

/** Page URLs keep the token in the fragment, which browsers never send to servers. */
export function boardUrls(origin: string, id: string, tokens: Record<Role, string>): Record<Role, string> {
  const out = {} as Record<Role, string>;
  for (const role of ROLES) out[role] = `${origin}/b/${id}#${tokens[role]}`;
  return out;
}

const originOf = (req: Request, publicUrl: string | null): string =>
  publicUrl ? publicUrl.replace(/\/+$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`;

export async function createBoard(boards: BoardStore, title: string) {
  const minted = mintBoard(title);
  await boards.createBoard(minted.record);
  return minted;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Whether the request carries `Authorization: Bearer <ADMIN_TOKEN>`, compared
 * in constant time (over SHA-256 digests, so lengths do not leak either).
 */
export function isAdmin(req: Request, adminToken: string | null): boolean {
  if (!adminToken) return false;
  const header = req.get('authorization') ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  return timingSafeEqual(sha256(given), sha256(adminToken));
}

/**
 * Board creation per client address (BOARDS_PER_ADDRESS per BOARDS_WINDOW_MS):
 * every request counts, refused ones too (they may be guesses of the admin
 * token); a request with the admin token is never limited.
 */
function creationLimit(ctx: RouteContext): RequestHandler {
  const { boardsPerAddress, boardsWindowMs, adminToken } = ctx.config;
  return limitRequests({
    limit: boardsPerAddress,
    windowMs: boardsWindowMs,
    code: 'too-many-boards',
    message: (s) => `too many new boards from this address; try again in ${s} s`,
    log: ctx.log,
    skip: (req) => isAdmin(req, adminToken),
  });
}

export function boardRoutes(ctx: RouteContext & { boards: BoardStore }): Router {
  const r = Router();

  r.post('/api/boards', creationLimit(ctx), async (req, res) => {
    if (ctx.config.adminToken && !isAdmin(req, ctx.config.adminToken)) {
      throw new HttpError(401, 'admin-token-required', 'creating a board requires the admin token');
    }
    const body = req.body as unknown;
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof (body as { title?: unknown }).title !== 'string'
    ) {
      throw new HttpError(400, 'bad-request', 'expected JSON { "title": string }');
    }
    const title = cleanText((body as { title: string }).title, LIMITS.titleLength);
    if (title === '') throw new HttpError(400, 'bad-request', 'title must not be empty');
    const { record, tokens } = await createBoard(ctx.boards, title);
    ctx.log.info({ board: record.id }, 'board created');
    res.status(201).json({
      id: record.id,
      title: record.title,
      tokens,
      urls: boardUrls(originOf(req, ctx.config.publicUrl), record.id, tokens),
    });
  });

  r.get('/api/boards/:id', ctx.requireBoard(), (_req, res) => {
    const b = boardOf(res);
    res.json({ id: b.id, title: b.title, role: b.role });
  });

  return r;
}
