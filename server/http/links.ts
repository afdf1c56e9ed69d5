import { Router, type Request } from 'express';
import { CLOSE } from '../../shared/protocol';
import { setBoardTitle } from '../../shared/ops/roster';
import { cleanText, LIMITS, ROLES, serverOrigin, type Role } from '../../shared/schema';
import { boardUrl } from '../boards/links';
import { hashToken, newToken } from '../boards/tokens';
import { BOARD_DELETED, LINK_REPLACED, type SessionControl } from '../identity/cluster-sessions';
import type { BoardStore } from '../persistence/store';
import type { DocAccess } from '../sync/doc-access';
import { boardOf, HttpError, type RouteContext } from './context';

/** Unloading a deleted board's documents (`RoomManager.evict`). */
export interface BoardEviction {
  evict(boardId: string): Promise<number>;
}

/** What the link routes need besides the common context. */
export interface LinkDeps {
  boards: BoardStore;
  sessions: SessionControl;
  docs: DocAccess & BoardEviction;
}

export { BOARD_DELETED, LINK_REPLACED };

const isRole = (v: unknown): v is Role => (ROLES as readonly unknown[]).includes(v);

const originOf = (req: Request, publicUrl: string | null): string =>
  publicUrl ? publicUrl.replace(/\/+$/, '') : `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/** The new title of `PATCH /api/boards/:id`, validated like a new board's. */
function titleOf(req: Request): string {
  const body = req.body as unknown;
  if (typeof body !== 'object' || body === null || typeof (body as { title?: unknown }).title !== 'string')
    throw new HttpError(400, 'bad-request', 'expected JSON { "title": string }');
  const title = cleanText((body as { title: string }).title, LIMITS.titleLength);
  if (title === '') throw new HttpError(400, 'bad-request', 'title must not be empty');
  return title;
}

/**
 * Link lifecycle (SPEC B2, organizer link only): replacing one role's link,
 * renaming and deleting the board. See docs/protocol.md "Link lifecycle".
 * Logs carry the board id, never a token.
 */
export function linkRoutes(ctx: RouteContext & LinkDeps): Router {
  const r = Router();
  const { boards, sessions, docs, log } = ctx;

  r.post('/api/boards/:id/links/:role/rotate', ctx.requireBoard('organizer'), async (req, res) => {
    const role = req.params.role;
    if (!isRole(role)) throw new HttpError(404, 'not-found', `no such link; roles: ${ROLES.join(', ')}`);
    const board = boardOf(res);
    const token = newToken();
    if (!(await boards.setTokenHash(board.id, role, hashToken(token))))
      throw new HttpError(401, 'unauthorized', 'missing or wrong token for this board');
    // The old token no longer authenticates: close what was opened with it.
    const closed = sessions.closeBoard(board.id, role, CLOSE.unauthorized, LINK_REPLACED);
    log.info({ board: board.id, role, closed }, 'link replaced');
    res.json({ token, url: boardUrl(originOf(req, ctx.config.publicUrl), board.id, token) });
  });

  r.patch('/api/boards/:id', ctx.requireBoard('organizer'), async (req, res) => {
    const title = titleOf(req);
    const board = boardOf(res);
    if (!(await boards.renameBoard(board.id, title)))
      throw new HttpError(401, 'unauthorized', 'missing or wrong token for this board');
    // Everyone connected sees the new title at once (the board document carries it).
    await docs.change(board.id, 'board', 'rename', (doc) =>
      setBoardTitle(doc, title, serverOrigin('rename')),
    );
    log.info({ board: board.id }, 'board renamed');
    res.json({ id: board.id, title });
  });

  r.delete('/api/boards/:id', ctx.requireBoard('organizer'), async (_req, res) => {
    const board = boardOf(res);
    // Remembered first: a join admitted a moment ago is closed when it registers.
    const closed = sessions.markBoardDeleted(board.id, CLOSE.notFound, BOARD_DELETED);
    // Unloaded (pending changes stored) before the rows go, so nothing is written after them.
    const unloaded = await docs.evict(board.id);
    await boards.deleteBoard(board.id);
    // A request admitted just before the board row went may have loaded a document since.
    if ((await docs.evict(board.id)) > 0) await boards.deleteBoard(board.id);
    log.info({ board: board.id, closed, unloaded }, 'board deleted');
    res.status(204).end();
  });

  return r;
}
