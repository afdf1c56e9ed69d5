import { Router, type Request } from 'express';
import { cleanText, LIMITS, ROLES, type Role } from '../../shared/schema';
import { mintBoard } from '../boards/tokens';
import type { BoardStore } from '../persistence/store';
import { boardOf, HttpError, type RouteContext } from './context';

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

export function boardRoutes(ctx: RouteContext & { boards: BoardStore }): Router {
  const r = Router();

  r.post('/api/boards', async (req, res) => {
    const admin = ctx.config.adminToken;
    if (admin && req.get('authorization') !== `Bearer ${admin}`) {
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
